# The audit trail of one callguard environment: every change to the deny-list
# table, whoever made it, becomes one structured event in a dedicated log group.
#
#   table stream --(event source mapping)--> audit function --> audit log group
#                      |  on failure                  | GenerateMac
#                      v                              v
#               failure queue (SQS)            HMAC key (KMS)
#
# The stream sees console edits and TTL expiries too, so nothing can change
# the list without leaving an event. Numbers are masked in events and carried
# as a KMS HMAC, which an auditor recomputes with `callguard denylist history`.

# The partition, region and account come from the provider this module is
# given (the roots pin its account with allowed_account_ids), so no caller has
# to pass them, and they cannot disagree with where the resources are created.
data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id
}

locals {
  create_hash_key = var.hash_key_arn == null
  hash_key_arn    = local.create_hash_key ? aws_kms_key.hash[0].arn : var.hash_key_arn

  log_group_name = "/callguard/${var.name_prefix}/audit"
  function_name  = "${var.name_prefix}-audit"
  account_root   = "arn:${local.partition}:iam::${local.account_id}:root"

  environment = {
    CALLGUARD_AUDIT_LOG_GROUP = module.log_group.name
    CALLGUARD_AUDIT_HASH_KEY  = local.hash_key_arn
    CALLGUARD_LOG_LEVEL       = var.log_level
  }

  policy_statements = [
    {
      # The stream's label changes whenever the stream is re-enabled; "<table>/stream/*"
      # names this table's streams and nothing else (AWS's documented scope).
      sid        = "ReadDenyListStream"
      actions    = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]
      resources  = ["${var.table_arn}/stream/*"]
      conditions = []
    },
    {
      # Stream records of a table with a customer managed key are decrypted
      # with that key, through DynamoDB only.
      sid        = "DecryptStreamThroughDynamoDB"
      actions    = ["kms:Decrypt", "kms:DescribeKey"]
      resources  = [var.kms_key_arn]
      conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = ["dynamodb.${local.region}.amazonaws.com"] }]
    },
    {
      sid        = "HashNumbersWithTheAuditKey"
      actions    = ["kms:GenerateMac"]
      resources  = [local.hash_key_arn]
      conditions = [{ test = "StringEquals", variable = "kms:MacAlgorithm", values = ["HMAC_SHA_256"] }]
    },
    {
      # Lambda names no stream here: the function creates one per container.
      sid        = "WriteAuditLogGroup"
      actions    = ["logs:CreateLogStream", "logs:PutLogEvents"]
      resources  = [module.log_group.log_stream_arn_pattern]
      conditions = []
    },
    {
      # The event source mapping sends the description of a batch that keeps
      # failing with the function's own role.
      sid        = "SendFailedBatchesToQueue"
      actions    = ["sqs:SendMessage"]
      resources  = [aws_sqs_queue.failures.arn]
      conditions = []
    },
    {
      sid        = "EncryptQueueMessagesThroughSqs"
      actions    = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources  = [var.kms_key_arn]
      conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = ["sqs.${local.region}.amazonaws.com"] }]
    },
  ]

  hash_key_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        # AWS's default key statement: IAM policies of this account decide who
        # may use the key (the audit role and auditors get kms:GenerateMac only).
        Sid       = "EnableIamPoliciesOfThisAccount"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action    = "kms:*"
        Resource  = "*"
      },
    ]
  }
}

# ---------------------------------------------------------------- hash key
resource "aws_kms_key" "hash" {
  count = local.create_hash_key ? 1 : 0
  #checkov:skip=CKV_AWS_7:KMS supports automatic rotation only for symmetric encryption keys; rotating an HMAC key would also change every number's hash and break searches of older audit events.

  description              = "callguard ${var.name_prefix}: keyed hash of phone numbers in audit events"
  key_usage                = "GENERATE_VERIFY_MAC"
  customer_master_key_spec = "HMAC_256"
  deletion_window_in_days  = 30
  policy                   = jsonencode(local.hash_key_policy)
  tags                     = var.tags
}

resource "aws_kms_alias" "hash" {
  count = local.create_hash_key ? 1 : 0

  name          = "alias/${var.name_prefix}-audit-hash"
  target_key_id = aws_kms_key.hash[0].key_id
}

# ---------------------------------------------------------------- audit log group
module "log_group" {
  source = "../log_group"

  name                        = local.log_group_name
  retention_in_days           = var.retention_in_days
  kms_key_arn                 = var.kms_key_arn
  deletion_protection_enabled = var.deletion_protection_enabled
  skip_destroy                = var.deletion_protection_enabled
  tags                        = var.tags
}

# ---------------------------------------------------------------- failure queue
resource "aws_sqs_queue" "failures" {
  name                              = "${var.name_prefix}-audit-failures"
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 3600
  # The longest SQS keeps a message: time to read it and replay the records.
  message_retention_seconds = 1209600
  tags                      = var.tags
}

# ---------------------------------------------------------------- function
module "function" {
  source = "../lambda_function"

  function_name = local.function_name
  description   = "callguard: writes one audit event per deny-list change from the table's stream"
  zip_path      = var.lambda_zip_path
  handler       = "callguard.handlers.audit.handler"
  runtime       = var.runtime
  architecture  = var.architecture
  memory_size   = var.memory_size
  timeout       = var.timeout

  reserved_concurrent_executions = var.reserved_concurrency

  environment_variables = local.environment
  kms_key_arn           = var.kms_key_arn
  log_level             = var.log_level == "WARNING" ? "WARN" : var.log_level
  log_retention_in_days = var.function_log_retention_in_days
  policy_statements     = local.policy_statements
  tags                  = var.tags

  vpc_config               = var.function_hardening.vpc_config
  code_signing_config_arn  = var.function_hardening.code_signing_config_arn
  permissions_boundary_arn = var.function_hardening.permissions_boundary_arn
}

resource "aws_lambda_event_source_mapping" "stream" {
  event_source_arn  = var.stream_arn
  function_name     = module.function.arn
  starting_position = "TRIM_HORIZON"

  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = 1
  parallelization_factor             = 1

  # Partial failures: the function names the first record it could not store;
  # Lambda retries from there, halves a failing batch, and after the retries
  # sends the batch's description to the failure queue (which is alarmed).
  function_response_types        = ["ReportBatchItemFailures"]
  bisect_batch_on_function_error = true
  maximum_retry_attempts         = var.maximum_retry_attempts
  maximum_record_age_in_seconds  = var.maximum_record_age_in_seconds

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.failures.arn
    }
  }
}
