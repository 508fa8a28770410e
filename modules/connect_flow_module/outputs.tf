output "id" {
  description = "Id of the flow module (what InvokeFlowModule's FlowModuleId takes)."
  value       = aws_connect_contact_flow_module.this.contact_flow_module_id
}

output "arn" {
  description = "ARN of the flow module."
  value       = aws_connect_contact_flow_module.this.arn
}

output "content" {
  description = "The published document, for review and tests."
  value       = aws_connect_contact_flow_module.this.content
}
