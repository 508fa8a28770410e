# ---------------------------------------------------------------- account
variable "aws_region" {
  description = "Region of the Amazon Connect instances; the table and functions are created there too."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region name such as eu-west-2."
  }
}

variable "aws_account_id" {
  description = "Twelve-digit id of the account that holds the Connect instances. The provider refuses credentials for any other account."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be exactly 12 digits."
  }
}

variable "aws_partition" {
  description = "AWS partition: aws, aws-us-gov or aws-cn."
  type        = string
  default     = "aws"

  validation {
    condition     = contains(["aws", "aws-us-gov", "aws-cn"], var.aws_partition)
    error_message = "aws_partition must be aws, aws-us-gov or aws-cn."
  }
}

variable "tags" {
  description = "Extra tags for every resource (provider default_tags); Application, Environment and ManagedBy are always set."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------- Connect instances
# Object variables carry types only: every default and every rule on their values lives
# once, in modules/callguard (a second copy here would win over the module's and drift).
variable "connect_instances" {
  description = <<-EOT
    Amazon Connect instances to protect, keyed by a short stable name. instance_id,
    queue_id, flag_queue_id and phone_number_ids are UUIDs (the last part of the
    ARN), never ARNs. Optional per instance: phone_number_flow (denylist|static),
    fail_mode (open|closed, default settings.fail_mode), check_timeout_seconds (3),
    flag_timeout_seconds (5), messages, static_blocked_numbers (E.164, at most 100).
  EOT
  type = map(object({
    instance_id           = string
    queue_id              = string
    flag_queue_id         = optional(string)
    phone_number_ids      = optional(list(string))
    phone_number_flow     = optional(string)
    fail_mode             = optional(string)
    check_timeout_seconds = optional(number)
    flag_timeout_seconds  = optional(number)
    messages = optional(object({
      blocked                   = optional(string)
      queue_full                = optional(string)
      error                     = optional(string)
      agent_prompt              = optional(string)
      flag_success              = optional(string)
      flag_error                = optional(string)
      flag_reason               = optional(string)
      quick_connect             = optional(string)
      quick_connect_description = optional(string)
    }))
    static_blocked_numbers = optional(list(string))
  }))
}

# ---------------------------------------------------------------- behaviour
variable "settings" {
  description = "Function behaviour (CALLGUARD_*): default_country (ISO alpha-2 or null), fail_mode (open|closed), block_anonymous, block_pending, flag_mode (block|review), default_reason, log_level (DEBUG|INFO|WARNING|ERROR)."
  type = object({
    default_country = optional(string)
    fail_mode       = optional(string)
    block_anonymous = optional(bool)
    block_pending   = optional(bool)
    flag_mode       = optional(string)
    default_reason  = optional(string)
    log_level       = optional(string)
  })
  default = {}
}

variable "challenge" {
  description = "Spam challenge (off by default): enabled, policy (everyone|withheld|pending), code_length (3-6), max_attempts (1-5), timeout_seconds (1-8), input_timeout_seconds, fail_mode (null = settings.fail_mode), reserved_concurrency, flag_after (0 = off: failed challenges within flag_window_hours that flag the number for review), flag_window_hours (24), messages {prompt, retry, no_input, goodbye}. See modules/callguard."
  type = object({
    enabled               = optional(bool)
    policy                = optional(string)
    code_length           = optional(number)
    max_attempts          = optional(number)
    timeout_seconds       = optional(number)
    input_timeout_seconds = optional(number)
    fail_mode             = optional(string)
    reserved_concurrency  = optional(number)
    flag_after            = optional(number)
    flag_window_hours     = optional(number)
    messages = optional(object({
      prompt   = optional(string)
      retry    = optional(string)
      no_input = optional(string)
      goodbye  = optional(string)
    }))
  })
  default = {}
}

variable "functions" {
  description = "Function sizing: runtime, architecture, memory_size, timeout (max 8), check_reserved_concurrency, flag_reserved_concurrency (null = unreserved), log_retention_in_days (X-Ray tracing is always Active)."
  type = object({
    runtime                    = optional(string)
    architecture               = optional(string)
    memory_size                = optional(number)
    timeout                    = optional(number)
    check_reserved_concurrency = optional(number)
    flag_reserved_concurrency  = optional(number)
    log_retention_in_days      = optional(number)
  })
  default = {}
}

variable "table" {
  description = "Deny-list table: name (default callguard-<env>-denylist), deletion_protection_enabled (true), point_in_time_recovery_days (35), replicas (global-table regions)."
  type = object({
    name                        = optional(string)
    deletion_protection_enabled = optional(bool)
    point_in_time_recovery_days = optional(number)
    replicas = optional(list(object({
      region_name                 = string
      kms_key_arn                 = optional(string)
      point_in_time_recovery      = optional(bool)
      deletion_protection_enabled = optional(bool)
      propagate_tags              = optional(bool)
    })))
  })
  default = {}
}

variable "kms_key_arn" {
  description = "Existing customer managed KMS key to use; null creates one for the environment."
  type        = string
  default     = null
}

variable "lambda_zip_path" {
  description = "Deployment package; null uses build/lambda/callguard.zip at the repository root (run `make build`)."
  type        = string
  default     = null
}

# ---------------------------------------------------------------- audit trail and monitoring
variable "audit" {
  description = "Audit trail of every deny-list change: retention_in_days (3653 = ten years), deletion_protection_enabled (true), hash_key_arn (null creates an HMAC key), reserved_concurrency (2; null = unreserved), batch_size (100), maximum_retry_attempts (10), maximum_record_age_in_seconds (86400)."
  type = object({
    retention_in_days             = optional(number)
    deletion_protection_enabled   = optional(bool)
    hash_key_arn                  = optional(string)
    reserved_concurrency          = optional(number)
    batch_size                    = optional(number)
    maximum_retry_attempts        = optional(number)
    maximum_record_age_in_seconds = optional(number)
  })
  default  = {}
  nullable = false
}

variable "monitoring" {
  description = "Dashboard and alarms: sns_topic_arns ([] = alarms without notifications), check_error_threshold (1 per 5 minutes), duration_threshold_ratio (0.8 of the shortest check timeout), iterator_age_threshold_ms (600000), challenge (spam-challenge log group and patterns, optional)."
  type = object({
    sns_topic_arns            = optional(list(string))
    check_error_threshold     = optional(number)
    duration_threshold_ratio  = optional(number)
    iterator_age_threshold_ms = optional(number)
    challenge = optional(object({
      log_group_name = string
      pass_pattern   = optional(string)
      fail_pattern   = optional(string)
    }))
  })
  default  = {}
  nullable = false
}

variable "review" {
  description = "Two-step review (settings.flag_mode = review): reject_suppression_days (30; agent flags of a number a supervisor rejected are only counted for this many days, then open a new review), notifications (true: encrypted SNS topic callguard-<env>-review, one message per new pending flag), email_subscriptions (addresses to notify; each must confirm the e-mail SNS sends)."
  type = object({
    reject_suppression_days = optional(number)
    notifications           = optional(bool)
    email_subscriptions     = optional(list(string))
  })
  default  = {}
  nullable = false
}
