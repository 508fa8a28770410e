# The composed engine on a plan (offline: `terraform test` here): the dialer is
# paced by one reserved instance and the DISCONNECTED rule names the instance.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

mock_provider "awscc" {
  mock_resource "awscc_lex_bot" {
    defaults = { bot_id = "BOTID00001" }
  }
  mock_resource "awscc_lex_bot_version" {
    defaults = { bot_version = "1" }
  }
  mock_resource "awscc_lex_bot_alias" {
    defaults = { arn = "arn:aws:lex:eu-west-2:111122223333:bot-alias/BOTID00001/ALIAS00001" }
  }
}

variables {
  name_prefix            = "callguard-test"
  region                 = "eu-west-2"
  account_id             = "111122223333"
  kms_key_arn            = "arn:aws:kms:eu-west-2:111122223333:key/0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
  log_group_prefix       = "/callguard/callguard-test/"
  denylist_table_name    = "callguard-test-denylist"
  denylist_table_arn     = "arn:aws:dynamodb:eu-west-2:111122223333:table/callguard-test-denylist"
  lambda_zip_path        = "../lambda_function/tests/fixture.zip"
  instance_id            = "0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
  contact_flow_id        = "2f3e4d5c-6b7a-4c8d-9e0f-1a2b3c4d5e6f"
  source_phone_number    = "+442079460000"
  source_phone_number_id = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
  functions              = { runtime = "python3.13", architecture = "arm64", log_retention_in_days = 365 }
}

run "composed" {
  command = plan

  assert {
    condition     = module.functions["dialer"].function_name == "callguard-test-outbound-dialer"
    error_message = "One function per handler, named after it."
  }

  assert {
    condition     = strcontains(aws_cloudwatch_event_rule.disconnected.event_pattern, "instance/0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d/contact-flow/2f3e4d5c-6b7a-4c8d-9e0f-1a2b3c4d5e6f")
    error_message = "The DISCONNECTED rule filters on the outbound flow of the instance."
  }

  assert {
    condition     = length(aws_connect_lambda_function_association.calls) == 5
    error_message = "The five in-call functions are associated with the instance."
  }
}

# No contact_flow_id: the module builds the bots and the outbound call flow,
# and the dialer and the DISCONNECTED rule use that flow.
run "managed_voice" {
  command = plan

  # Known ARNs at plan time, so the rendered content can be checked.
  override_module {
    target = module.call_functions
    outputs = {
      arn           = "arn:aws:lambda:eu-west-2:111122223333:function:callguard-test-outbound-in-call"
      function_name = "callguard-test-outbound-in-call"
      role_name     = "callguard-test-outbound-in-call"
    }
  }

  override_module {
    target = module.bots
    outputs = {
      alias_arns         = { for t in ["ok", "yes_no", "multiple_choice", "number", "date", "time"] : t => "arn:aws:lex:eu-west-2:111122223333:bot-alias/BOT${t}/ALIAS" }
      session_attributes = { for t in ["ok", "yes_no", "multiple_choice", "number", "date", "time"] : t => { "x-amz-lex:audio:start-timeout-ms:*:*" = "4000" } }
    }
  }

  variables {
    contact_flow_id = null
    voice_id        = "Brian"
    retry_message   = "Once more, please."
  }

  assert {
    condition     = length(module.bots) == 1 && length(module.bots[0].alias_arns) == 6
    error_message = "One bot alias per question type."
  }

  assert {
    condition     = length(module.call_flow) == 1
    error_message = "The calls run the flow built here."
  }

  assert {
    condition     = strcontains(module.call_flow[0].content, "bot-alias/BOTyes_no/ALIAS")
    error_message = "The flow calls the bot alias of each question type."
  }

  assert {
    condition     = strcontains(module.call_flow[0].content, module.call_functions["call_step"].arn) && strcontains(module.call_flow[0].content, "\"Brian\"") && strcontains(module.call_flow[0].content, "Once more, please.")
    error_message = "The flow invokes the in-call functions and speaks with the voice and texts as set."
  }
}

run "own_flow_builds_no_voice" {
  command = plan

  assert {
    condition     = length(module.bots) == 0 && length(module.call_flow) == 0
    error_message = "With contact_flow_id given no bot and no flow is built."
  }
}
