variable "name" {
  description = "Queue name without the .fifo suffix (added when fifo is true); the dead-letter queue adds -dlq."
  type        = string
}

variable "fifo" {
  description = "FIFO queue (with content-based deduplication) instead of a standard one."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "Customer managed KMS key that encrypts both queues (the environment key)."
  type        = string
}

variable "visibility_timeout_seconds" {
  description = "Visibility timeout; at least the consumer function's timeout (AWS recommends six times)."
  type        = number
  default     = 360

  validation {
    condition     = var.visibility_timeout_seconds >= 0 && var.visibility_timeout_seconds <= 43200
    error_message = "visibility_timeout_seconds must be from 0 to 43200."
  }
}

variable "message_retention_seconds" {
  description = "How long a message waits before SQS drops it; the dead-letter queue keeps messages 14 days."
  type        = number
  default     = 345600
}

variable "max_receive_count" {
  description = "Receives before a message moves to the dead-letter queue."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be from 1 to 1000."
  }
}

variable "alarm_actions" {
  description = "ARNs notified when the dead-letter alarm changes state."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for the queues and the alarm."
  type        = map(string)
  default     = {}
}
