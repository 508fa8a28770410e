# The review topic's encryption, its TLS-only policy and its subscriptions, on
# a plan (offline: `terraform test` in this module).

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_region" {
    defaults = { region = "eu-west-2" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  name        = "callguard-test-review"
  kms_key_arn = "arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

run "encrypted_tls_only_and_no_subscribers_by_default" {
  command = plan

  assert {
    condition     = aws_sns_topic.this.kms_master_key_id == var.kms_key_arn
    error_message = "The topic must be encrypted with the given customer managed key."
  }

  assert {
    condition     = output.arn == "arn:aws:sns:eu-west-2:111122223333:callguard-test-review"
    error_message = "The ARN output must be known at plan time, built from its parts."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_sns_topic_policy.this.policy).Statement :
      s.Effect == "Deny" && s.Condition.Bool["aws:SecureTransport"] == "false"
    ])
    error_message = "The topic policy must deny requests without TLS."
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 0
    error_message = "No subscriptions unless asked for."
  }
}

run "one_email_subscription_per_address" {
  command = plan

  variables {
    email_subscriptions = ["a@example.com", "b@example.com"]
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 2 && aws_sns_topic_subscription.email["a@example.com"].protocol == "email"
    error_message = "Each address becomes one e-mail subscription."
  }
}

run "rejects_addresses_that_are_not_email" {
  command = plan

  variables {
    email_subscriptions = ["supervisors"]
  }

  expect_failures = [var.email_subscriptions]
}

run "rejects_duplicate_addresses" {
  command = plan

  variables {
    email_subscriptions = ["a@example.com", "a@example.com"]
  }

  expect_failures = [var.email_subscriptions]
}
