# ---------------------------------------------------------------- identity
variable "alias_name" {
  description = "Alias for the key without the \"alias/\" prefix, for example callguard-dev."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9/_-]{1,250}$", var.alias_name)) && !startswith(var.alias_name, "aws/")
    error_message = "alias_name must be 1-250 characters of letters, digits, / _ - and must not start with the reserved prefix \"aws/\"."
  }
}

variable "description" {
  description = "Key description shown in the KMS console."
  type        = string
  default     = "callguard: deny-list table, function environment and log encryption"
}

# ---------------------------------------------------------------- where the key is used

variable "log_group_name_prefixes" {
  description = "CloudWatch Logs may use the key only for log groups whose names start with one of these prefixes, for example [\"/aws/lambda/callguard-dev-\"]. Empty: logs may not use the key."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for p in var.log_group_name_prefixes : length(p) > 0 && !strcontains(p, "*")])
    error_message = "log_group_name_prefixes must be non-empty literal prefixes (the module appends the wildcard)."
  }
}

# ---------------------------------------------------------------- lifecycle
variable "deletion_window_in_days" {
  description = "Days KMS waits before deleting the key after a destroy (7-30); the key can be restored meanwhile."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30."
  }
}

variable "rotation_period_in_days" {
  description = "Days between automatic key rotations (90-2560). Rotation is always on."
  type        = number
  default     = 365

  validation {
    condition     = var.rotation_period_in_days >= 90 && var.rotation_period_in_days <= 2560
    error_message = "rotation_period_in_days must be between 90 and 2560."
  }
}

# ---------------------------------------------------------------- tags
variable "tags" {
  description = "Tags for the key, merged over the provider's default_tags."
  type        = map(string)
  default     = {}
}
