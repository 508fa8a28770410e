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
  description = "Outbound contact flow (UUID) you made yourself. Null (the default): this module builds the Lex bots and the outbound call flow from flows/outbound_call.flow.json.tftpl and the calls run that."
  type        = string
  default     = null
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

# ---------------------------------------------------------------- the call's voice
# Used only when contact_flow_id is null (the module builds the bots and the flow).

variable "existing_alias_arns" {
  description = "Per question type (ok, yes_no, multiple_choice, number, date, time), the ARN of a Lex V2 bot alias you already run; no bot is built for that type."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "locale_id" {
  description = "Lex V2 locale of the bots, e.g. en_GB, en_US. The bot definition's utterances must be in that language."
  type        = string
  default     = "en_GB"
  nullable    = false
}

variable "voice_id" {
  description = "Amazon Polly voice of the call: the flow speaks the questions with it and the bots their own prompts (e.g. Amy, Brian, Joanna)."
  type        = string
  default     = "Amy"
  nullable    = false
}

variable "voicemail_message" {
  description = "What the flow leaves on an answering machine; empty leaves nothing and hangs up."
  type        = string
  default     = ""
  nullable    = false
}

variable "retry_message" {
  description = "What the flow says before asking a question again after an answer it did not understand."
  type        = string
  default     = "Sorry, I did not get that. Let me ask again."
  nullable    = false
}

variable "opt_out_message" {
  description = "What the flow says after the receiver asked not to be called again (the number is then on the deny list)."
  type        = string
  default     = "Thank you. We have added your number to our do-not-call list, and you will not be called again. Goodbye."
  nullable    = false
}

variable "error_message" {
  description = "What the flow says when a function fails mid-call, before hanging up."
  type        = string
  default     = "Sorry, something went wrong on our side. We will try again later. Goodbye."
  nullable    = false
}

variable "answer_hints" {
  description = "Per question type (ok, yes_no, multiple_choice, number, date, time), the hint the flow speaks after the question (how to answer by voice or keypad). A type left out keeps its default hint (local.default_answer_hints in voice.tf)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = length(setsubtract(keys(var.answer_hints), keys(local.default_answer_hints))) == 0
    error_message = "answer_hints may name only the question types ok, yes_no, multiple_choice, number, date and time; not ${join(", ", sort(setsubtract(keys(var.answer_hints), keys(local.default_answer_hints))))}."
  }
}

variable "max_retries" {
  description = "How often the flow asks a question again after an answer it did not understand (0-5)."
  type        = number
  default     = 2
  nullable    = false

  validation {
    condition     = var.max_retries >= 0 && var.max_retries <= 5 && floor(var.max_retries) == var.max_retries
    error_message = "max_retries must be a whole number from 0 to 5."
  }
}

variable "max_repeats" {
  description = "How often the receiver may ask for a question to be repeated (0-5)."
  type        = number
  default     = 3
  nullable    = false

  validation {
    condition     = var.max_repeats >= 0 && var.max_repeats <= 5 && floor(var.max_repeats) == var.max_repeats
    error_message = "max_repeats must be a whole number from 0 to 5."
  }
}

variable "recording_enabled" {
  description = "Whether the flow records the call (Connect stores the recording in the instance's recordings bucket)."
  type        = bool
  default     = false
  nullable    = false
}
