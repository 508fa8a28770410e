output "arn" {
  description = "ARN of the key (what kms_key_arn inputs of the other modules expect)."
  value       = aws_kms_key.this.arn
}

output "key_id" {
  description = "Id of the key."
  value       = aws_kms_key.this.key_id
}

output "alias_name" {
  description = "Full alias name, alias/<alias_name>."
  value       = aws_kms_alias.this.name
}
