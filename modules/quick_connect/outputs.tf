output "id" {
  description = "Id of the quick connect (for AssociateQueueQuickConnects or an aws_connect_queue's quick_connect_ids)."
  value       = aws_connect_quick_connect.this.quick_connect_id
}

output "arn" {
  description = "ARN of the quick connect."
  value       = aws_connect_quick_connect.this.arn
}

output "contact_flow_id" {
  description = "Id of the flow the quick connect runs, as configured."
  value       = aws_connect_quick_connect.this.quick_connect_config[0].queue_config[0].contact_flow_id
}

output "queue_id" {
  description = "Id of the queue in the quick connect's configuration."
  value       = aws_connect_quick_connect.this.quick_connect_config[0].queue_config[0].queue_id
}
