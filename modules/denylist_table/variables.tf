# ---------------------------------------------------------------- identity
variable "name" {
  description = "Name of the DynamoDB table, one per environment, for example callguard-dev-denylist."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.name))
    error_message = "name must be 3-255 characters of letters, digits, underscore, dot and hyphen (DynamoDB table name rules)."
  }
}

variable "table_class" {
  description = "STANDARD, or STANDARD_INFREQUENT_ACCESS for large lists that are rarely read (costlier reads, cheaper storage)."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "STANDARD_INFREQUENT_ACCESS"], var.table_class)
    error_message = "table_class must be STANDARD or STANDARD_INFREQUENT_ACCESS."
  }
}

# ---------------------------------------------------------------- protection
variable "deletion_protection_enabled" {
  description = "Refuse DeleteTable while true. On by default: the deny list is operational data that a stray destroy must not erase. Set false (and apply) before an intentional destroy."
  type        = bool
  default     = true
}

variable "point_in_time_recovery_days" {
  description = "How many days back point-in-time recovery can restore (1-35). PITR itself is always on."
  type        = number
  default     = 35

  validation {
    condition     = var.point_in_time_recovery_days >= 1 && var.point_in_time_recovery_days <= 35 && floor(var.point_in_time_recovery_days) == var.point_in_time_recovery_days
    error_message = "point_in_time_recovery_days must be a whole number from 1 to 35."
  }
}

# ---------------------------------------------------------------- encryption
variable "kms_key_arn" {
  description = "ARN of a customer managed KMS key for server-side encryption. null encrypts with the AWS managed key alias/aws/dynamodb. Encryption at rest is always on."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not a key id or alias."
  }
}

# ---------------------------------------------------------------- global table
variable "replicas" {
  description = <<-EOT
    Extra regions that hold a replica of the table (a global table), for Connect
    instances in several regions. Each replica keeps PITR and deletion protection
    on unless told otherwise. kms_key_arn names a key in the replica's own region;
    it is required when the table itself uses a customer managed key.
  EOT
  type = list(object({
    region_name                 = string
    kms_key_arn                 = optional(string)
    point_in_time_recovery      = optional(bool, true)
    deletion_protection_enabled = optional(bool, true)
    propagate_tags              = optional(bool, true)
  }))
  default  = []
  nullable = false

  validation {
    condition     = length(distinct([for r in var.replicas : r.region_name])) == length(var.replicas)
    error_message = "replicas must not name the same region twice."
  }

  validation {
    condition     = alltrue([for r in var.replicas : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", r.region_name))])
    error_message = "Each replicas[*].region_name must be an AWS region name such as eu-west-2."
  }

  validation {
    condition = alltrue([
      for r in var.replicas :
      r.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:${r.region_name}:[0-9]{12}:key/[A-Za-z0-9-]+$", r.kms_key_arn))
    ])
    error_message = "Each replicas[*].kms_key_arn must be a KMS key ARN in that replica's own region."
  }

  validation {
    condition     = var.kms_key_arn == null || alltrue([for r in var.replicas : r.kms_key_arn != null])
    error_message = "A table encrypted with a customer managed key needs a customer managed key for every replica: set replicas[*].kms_key_arn (a key in the replica's region)."
  }
}

# ---------------------------------------------------------------- tags
variable "tags" {
  description = "Tags for the table, merged over the provider's default_tags."
  type        = map(string)
  default     = {}
}
