output "id" {
  description = "Id of the quick connect (for AssociateQueueQuickConnects or an aws_connect_queue's quick_connect_ids)."
  value       = aws_connect_quick_connect.this.quick_connect_id
}

output "arn" {
  description = "ARN of the quick connect."
  value       = aws_connect_quick_connect.this.arn
}
