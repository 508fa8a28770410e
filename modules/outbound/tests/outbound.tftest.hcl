# The composed engine on a plan (offline: `terraform test` here): the dialer is
# paced by one reserved instance and the DISCONNECTED rule names the instance.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
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
