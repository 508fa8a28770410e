output "log_group_name" {
  description = "Audit log group: one JSON event per deny-list change."
  value       = module.log_group.name
}

output "log_group_arn" {
  description = "ARN of the audit log group."
  value       = module.log_group.arn
}

output "function_name" {
  description = "Name of the audit function."
  value       = module.function.function_name
}

output "function_arn" {
  description = "ARN of the audit function."
  value       = module.function.arn
}

output "function_log_group_name" {
  description = "The audit function's own log group (one summary line per batch)."
  value       = module.function.log_group_name
}

output "policy_json" {
  description = "The audit function role's inline policy (JSON), for review."
  value       = module.function.policy_json
}

output "failure_queue_name" {
  description = "SQS queue that receives descriptions of stream batches that could not be recorded."
  value       = aws_sqs_queue.failures.name
}

output "failure_queue_arn" {
  description = "ARN of the failure queue."
  value       = aws_sqs_queue.failures.arn
}

output "hash_key_arn" {
  description = "KMS HMAC key that hashes numbers in events (auditors need kms:GenerateMac on it)."
  value       = local.hash_key_arn
}

output "hash_key_alias" {
  description = "Alias of the created hash key (null when hash_key_arn was given)."
  value       = local.create_hash_key ? aws_kms_alias.hash[0].name : null
}

output "event_source_mapping_uuid" {
  description = "Id of the stream's event source mapping."
  value       = aws_lambda_event_source_mapping.stream.uuid
}
