# One callguard environment: one key, one deny-list table and one pair of
# functions, shared by every Amazon Connect instance in connect_instances,
# each of which gets its own flows, quick connect and permissions.

locals {
  create_kms_key = var.kms_key_arn == null
  kms_key_arn    = local.create_kms_key ? module.kms_key[0].arn : var.kms_key_arn

  table_name = coalesce(var.table.name, "${var.name_prefix}-denylist")

  # Every function's log group is /aws/lambda/<function name>; the key policy
  # lets CloudWatch Logs use the key for exactly these groups.
  log_group_prefix = "/aws/lambda/${var.name_prefix}-"
  # The audit trail's own group (/callguard/<prefix>/audit) uses the key too.
  audit_log_group_prefix = "/callguard/${var.name_prefix}/"

  # CALLGUARD_* variables shared by both functions; unset values are left out
  # so the runtime's own defaults apply. Each function adds only what it reads.
  environment = {
    for name, value in {
      CALLGUARD_TABLE           = module.table.name
      CALLGUARD_DEFAULT_COUNTRY = var.settings.default_country
      CALLGUARD_FAIL_MODE       = var.settings.fail_mode
      CALLGUARD_BLOCK_ANONYMOUS = tostring(var.settings.block_anonymous)
      CALLGUARD_BLOCK_PENDING   = tostring(var.settings.block_pending)
      CALLGUARD_FLAG_MODE       = var.settings.flag_mode
      CALLGUARD_DEFAULT_REASON  = var.settings.default_reason
      CALLGUARD_LOG_LEVEL       = var.settings.log_level
    } : name => value if value != null
  }

  # The functions stop retrying in time to answer before the flow stops waiting:
  # their deadline follows the shortest wait any instance's flow allows.
  check_time_limit_seconds = min([for i in values(var.connect_instances) : i.check_timeout_seconds]...)
  flag_time_limit_seconds  = min([for i in values(var.connect_instances) : i.flag_timeout_seconds]...)

  # Lambda's JSON log filter names WARNING "WARN".
  lambda_log_level = var.settings.log_level == "WARNING" ? "WARN" : var.settings.log_level

  # DynamoDB asks KMS for the table key on the caller's behalf, so each role
  # needs the key, but only through DynamoDB in this region.
  via_dynamodb = [
    { test = "StringEquals", variable = "kms:ViaService", values = ["dynamodb.${var.region}.amazonaws.com"] },
  ]

  functions = {
    check_number = {
      handler              = "callguard.handlers.check_number.handler"
      description          = "callguard: answers Amazon Connect whether the caller is on the deny list"
      reserved_concurrency = var.functions.check_reserved_concurrency
      environment = merge(local.environment, {
        CALLGUARD_CHECK_TIME_LIMIT_SECONDS = tostring(local.check_time_limit_seconds)
      })
      policy_statements = [
        {
          sid        = "ReadDenyListEntries"
          actions    = ["dynamodb:GetItem"]
          resources  = [module.table.arn]
          conditions = []
        },
        {
          sid        = "UseTableKeyThroughDynamoDB"
          actions    = ["kms:Decrypt", "kms:DescribeKey"]
          resources  = [local.kms_key_arn]
          conditions = local.via_dynamodb
        },
      ]
    }
    flag_number = {
      handler              = "callguard.handlers.flag_number.handler"
      description          = "callguard: adds the current caller to the deny list when an agent flags them"
      reserved_concurrency = var.functions.flag_reserved_concurrency
      environment = merge(local.environment, local.review_environment, {
        CALLGUARD_FLAG_TIME_LIMIT_SECONDS = tostring(local.flag_time_limit_seconds)
      })
      policy_statements = concat([
        {
          sid        = "WriteDenyListEntries"
          actions    = ["dynamodb:PutItem", "dynamodb:UpdateItem"]
          resources  = [module.table.arn]
          conditions = []
        },
        {
          sid        = "UseTableKeyThroughDynamoDB"
          actions    = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
          resources  = [local.kms_key_arn]
          conditions = local.via_dynamodb
        },
      ], local.review_publish_statements)
    }
  }

  # Every function module.functions creates: the two deny-list functions and,
  # when the challenge is on, its two (challenge.tf).
  all_functions = merge(local.functions, local.challenge_functions)

  instance_arns = {
    for key, instance in var.connect_instances :
    key => "arn:${var.partition}:connect:${var.region}:${var.account_id}:instance/${instance.instance_id}"
  }
}

# ---------------------------------------------------------------- key
module "kms_key" {
  source = "../kms_key"
  count  = local.create_kms_key ? 1 : 0

  alias_name              = var.name_prefix
  log_group_name_prefixes = [local.log_group_prefix, local.audit_log_group_prefix]
  tags                    = var.tags
}

# ---------------------------------------------------------------- table
module "table" {
  source = "../denylist_table"

  name                        = local.table_name
  kms_key_arn                 = local.kms_key_arn
  deletion_protection_enabled = var.table.deletion_protection_enabled
  point_in_time_recovery_days = var.table.point_in_time_recovery_days
  replicas                    = var.table.replicas
  tags                        = var.tags
}

# ---------------------------------------------------------------- functions
# Every function of the environment (check_number, flag_number and, with the
# spam challenge, challenge_code and verify_code) is one call of lambda_function:
# they share the package, runtime, sizing, key and log settings, and differ only
# in handler, environment, reservation and policy.
module "functions" {
  source   = "../lambda_function"
  for_each = local.all_functions

