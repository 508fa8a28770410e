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
variable "connect_instances" {
  description = <<-EOT
    Amazon Connect instances to protect, keyed by a short stable name. instance_id,
    queue_id, flag_queue_id and phone_number_ids are UUIDs (the last part of the
    ARN), never ARNs. Optional per instance: phone_number_flow, fail_mode,
    check_timeout_seconds, flag_timeout_seconds, messages, static_blocked_numbers;
    unset fields take modules/callguard's defaults.
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

  validation {
    condition     = length(var.connect_instances) > 0
    error_message = "connect_instances must name at least one Amazon Connect instance."
  }

  # Each per-instance rule names the offending keys, so the error points at the
  # user's terraform.tfvars entry rather than at a module call.
  validation {
    condition     = alltrue([for v in values(var.connect_instances) : !startswith(v.instance_id, "arn:")])
    error_message = "connect_instances[${join(", ", [for k, v in var.connect_instances : jsonencode(k) if startswith(v.instance_id, "arn:")])}].instance_id is an ARN; pass only the UUID after \"instance/\" (the provider's Connect resources misbehave with ARNs)."
  }

  validation {
    condition     = alltrue([for v in values(var.connect_instances) : startswith(v.instance_id, "arn:") || can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", v.instance_id))])
    error_message = "connect_instances[${join(", ", [for k, v in var.connect_instances : jsonencode(k) if !(startswith(v.instance_id, "arn:") || can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", v.instance_id)))])}].instance_id must be a lowercase instance UUID such as 0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d."
  }

  validation {
    condition = alltrue([
      for v in values(var.connect_instances) : alltrue([
        for id in concat([v.queue_id], compact([v.flag_queue_id]), coalesce(v.phone_number_ids, [])) : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))
      ])
    ])
    error_message = "connect_instances[${join(", ", [for k, v in var.connect_instances : jsonencode(k) if !alltrue([for id in concat([v.queue_id], compact([v.flag_queue_id]), coalesce(v.phone_number_ids, [])) : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])])}]: queue_id, flag_queue_id and phone_number_ids must be UUIDs, not ARNs or phone numbers."
  }

  validation {
    condition     = alltrue([for v in values(var.connect_instances) : v.fail_mode == null || contains(["open", "closed"], coalesce(v.fail_mode, "open"))])
    error_message = "connect_instances[${join(", ", [for k, v in var.connect_instances : jsonencode(k) if !(v.fail_mode == null || contains(["open", "closed"], coalesce(v.fail_mode, "open")))])}].fail_mode must be open, closed or left out (lowercase)."
  }

  validation {
    condition     = alltrue([for v in values(var.connect_instances) : v.phone_number_flow == null || contains(["denylist", "static"], coalesce(v.phone_number_flow, "denylist"))])
    error_message = "connect_instances[${join(", ", [for k, v in var.connect_instances : jsonencode(k) if !(v.phone_number_flow == null || contains(["denylist", "static"], coalesce(v.phone_number_flow, "denylist")))])}].phone_number_flow must be denylist or static."
  }

  validation {
    condition = alltrue(flatten([
      for v in values(var.connect_instances) : [
        for t in [v.check_timeout_seconds, v.flag_timeout_seconds] : t == null || try(t >= 1 && t <= 8 && floor(t) == t, false)
      ]
    ]))
    error_message = "connect_instances[${join(", ", [for k, v in var.connect_instances : jsonencode(k) if !alltrue([for t in [v.check_timeout_seconds, v.flag_timeout_seconds] : t == null || try(t >= 1 && t <= 8 && floor(t) == t, false)])])}]: check_timeout_seconds and flag_timeout_seconds must be whole seconds from 1 to 8 (Amazon Connect waits at most 8 s)."
  }
}

# ---------------------------------------------------------------- behaviour
variable "settings" {
  description = "Function behaviour (CALLGUARD_*): default_country, fail_mode, block_anonymous, block_pending, flag_mode, default_reason, log_level. Unset fields take modules/callguard's defaults (its variables.tf is the one place they are written)."
  type = object({
    default_country = optional(string)
    fail_mode       = optional(string)
    block_anonymous = optional(bool)
    block_pending   = optional(bool)
    flag_mode       = optional(string)
    default_reason  = optional(string)
    log_level       = optional(string)
  })
  default  = {}
  nullable = false

  # The rule the functions and the operator CLI apply: a region libphonenumber
  # knows (local.phone_regions, generated from it), so "UK" or "XX" fail here.
  validation {
    condition     = var.settings.default_country == null || contains(local.phone_regions, coalesce(var.settings.default_country, "-"))
    error_message = "settings.default_country (CALLGUARD_DEFAULT_COUNTRY) = ${jsonencode(var.settings.default_country)} is not an ISO 3166 alpha-2 region libphonenumber knows; use capitals such as GB (not UK) or US, or leave it out."
  }
}

