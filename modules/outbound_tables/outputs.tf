output "names" {
  description = "Table names by role: results, tokens, contact_cap."
  value       = { for key, table in aws_dynamodb_table.this : key => table.name }
}

output "arns" {
  description = "Table ARNs by role: results, tokens, contact_cap."
  value       = { for key, table in aws_dynamodb_table.this : key => table.arn }
}
