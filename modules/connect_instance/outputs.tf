output "check_module_id" {
  description = "Id of the check-caller flow module, for use in your own inbound flows (InvokeFlowModule)."
  value       = module.check_caller.id
}

output "inbound_flow_id" {
  description = "Id of the inbound deny-list flow (associate phone numbers with it)."
  value       = module.inbound_denylist.id
}

output "agent_flag_flow_id" {
  description = "Id of the agent-flag QUEUE_TRANSFER flow."
  value       = module.agent_flag.id
}

output "quick_connect_id" {
  description = "Id of the agent quick connect; associate it with the agents' queues so it appears in their Contact Control Panel."
  value       = module.quick_connect.id
}

output "challenge_module_id" {
  description = "Id of the spam-challenge flow module, for your own inbound flows (InvokeFlowModule), or null when the challenge is off."
  value       = one(module.spam_challenge[*].id)
}

output "static_list_flow_id" {
  description = "Id of the static-list flow, or null when static_blocked_numbers is empty."
  value       = one(module.inbound_static_list[*].id)
}

output "phone_number_ids" {
  description = "Phone numbers whose calls start in a callguard flow."
  value       = sort(keys(aws_connect_phone_number_contact_flow_association.this))
}

output "rendered_flows" {
  description = "The documents published for this instance, keyed by template name, for review and tests."
  value = merge(
    {
      check_caller     = module.check_caller.content
      inbound_denylist = module.inbound_denylist.content
      agent_flag       = module.agent_flag.content
    },
    { for name, content in { inbound_static_list = one(module.inbound_static_list[*].content) } : name => content if content != null },
    { for name, content in { spam_challenge = one(module.spam_challenge[*].content) } : name => content if content != null },
  )
}
