output "id" {
  description = "Id of the flow (what quick connects and phone number associations take)."
  value       = aws_connect_contact_flow.this.contact_flow_id
}

output "arn" {
  description = "ARN of the flow."
  value       = aws_connect_contact_flow.this.arn
}

output "content" {
  description = "The published document, for review and tests."
  value       = aws_connect_contact_flow.this.content
}

output "type" {
  description = "Flow type as published."
  value       = aws_connect_contact_flow.this.type
}
