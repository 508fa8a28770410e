output "name" {
  description = "Name of the table (verify_code's CALLGUARD_CHALLENGE_COUNTER_TABLE)."
  value       = aws_dynamodb_table.this.name
}

output "arn" {
  description = "ARN of the table, for the verify function's UpdateItem/PutItem statement."
  value       = aws_dynamodb_table.this.arn
}
