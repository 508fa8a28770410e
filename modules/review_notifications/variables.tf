# ---------------------------------------------------------------- topic
variable "name" {
  description = "Topic name, for example callguard-dev-review."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,256}$", var.name))
    error_message = "name must be 1-256 characters of letters, digits, - and _ (SNS topic name rules; no .fifo)."
  }
}

variable "display_name" {
  description = "Sender name of e-mail notifications (at most 100 characters)."
  type        = string
  default     = "callguard review"

  validation {
    condition     = length(var.display_name) <= 100
    error_message = "display_name must be at most 100 characters."
  }
}

variable "kms_key_arn" {
  description = "Customer managed key that encrypts messages at rest. Publishers need kms:GenerateDataKey and kms:Decrypt on it."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

# ---------------------------------------------------------------- where

# ---------------------------------------------------------------- subscribers
variable "email_subscriptions" {
  description = "E-mail addresses to notify. Each recipient must confirm the subscription from the e-mail SNS sends."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for e in var.email_subscriptions : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "email_subscriptions must be e-mail addresses such as supervisors@example.com."
  }

  validation {
    condition     = length(distinct(var.email_subscriptions)) == length(var.email_subscriptions)
    error_message = "email_subscriptions must not list an address twice."
  }
}

# ---------------------------------------------------------------- tags
variable "tags" {
  description = "Tags for the topic, merged over the provider's default_tags."
  type        = map(string)
  default     = {}
}
