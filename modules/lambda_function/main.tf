# One Python Lambda function from the zip that `make build` writes, with its
# own execution role and its own log group. The role may write only to that
# log group and do only what the caller's statements list, so a flaw in one
# function cannot touch another function's data or logs.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  # Built, not read from the function, so the role's policy (which the function
  # depends on) can name it without a cycle.
  function_arn = "arn:${data.aws_partition.current.partition}:lambda:${data.aws_region.current.region}:${local.account_id}:function:${var.function_name}"

  # logs:CreateLogStream and logs:PutLogEvents apply to log streams, so the
  # narrowest resource is "every stream of this function's own group".
  logging_statements = [
    {
      Sid      = "WriteOwnLogGroup"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = [module.log_group.log_stream_arn_pattern]
    },
  ]

  # X-Ray's write APIs do not support resource-level permissions: AWS only
  # accepts "*" here (see the X-Ray service authorization reference).
  tracing_statements = var.tracing_mode != "Active" ? [] : [
    {
      Sid      = "WriteXRayTraces"
      Effect   = "Allow"
      Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      Resource = ["*"]
    },
  ]

  # Lambda decrypts customer-managed-key environment variables with the
  # execution role's credentials when a sandbox starts, always with the
  # encryption context aws:lambda:FunctionArn = this function's ARN: the grant
  # covers this function's environment and nothing else the key protects.
  environment_key_statements = var.kms_key_arn == null || length(var.environment_variables) == 0 ? [] : [
    {
      Sid      = "DecryptOwnEnvironment"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = [var.kms_key_arn]
      Condition = {
        StringEquals = { "kms:EncryptionContext:aws:lambda:FunctionArn" = local.function_arn }
      }
    },
  ]

  # The caller's statements, in IAM JSON. A Condition key is added only when
  # the statement has conditions (an empty Condition block is not valid IAM).
  caller_statements = [
    for s in var.policy_statements : merge(
      {
        Sid      = s.sid
        Effect   = "Allow"
        Action   = s.actions
        Resource = s.resources
      },
      {
        for key, value in {
          Condition = {
            for test, pairs in { for c in s.conditions : c.test => tomap({ (c.variable) = c.values })... } :
            test => merge(pairs...)
          }
        } : key => value if length(s.conditions) > 0
      },
    )
  ]

  policy_document = {
    Version = "2012-10-17"
    Statement = concat(
      local.logging_statements,
      local.tracing_statements,
      local.environment_key_statements,
      local.caller_statements,
    )
  }

  assume_role_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "LambdaAssumesThisRole"
        Effect    = "Allow"
        Principal = { Service = "lambda.amazonaws.com" }
        Action    = "sts:AssumeRole"
        # Only Lambda acting for this account may assume it (confused deputy).
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  }
}

# ---------------------------------------------------------------- logs
module "log_group" {
  source = "../log_group"

  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_in_days
  kms_key_arn       = var.kms_key_arn
  tags              = var.tags
}

# ---------------------------------------------------------------- role
resource "aws_iam_role" "this" {
  name                 = "${var.function_name}-role"
  description          = "Execution role of the ${var.function_name} Lambda function"
  assume_role_policy   = jsonencode(local.assume_role_policy)
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.function_name}-permissions"
  role   = aws_iam_role.this.id
  policy = jsonencode(local.policy_document)
}

# ---------------------------------------------------------------- function
resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:Nothing invokes these functions asynchronously: Amazon Connect calls them synchronously (errors reach the flow's error branch) and the audit function is driven by a stream mapping with its own on-failure queue. A dead-letter queue only receives failed asynchronous events, so it would stay empty.
  #checkov:skip=CKV_AWS_117:The function talks only to AWS APIs (DynamoDB, X-Ray, CloudWatch Logs) and holds no network-reachable data; a VPC would add ENI cold-start latency the caller hears. Accounts that require one set functions.vpc_config in the environment's terraform.tfvars (passed through modules/callguard to this module's vpc_config).
  #checkov:skip=CKV_AWS_272:The zip is built reproducibly by `make build` and pinned by source_code_hash; signing needs an AWS Signer profile the deployer owns, so it is opt-in: functions.code_signing_config_arn in the environment's terraform.tfvars (this module's code_signing_config_arn).
  function_name = var.function_name
  description   = var.description
  role          = aws_iam_role.this.arn

  filename         = var.zip_path
  source_code_hash = filebase64sha256(var.zip_path)
  handler          = var.handler
  runtime          = var.runtime
  architectures    = [var.architecture]

  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions
  code_signing_config_arn        = var.code_signing_config_arn
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = var.environment_variables
  }

  logging_config {
    log_format            = "JSON"
    log_group             = module.log_group.name
    application_log_level = var.log_level
    system_log_level      = "WARN"
  }

  tracing_config {
    mode = var.tracing_mode
  }

  dynamic "vpc_config" {
    for_each = var.vpc_config == null ? [] : [var.vpc_config]

    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  tags = var.tags

  # The first invocation must be able to write its logs.
  depends_on = [aws_iam_role_policy.this]
}

# ---------------------------------------------------------------- invokers
resource "aws_lambda_permission" "connect" {
  for_each = var.connect_instance_arns

  statement_id   = "AllowConnect-${each.key}"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this.function_name
  principal      = "connect.amazonaws.com"
  source_arn     = each.value
  source_account = split(":", each.value)[4]
}
