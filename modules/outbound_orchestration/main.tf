# The job workflow: a Standard state machine rendered from
# state_machine.asl.json.tftpl, logging to an encrypted group without
# execution data (it holds personal data), traced with X-Ray.

locals {
  state_machine_arn = "arn:${var.partition}:states:${var.region}:${var.account_id}:stateMachine:${var.name}"
  # Distributed Map child executions are named under the parent's ARN.
  execution_arn_pattern = "arn:${var.partition}:states:${var.region}:${var.account_id}:execution:${var.name}:*"
  express_arn_pattern   = "arn:${var.partition}:states:${var.region}:${var.account_id}:express:${var.name}:*"

  definition = templatefile("${path.module}/state_machine.asl.json.tftpl", {
    plan_function_arn             = var.function_arns.plan
    record_function_arn           = var.function_arns.record
    report_function_arn           = var.function_arns.report
    dial_queue_url                = var.dial_queue_url
    work_bucket                   = var.work_bucket_name
    topic_arn                     = var.topic_arn
    instance_id                   = var.instance_id
    contact_flow_id               = var.contact_flow_id
    max_concurrency               = var.max_concurrency
    call_timeout_seconds          = var.call_timeout_seconds
    ring_timeout_seconds          = var.ring_timeout_seconds
    lambda_retry_interval_seconds = var.lambda_retry_interval_seconds
  })
}

module "log_group" {
  source = "../log_group"

  name              = var.log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_arn       = var.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${var.name}-state-machine"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "InvokeStepFunctions"
    actions   = ["lambda:InvokeFunction"]
    resources = values(var.function_arns)
  }

  statement {
    sid       = "QueueCalls"
    actions   = ["sqs:SendMessage"]
    resources = [var.dial_queue_arn]
  }

  statement {
    sid       = "ReadWriteWorkItems"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${var.work_bucket_arn}/jobs/*"]
  }

  statement {
    sid       = "ListWorkItems"
    actions   = ["s3:ListBucket"]
    resources = [var.work_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["jobs/*"]
    }
  }

  statement {
    sid       = "PublishCompletion"
    actions   = ["sns:Publish"]
    resources = [var.topic_arn]
  }

  # Distributed Map runs its iterations as child executions of this machine.
  statement {
    sid       = "RunMapChildren"
    actions   = ["states:StartExecution"]
    resources = [local.state_machine_arn]
  }

  statement {
    sid       = "ManageMapChildren"
    actions   = ["states:DescribeExecution", "states:StopExecution"]
    resources = [local.execution_arn_pattern, local.express_arn_pattern]
  }

  statement {
    sid       = "UseEnvironmentKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid       = "WriteXRayTraces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
    resources = ["*"] # X-Ray has no resource types.
  }

  # Log delivery actions have no resource types (CloudWatch Logs vended logs).
  statement {
    sid = "DeliverLogs"
    actions = [
      "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "state-machine"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_sfn_state_machine" "this" {
  # checkov:skip=CKV_AWS_285:Execution data holds receivers' phone numbers and answers (personal data); states are logged without it on purpose.
  name       = var.name
  type       = "STANDARD"
  role_arn   = aws_iam_role.this.arn
  definition = local.definition

  logging_configuration {
    log_destination        = "${module.log_group.arn}:*"
    include_execution_data = false
    level                  = var.log_level
  }

  tracing_configuration {
    enabled = true
  }

  tags       = var.tags
  depends_on = [aws_iam_role_policy.this]
}
