output "name" {
  description = "Name of the log group (what logging_config.log_group expects)."
  value       = aws_cloudwatch_log_group.this.name
}

output "arn" {
  description = "ARN of the log group, without the trailing \":*\"."
  value       = aws_cloudwatch_log_group.this.arn
}

output "log_stream_arn_pattern" {
  description = "ARN that matches every log stream of this group (\"<arn>:log-stream:*\"), the narrowest resource that logs:CreateLogStream and logs:PutLogEvents accept."
  value       = "${aws_cloudwatch_log_group.this.arn}:log-stream:*"
}

output "retention_in_days" {
  description = "Retention applied to the log group."
  value       = aws_cloudwatch_log_group.this.retention_in_days
}
