# The spam challenge: two functions shared by every instance, and the settings
# each instance's challenge module is rendered with. Nothing here exists while
# var.challenge.enabled is false.

locals {
  challenge_enabled = var.challenge.enabled
  # The optional rule: N failed challenges within the window flag the number for review.
  challenge_flags = local.challenge_enabled && var.challenge.flag_after > 0

  # The functions never touch the table: only their own settings, the default
  # country (to classify national caller ids) and the log level.
  challenge_environment = {
    for name, value in {
      CALLGUARD_CHALLENGE_LENGTH = tostring(var.challenge.code_length)
      CALLGUARD_CHALLENGE_POLICY = var.challenge.policy
      CALLGUARD_DEFAULT_COUNTRY  = var.settings.default_country
      CALLGUARD_LOG_LEVEL        = var.settings.log_level
    } : name => value if value != null
  }

  # Only verify_code ever writes, and only with the optional rule: its count
  # (UpdateItem, PutItem to open a window) and its pending flag (the same
  # conditional UpdateItem/PutItem as flag_number) through DynamoDB's use of the key.
  # Its flags follow the review rules: the environment's suppression period and,
  # when review notifications exist, the same topic (a null value is left out).
  challenge_flag_environment = !local.challenge_flags ? {} : {
    for name, value in merge(local.review_environment, {
      CALLGUARD_TABLE                       = module.table.name
      CALLGUARD_CHALLENGE_COUNTER_TABLE     = module.challenge_counters[0].name
      CALLGUARD_CHALLENGE_FLAG_AFTER        = tostring(var.challenge.flag_after)
      CALLGUARD_CHALLENGE_FLAG_WINDOW_HOURS = tostring(var.challenge.flag_window_hours)
      CALLGUARD_BLOCK_PENDING               = tostring(var.settings.block_pending)
    }) : name => value if value != null
  }
  challenge_flag_statements = !local.challenge_flags ? [] : concat([
    {
      sid        = "CountFailedChallenges"
      actions    = ["dynamodb:PutItem", "dynamodb:UpdateItem"]
      resources  = [module.challenge_counters[0].arn]
      conditions = []
    },
    {
      sid        = "FlagRepeatFailuresForReview"
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

  challenge_functions = !local.challenge_enabled ? {} : {
    challenge_code = {
      handler              = "callguard.handlers.challenge_code.handler"
      description          = "callguard: issues the spam-challenge code a caller must key in"
      reserved_concurrency = var.challenge.reserved_concurrency
      environment          = local.challenge_environment
      policy_statements    = []
    }
    verify_code = {
      handler              = "callguard.handlers.verify_code.handler"
      description          = "callguard: checks the code a caller keyed in and counts attempts"
      reserved_concurrency = var.challenge.reserved_concurrency
      environment          = merge(local.challenge_environment, local.challenge_flag_environment)
      policy_statements    = local.challenge_flag_statements
    }
  }

  # What connect_instance needs to render the challenge module (null = off).
  instance_challenge = !local.challenge_enabled ? null : {
    challenge_function = {
      name = module.functions["challenge_code"].function_name
      arn  = module.functions["challenge_code"].arn
    }
    verify_function = {
      name = module.functions["verify_code"].function_name
      arn  = module.functions["verify_code"].arn
    }
    fail_mode             = coalesce(var.challenge.fail_mode, var.settings.fail_mode)
    code_length           = var.challenge.code_length
    max_attempts          = var.challenge.max_attempts
    timeout_seconds       = var.challenge.timeout_seconds
    input_timeout_seconds = var.challenge.input_timeout_seconds
    messages              = var.challenge.messages
  }
}

module "challenge_counters" {
  source = "../challenge_counters"
  count  = local.challenge_flags ? 1 : 0

  name                        = "${var.name_prefix}-challenge-failures"
  kms_key_arn                 = local.kms_key_arn
  deletion_protection_enabled = var.table.deletion_protection_enabled
  tags                        = var.tags
}
