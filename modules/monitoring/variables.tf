# ---------------------------------------------------------------- environment
variable "name_prefix" {
  description = "Prefix of every name, for example callguard-dev. Names the dashboard, the filters and the alarms."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 characters of lowercase letters, digits and -, starting with a letter."
  }
}

variable "namespace" {
  description = "CloudWatch namespace of the log-derived metrics. null uses Callguard/<name_prefix>."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the alarms."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------- what to watch
variable "log_groups" {
  description = "Log groups the metric filters read: the check and flag functions', the audit events' and the audit function's own."
  type = object({
    check_number   = string
    flag_number    = string
    audit_events   = string
    audit_function = string
  })
}

variable "function_names" {
  description = "Functions whose Lambda metrics are shown and alarmed, by handler. check_number and audit are required (the duration and stream alarms read them); others may be added."
  type        = map(string)

  validation {
    condition     = contains(keys(var.function_names), "check_number") && contains(keys(var.function_names), "audit")
    error_message = "function_names must contain check_number and audit."
  }

  validation {
    condition     = alltrue([for k in keys(var.function_names) : can(regex("^[a-z][a-z0-9_]{0,30}$", k))])
    error_message = "function_names keys must be lowercase identifiers such as check_number (they name alarms)."
  }
}

variable "table_name" {
  description = "Name of the deny-list table (its throttling is shown and alarmed)."
  type        = string
}

variable "audit_failure_queue_name" {
  description = "Name of the SQS queue that receives stream batches the audit function could not record."
  type        = string
}

variable "connect_instances" {
  description = "Connect instances to show per-instance metrics for: short name => instance id (UUID), as the log lines' instance field holds it."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for v in values(var.connect_instances) : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", v))])
    error_message = "connect_instances values must be instance UUIDs (lowercase), not ARNs."
  }
}

variable "check_timeout_seconds" {
  description = "The shortest InvocationTimeLimitSeconds any flow gives the check (1-8); the duration alarm fires at duration_threshold_ratio of it."
  type        = number
  default     = 3

  validation {
    condition     = var.check_timeout_seconds >= 1 && var.check_timeout_seconds <= 8
    error_message = "check_timeout_seconds must be 1-8 (Amazon Connect's synchronous Lambda limit is 8 seconds)."
  }
}

variable "challenge" {
  description = <<-EOT
    Optional spam-challenge metrics: the log group of the function that judges
    the caller's answer (verify_code) and the JSON patterns of a pass and a
    failure. The defaults match verify_code's line: handler "verify_code",
    outcome "pass" or "fail", and instance (like the check's lines). null: no
    challenge metrics.
  EOT
  type = object({
    log_group_name = string
    pass_pattern   = optional(string, "{ ($.handler = \"verify_code\") && ($.outcome = \"pass\") }")
    fail_pattern   = optional(string, "{ ($.handler = \"verify_code\") && ($.outcome = \"fail\") }")
  })
  default = null
}

# ---------------------------------------------------------------- alarms
variable "alarms" {
  description = <<-EOT
    Alarm settings:
    sns_topic_arns            - topics notified on ALARM and on OK ([] = alarms only change state);
    check_error_threshold     - check errors in 5 minutes that raise the alarm;
    duration_threshold_ratio  - share of check_timeout_seconds at which the p99 duration alarms;
    iterator_age_threshold_ms - how far the audit function may lag behind the stream.
  EOT
  type = object({
    sns_topic_arns            = optional(list(string), [])
    check_error_threshold     = optional(number, 1)
    duration_threshold_ratio  = optional(number, 0.8)
    iterator_age_threshold_ms = optional(number, 600000)
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for arn in var.alarms.sns_topic_arns : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", arn))])
    error_message = "alarms.sns_topic_arns must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<name>)."
  }

  validation {
    condition     = var.alarms.duration_threshold_ratio > 0 && var.alarms.duration_threshold_ratio <= 1
    error_message = "alarms.duration_threshold_ratio must be above 0 and at most 1."
  }

  validation {
    condition     = var.alarms.check_error_threshold >= 1 && var.alarms.iterator_age_threshold_ms >= 1000
    error_message = "alarms.check_error_threshold must be at least 1 and alarms.iterator_age_threshold_ms at least 1000."
  }
}
