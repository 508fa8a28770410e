variable "name_prefix" {
  description = "Prefix of the table names (callguard-<environment>)."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer managed KMS key that encrypts the tables (the environment key)."
  type        = string
}

variable "deletion_protection_enabled" {
  description = "Refuse DeleteTable while true."
  type        = bool
  default     = true
  nullable    = false
}

variable "point_in_time_recovery_days" {
  description = "Days of continuous backups (1-35)."
  type        = number
  default     = 35
  nullable    = false

  validation {
    condition     = var.point_in_time_recovery_days >= 1 && var.point_in_time_recovery_days <= 35
    error_message = "point_in_time_recovery_days must be from 1 to 35."
  }
}

variable "tags" {
  description = "Tags for the tables."
  type        = map(string)
  default     = {}
}