  function_name = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  description   = each.value.description
  zip_path      = var.lambda_zip_path
  handler       = each.value.handler
  runtime       = var.functions.runtime
  architecture  = var.functions.architecture
  memory_size   = var.functions.memory_size
  timeout       = var.functions.timeout

  reserved_concurrent_executions = each.value.reserved_concurrency

  environment_variables = { for name, value in each.value.environment : name => value if value != null }
  kms_key_arn           = local.kms_key_arn
  log_level             = local.lambda_log_level
  log_retention_in_days = var.functions.log_retention_in_days

  vpc_config               = var.functions.vpc_config
  code_signing_config_arn  = var.functions.code_signing_config_arn
  permissions_boundary_arn = var.functions.permissions_boundary_arn

  # Beyond its own logs, traces and environment, a role may do only what its
  # statements say (the challenge functions nothing, unless the optional review
  # rule is on, and then only verify_code, only on the two tables).
  policy_statements = each.value.policy_statements
  tags              = var.tags
}

# The challenge functions had their own module call before the two were merged.
moved {
  from = module.challenge_functions["challenge_code"]
  to   = module.functions["challenge_code"]
}

moved {
  from = module.challenge_functions["verify_code"]
  to   = module.functions["verify_code"]
}

# ---------------------------------------------------------------- instances
module "instances" {
  source   = "../connect_instance"
  for_each = var.connect_instances

  name_prefix  = var.name_prefix
  instance_id  = each.value.instance_id
  instance_arn = local.instance_arns[each.key]

  check_function = {
    name = module.functions["check_number"].function_name
    arn  = module.functions["check_number"].arn
  }
  flag_function = {
    name = module.functions["flag_number"].function_name
    arn  = module.functions["flag_number"].arn
  }
  challenge = local.instance_challenge

  queue_id               = each.value.queue_id
  flag_queue_id          = each.value.flag_queue_id
  phone_number_ids       = each.value.phone_number_ids
  phone_number_flow      = each.value.phone_number_flow
  fail_mode              = coalesce(each.value.fail_mode, var.settings.fail_mode)
  flag_mode              = var.settings.flag_mode
  check_timeout_seconds  = each.value.check_timeout_seconds
  flag_timeout_seconds   = each.value.flag_timeout_seconds
  messages               = { for name, text in each.value.messages : name => text if text != null }
  static_blocked_numbers = each.value.static_blocked_numbers
  flows_dir              = var.flows_dir
  tags                   = var.tags
}

# ---------------------------------------------------------------- audit trail
module "audit_trail" {
  source = "../audit_trail"

  name_prefix = var.name_prefix

  table_arn   = module.table.arn
  stream_arn  = module.table.stream_arn
  kms_key_arn = local.kms_key_arn

  hash_key_arn                  = var.audit.hash_key_arn
  retention_in_days             = var.audit.retention_in_days
  deletion_protection_enabled   = var.audit.deletion_protection_enabled
  batch_size                    = var.audit.batch_size
  maximum_retry_attempts        = var.audit.maximum_retry_attempts
  maximum_record_age_in_seconds = var.audit.maximum_record_age_in_seconds

  lambda_zip_path = var.lambda_zip_path
  function_hardening = {
    vpc_config               = var.functions.vpc_config
    code_signing_config_arn  = var.functions.code_signing_config_arn
    permissions_boundary_arn = var.functions.permissions_boundary_arn
  }
  runtime                        = var.functions.runtime
  architecture                   = var.functions.architecture
  reserved_concurrency           = var.audit.reserved_concurrency
  function_log_retention_in_days = var.functions.log_retention_in_days
  log_level                      = var.settings.log_level
  tags                           = var.tags
}

# ---------------------------------------------------------------- metrics, dashboard, alarms
module "monitoring" {
  source = "../monitoring"

  name_prefix = var.name_prefix

  log_groups = {
    check_number   = module.functions["check_number"].log_group_name
    flag_number    = module.functions["flag_number"].log_group_name
    audit_events   = module.audit_trail.log_group_name
    audit_function = module.audit_trail.function_log_group_name
  }
  function_names = merge(
    { for key, function in module.functions : key => function.function_name },
    { audit = module.audit_trail.function_name },
  )
  table_name               = module.table.name
  audit_failure_queue_name = module.audit_trail.failure_queue_name
  connect_instances        = { for key, instance in var.connect_instances : key => instance.instance_id }
  check_timeout_seconds    = min([for instance in values(var.connect_instances) : instance.check_timeout_seconds]...)
  # Challenge metrics come from verify_code's lines when the challenge is on
  # (null patterns take the monitoring module's defaults for those lines).
  challenge = var.monitoring.challenge != null ? var.monitoring.challenge : (
    !local.challenge_enabled ? null : {
      log_group_name = module.functions["verify_code"].log_group_name
      pass_pattern   = null
      fail_pattern   = null
    }
  )
  alarms = {
    sns_topic_arns            = var.monitoring.sns_topic_arns
    check_error_threshold     = var.monitoring.check_error_threshold
    duration_threshold_ratio  = var.monitoring.duration_threshold_ratio
    iterator_age_threshold_ms = var.monitoring.iterator_age_threshold_ms
  }
  tags = var.tags
}
