# ---------------------------------------------------------------- code
variable "function_name" {
  description = "Name of the function, for example callguard-dev-check-number. Also names its role and log group."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,59}$", var.function_name))
    error_message = "function_name must be 1-59 characters of letters, digits, - and _ (the role name appends \"-role\" within IAM's 64)."
  }
}

variable "description" {
  description = "Description of the function."
  type        = string
  default     = ""
}

variable "zip_path" {
  description = "Path of the deployment package built by `make build` (build/lambda/callguard.zip). Terraform hashes it with filebase64sha256(), so a rebuilt zip with new content is redeployed and an identical one is not."
  type        = string

  validation {
    condition     = endswith(var.zip_path, ".zip")
    error_message = "zip_path must name a .zip file (run `make build` to create build/lambda/callguard.zip)."
  }
}

variable "handler" {
  description = "Python handler as module.path.function, for example callguard.handlers.check_number.handler."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+$", var.handler))
    error_message = "handler must look like package.module.function, for example callguard.handlers.check_number.handler."
  }
}

variable "runtime" {
  description = "Lambda runtime identifier."
  type        = string
  default     = "python3.13"

  validation {
    condition     = can(regex("^python3\\.(1[1-9]|[2-9][0-9])$", var.runtime))
    error_message = "runtime must be python3.11 or newer (the package is tested on 3.11 and 3.13)."
  }
}

variable "architecture" {
  description = "Instruction set: arm64 (Graviton, cheaper per millisecond) or x86_64. The zip is pure Python either way."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

# ---------------------------------------------------------------- sizing
variable "memory_size" {
  description = "Memory in MB. CPU scales with memory, so more memory shortens cold starts that a caller hears as silence."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB from 128 to 10240."
  }
}

variable "timeout" {
  description = "Seconds before Lambda stops the function. Amazon Connect waits at most 8 s for a synchronous invocation, so a function that Connect invokes gets at most 8."
  type        = number
  default     = 8

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds from 1 to 900."
  }

  validation {
    condition     = length(var.connect_instance_arns) == 0 || var.timeout <= 8
    error_message = "timeout must be 8 seconds or less for a function that Amazon Connect invokes (Connect's synchronous limit)."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for (and capping) this function, so other functions in the account cannot starve the calls it serves. null leaves it unreserved; 0 disables the function."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrent_executions == null || try(var.reserved_concurrent_executions >= 0 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions, false)
    error_message = "reserved_concurrent_executions must be null or a whole number >= 0."
  }
}

# ---------------------------------------------------------------- configuration
variable "environment_variables" {
  description = "Environment variables of the function (callguard reads CALLGUARD_*)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.environment_variables) : can(regex("^[A-Za-z][A-Za-z0-9_]*$", k)) && !startswith(k, "AWS_")])
    error_message = "environment_variables keys must start with a letter, contain only letters, digits and _, and not use the reserved AWS_ prefix."
  }
}

variable "kms_key_arn" {
  description = "Customer managed key for the environment variables at rest and for the log group. null uses the AWS managed keys."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "log_level" {
  description = "Application log level Lambda filters JSON logs at (TRACE, DEBUG, INFO, WARN, ERROR, FATAL)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the function's own log group (see the log_group module for accepted values)."
  type        = number
  default     = 365
}

variable "tracing_mode" {
  description = "X-Ray tracing: Active samples and records invocations; PassThrough only forwards an upstream trace header."
  type        = string
  default     = "Active"

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

# ---------------------------------------------------------------- permissions
variable "policy_statements" {
  description = <<-EOT
    IAM statements the function needs besides logging and tracing (which the
    module adds, scoped to the function's own log group). Exact actions and
    resource ARNs only: wildcards in actions and a bare "*" resource are refused.
    conditions become the statement's Condition block ({test = {variable = values}}).
  EOT
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default  = []
  nullable = false

  validation {
    condition     = alltrue([for s in var.policy_statements : can(regex("^[A-Za-z0-9]+$", s.sid))])
    error_message = "policy_statements[*].sid must be alphanumeric (IAM Sid rules)."
  }

  validation {
    condition     = alltrue(flatten([for s in var.policy_statements : [for a in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9]+$", a))]]))
    error_message = "policy_statements[*].actions must be exact service:Action names; wildcards are not allowed."
  }

  validation {
    condition     = alltrue(flatten([for s in var.policy_statements : [for r in s.resources : startswith(r, "arn:")]])) && alltrue([for s in var.policy_statements : length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "policy_statements[*] need at least one action and one resource, and every resource must be an ARN (a bare \"*\" is not allowed)."
  }
}

variable "permissions_boundary_arn" {
  description = "ARN of a permissions boundary policy for the function's role, when the account requires one."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN (arn:aws:iam::<account>:policy/<name>)."
  }
}

variable "connect_instance_arns" {
  description = "Amazon Connect instances allowed to invoke the function, keyed by a stable name. Each becomes a lambda permission scoped by source_arn and source_account. Leave empty when the callguard per-instance module grants access instead."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for arn in values(var.connect_instance_arns) : can(regex("^arn:aws[a-z-]*:connect:[a-z0-9-]+:[0-9]{12}:instance/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", arn))])
    error_message = "connect_instance_arns values must be Connect instance ARNs (arn:aws:connect:<region>:<account>:instance/<uuid>)."
  }

  validation {
    condition     = alltrue([for k in keys(var.connect_instance_arns) : can(regex("^[A-Za-z0-9_-]{1,60}$", k))])
    error_message = "connect_instance_arns keys must be 1-60 characters of letters, digits, - and _ (they name the permission statements)."
  }
}

# ---------------------------------------------------------------- optional hardening
variable "code_signing_config_arn" {
  description = "ARN of a Lambda code signing configuration; set it when the zip is signed with AWS Signer before deployment."
  type        = string
  default     = null

  validation {
    condition     = var.code_signing_config_arn == null || can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:code-signing-config:csc-[a-z0-9]{17}$", var.code_signing_config_arn))
    error_message = "code_signing_config_arn must be a Lambda code signing configuration ARN (arn:aws:lambda:<region>:<account>:code-signing-config:csc-...)."
  }
}

variable "vpc_config" {
  description = "Subnets and security groups when the function must run inside a VPC (it then needs VPC endpoints or NAT for DynamoDB, X-Ray and KMS). null runs it outside any VPC."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null
}

# ---------------------------------------------------------------- tags
variable "tags" {
  description = "Tags for the function, its role and its log group."
  type        = map(string)
  default     = {}
}
