variable "name" {
  description = "Name of the counter table, for example callguard-dev-challenge-failures."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.name))
    error_message = "name must be 3-255 characters of letters, digits, _, . and -."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for encryption at rest; null uses the AWS managed key alias/aws/dynamodb. Encryption is always on."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN or null."
  }
}

variable "deletion_protection_enabled" {
  description = "Refuse DeleteTable while true. The counts are rebuilt by later failures, but a stray destroy should still be deliberate."
  type        = bool
  default     = true
}

variable "point_in_time_recovery_days" {
  description = "How many days back point-in-time recovery can restore (1-35). PITR itself is always on."
  type        = number
  default     = 7

  validation {
    condition     = var.point_in_time_recovery_days >= 1 && var.point_in_time_recovery_days <= 35 && floor(var.point_in_time_recovery_days) == var.point_in_time_recovery_days
    error_message = "point_in_time_recovery_days must be a whole number from 1 to 35."
  }
}

variable "tags" {
  description = "Tags for the table, merged over the provider's default_tags."
  type        = map(string)
  default     = {}
}
