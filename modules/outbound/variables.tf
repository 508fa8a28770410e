variable "name_prefix" {
  description = "Prefix of every resource name (callguard-<environment>)."
  type        = string
}

variable "partition" {
  description = "AWS partition of the ARNs."
  type        = string
  default     = "aws"
}

variable "region" {
  description = "Region of the Connect instance and the engine."
  type        = string
}

variable "account_id" {
  description = "Account of the Connect instance and the engine."
  type        = string
}

variable "kms_key_arn" {
  description = "Environment key: encrypts buckets, queues, tables, topic and logs."
  type        = string
}

variable "log_group_prefix" {
  description = "Prefix of non-Lambda log groups the environment key policy lets CloudWatch Logs use (/callguard/<prefix>/)."
  type        = string
}

variable "denylist_table_name" {
  description = "Deny-list table (CALLGUARD_TABLE): skipped numbers and opt-outs."
  type        = string
}

variable "denylist_table_arn" {
  description = "ARN of the deny-list table."
  type        = string
}

variable "lambda_zip_path" {
  description = "Outbound deployment package (build/lambda/callguard-outbound.zip)."
  type        = string
}

variable "functions" {
  description = "Runtime, architecture, log retention and hardening shared with the environment's other functions (modules/callguard's function_platform output, where their defaults live)."
  type = object({
    runtime               = string
    architecture          = string
    log_retention_in_days = number
    vpc_config = optional(object({
      subnet_ids         = list(string)
      security_group_ids = list(string)
    }))
    code_signing_config_arn  = optional(string)
    permissions_boundary_arn = optional(string)
  })
  nullable = false
}

variable "instance_id" {
  description = "Amazon Connect instance (UUID) the calls are placed from."
  type        = string
}

variable "contact_flow_id" {
  description = "Outbound contact flow (UUID) the calls run."
  type        = string
}

variable "source_phone_number" {
  description = "Caller id of the calls, E.164 (CALLGUARD_OUTBOUND_SOURCE_PHONE_NUMBER)."
  type        = string

  validation {
    condition     = can(regex("^\\+[1-9][0-9]{6,14}$", var.source_phone_number))
    error_message = "source_phone_number must be E.164, such as +442079460000."
  }
}

variable "source_phone_number_id" {
  description = "Id (UUID) of the claimed Connect phone number of source_phone_number: the dialer's IAM is scoped to it."
  type        = string
}

variable "retention_days" {
  description = "Days uploads, normalised jobs and reports are kept: they hold personal data."
  type        = number
  default     = 30
  nullable    = false
}

variable "calls_per_second" {
  description = "Pace of StartOutboundVoiceContact (the account's API quota; 2/s historically)."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.calls_per_second > 0 && var.calls_per_second <= 100
    error_message = "calls_per_second must be above 0 and at most 100."
  }
}

variable "burst" {
  description = "Calls the dialer may place at once before pacing (CALLGUARD_OUTBOUND_BURST)."
  type        = number
  default     = 1
  nullable    = false
}

variable "max_concurrent_calls" {
  description = "Concurrent-call budget (Map MaxConcurrency and dialer leases); Connect's default quota is 10."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.max_concurrent_calls >= 1 && var.max_concurrent_calls <= 100
    error_message = "max_concurrent_calls must be from 1 to 100."
  }
}

variable "dialer_reserved_concurrency" {
  description = "Reserved concurrency of the dialer; 1 keeps one pacer."
  type        = number
  default     = 1
  nullable    = false
}

variable "call_timeout_seconds" {
  description = "Backstop wait for one call's outcome (the call task's TimeoutSeconds)."
  type        = number
  default     = 900
  nullable    = false
}

variable "ring_timeout_seconds" {
  description = "RingTimeoutInSeconds of each call (15..60)."
  type        = number
  default     = 30
  nullable    = false
}

variable "state_machine_log_level" {
  description = "ALL or ERROR; execution data is never logged."
  type        = string
  default     = "ERROR"
  nullable    = false
}

variable "log_level" {
  description = "CALLGUARD_LOG_LEVEL of the functions; null keeps the runtime's default."
  type        = string
  default     = null
}

variable "deletion_protection_enabled" {
  description = "Deletion protection of the three tables."
  type        = bool
  default     = true
  nullable    = false
}

variable "alarm_actions" {
  description = "ARNs notified by the engine's alarms."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
