variable "name" {
  description = "State machine name (callguard-<environment>-outbound)."
  type        = string
}

variable "partition" {
  description = "AWS partition of the ARNs."
  type        = string
  default     = "aws"
}

variable "region" {
  description = "Region of the state machine."
  type        = string
}

variable "account_id" {
  description = "Account of the state machine."
  type        = string
}

variable "function_arns" {
  description = "ARNs of the plan, record and report functions the workflow invokes."
  type = object({
    plan   = string
    record = string
    report = string
  })
}

variable "dial_queue_url" {
  description = "URL of the dialer's call queue."
  type        = string
}

variable "dial_queue_arn" {
  description = "ARN of the dialer's call queue (sqs:SendMessage)."
  type        = string
}

variable "work_bucket_name" {
  description = "Bucket of normalised jobs, rounds and Map results."
  type        = string
}

variable "work_bucket_arn" {
  description = "ARN of the work bucket."
  type        = string
}

variable "topic_arn" {
  description = "Completion notification topic."
  type        = string
}

variable "instance_id" {
  description = "Amazon Connect instance id the calls are placed from."
  type        = string
}

variable "contact_flow_id" {
  description = "Outbound contact flow id."
  type        = string
}

variable "max_concurrency" {
  description = "Map MaxConcurrency: the concurrent-call budget (Connect's default quota is 10)."
  type        = number
  default     = 10
}

variable "call_timeout_seconds" {
  description = "Backstop wait for one call's outcome."
  type        = number
  default     = 900
}

variable "ring_timeout_seconds" {
  description = "RingTimeoutInSeconds of each call (15..60)."
  type        = number
  default     = 30

  validation {
    condition     = var.ring_timeout_seconds >= 15 && var.ring_timeout_seconds <= 60
    error_message = "ring_timeout_seconds must be from 15 to 60."
  }
}

variable "lambda_retry_interval_seconds" {
  description = "First retry interval of a failed Lambda step."
  type        = number
  default     = 2
}

variable "kms_key_arn" {
  description = "Environment key: encrypts the state machine data and its log group."
  type        = string
}

variable "log_group_name" {
  description = "Log group of the executions; under a prefix the key policy lets CloudWatch Logs use."
  type        = string
}

variable "log_retention_in_days" {
  description = "Days the execution logs are kept."
  type        = number
  default     = 365
}

variable "log_level" {
  description = "ALL or ERROR (execution data is never logged: it holds personal data)."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["ALL", "ERROR"], var.log_level)
    error_message = "log_level must be ALL or ERROR."
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the role; null for none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the state machine, role and log group."
  type        = map(string)
  default     = {}
}