variable "challenge" {
  description = "Spam challenge: enabled, policy, code_length, max_attempts, timeout_seconds, input_timeout_seconds, fail_mode, reserved_concurrency, flag_after, flag_window_hours, messages {prompt, retry, no_input, goodbye}. Unset fields take modules/callguard's defaults."
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
  default  = {}
  nullable = false

  validation {
    condition     = var.challenge.max_attempts == null || try(var.challenge.max_attempts >= 1 && var.challenge.max_attempts <= 5 && floor(var.challenge.max_attempts) == var.challenge.max_attempts, false)
    error_message = "challenge.max_attempts must be a whole number from 1 to 5."
  }

  validation {
    condition     = var.challenge.timeout_seconds == null || try(var.challenge.timeout_seconds >= 1 && var.challenge.timeout_seconds <= 8 && floor(var.challenge.timeout_seconds) == var.challenge.timeout_seconds, false)
    error_message = "challenge.timeout_seconds must be whole seconds from 1 to 8 (Amazon Connect waits at most 8 s for a function)."
  }

  validation {
    condition     = var.challenge.fail_mode == null || contains(["open", "closed"], coalesce(var.challenge.fail_mode, "open"))
    error_message = "challenge.fail_mode must be open, closed or left out (lowercase); it was ${jsonencode(var.challenge.fail_mode)}."
  }
}

variable "functions" {
  description = "Function sizing: runtime, architecture, memory_size, timeout (max 8), check_reserved_concurrency, flag_reserved_concurrency, log_retention_in_days; hardening for every function: vpc_config {subnet_ids, security_group_ids}, code_signing_config_arn, permissions_boundary_arn. Unset fields take modules/callguard's defaults."
  type = object({
    runtime                    = optional(string)
    architecture               = optional(string)
    memory_size                = optional(number)
    timeout                    = optional(number)
    check_reserved_concurrency = optional(number)
    flag_reserved_concurrency  = optional(number)
    log_retention_in_days      = optional(number)
    vpc_config = optional(object({
      subnet_ids         = list(string)
      security_group_ids = list(string)
    }))
    code_signing_config_arn  = optional(string)
    permissions_boundary_arn = optional(string)
  })
  default = {}
}

