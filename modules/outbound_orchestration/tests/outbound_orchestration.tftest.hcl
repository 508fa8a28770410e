# The workflow's logging, tracing and definition, on a plan (offline).

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-2:111122223333:log-group:/callguard/callguard-test/outbound-state-machine" }
  }
}

variables {
  name       = "callguard-test-outbound"
  region     = "eu-west-2"
  account_id = "111122223333"
  function_arns = {
    plan   = "arn:aws:lambda:eu-west-2:111122223333:function:callguard-test-outbound-plan"
    record = "arn:aws:lambda:eu-west-2:111122223333:function:callguard-test-outbound-record"
    report = "arn:aws:lambda:eu-west-2:111122223333:function:callguard-test-outbound-report"
  }
  dial_queue_url   = "https://sqs.eu-west-2.amazonaws.com/111122223333/callguard-test-outbound-calls"
  dial_queue_arn   = "arn:aws:sqs:eu-west-2:111122223333:callguard-test-outbound-calls"
  work_bucket_name = "callguard-test-outbound-work"
  work_bucket_arn  = "arn:aws:s3:::callguard-test-outbound-work"
  topic_arn        = "arn:aws:sns:eu-west-2:111122223333:callguard-test-outbound-completion"
  instance_id      = "0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
  contact_flow_id  = "2f3e4d5c-6b7a-4c8d-9e0f-1a2b3c4d5e6f"
  kms_key_arn      = "arn:aws:kms:eu-west-2:111122223333:key/0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
  log_group_name   = "/callguard/callguard-test/outbound-state-machine"
}

run "logged_without_data_and_traced" {
  command = plan

  assert {
    condition     = aws_sfn_state_machine.this.type == "STANDARD" && aws_sfn_state_machine.this.tracing_configuration[0].enabled
    error_message = "A Standard, traced state machine."
  }

  assert {
    condition     = aws_sfn_state_machine.this.logging_configuration[0].include_execution_data == false && aws_sfn_state_machine.this.logging_configuration[0].level == "ERROR"
    error_message = "Execution data holds personal data and is never logged."
  }

  assert {
    condition     = strcontains(aws_sfn_state_machine.this.definition, var.dial_queue_url)
    error_message = "The definition is rendered from the template with the dial queue."
  }
}
