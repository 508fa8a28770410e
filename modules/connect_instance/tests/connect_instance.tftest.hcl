# Applies the per-instance module against a mocked aws provider and reads the
# documents it would publish. Runs offline: `terraform test` in this module.

mock_provider "aws" {}

variables {
  name_prefix  = "callguard-test"
  instance_id  = "0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
  instance_arn = "arn:aws:connect:eu-west-2:111122223333:instance/0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
  check_function = {
    name = "callguard-test-check-number"
    arn  = "arn:aws:lambda:eu-west-2:111122223333:function:callguard-test-check-number"
  }
  flag_function = {
    name = "callguard-test-flag-number"
    arn  = "arn:aws:lambda:eu-west-2:111122223333:function:callguard-test-flag-number"
  }
  queue_id         = "7e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
  phone_number_ids = ["5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"]
}

run "publishes_flows_that_reference_the_functions_and_module" {
  command = apply

  # Connect ids are UUIDs; the mock would otherwise invent short strings.
  override_resource {
    target = module.check_caller.aws_connect_contact_flow_module.this[0]
    values = { contact_flow_module_id = "c0ffee00-1111-4222-8333-444455556666" }
  }
  override_resource {
    target = module.inbound_denylist.aws_connect_contact_flow.this[0]
    values = { contact_flow_id = "1b1b1b1b-2c2c-4d3d-8e4e-5f5f5f5f5f5f" }
  }
  override_resource {
    target = module.agent_flag.aws_connect_contact_flow.this[0]
    values = { contact_flow_id = "a9a9a9a9-b8b8-4c7c-9d6d-e5e5e5e5e5e5" }
  }

  assert {
    condition     = alltrue([for name, content in output.rendered_flows : can(jsondecode(content).Actions)])
    error_message = "Every rendered flow must be a JSON document with Actions."
  }

  assert {
    condition     = alltrue([for name, content in output.rendered_flows : jsondecode(content).Version == "2019-10-30"])
    error_message = "Every rendered flow must use flow language 2019-10-30."
  }

  assert {
    condition = anytrue([
      for action in jsondecode(output.rendered_flows["check_caller"]).Actions :
      action.Type == "InvokeLambdaFunction" && try(action.Parameters.LambdaFunctionARN, "") == var.check_function.arn
    ])
    error_message = "The check module must invoke the check function by its ARN."
  }

  assert {
    condition = anytrue([
      for action in jsondecode(output.rendered_flows["inbound_denylist"]).Actions :
      action.Type == "InvokeFlowModule" && try(action.Parameters.FlowModuleId, "") == output.check_module_id
    ])
    error_message = "The inbound flow must invoke the published check module by its id."
  }

  assert {
    condition     = output.check_module_id == "c0ffee00-1111-4222-8333-444455556666"
    error_message = "check_module_id must be the flow module's id."
  }

  assert {
    condition = anytrue([
      for action in jsondecode(output.rendered_flows["inbound_denylist"]).Actions :
      try(action.Parameters.QueueId, "") == "${var.instance_arn}/queue/${var.queue_id}"
    ])
    error_message = "The inbound flow must route to the working queue's ARN."
  }

  assert {
    condition = anytrue([
      for action in jsondecode(output.rendered_flows["agent_flag"]).Actions :
      action.Type == "InvokeLambdaFunction" && try(action.Parameters.LambdaFunctionARN, "") == var.flag_function.arn
    ])
    error_message = "The agent-flag flow must invoke the flag function by its ARN."
  }

  assert {
    condition     = module.agent_flag.type == "QUEUE_TRANSFER"
    error_message = "The agent-flag flow must be a QUEUE_TRANSFER flow (quick connects require it)."
  }

  assert {
    condition     = module.quick_connect.contact_flow_id == "a9a9a9a9-b8b8-4c7c-9d6d-e5e5e5e5e5e5"
    error_message = "The quick connect must run the agent-flag flow."
  }

  assert {
    condition     = module.quick_connect.queue_id == var.queue_id
    error_message = "Without flag_queue_id the quick connect must name the working queue."
  }

  assert {
    condition = alltrue([
      for key, permission in aws_lambda_permission.connect :
      permission.principal == "connect.amazonaws.com" && permission.source_arn == var.instance_arn && permission.source_account == "111122223333"
    ])
    error_message = "Lambda permissions must name connect.amazonaws.com, this instance's ARN and its account."
  }

  assert {
    condition     = toset([for a in aws_connect_lambda_function_association.this : a.function_arn]) == toset([var.check_function.arn, var.flag_function.arn])
    error_message = "Both functions must be associated with the instance."
  }

  assert {
    condition     = aws_connect_phone_number_contact_flow_association.this["5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"].contact_flow_id == "1b1b1b1b-2c2c-4d3d-8e4e-5f5f5f5f5f5f"
    error_message = "Phone numbers must start in the inbound deny-list flow."
  }

  assert {
    condition     = output.static_list_flow_id == null && !contains(keys(output.rendered_flows), "inbound_static_list")
    error_message = "No static-list flow without static_blocked_numbers."
  }
}

