output "uploads_bucket" {
  description = "Bucket users upload workbooks to."
  value       = module.buckets["uploads"].id
}

output "work_bucket" {
  description = "Bucket of normalised jobs and rounds."
  value       = module.buckets["work"].id
}

output "reports_bucket" {
  description = "Bucket of job reports."
  value       = module.buckets["reports"].id
}

output "results_table" {
  description = "Results table (job id + receiver id)."
  value       = module.tables.names.results
}

output "token_table" {
  description = "Task-token table (contact id -> the call's waiting task); callguard outbound cancel needs it."
  value       = module.tables.names.tokens
}

output "state_machine_arn" {
  description = "Job workflow."
  value       = module.orchestration.arn
}

output "job_queue_url" {
  description = "FIFO queue other systems send jobs to."
  value       = module.job_queue.url
}

output "topic_arn" {
  description = "Completion topic."
  value       = aws_sns_topic.completion.arn
}

output "function_names" {
  description = "Function names by handler."
  value       = { for key, f in local.function_modules : key => f.function_name }
}

output "contact_flow_id" {
  description = "Id of the contact flow the calls run: the one built here, or contact_flow_id when given."
  value       = local.contact_flow_id
}

output "bot_alias_arns" {
  description = "Lex V2 bot alias ARN per question type the built flow calls (empty when contact_flow_id is given)."
  value       = local.manage_voice ? module.bots[0].alias_arns : {}
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the outbound engine."
  value       = aws_cloudwatch_dashboard.outbound.dashboard_name
}
