# The outbound call engine of one environment: buckets, queues, tables, the job
# workflow, its functions, the contact-event rule and the completion topic.
# Each concern is its own module; this one composes them and writes the IAM.

locals {
  instance_arn = "arn:${var.partition}:connect:${var.region}:${var.account_id}:instance/${var.instance_id}"
  # The flow the calls run: the user's own, or the one built below.
  manage_voice     = var.contact_flow_id == null
  contact_flow_id  = local.manage_voice ? module.call_flow[0].id : var.contact_flow_id
  contact_flow_arn = "${local.instance_arn}/contact-flow/${local.contact_flow_id}"
  phone_number_arn = "arn:${var.partition}:connect:${var.region}:${var.account_id}:phone-number/${var.source_phone_number_id}"

  state_machine_name = "${var.name_prefix}-outbound"
  # Built from the name, not read from the resource: the functions that start
  # executions are themselves invoked by the machine.
  state_machine_arn = "arn:${var.partition}:states:${var.region}:${var.account_id}:stateMachine:${local.state_machine_name}"

  buckets = {
    uploads = "${var.name_prefix}-outbound-uploads-${var.account_id}"
    work    = "${var.name_prefix}-outbound-work-${var.account_id}"
    reports = "${var.name_prefix}-outbound-reports-${var.account_id}"
  }

  via = {
    dynamodb = [{ test = "StringEquals", variable = "kms:ViaService", values = ["dynamodb.${var.region}.amazonaws.com"] }]
  }
  key_statement = {
    sid        = "UseEnvironmentKey"
    actions    = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources  = [var.kms_key_arn]
    conditions = []
  }

  # Settings of the job engine (handlers/orchestration.py): _REQUIRED plus the optional ones.
  orchestration_environment = {
    CALLGUARD_OUTBOUND_RESULTS_TABLE       = module.tables.names.results
    CALLGUARD_OUTBOUND_WORK_BUCKET         = module.buckets["work"].id
    CALLGUARD_TABLE                        = var.denylist_table_name
    CALLGUARD_OUTBOUND_TOPIC_ARN           = aws_sns_topic.completion.arn
    CALLGUARD_OUTBOUND_STATE_MACHINE_ARN   = local.state_machine_arn
    CALLGUARD_OUTBOUND_REPORTS_BUCKET      = module.buckets["reports"].id
    CALLGUARD_OUTBOUND_CAP_TABLE           = module.tables.names.contact_cap
    CALLGUARD_OUTBOUND_CALLS_PER_SECOND    = tostring(var.calls_per_second)
    CALLGUARD_OUTBOUND_SOURCE_PHONE_NUMBER = var.source_phone_number
  }
  # Settings of the Connect clients (handlers/clients.py).
  dialer_environment = {
    CALLGUARD_OUTBOUND_TOKEN_TABLE             = module.tables.names.tokens
    CALLGUARD_OUTBOUND_CAP_TABLE               = module.tables.names.contact_cap
    CALLGUARD_OUTBOUND_CALLS_PER_SECOND        = tostring(var.calls_per_second)
    CALLGUARD_OUTBOUND_BURST                   = tostring(var.burst)
    CALLGUARD_OUTBOUND_MAX_CONCURRENT_CALLS    = tostring(var.max_concurrent_calls)
    CALLGUARD_OUTBOUND_MAX_ATTEMPT_AGE_SECONDS = tostring(var.call_timeout_seconds)
  }
  # Settings of the in-call functions (handlers/call_context.py).
  call_environment = {
    CALLGUARD_OUTBOUND_TOKEN_TABLE = module.tables.names.tokens
    CALLGUARD_OUTBOUND_JOB_BUCKET  = module.buckets["work"].id
    CALLGUARD_TABLE                = var.denylist_table_name
  }

  results_rw = {
    sid        = "ReadWriteResults"
    actions    = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"]
    resources  = [module.tables.arns.results]
    conditions = []
  }
  work_rw = {
    sid        = "ReadWriteWorkItems"
    actions    = ["s3:GetObject", "s3:PutObject"]
    resources  = ["${module.buckets["work"].arn}/jobs/*"]
    conditions = []
  }
  tokens_rw = {
    sid        = "ReadWriteTaskTokens"
    actions    = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources  = [module.tables.arns.tokens]
    conditions = []
  }
  cap_rw = {
    sid        = "UseContactCap"
    actions    = ["dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    resources  = [module.tables.arns.contact_cap]
    conditions = []
  }
  denylist_read = {
    sid        = "ReadDenyList"
    actions    = ["dynamodb:GetItem", "dynamodb:BatchGetItem"]
    resources  = [var.denylist_table_arn]
    conditions = []
  }
  # The opt-out writes through lambda_src/callguard/store (PutItem/UpdateItem, as flag_number).
  denylist_write = {
    sid        = "WriteDenyList"
    actions    = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources  = [var.denylist_table_arn]
    conditions = []
  }
  read_jobs = {
    sid        = "ReadJobs"
    actions    = ["s3:GetObject"]
    resources  = ["${module.buckets["work"].arn}/jobs/*"]
    conditions = []
  }

  # Every function is capped (checkov CKV_AWS_115): a call runs its in-call
  # steps one at a time, so the concurrent-call budget bounds those functions.
  per_call_concurrency = var.max_concurrent_calls

  call_statements = [local.tokens_rw, local.read_jobs, local.key_statement]

  # Two maps, two module calls: the flow's content names the in-call functions and
  # the dialer's policy names the flow, so one module call would be a cycle.
  functions = merge(local.pipeline_functions, local.in_call_functions)

  pipeline_functions = {
    intake = {
      handler     = "intake", timeout = 60, reserved = 1, connect = false, send_task = false
      description = "callguard outbound: turns an uploaded workbook or queued job into a workflow"
      environment = local.orchestration_environment
      statements = [
        { sid = "ReadUploads", actions = ["s3:GetObject"], resources = ["${module.buckets["uploads"].arn}/*"], conditions = [] },
        local.work_rw, local.results_rw, local.denylist_read, local.key_statement,
        { sid = "StartJobs", actions = ["states:StartExecution"], resources = [local.state_machine_arn], conditions = [] },
        { sid = "ConsumeJobQueue", actions = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], resources = [module.job_queue.arn], conditions = [] },
      ]
    }
    plan = {
      handler     = "plan", timeout = 60, reserved = 2, connect = false, send_task = false
      description = "callguard outbound: plans the next round of calls"
      environment = local.orchestration_environment
      statements  = [local.work_rw, local.results_rw, local.denylist_read, local.cap_rw, local.key_statement]
    }
    record = {
      handler     = "record", timeout = 60, reserved = local.per_call_concurrency, connect = false, send_task = false
      description = "callguard outbound: records one call's outcome"
      environment = local.orchestration_environment
      statements  = [local.work_rw, local.results_rw, local.key_statement]
    }
    report = {
      handler     = "report", timeout = 300, reserved = 1, connect = false, send_task = false
      description = "callguard outbound: writes the job report and announces it"
      environment = local.orchestration_environment
      statements = [
        local.work_rw, local.results_rw, local.key_statement,
        { sid = "WriteReports", actions = ["s3:PutObject", "s3:GetObject"], resources = ["${module.buckets["reports"].arn}/*"], conditions = [] },
        { sid = "PublishCompletion", actions = ["sns:Publish"], resources = [aws_sns_topic.completion.arn], conditions = [] },
      ]
    }
    cancel = {
      handler     = "cancel", timeout = 60, reserved = 1, connect = false, send_task = true
      description = "callguard outbound: cancels a job"
      environment = merge(local.orchestration_environment, { CALLGUARD_OUTBOUND_TOKEN_TABLE = module.tables.names.tokens })
      statements = [
        local.results_rw, local.tokens_rw, local.key_statement,
        { sid = "StopJobs", actions = ["states:StopExecution", "states:DescribeExecution"], resources = ["arn:${var.partition}:states:${var.region}:${var.account_id}:execution:${local.state_machine_name}:*"], conditions = [] },
      ]
    }
    dialer = {
      handler     = "dialer", timeout = 60, reserved = var.dialer_reserved_concurrency, connect = false, send_task = true
      description = "callguard outbound: places the queued calls at the paced rate"
      environment = local.dialer_environment
      statements = [
        local.tokens_rw, local.cap_rw, local.key_statement,
        { sid = "ConsumeCallQueue", actions = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl"], resources = [module.call_queue.arn], conditions = [] },
        # Service Authorization Reference: the contact resource type is required
        # (the contact does not exist yet, hence contact/*); the flow and the
        # source number narrow it to this engine's flow and caller id.
        { sid = "PlaceOutboundCalls", actions = ["connect:StartOutboundVoiceContact"], resources = [local.contact_flow_arn, local.phone_number_arn, "${local.instance_arn}/contact/*"], conditions = [] },
      ]
    }
    contact_events = {
      handler     = "contact_events", timeout = 30, reserved = local.per_call_concurrency, connect = false, send_task = true
      description = "callguard outbound: ends a call's wait when Connect reports it disconnected"
      environment = local.dialer_environment
      statements  = [local.tokens_rw, local.cap_rw, local.key_statement]
    }
  }

  # timeout: Connect waits at most 8 s for the in-call functions.
  in_call_functions = {
    call_step = {
      handler     = "call_step", timeout = 8, reserved = local.per_call_concurrency, connect = true, send_task = true
      description = "callguard outbound: gives the contact flow its next prompt"
      environment = local.call_environment, statements = local.call_statements
    }
    record_answer = {
      handler     = "record_answer", timeout = 8, reserved = local.per_call_concurrency, connect = true, send_task = true
      description = "callguard outbound: stores one answer of the call"
      environment = local.call_environment, statements = local.call_statements
    }
    finish_call = {
      handler     = "finish_call", timeout = 8, reserved = local.per_call_concurrency, connect = true, send_task = true
      description = "callguard outbound: ends the call's wait with its answers"
      environment = local.call_environment, statements = local.call_statements
    }
    opt_out = {
      handler     = "opt_out", timeout = 8, reserved = local.per_call_concurrency, connect = true, send_task = true
      description = "callguard outbound: puts a receiver who opts out on the deny list"
      environment = local.call_environment
      statements  = concat(local.call_statements, [local.denylist_write])
    }
    answer_check = {
      handler     = "answer_check", timeout = 8, reserved = local.per_call_concurrency, connect = true, send_task = true
      description = "callguard outbound: checks an answer against the question's rules"
      environment = local.call_environment, statements = local.call_statements
    }
  }
}

# ---------------------------------------------------------------- storage
module "buckets" {
  source   = "../outbound_bucket"
  for_each = local.buckets

  name            = each.value
  kms_key_arn     = var.kms_key_arn
  expiration_days = var.retention_days
  tags            = var.tags
}

module "tables" {
  source = "../outbound_tables"

  name_prefix                 = var.name_prefix
  kms_key_arn                 = var.kms_key_arn
  deletion_protection_enabled = var.deletion_protection_enabled
  tags                        = var.tags
}

# ---------------------------------------------------------------- queues
# The programmatic way in: other systems send job JSON here, in order.
module "job_queue" {
  source = "../outbound_queue"

  name                       = "${var.name_prefix}-outbound-jobs"
  fifo                       = true
  kms_key_arn                = var.kms_key_arn
  visibility_timeout_seconds = 360 # six times intake's 60 s
  max_receive_count          = 3
  alarm_actions              = var.alarm_actions
  tags                       = var.tags
}

# Standard (docs/outbound-dialer.md): attempts need no order and the dialer
# changes visibility per message; maxReceiveCount well above its error limit.
module "call_queue" {
  source = "../outbound_queue"

  name                       = "${var.name_prefix}-outbound-calls"
  fifo                       = false
  kms_key_arn                = var.kms_key_arn
  visibility_timeout_seconds = 360 # six times the dialer's 60 s
  max_receive_count          = 50
  alarm_actions              = var.alarm_actions
  tags                       = var.tags
}

# ---------------------------------------------------------------- topic
resource "aws_sns_topic" "completion" {
  name              = "${var.name_prefix}-outbound-completion"
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

# ---------------------------------------------------------------- functions
module "functions" {
  source   = "../lambda_function"
  for_each = local.pipeline_functions

  function_name = "${var.name_prefix}-outbound-${replace(each.key, "_", "-")}"
  description   = each.value.description
  zip_path      = var.lambda_zip_path
  handler       = "callguard.outbound.handlers.${each.value.handler}.handler"
  runtime       = var.functions.runtime
  architecture  = var.functions.architecture
  timeout       = each.value.timeout

  reserved_concurrent_executions = each.value.reserved

  environment_variables = merge(each.value.environment, var.log_level == null ? {} : { CALLGUARD_LOG_LEVEL = var.log_level })
  kms_key_arn           = var.kms_key_arn
  log_retention_in_days = var.functions.log_retention_in_days
  connect_instance_arns = each.value.connect ? { outbound = local.instance_arn } : {}

  vpc_config               = var.functions.vpc_config
  code_signing_config_arn  = var.functions.code_signing_config_arn
  permissions_boundary_arn = var.functions.permissions_boundary_arn

  policy_statements = each.value.statements
  tags              = var.tags
}

# The functions the contact flow invokes during a call.
module "call_functions" {
  source   = "../lambda_function"
  for_each = local.in_call_functions

  function_name = "${var.name_prefix}-outbound-${replace(each.key, "_", "-")}"
  description   = each.value.description
  zip_path      = var.lambda_zip_path
  handler       = "callguard.outbound.handlers.${each.value.handler}.handler"
  runtime       = var.functions.runtime
  architecture  = var.functions.architecture
  timeout       = each.value.timeout

  reserved_concurrent_executions = each.value.reserved

  environment_variables = merge(each.value.environment, var.log_level == null ? {} : { CALLGUARD_LOG_LEVEL = var.log_level })
  kms_key_arn           = var.kms_key_arn
  log_retention_in_days = var.functions.log_retention_in_days
  connect_instance_arns = each.value.connect ? { outbound = local.instance_arn } : {}

  vpc_config               = var.functions.vpc_config
  code_signing_config_arn  = var.functions.code_signing_config_arn
  permissions_boundary_arn = var.functions.permissions_boundary_arn

  policy_statements = each.value.statements
  tags              = var.tags
}

moved {
  from = module.functions["call_step"]
  to   = module.call_functions["call_step"]
}

moved {
  from = module.functions["record_answer"]
  to   = module.call_functions["record_answer"]
}

moved {
  from = module.functions["finish_call"]
  to   = module.call_functions["finish_call"]
}

moved {
  from = module.functions["opt_out"]
  to   = module.call_functions["opt_out"]
}

moved {
  from = module.functions["answer_check"]
  to   = module.call_functions["answer_check"]
}


# states:SendTaskSuccess / SendTaskFailure: the Service Authorization Reference
# lists only the activity resource type; tokens of service-integration callback
# tasks (.waitForTaskToken) match no ARN, so AWS allows only Resource "*".
resource "aws_iam_role_policy" "send_task_outcome" {
  for_each = { for key, f in local.functions : key => f if f.send_task }

  name = "send-task-outcome"
  role = local.function_modules[each.key].role_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "SendTaskOutcome"
      Effect   = "Allow"
      Action   = ["states:SendTaskSuccess", "states:SendTaskFailure"]
      Resource = "*"
    }]
  })
}

