# The execution role's policy, built with jsonencode() from the caller's
# statements: checked on a mocked apply, offline (`terraform test` here).

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
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-2:111122223333:log-group:/aws/lambda/callguard-test-check-number"
    }
  }
}

variables {
  function_name = "callguard-test-check-number"
  handler       = "callguard.handlers.check_number.handler"
  # Any zip will do: the test only hashes it.
  zip_path = "tests/fixture.zip"
  policy_statements = [
    {
      sid       = "ReadDenyListEntries"
      actions   = ["dynamodb:GetItem"]
      resources = ["arn:aws:dynamodb:eu-west-2:111122223333:table/callguard-test-denylist"]
    },
    {
      sid       = "UseTableKeyThroughDynamoDB"
      actions   = ["kms:Decrypt"]
      resources = ["arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
      conditions = [
        { test = "StringEquals", variable = "kms:ViaService", values = ["dynamodb.eu-west-2.amazonaws.com"] },
        { test = "StringEquals", variable = "kms:CallerAccount", values = ["111122223333"] },
      ]
    },
  ]
}

run "policy_is_exact" {
  command = apply

  assert {
    condition     = [for s in jsondecode(output.policy_json).Statement : s.Sid] == ["WriteOwnLogGroup", "WriteXRayTraces", "ReadDenyListEntries", "UseTableKeyThroughDynamoDB"]
    error_message = "The policy must hold logging, tracing and exactly the caller's statements, in that order."
  }

  assert {
    condition     = jsondecode(output.policy_json).Statement[0].Resource == ["arn:aws:logs:eu-west-2:111122223333:log-group:/aws/lambda/callguard-test-check-number:log-stream:*"]
    error_message = "Logging must be limited to the function's own log group."
  }

  assert {
    condition     = !can(jsondecode(output.policy_json).Statement[2].Condition)
    error_message = "A statement without conditions must not carry an empty Condition block."
  }

  assert {
    condition = jsondecode(output.policy_json).Statement[3].Condition == {
      StringEquals = {
        "kms:ViaService"    = ["dynamodb.eu-west-2.amazonaws.com"]
        "kms:CallerAccount" = ["111122223333"]
      }
    }
    error_message = "Conditions with the same operator must merge into one Condition entry."
  }

  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_group == "/aws/lambda/callguard-test-check-number" && aws_lambda_function.this.logging_config[0].log_format == "JSON"
    error_message = "The function must log JSON into its own log group."
  }

  assert {
    condition     = aws_lambda_function.this.architectures == tolist(["arm64"]) && aws_lambda_function.this.runtime == "python3.13"
    error_message = "arm64 and python3.13 are the defaults."
  }

  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixture.zip")
    error_message = "The deployed hash must be the zip's filebase64sha256()."
  }

  assert {
    condition     = length(aws_lambda_permission.connect) == 0
    error_message = "No Connect permission without connect_instance_arns."
  }
}

run "no_tracing_statement_without_active_tracing" {
  command = apply

  variables {
    tracing_mode = "PassThrough"
  }

  assert {
    condition     = !contains([for s in jsondecode(output.policy_json).Statement : s.Sid], "WriteXRayTraces")
    error_message = "Without Active tracing the role must not get X-Ray permissions."
  }
}

run "environment_key_adds_only_decrypt_on_that_key" {
  command = apply

  variables {
    kms_key_arn           = "arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    environment_variables = { CALLGUARD_TABLE = "callguard-test-denylist" }
  }

  assert {
    condition = contains(jsondecode(output.policy_json).Statement, {
      Sid      = "DecryptOwnEnvironment"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = ["arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
      Condition = {
        StringEquals = {
          "kms:EncryptionContext:aws:lambda:FunctionArn" = "arn:aws:lambda:eu-west-2:111122223333:function:callguard-test-check-number"
        }
      }
    })
    error_message = "A CMK for the environment needs exactly kms:Decrypt on that key, for this function's environment only."
  }

  assert {
    condition     = aws_lambda_function.this.kms_key_arn == var.kms_key_arn
    error_message = "The environment must be encrypted with the given key."
  }
}

run "connect_permission_per_instance" {
  command = apply

  variables {
    connect_instance_arns = {
      support = "arn:aws:connect:eu-west-2:111122223333:instance/0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
      sales   = "arn:aws:connect:eu-west-2:444455556666:instance/9c8b7a6d-5e4f-4d3c-8b2a-1f0e9d8c7b6a"
    }
  }

  assert {
    condition     = aws_lambda_permission.connect["sales"].source_account == "444455556666" && aws_lambda_permission.connect["support"].source_account == "111122223333"
    error_message = "source_account must be the account in each instance's ARN."
  }

  assert {
    condition     = alltrue([for k, p in aws_lambda_permission.connect : p.principal == "connect.amazonaws.com" && p.source_arn == var.connect_instance_arns[k]])
    error_message = "Each permission must name connect.amazonaws.com and its instance ARN."
  }
}
