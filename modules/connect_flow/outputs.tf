output "id" {
  description = "Id of the flow (what quick connects and phone number associations take) or of the flow module (what InvokeFlowModule's FlowModuleId takes)."
  value       = one(concat(aws_connect_contact_flow.this[*].contact_flow_id, aws_connect_contact_flow_module.this[*].contact_flow_module_id))
}

output "arn" {
  description = "ARN of the flow or flow module."
  value       = one(concat(aws_connect_contact_flow.this[*].arn, aws_connect_contact_flow_module.this[*].arn))
}

output "content" {
  description = "The published document, for review and tests."
  value       = one(concat(aws_connect_contact_flow.this[*].content, aws_connect_contact_flow_module.this[*].content))
}

output "type" {
  description = "Flow type as published (FLOW_MODULE for a flow module)."
  value       = local.is_flow_module ? "FLOW_MODULE" : one(aws_connect_contact_flow.this[*].type)
}