# ---------------------------------------------------------------- triggers
resource "aws_lambda_permission" "uploads" {
  statement_id   = "AllowUploadsBucket"
  action         = "lambda:InvokeFunction"
  function_name  = module.functions["intake"].function_name
  principal      = "s3.amazonaws.com"
  source_arn     = module.buckets["uploads"].arn
  source_account = var.account_id
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = module.buckets["uploads"].id

  lambda_function {
    lambda_function_arn = module.functions["intake"].arn
    # Every upload: intake reads workbooks, CSV bundles and JSON jobs and refuses the
    # rest with an errors file beside it (which it skips itself).
    events = ["s3:ObjectCreated:*"]
  }

  depends_on = [aws_lambda_permission.uploads]
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = module.job_queue.arn
  function_name    = module.functions["intake"].arn
  batch_size       = 1
}

resource "aws_lambda_event_source_mapping" "calls" {
  event_source_arn        = module.call_queue.arn
  function_name           = module.functions["dialer"].arn
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]
}

resource "aws_cloudwatch_event_rule" "disconnected" {
  name        = "${var.name_prefix}-outbound-disconnected"
  description = "Outbound calls of callguard that Amazon Connect reports disconnected."
  event_pattern = jsonencode({
    source        = ["aws.connect"]
    "detail-type" = ["Amazon Connect Contact Event"]
    detail = {
      eventType      = ["DISCONNECTED"]
      instanceArn    = [local.instance_arn]
      contactFlowArn = [local.contact_flow_arn]
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "disconnected" {
  rule = aws_cloudwatch_event_rule.disconnected.name
  arn  = module.functions["contact_events"].arn
}

resource "aws_lambda_permission" "disconnected" {
  statement_id  = "AllowContactEvents"
  action        = "lambda:InvokeFunction"
  function_name = module.functions["contact_events"].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.disconnected.arn
}

# The in-call functions appear in the instance's flow editor.
resource "aws_connect_lambda_function_association" "calls" {
  for_each = local.in_call_functions

  instance_id  = var.instance_id
  function_arn = module.call_functions[each.key].arn
}

# ---------------------------------------------------------------- workflow
module "orchestration" {
  source = "../outbound_orchestration"

  name       = local.state_machine_name
  partition  = var.partition
  region     = var.region
  account_id = var.account_id

  function_arns = {
    plan   = module.functions["plan"].arn
    record = module.functions["record"].arn
    report = module.functions["report"].arn
  }
  dial_queue_url       = module.call_queue.url
  dial_queue_arn       = module.call_queue.arn
  work_bucket_name     = module.buckets["work"].id
  work_bucket_arn      = module.buckets["work"].arn
  topic_arn            = aws_sns_topic.completion.arn
  instance_id          = var.instance_id
  contact_flow_id      = local.contact_flow_id
  max_concurrency      = var.max_concurrent_calls
  call_timeout_seconds = var.call_timeout_seconds
  ring_timeout_seconds = var.ring_timeout_seconds

  kms_key_arn              = var.kms_key_arn
  log_group_name           = "${var.log_group_prefix}outbound-state-machine"
  log_level                = var.state_machine_log_level
  permissions_boundary_arn = var.functions.permissions_boundary_arn
  tags                     = var.tags
}

# ---------------------------------------------------------------- alarms
resource "aws_cloudwatch_metric_alarm" "executions" {
  for_each = toset(["ExecutionsFailed", "ExecutionsTimedOut"])

  alarm_name          = "${local.state_machine_name}-${each.key}"
  alarm_description   = "Outbound jobs ended ${each.key == "ExecutionsFailed" ? "failed" : "timed out"}: see the state machine's log group."
  namespace           = "AWS/States"
  metric_name         = each.key
  dimensions          = { StateMachineArn = module.orchestration.arn }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dialer" {
  for_each = toset(["Errors", "Throttles"])

  alarm_name          = "${module.functions["dialer"].function_name}-${lower(each.key)}"
  alarm_description   = "The dialer reported ${lower(each.key)}: calls are delayed."
  namespace           = "AWS/Lambda"
  metric_name         = each.key
  dimensions          = { FunctionName = module.functions["dialer"].function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = var.tags
}