variable "table" {
  description = "Deny-list table: name, deletion_protection_enabled, point_in_time_recovery_days, replicas (global-table regions). Unset fields take modules/callguard's defaults."
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
  description = "Audit trail of every deny-list change: retention_in_days, deletion_protection_enabled, hash_key_arn, reserved_concurrency, batch_size, maximum_retry_attempts, maximum_record_age_in_seconds. Unset fields take modules/callguard's defaults."
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

  validation {
    condition     = var.audit.retention_in_days == null || contains([0, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.audit.retention_in_days)
    error_message = "audit.retention_in_days must be at least a year (365 ... 3653) or 0 (never expire): the audit trail is evidence."
  }

  validation {
    condition     = coalesce(var.audit.maximum_retry_attempts, 0) >= 0 && coalesce(var.audit.maximum_record_age_in_seconds, 60) >= 60
    error_message = "audit.maximum_retry_attempts must be >= 0 and audit.maximum_record_age_in_seconds >= 60: retries are bounded (-1, forever, is not allowed)."
  }
}

variable "monitoring" {
  description = "Dashboard and alarms: sns_topic_arns, check_error_threshold, duration_threshold_ratio, iterator_age_threshold_ms, challenge (spam-challenge log group and patterns). Unset fields take modules/callguard's defaults."
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

  validation {
    condition     = alltrue([for arn in coalesce(var.monitoring.sns_topic_arns, []) : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", arn))])
    error_message = "monitoring.sns_topic_arns must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<name>), not names."
  }
}

variable "review" {
  description = "Two-step review (settings.flag_mode = review): reject_suppression_days, notifications, email_subscriptions. Unset fields take modules/callguard's defaults."
  type = object({
    reject_suppression_days = optional(number)
    notifications           = optional(bool)
    email_subscriptions     = optional(list(string))
  })
  default  = {}
  nullable = false
}

# ---------------------------------------------------------------- outbound call jobs
variable "outbound" {
  description = "Outbound call jobs (docs/deployment.md): enabled, instance (a key of connect_instances), contact_flow_id (your own flow; unset: the bots and the outbound call flow are built), source_phone_number, source_phone_number_id, retention_days, calls_per_second, burst, max_concurrent_calls, dialer_reserved_concurrency, call_timeout_seconds, ring_timeout_seconds, state_machine_log_level, deletion_protection_enabled, lambda_zip_path; for the built flow existing_alias_arns (per question type), locale_id, voice_id, voicemail_message, retry_message, opt_out_message, error_message, answer_hints (per question type; the types left out keep their default), max_retries, max_repeats, recording_enabled. Off unless enabled; unset fields take modules/outbound's defaults."
  type = object({
    enabled                     = optional(bool)
    instance                    = optional(string)
    contact_flow_id             = optional(string)
    source_phone_number         = optional(string)
    source_phone_number_id      = optional(string)
    retention_days              = optional(number)
    calls_per_second            = optional(number)
    burst                       = optional(number)
    max_concurrent_calls        = optional(number)
    dialer_reserved_concurrency = optional(number)
    call_timeout_seconds        = optional(number)
    ring_timeout_seconds        = optional(number)
    state_machine_log_level     = optional(string)
    deletion_protection_enabled = optional(bool)
    lambda_zip_path             = optional(string)
    existing_alias_arns         = optional(map(string))
    locale_id                   = optional(string)
    voice_id                    = optional(string)
    voicemail_message           = optional(string)
    retry_message               = optional(string)
    opt_out_message             = optional(string)
    error_message               = optional(string)
    answer_hints                = optional(map(string))
    max_retries                 = optional(number)
    max_repeats                 = optional(number)
    recording_enabled           = optional(bool)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.outbound.enabled != true || contains(keys(var.connect_instances), coalesce(var.outbound.instance, "-"))
    error_message = "outbound.instance must name a key of connect_instances when outbound.enabled is true."
  }

  validation {
    condition     = var.outbound.enabled != true || can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", coalesce(var.outbound.source_phone_number_id, "-")))
    error_message = "outbound.source_phone_number_id must be a UUID when outbound.enabled is true."
  }

  validation {
    condition     = var.outbound.contact_flow_id == null || can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", coalesce(var.outbound.contact_flow_id, "-")))
    error_message = "outbound.contact_flow_id, when given, must be a flow id (a UUID); leave it unset to have the outbound call flow built."
  }

  validation {
    condition     = var.outbound.enabled != true || can(regex("^\\+[1-9][0-9]{6,14}$", coalesce(var.outbound.source_phone_number, "-")))
    error_message = "outbound.source_phone_number must be E.164 (such as +442079460000) when outbound.enabled is true."
  }

  validation {
    condition     = var.outbound.retention_days == null || try(var.outbound.retention_days >= 1 && floor(var.outbound.retention_days) == var.outbound.retention_days, false)
    error_message = "outbound.retention_days must be a whole number of days, at least 1."
  }

  validation {
    condition     = var.outbound.ring_timeout_seconds == null || try(var.outbound.ring_timeout_seconds >= 15 && var.outbound.ring_timeout_seconds <= 60, false)
    error_message = "outbound.ring_timeout_seconds must be from 15 to 60."
  }

  validation {
    condition     = length(setsubtract(keys(coalesce(var.outbound.answer_hints, {})), ["ok", "yes_no", "multiple_choice", "number", "date", "time"])) == 0
    error_message = "outbound.answer_hints may name only the question types ok, yes_no, multiple_choice, number, date and time; not ${join(", ", sort(setsubtract(keys(coalesce(var.outbound.answer_hints, {})), ["ok", "yes_no", "multiple_choice", "number", "date", "time"])))}."
  }

  validation {
    condition     = var.outbound.state_machine_log_level == null || contains(["ALL", "ERROR"], coalesce(var.outbound.state_machine_log_level, "-"))
    error_message = "outbound.state_machine_log_level must be ALL or ERROR."
  }
}
