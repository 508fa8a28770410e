variable "name" {
  description = "Bucket name (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.name))
    error_message = "name must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for SSE-KMS (the environment key)."
  type        = string
}

variable "expiration_days" {
  description = "Days after which objects are deleted: they hold personal data."
  type        = number
  default     = 30

  validation {
    condition     = var.expiration_days >= 1 && floor(var.expiration_days) == var.expiration_days
    error_message = "expiration_days must be a whole number of days, at least 1."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete a non-empty bucket. Off so a stray destroy fails instead of erasing data."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the bucket, merged over the provider's default_tags."
  type        = map(string)
  default     = {}
}
