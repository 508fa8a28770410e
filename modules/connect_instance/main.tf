# Everything callguard needs inside one Amazon Connect instance: the
# functions' association and invoke permission, the check flow module, the
# inbound deny-list flow, the agent-flag QUEUE_TRANSFER flow and its quick
# connect, and optionally a static-list flow and phone number associations.
#
# Connect validates a flow when it is published and rejects one that invokes a
# function the instance cannot call yet. Every flow therefore depends on the
# associations and permissions, so the first apply succeeds.

locals {
  flows_dir = coalesce(var.flows_dir, "${path.module}/../../flows")

  # The spam-challenge functions join when the challenge is enabled.
  functions = merge(
    {
      check = var.check_function
      flag  = var.flag_function
    },
    var.challenge == null ? {} : {
      challenge = var.challenge.challenge_function
      verify    = var.challenge.verify_function
    },
  )

  queue_arn = "${var.instance_arn}/queue/${var.queue_id}"

  # What the agent hears after a flag unless messages.flag_success/flag_error say
  # otherwise: in review mode the number is only pending, so "added to the deny
  # list" would mislead the agent about what happens to the caller's next call.
  flag_defaults = {
    block = {
      success = "The caller has been added to the deny list."
      error   = "The caller could not be added to the deny list. Please add the number with the admin tool."
    }
    review = {
      success = "The caller has been flagged for supervisor review."
      error   = "The caller could not be flagged for review. Please tell a supervisor the caller's number."
    }
  }
  flag_success = coalesce(var.messages.flag_success, local.flag_defaults[var.flag_mode].success)
  flag_error   = coalesce(var.messages.flag_error, local.flag_defaults[var.flag_mode].error)

  # The account that owns the instance; Lambda permissions pin it as
  # source_account so that a same-named instance elsewhere cannot invoke.
  instance_account = split(":", var.instance_arn)[4]
}

# ---------------------------------------------------------------- functions
resource "aws_connect_lambda_function_association" "this" {
  for_each = local.functions

  instance_id  = var.instance_id
  function_arn = each.value.arn
}

resource "aws_lambda_permission" "connect" {
  for_each = local.functions

  statement_id   = "AllowConnect-${var.instance_id}"
  action         = "lambda:InvokeFunction"
  function_name  = each.value.name
  principal      = "connect.amazonaws.com"
  source_arn     = var.instance_arn
  source_account = local.instance_account
}

# ---------------------------------------------------------------- check
module "check_caller" {
  source = "../connect_flow"
  type   = "FLOW_MODULE"

  instance_id = var.instance_id
  name        = "${var.name_prefix}-check-caller"
  description = "callguard: looks the caller up in the deny list and sets callguard_* contact attributes."
  content = templatefile("${local.flows_dir}/check_caller.module.json.tftpl", {
    check_function_arn         = var.check_function.arn
    invocation_timeout_seconds = var.check_timeout_seconds
    fail_mode                  = var.fail_mode
  })
  tags = var.tags

  depends_on = [aws_connect_lambda_function_association.this, aws_lambda_permission.connect]
}

# ---------------------------------------------------------------- spam challenge
module "spam_challenge" {
  source = "../connect_flow"
  count  = var.challenge == null ? 0 : 1
  type   = "FLOW_MODULE"

  instance_id = var.instance_id
  name        = "${var.name_prefix}-spam-challenge"
  description = "callguard: reads a random code to the caller, who keys it in before being routed."
  content = templatefile("${local.flows_dir}/spam_challenge.module.json.tftpl", {
    challenge_function_arn     = var.challenge.challenge_function.arn
    verify_function_arn        = var.challenge.verify_function.arn
    invocation_timeout_seconds = var.challenge.timeout_seconds
    fail_mode                  = var.challenge.fail_mode
    code_length                = var.challenge.code_length
    max_attempts               = var.challenge.max_attempts
    input_timeout_seconds      = var.challenge.input_timeout_seconds
    challenge_message          = var.challenge.messages.prompt
    retry_message              = var.challenge.messages.retry
    no_input_message           = var.challenge.messages.no_input
    goodbye_message            = var.challenge.messages.goodbye
  })
  tags = var.tags

  depends_on = [aws_connect_lambda_function_association.this, aws_lambda_permission.connect]
}

module "inbound_denylist" {
  source = "../connect_flow"

  instance_id = var.instance_id
  name        = "${var.name_prefix}-inbound-denylist"
  description = "callguard: disconnects callers on the deny list, queues everyone else."
  type        = "CONTACT_FLOW"
  content = templatefile("${local.flows_dir}/inbound_denylist.flow.json.tftpl", {
    check_module_id    = module.check_caller.id
    blocked_message    = var.messages.blocked
    queue_arn          = local.queue_arn
    queue_full_message = var.messages.queue_full
    error_message      = var.messages.error
    # Off: the flow renders exactly as it did before the challenge existed.
    challenge_enabled   = var.challenge != null
    challenge_module_id = var.challenge == null ? "" : module.spam_challenge[0].id
  })
  tags = var.tags
}

# ---------------------------------------------------------------- agent flag
module "agent_flag" {
  source = "../connect_flow"

  instance_id = var.instance_id
  name        = "${var.name_prefix}-agent-flag"
  description = "callguard: what the agent's quick connect runs; flags the caller's number."
  type        = "QUEUE_TRANSFER"
  content = templatefile("${local.flows_dir}/agent_flag.flow.json.tftpl", {
    flag_function_arn          = var.flag_function.arn
    invocation_timeout_seconds = var.flag_timeout_seconds
    flag_reason                = var.messages.flag_reason
    agent_prompt               = var.messages.agent_prompt
    success_message            = local.flag_success
    error_message              = local.flag_error
  })
  tags = var.tags

  depends_on = [aws_connect_lambda_function_association.this, aws_lambda_permission.connect]
}

module "quick_connect" {
  source = "../quick_connect"

  instance_id     = var.instance_id
  name            = var.messages.quick_connect
  description     = var.messages.quick_connect_description
  contact_flow_id = module.agent_flag.id
  queue_id        = coalesce(var.flag_queue_id, var.queue_id)
  tags            = var.tags
}

# ---------------------------------------------------------------- static list
module "inbound_static_list" {
  source = "../connect_flow"
  count  = length(var.static_blocked_numbers) > 0 ? 1 : 0

  instance_id = var.instance_id
  name        = "${var.name_prefix}-inbound-static-list"
  description = "callguard: disconnects callers on a short fixed list, without Lambda or DynamoDB."
  type        = "CONTACT_FLOW"
  content = templatefile("${local.flows_dir}/inbound_static_list.flow.json.tftpl", {
    blocked_numbers = var.static_blocked_numbers
    blocked_message = var.messages.blocked
    queue_arn       = local.queue_arn
  })
  tags = var.tags
}

# ---------------------------------------------------------------- phone numbers
resource "aws_connect_phone_number_contact_flow_association" "this" {
  for_each = toset(var.phone_number_ids)

  instance_id     = var.instance_id
  phone_number_id = each.value
  contact_flow_id = var.phone_number_flow == "static" ? module.inbound_static_list[0].id : module.inbound_denylist.id
}
