# ---------------------------------------------------------------- identity
variable "name" {
  description = "Name of the CloudWatch Logs log group, for example /aws/lambda/callguard-dev-check-number."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_./#-]{1,512}$", var.name)) && !startswith(var.name, "aws/")
    error_message = "name must be 1-512 characters of letters, digits and _ . / # - and must not start with the reserved prefix \"aws/\"."
  }
}

# ---------------------------------------------------------------- retention and protection
variable "retention_in_days" {
  description = "Days CloudWatch Logs keeps events. The default (one year) meets common audit rules; 0 keeps events forever."
  type        = number
  default     = 365

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.retention_in_days)
    error_message = "retention_in_days must be a value CloudWatch Logs accepts: 0 (never expire), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "log_group_class" {
  description = "STANDARD, or INFREQUENT_ACCESS for cheaper storage without live tail, metric filters or subscription filters."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "INFREQUENT_ACCESS"], var.log_group_class)
    error_message = "log_group_class must be STANDARD or INFREQUENT_ACCESS."
  }
}

variable "deletion_protection_enabled" {
  description = "Refuse DeleteLogGroup while true, so a stray destroy cannot erase the audit trail. Off by default because a log group is recreated empty anyway."
  type        = bool
  default     = false
}

variable "skip_destroy" {
  description = "Keep the log group (and its events) in AWS when Terraform destroys it, for example to keep evidence after removing an environment."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------- encryption
variable "kms_key_arn" {
  description = "ARN of a customer managed KMS key that encrypts the log events. null keeps the CloudWatch Logs default encryption. The key policy must allow the logs.<region>.amazonaws.com principal (see README)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not a key id or alias."
  }
}

# ---------------------------------------------------------------- tags
variable "tags" {
  description = "Tags for the log group, merged over the provider's default_tags."
  type        = map(string)
  default     = {}
}