run "fail_mode_closed_reaches_the_module" {
  command = apply

  variables {
    fail_mode = "closed"
  }

  # The failure branch is the action that records callguard_status = "error".
  assert {
    condition = alltrue([
      for action in jsondecode(output.rendered_flows["check_caller"]).Actions :
      action.Parameters.Attributes.callguard_blocked == "true" && action.Parameters.Attributes.blockedStatus == "match"
      if try(action.Parameters.Attributes.callguard_status, "") == "error"
    ])
    error_message = "With fail_mode = closed the module's failure branch must mark the caller as blocked."
  }

  assert {
    condition = length([
      for action in jsondecode(output.rendered_flows["check_caller"]).Actions : action
      if try(action.Parameters.Attributes.callguard_status, "") == "error"
    ]) > 0
    error_message = "The check module must have a failure branch that records callguard_status = error."
  }
}

run "fail_mode_open_lets_callers_through" {
  command = apply

  assert {
    condition = alltrue([
      for action in jsondecode(output.rendered_flows["check_caller"]).Actions :
      action.Parameters.Attributes.callguard_blocked == "false" && action.Parameters.Attributes.blockedStatus == "nomatch"
      if try(action.Parameters.Attributes.callguard_status, "") == "error"
    ])
    error_message = "With the default fail_mode = open the module's failure branch must let the caller through."
  }
}

run "static_list_flow_and_messages" {
  command = apply

  variables {
    static_blocked_numbers = ["+442079460958", "+14155550123"]
    phone_number_flow      = "static"
    messages = {
      blocked = "<speak>Goodbye \"caller\" & friends.</speak>"
    }
  }

  override_resource {
    target = module.inbound_static_list[0].aws_connect_contact_flow.this[0]
    values = { contact_flow_id = "5e5e5e5e-4d4d-4c3c-8b2b-1a1a1a1a1a1a" }
  }

  assert {
    condition     = length(jsondecode(output.rendered_flows["inbound_static_list"]).Actions) > 0
    error_message = "The static-list flow must render to a JSON flow."
  }

  assert {
    condition = toset(flatten([
      for action in jsondecode(output.rendered_flows["inbound_static_list"]).Actions : [
        for condition in try(action.Transitions.Conditions, []) : condition.Condition.Operands
      ]
    ])) == toset(var.static_blocked_numbers)
    error_message = "The static-list flow must compare the caller with exactly the listed numbers."
  }

  assert {
    condition = anytrue([
      for action in jsondecode(output.rendered_flows["inbound_denylist"]).Actions :
      try(action.Parameters.SSML, "") == var.messages.blocked
    ])
    error_message = "A message starting with <speak> must be played as SSML, with quotes and ampersands intact."
  }

  assert {
    condition     = aws_connect_phone_number_contact_flow_association.this["5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"].contact_flow_id == "5e5e5e5e-4d4d-4c3c-8b2b-1a1a1a1a1a1a"
    error_message = "phone_number_flow = static must start the numbers in the static-list flow."
  }
}

run "rejects_an_instance_arn_as_id" {
  command = plan

  variables {
    instance_id = "arn:aws:connect:eu-west-2:111122223333:instance/0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
  }

  expect_failures = [var.instance_id]
}

run "rejects_a_bad_static_number" {
  command = plan

  variables {
    static_blocked_numbers = ["020 7946 0958"]
  }

  expect_failures = [var.static_blocked_numbers]
}

run "agents_hear_the_block_confirmation_by_default" {
  command = apply

  assert {
    condition = anytrue([
      for action in jsondecode(output.rendered_flows["agent_flag"]).Actions :
      try(action.Parameters.Text, "") == "The caller has been added to the deny list."
    ])
    error_message = "In block mode the agent must hear that the caller was added to the deny list."
  }
}

run "agents_hear_the_review_confirmation_in_review_mode" {
  command = apply

  variables {
    flag_mode = "review"
  }

  assert {
    condition = anytrue([
      for action in jsondecode(output.rendered_flows["agent_flag"]).Actions :
      try(action.Parameters.Text, "") == "The caller has been flagged for supervisor review."
    ])
    error_message = "In review mode the agent must hear that the caller waits for a supervisor."
  }

  assert {
    condition     = !strcontains(output.rendered_flows["agent_flag"], "added to the deny list")
    error_message = "In review mode nothing may tell the agent the caller was added to the deny list."
  }
}

run "a_chosen_confirmation_wins_in_either_mode" {
  command = apply

  variables {
    flag_mode = "review"
    messages = {
      flag_success = "Thanks, a supervisor will look at this caller."
    }
  }

  assert {
    condition = anytrue([
      for action in jsondecode(output.rendered_flows["agent_flag"]).Actions :
      try(action.Parameters.Text, "") == "Thanks, a supervisor will look at this caller."
    ])
    error_message = "messages.flag_success, when set, must be what the agent hears."
  }
}

run "rejects_an_empty_confirmation" {
  command = plan

  variables {
    messages = {
      flag_success = "  "
    }
  }

  expect_failures = [var.messages]
}

run "rejects_an_unknown_flag_mode" {
  command = plan

  variables {
    flag_mode = "approve"
  }

  expect_failures = [var.flag_mode]
}
