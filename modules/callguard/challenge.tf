# The spam challenge: two functions shared by every instance, and the settings
# each instance's challenge module is rendered with. Nothing here exists while
# var.challenge.enabled is false.

locals {
  challenge_enabled = var.challenge.enabled

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

  challenge_functions = !local.challenge_enabled ? {} : {
    challenge_code = {
      handler     = "callguard.handlers.challenge_code.handler"
      description = "callguard: issues the spam-challenge code a caller must key in"
    }
    verify_code = {
      handler     = "callguard.handlers.verify_code.handler"
      description = "callguard: checks the code a caller keyed in and counts attempts"
    }
  }

  # What connect_instance needs to render the challenge module (null = off).
  instance_challenge = !local.challenge_enabled ? null : {
    challenge_function = {
      name = module.challenge_functions["challenge_code"].function_name
      arn  = module.challenge_functions["challenge_code"].arn
    }
    verify_function = {
      name = module.challenge_functions["verify_code"].function_name
      arn  = module.challenge_functions["verify_code"].arn
    }
    fail_mode             = coalesce(var.challenge.fail_mode, var.settings.fail_mode)
    code_length           = var.challenge.code_length
    max_attempts          = var.challenge.max_attempts
    timeout_seconds       = var.challenge.timeout_seconds
    input_timeout_seconds = var.challenge.input_timeout_seconds
    messages              = var.challenge.messages
  }
}

module "challenge_functions" {
  source   = "../lambda_function"
  for_each = local.challenge_functions

  function_name = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  description   = each.value.description
  zip_path      = var.lambda_zip_path
  handler       = each.value.handler
  runtime       = var.functions.runtime
  architecture  = var.functions.architecture
  memory_size   = var.functions.memory_size
  timeout       = var.functions.timeout

  reserved_concurrent_executions = var.challenge.reserved_concurrency

  environment_variables = local.challenge_environment
  kms_key_arn           = local.kms_key_arn
  log_level             = local.lambda_log_level
  log_retention_in_days = var.functions.log_retention_in_days
  # No statements: the role may write its own logs (and traces) and decrypt its
  # own environment, nothing else. The functions read no table and call no API.
  policy_statements = []
  tags              = var.tags
}
