output "table_name" {
  description = "Deny-list table (callguard denylist --table)."
  value       = module.callguard.table_name
}

output "function_names" {
  description = "Lambda function names by handler."
  value       = module.callguard.function_names
}

output "log_group_names" {
  description = "Log groups by handler."
  value       = module.callguard.log_group_names
}

output "kms_key_arn" {
  description = "Customer managed key of the environment."
  value       = module.callguard.kms_key_arn
}

output "instances" {
  description = "Per Connect instance: check module, flow and quick connect ids."
  value       = module.callguard.instances
}

output "quick_connect_ids" {
  description = "Quick connect id per instance; associate each with the agents' queues (callguard connect attach-quick-connect)."
  value       = { for key, instance in module.callguard.instances : key => instance.quick_connect_id }
}

output "audit" {
  description = "Audit trail: log group of the events, HMAC key, failure queue, function (callguard denylist history reads these)."
  value = {
    log_group_name     = module.callguard.audit.log_group_name
    hash_key_arn       = module.callguard.audit.hash_key_arn
    hash_key_alias     = module.callguard.audit.hash_key_alias
    failure_queue_name = module.callguard.audit.failure_queue_name
    function_name      = module.callguard.audit.function_name
  }
}

output "monitoring" {
  description = "Dashboard name, metrics namespace and alarm names."
  value       = module.callguard.monitoring
}

output "review_topic_arn" {
  description = "SNS topic of the two-step review (subscribe supervisors to it); null unless settings.flag_mode is review."
  value       = module.callguard.review_topic_arn
}

# ---------------------------------------------------------------- outbound call jobs (null when off)
output "outbound_uploads_bucket" {
  description = "Bucket users upload call-job workbooks to."
  value       = one(module.outbound[*].uploads_bucket)
}

output "outbound_work_bucket" {
  description = "Bucket of normalised jobs and rounds."
  value       = one(module.outbound[*].work_bucket)
}

output "outbound_reports_bucket" {
  description = "Bucket of job reports."
  value       = one(module.outbound[*].reports_bucket)
}

output "outbound_results_table" {
  description = "Results table of the call jobs."
  value       = one(module.outbound[*].results_table)
}

output "outbound_token_table" {
  description = "Task-token table of the call jobs (callguard outbound cancel)."
  value       = one(module.outbound[*].token_table)
}

output "outbound_state_machine_arn" {
  description = "Job workflow state machine."
  value       = one(module.outbound[*].state_machine_arn)
}

output "outbound_job_queue_url" {
  description = "FIFO queue other systems send jobs to."
  value       = one(module.outbound[*].job_queue_url)
}

output "outbound_topic_arn" {
  description = "Completion topic of the call jobs."
  value       = one(module.outbound[*].topic_arn)
}
