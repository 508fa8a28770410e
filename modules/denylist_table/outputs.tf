output "name" {
  description = "Name of the table (the functions' CALLGUARD_TABLE)."
  value       = aws_dynamodb_table.this.name
}

output "arn" {
  description = "ARN of the table."
  value       = aws_dynamodb_table.this.arn
}

output "index_arns" {
  description = "ARNs of the table's indexes, for IAM statements that Query the review index."
  value       = ["${aws_dynamodb_table.this.arn}/index/${local.review_index.name}"]
}

output "review_index_name" {
  description = "Name of the global secondary index that lists items by status, oldest created_at first."
  value       = local.review_index.name
}

output "stream_arn" {
  description = "ARN of the table's stream (NEW_AND_OLD_IMAGES), for audit consumers."
  value       = aws_dynamodb_table.this.stream_arn
}

output "hash_key" {
  description = "Partition key attribute (E.164 phone number)."
  value       = local.hash_key
}

output "ttl_attribute" {
  description = "Attribute DynamoDB reads as the item's expiry (epoch seconds)."
  value       = local.ttl_attribute
}

output "kms_key_arn" {
  description = "Customer managed key that encrypts the table, or null when it uses alias/aws/dynamodb."
  value       = var.kms_key_arn
}
