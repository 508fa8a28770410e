# ---------------------------------------------------------------- environment
variable "name_prefix" {
  description = "Prefix of every name, for example callguard-dev. Names the function (<prefix>-audit), the log group (/callguard/<prefix>/audit), the failure queue and the hash key alias."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 characters of lowercase letters, digits and -, starting with a letter."
  }
}

variable "tags" {
  description = "Tags for every taggable resource."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------- the table
variable "table_arn" {
  description = "ARN of the deny-list table (the function may read only this table's streams)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[A-Za-z0-9_.-]+$", var.table_arn))
    error_message = "table_arn must be a DynamoDB table ARN (arn:aws:dynamodb:<region>:<account>:table/<name>)."
  }
}

variable "stream_arn" {
  description = "ARN of the table's stream (view type NEW_AND_OLD_IMAGES, so events show old and new values)."
  type        = string
}

variable "kms_key_arn" {
  description = "The environment's customer managed key: it encrypts the table (so the stream), the audit log group, the failure queue and the function's environment. Its key policy must let CloudWatch Logs use it for /callguard/<prefix>/audit."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

# ---------------------------------------------------------------- audit events
variable "hash_key_arn" {
  description = "Existing KMS HMAC_256 key that hashes numbers in events. null creates one (alias/<prefix>-audit-hash). Keep the key for as long as the events: a new key gives every number a new hash."
  type        = string
  default     = null

  validation {
    condition     = var.hash_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.hash_key_arn))
    error_message = "hash_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "retention_in_days" {
  description = "Days the audit log group keeps events. Default 3653 (ten years, the longest finite CloudWatch Logs retention); 0 keeps them forever."
  type        = number
  default     = 3653

  validation {
    condition     = contains([0, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.retention_in_days)
    error_message = "retention_in_days must be at least a year: 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, or 0 (never expire)."
  }
}

variable "deletion_protection_enabled" {
  description = "Refuse to delete the audit log group, and keep it (skip_destroy) when Terraform destroys the environment, so the trail outlives the deployment."
  type        = bool
  default     = true
}

# ---------------------------------------------------------------- stream processing
variable "batch_size" {
  description = "Most stream records per invocation."
  type        = number
  default     = 100

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 1000 && floor(var.batch_size) == var.batch_size
    error_message = "batch_size must be a whole number from 1 to 1000."
  }
}

variable "maximum_retry_attempts" {
  description = "Retries of a failing batch (halved on each error) before its description goes to the failure queue."
  type        = number
  default     = 10

  validation {
    condition     = var.maximum_retry_attempts >= 0 && var.maximum_retry_attempts <= 10000 && floor(var.maximum_retry_attempts) == var.maximum_retry_attempts
    error_message = "maximum_retry_attempts must be a whole number from 0 to 10000 (bounded: -1, retry forever, is not allowed)."
  }
}

variable "maximum_record_age_in_seconds" {
  description = "Records older than this go to the failure queue instead of being retried. Streams keep records 24 hours."
  type        = number
  default     = 86400

  validation {
    condition     = var.maximum_record_age_in_seconds >= 60 && var.maximum_record_age_in_seconds <= 604800
    error_message = "maximum_record_age_in_seconds must be 60-604800 (bounded: -1 is not allowed)."
  }
}

# ---------------------------------------------------------------- function
variable "lambda_zip_path" {
  description = "Path of build/lambda/callguard.zip (run `make build` first)."
  type        = string
}

variable "runtime" {
  description = "Lambda runtime identifier."
  type        = string
  default     = "python3.13"
}

variable "architecture" {
  description = "arm64 or x86_64."
  type        = string
  default     = "arm64"
}

variable "memory_size" {
  description = "Memory in MB."
  type        = number
  default     = 256
}

variable "timeout" {
  description = "Seconds per batch: room for one KMS call per new number and a few PutLogEvents calls with retries."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout >= 10 && var.timeout <= 900
    error_message = "timeout must be 10-900 seconds."
  }
}

variable "reserved_concurrency" {
  description = "Concurrency reserved for the audit function (one per stream shard is enough). null leaves it unreserved (accounts whose concurrency limit is still 10)."
  type        = number
  default     = 2
}

variable "function_log_retention_in_days" {
  description = "Retention of the function's own operational log group (the events themselves go to the audit log group)."
  type        = number
  default     = 365
}

variable "log_level" {
  description = "DEBUG, INFO, WARNING or ERROR for the function's operational lines."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "function_hardening" {
  description = "Account-level hardening of the audit function, as modules/lambda_function takes it: vpc_config (subnets and security groups), code_signing_config_arn, permissions_boundary_arn; null leaves each off."
  type = object({
    vpc_config = optional(object({
      subnet_ids         = list(string)
      security_group_ids = list(string)
    }))
    code_signing_config_arn  = optional(string)
    permissions_boundary_arn = optional(string)
  })
  default  = {}
  nullable = false
}
