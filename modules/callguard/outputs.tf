output "table_name" {
  description = "Name of the deny-list table (the CLI's --table)."
  value       = module.table.name
}

output "table_arn" {
  description = "ARN of the deny-list table."
  value       = module.table.arn
}

output "table_stream_arn" {
  description = "ARN of the table's stream, for audit consumers."
  value       = module.table.stream_arn
}

output "kms_key_arn" {
  description = "Customer managed key used by the table, the functions and their logs."
  value       = local.kms_key_arn
}

output "function_names" {
  description = "Function names by handler: check_number, flag_number."
  value       = { for key, function in module.functions : key => function.function_name if contains(keys(local.functions), key) }
}

output "function_arns" {
  description = "Function ARNs by handler."
  value       = { for key, function in module.functions : key => function.arn if contains(keys(local.functions), key) }
}

output "challenge_function_arns" {
  description = "Spam-challenge function ARNs by handler (challenge_code, verify_code); empty when the challenge is off."
  value       = { for key, function in module.functions : key => function.arn if contains(keys(local.challenge_functions), key) }
}

output "challenge_log_group_names" {
  description = "Spam-challenge log groups by handler; verify_code's lines carry the callguard/ChallengeFailed metric."
  value       = { for key, function in module.functions : key => function.log_group_name if contains(keys(local.challenge_functions), key) }
}

output "review_topic_arn" {
  description = "SNS topic that gets one message per new pending flag (review mode); null when there is none."
  value       = local.review_topic_arn
}

output "log_group_names" {
  description = "Log group names by handler."
  value       = { for key, function in module.functions : key => function.log_group_name if contains(keys(local.functions), key) }
}

output "role_policies" {
  description = "Each function role's inline policy (JSON), for review."
  value       = { for key, function in module.functions : key => function.policy_json if contains(keys(local.functions), key) }
}

output "instances" {
  description = "Per Connect instance: the ids an operator needs (flow module, flows, quick connect, static-list flow)."
  value = {
    for key, instance in module.instances : key => {
      instance_id         = var.connect_instances[key].instance_id
      check_module_id     = instance.check_module_id
      inbound_flow_id     = instance.inbound_flow_id
      agent_flag_flow_id  = instance.agent_flag_flow_id
      quick_connect_id    = instance.quick_connect_id
      static_list_flow_id = instance.static_list_flow_id
      challenge_module_id = instance.challenge_module_id
    }
  }
}

output "audit" {
  description = "Audit trail: the events' log group, the HMAC key (auditors need kms:GenerateMac), the failure queue and the function."
  value = {
    log_group_name     = module.audit_trail.log_group_name
    hash_key_arn       = module.audit_trail.hash_key_arn
    hash_key_alias     = module.audit_trail.hash_key_alias
    failure_queue_name = module.audit_trail.failure_queue_name
    function_name      = module.audit_trail.function_name
    policy_json        = module.audit_trail.policy_json
  }
}

output "monitoring" {
  description = "The dashboard, the metrics' namespace and every alarm name."
  value = {
    dashboard_name = module.monitoring.dashboard_name
    namespace      = module.monitoring.namespace
    alarm_names    = module.monitoring.alarm_names
  }
}

output "function_platform" {
  description = "Runtime, architecture, log retention and hardening of the environment's functions, defaults applied: other function modules of the environment (outbound) take them from here so the defaults live in one place."
  value = {
    runtime                  = var.functions.runtime
    architecture             = var.functions.architecture
    log_retention_in_days    = var.functions.log_retention_in_days
    vpc_config               = var.functions.vpc_config
    code_signing_config_arn  = var.functions.code_signing_config_arn
    permissions_boundary_arn = var.functions.permissions_boundary_arn
  }
}
