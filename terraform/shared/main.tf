locals {
  lambda_zip_path = coalesce(var.lambda_zip_path, "${path.root}/../../../build/lambda/callguard.zip")
}

module "callguard" {
  source = "../../../modules/callguard"

  name_prefix = "callguard-${local.environment}"
  partition   = var.aws_partition
  region      = var.aws_region
  account_id  = var.aws_account_id

  kms_key_arn       = var.kms_key_arn
  table             = var.table
  challenge         = var.challenge
  lambda_zip_path   = local.lambda_zip_path
  functions         = var.functions
  settings          = var.settings
  connect_instances = var.connect_instances
  audit             = var.audit
  monitoring        = var.monitoring
  review            = var.review
}

# ---------------------------------------------------------------- outbound call jobs
# Off unless outbound.enabled; modules/outbound holds every default.
locals {
  outbound_enabled  = try(var.outbound.enabled, false) == true
  outbound_instance = local.outbound_enabled ? var.connect_instances[var.outbound.instance] : null
}

module "outbound" {
  source = "../../../modules/outbound"
  count  = local.outbound_enabled ? 1 : 0

  name_prefix      = "callguard-${local.environment}"
  partition        = var.aws_partition
  region           = var.aws_region
  account_id       = var.aws_account_id
  kms_key_arn      = module.callguard.kms_key_arn
  log_group_prefix = "/callguard/callguard-${local.environment}/"

  denylist_table_name = module.callguard.table_name
  denylist_table_arn  = module.callguard.table_arn
  lambda_zip_path     = coalesce(var.outbound.lambda_zip_path, "${dirname(local.lambda_zip_path)}/callguard-outbound.zip")
  functions           = module.callguard.function_platform

  instance_id                 = local.outbound_instance.instance_id
  contact_flow_id             = var.outbound.contact_flow_id
  source_phone_number         = var.outbound.source_phone_number
  source_phone_number_id      = var.outbound.source_phone_number_id
  retention_days              = var.outbound.retention_days
  calls_per_second            = var.outbound.calls_per_second
  burst                       = var.outbound.burst
  max_concurrent_calls        = var.outbound.max_concurrent_calls
  dialer_reserved_concurrency = var.outbound.dialer_reserved_concurrency
  call_timeout_seconds        = var.outbound.call_timeout_seconds
  ring_timeout_seconds        = var.outbound.ring_timeout_seconds
  state_machine_log_level     = var.outbound.state_machine_log_level
  deletion_protection_enabled = var.outbound.deletion_protection_enabled
  log_level                   = var.settings.log_level
  # The same on-call topics as the deny-list alarms.
  alarm_actions = var.monitoring.sns_topic_arns

  # The call's voice (built when contact_flow_id is unset).
  existing_alias_arns = var.outbound.existing_alias_arns
  locale_id           = var.outbound.locale_id
  voice_id            = var.outbound.voice_id
  voicemail_message   = var.outbound.voicemail_message
  retry_message       = var.outbound.retry_message
  opt_out_message     = var.outbound.opt_out_message
  error_message       = var.outbound.error_message
  answer_hints        = var.outbound.answer_hints
  max_retries         = var.outbound.max_retries
  max_repeats         = var.outbound.max_repeats
  recording_enabled   = var.outbound.recording_enabled
}
