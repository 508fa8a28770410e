# The call's voice: one Lex V2 bot per question type and the outbound contact
# flow that asks the questions through them. Built only when the user brings no
# flow of their own (contact_flow_id null).

locals {
  # Every function module instance by key, whichever call built it.
  function_modules = merge(module.functions, module.call_functions)

  # The hint per question type; var.answer_hints overrides only the types it names.
  default_answer_hints = {
    ok              = "Say okay, or press 1."
    yes_no          = "Please say yes or no. You can also press 1 for yes, or 2 for no."
    multiple_choice = "Say the letter of your choice, A to E, or press 1 to 5."
    number          = "Say the number, or key it in and press the hash key."
    date            = "Say the date, or key it in as year, month and day, eight digits, then hash."
    time            = "Say the time, or key it in as four digits on the 24-hour clock, then hash."
  }
  answer_hints = merge(local.default_answer_hints, var.answer_hints)
}

module "bots" {
  source = "../outbound_bots"
  count  = local.manage_voice ? 1 : 0

  name_prefix           = var.name_prefix
  existing_alias_arns   = var.existing_alias_arns
  locale_id             = var.locale_id
  voice_id              = var.voice_id
  connect_instance_arns = { outbound = local.instance_arn }
  tags                  = var.tags
}

module "call_flow" {
  source = "../connect_flow"
  count  = local.manage_voice ? 1 : 0

  instance_id = var.instance_id
  name        = "${var.name_prefix}-outbound-call"
  description = "callguard outbound: asks the job's questions, records the answers, honours an opt-out."
  content = templatefile("${path.module}/../../flows/outbound_call.flow.json.tftpl", merge(
    {
      call_step_function_arn     = module.call_functions["call_step"].arn
      record_answer_function_arn = module.call_functions["record_answer"].arn
      finish_function_arn        = module.call_functions["finish_call"].arn
      # Connect's own limit for a Lambda invocation; the in-call functions time out at 8 s.
      invocation_timeout_seconds = 8
      max_retries                = var.max_retries
      max_repeats                = var.max_repeats
      voice                      = var.voice_id
      recording_enabled          = var.recording_enabled
      voicemail_message          = var.voicemail_message
      retry_message              = var.retry_message
      opt_out_message            = var.opt_out_message
      error_message              = var.error_message
    },
    { for type, arn in module.bots[0].alias_arns : "${type}_bot_alias_arn" => arn },
    { for type, attributes in module.bots[0].session_attributes : "${type}_session_attributes" => attributes },
    { for type, hint in local.answer_hints : "hint_${type}" => hint },
  ))
  tags = var.tags
}
