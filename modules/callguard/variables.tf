# ---------------------------------------------------------------- environment
variable "name_prefix" {
  description = "Prefix of every name in the environment, for example callguard-dev. Names the table, functions, roles, log groups, key alias and flows."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 characters of lowercase letters, digits and -, starting with a letter."
  }
}

variable "partition" {
  description = "AWS partition of the account: aws, aws-us-gov or aws-cn."
  type        = string
  default     = "aws"

  validation {
    condition     = contains(["aws", "aws-us-gov", "aws-cn"], var.partition)
    error_message = "partition must be aws, aws-us-gov or aws-cn."
  }
}

variable "region" {
  description = "Region of the Connect instances, the table and the functions, for example eu-west-2."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-2."
  }
}

variable "account_id" {
  description = "Twelve-digit id of the account that holds the Connect instances and everything callguard creates."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be exactly 12 digits."
  }
}

variable "tags" {
  description = "Tags for every taggable resource (the roots also set provider default_tags)."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------- encryption
variable "kms_key_arn" {
  description = "Existing customer managed key for the table, the functions' environment and their logs. null creates one key for the environment (with rotation)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }
}

# ---------------------------------------------------------------- table
variable "table" {
  description = "Deny-list table settings. name = null uses <name_prefix>-denylist; replicas add global-table regions (each with its own key ARN when a CMK is used)."
  type = object({
    name                        = optional(string)
    deletion_protection_enabled = optional(bool, true)
    point_in_time_recovery_days = optional(number, 35)
    replicas = optional(list(object({
      region_name                 = string
      kms_key_arn                 = optional(string)
      point_in_time_recovery      = optional(bool, true)
      deletion_protection_enabled = optional(bool, true)
      propagate_tags              = optional(bool, true)
    })), [])
  })
  default  = {}
  nullable = false
}

# ---------------------------------------------------------------- functions
variable "lambda_zip_path" {
  description = "Path of build/lambda/callguard.zip (run `make build` first)."
  type        = string
}

variable "functions" {
  description = "Sizing and hardening of the functions (vpc_config, code_signing_config_arn, permissions_boundary_arn apply to every function, the audit function included). Reserved concurrency guarantees capacity for calls and caps runaway cost; null leaves a function unreserved (needed in accounts whose concurrency limit is still 10)."
  type = object({
    runtime                    = optional(string, "python3.13")
    architecture               = optional(string, "arm64")
    memory_size                = optional(number, 512)
    timeout                    = optional(number, 8)
    check_reserved_concurrency = optional(number, 20)
    flag_reserved_concurrency  = optional(number, 5)
    log_retention_in_days      = optional(number, 365)
    # Account-level hardening for every function (the audit function too):
    # subnets and security groups (then VPC endpoints or NAT for DynamoDB, KMS,
    # X-Ray, SNS), an AWS Signer code signing configuration, and a permissions
    # boundary for the execution roles. null leaves each off.
    vpc_config = optional(object({
      subnet_ids         = list(string)
      security_group_ids = list(string)
    }))
    code_signing_config_arn  = optional(string)
    permissions_boundary_arn = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.functions.timeout >= 1 && var.functions.timeout <= 8
    error_message = "functions.timeout must be 1-8 seconds: Amazon Connect waits at most 8 s for a synchronous invocation."
  }
}

variable "settings" {
  description = <<-EOT
    Behaviour of the functions (CALLGUARD_* environment variables):
    default_country - ISO 3166 alpha-2 for numbers typed without a country code; null rejects them;
    fail_mode       - open|closed when the table cannot be read (also the flows' default);
    block_anonymous - block withheld/anonymous caller ids;
    block_pending   - block numbers still waiting for review;
    flag_mode       - block (an agent's flag blocks at once) or review (a supervisor approves);
    default_reason  - reason stored when none is given;
    log_level       - DEBUG, INFO, WARNING or ERROR.
  EOT
  type = object({
    default_country = optional(string)
    fail_mode       = optional(string, "open")
    block_anonymous = optional(bool, false)
    block_pending   = optional(bool, false)
    flag_mode       = optional(string, "block")
    default_reason  = optional(string, "Flagged by agent")
    log_level       = optional(string, "INFO")
  })
  default  = {}
  nullable = false

  validation {
    # The runtime's own list of libphonenumber regions (lambda_src/callguard/regions.py),
    # so Terraform, the functions and the CLI apply one rule.
    condition     = var.settings.default_country == null || contains(jsondecode(file("${path.module}/../../lambda_src/callguard/phone_regions.json")), coalesce(var.settings.default_country, "-"))
    error_message = "settings.default_country = ${jsonencode(var.settings.default_country)} is not a region libphonenumber knows: use an ISO 3166 alpha-2 code in capitals, such as GB (not UK) or US, or null."
  }

  validation {
    condition     = contains(["open", "closed"], var.settings.fail_mode)
    error_message = "settings.fail_mode must be open or closed."
  }

  validation {
    condition     = contains(["block", "review"], var.settings.flag_mode)
    error_message = "settings.flag_mode must be block or review."
  }

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.settings.log_level)
    error_message = "settings.log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

# ---------------------------------------------------------------- review
variable "review" {
  description = <<-EOT
    Two-step review (settings.flag_mode = "review"; ignored in block mode except
    for the suppression period, which also applies to rejections made earlier):
    reject_suppression_days - days after a supervisor's rejection during which
                              agent flags of that number are only counted; after
                              that a flag opens a new review (0-3650; 0 = never suppress);
    notifications           - create the encrypted SNS topic <name_prefix>-review that
                              gets one message per new pending flag;
    email_subscriptions     - e-mail addresses subscribed to that topic (each must
                              confirm the e-mail SNS sends).
  EOT
  type = object({
    reject_suppression_days = optional(number, 30)
    notifications           = optional(bool, true)
    email_subscriptions     = optional(list(string), [])
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.review.reject_suppression_days >= 0 && var.review.reject_suppression_days <= 3650 && floor(var.review.reject_suppression_days) == var.review.reject_suppression_days
    error_message = "review.reject_suppression_days must be a whole number of days from 0 to 3650."
  }

  validation {
    condition     = alltrue([for e in var.review.email_subscriptions : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "review.email_subscriptions must be e-mail addresses such as supervisors@example.com."
  }
}

# ---------------------------------------------------------------- spam challenge
variable "challenge" {
  description = <<-EOT
    Spam challenge: callers key in a random code before they are routed. Off by default.
    enabled               - create the two functions and a challenge module in every instance,
                            run after the deny-list check in the inbound flow;
    policy                - who is challenged: everyone, withheld (withheld or unknown caller
                            ids) or pending (numbers waiting for review);
    code_length           - digits in a code (3-6);
    max_attempts          - answers a caller may give (1-5);
    timeout_seconds       - how long Connect waits for either function (1-8);
    input_timeout_seconds - how long Connect waits for the caller's first digit;
    fail_mode             - open|closed on a function error; null follows settings.fail_mode;
    reserved_concurrency  - per function (null = unreserved);
    flag_after            - failed challenges within flag_window_hours that flag the number
                            for review (pending, source challenge); 0 = never (the default);
    flag_window_hours     - the window (1-720 hours, default 24);
    messages              - prompt (plain text, read before the code), retry, no_input, goodbye.
  EOT
  type = object({
    enabled               = optional(bool, false)
    policy                = optional(string, "everyone")
    code_length           = optional(number, 4)
    max_attempts          = optional(number, 2)
    timeout_seconds       = optional(number, 3)
    input_timeout_seconds = optional(number, 8)
    fail_mode             = optional(string)
    reserved_concurrency  = optional(number, 5)
    flag_after            = optional(number, 0)
    flag_window_hours     = optional(number, 24)
    messages = optional(object({
      prompt   = optional(string, "To continue, please enter this code on your telephone keypad:")
      retry    = optional(string, "That code did not match. Please try again.")
      no_input = optional(string, "We did not receive any digits. Please try again.")
      goodbye  = optional(string, "We could not verify your call. Goodbye.")
    }), {})
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["everyone", "withheld", "pending"], var.challenge.policy)
    error_message = "challenge.policy must be everyone, withheld or pending."
  }

  validation {
    condition     = var.challenge.code_length >= 3 && var.challenge.code_length <= 6 && floor(var.challenge.code_length) == var.challenge.code_length
    error_message = "challenge.code_length must be a whole number from 3 to 6."
  }

  validation {
    condition     = var.challenge.fail_mode == null || contains(["open", "closed"], coalesce(var.challenge.fail_mode, "open"))
    error_message = "challenge.fail_mode must be open, closed or null."
  }

  validation {
    condition     = var.challenge.flag_after >= 0 && var.challenge.flag_after <= 20 && floor(var.challenge.flag_after) == var.challenge.flag_after
    error_message = "challenge.flag_after must be a whole number from 0 (off) to 20."
  }

  validation {
    condition     = var.challenge.flag_window_hours >= 1 && var.challenge.flag_window_hours <= 720 && floor(var.challenge.flag_window_hours) == var.challenge.flag_window_hours
    error_message = "challenge.flag_window_hours must be a whole number of hours from 1 to 720."
  }
}

# ---------------------------------------------------------------- instances
variable "connect_instances" {
  description = <<-EOT
    The Amazon Connect instances to wire, keyed by a short stable name (it keys
    Terraform addresses, so renaming a key recreates that instance's resources).
    Ids are UUIDs, never ARNs. fail_mode = null follows settings.fail_mode.
    See modules/connect_instance for every field.
  EOT
  type = map(object({
    instance_id           = string
    queue_id              = string
    flag_queue_id         = optional(string)
    phone_number_ids      = optional(list(string), [])
    phone_number_flow     = optional(string, "denylist")
    fail_mode             = optional(string)
    check_timeout_seconds = optional(number, 3)
    flag_timeout_seconds  = optional(number, 5)
    messages = optional(object({
      blocked                   = optional(string)
      queue_full                = optional(string)
      error                     = optional(string)
      agent_prompt              = optional(string)
      flag_success              = optional(string)
      flag_error                = optional(string)
      flag_reason               = optional(string)
      quick_connect             = optional(string)
      quick_connect_description = optional(string)
    }), {})
    static_blocked_numbers = optional(list(string), [])
  }))
  nullable = false

  validation {
    condition     = length(var.connect_instances) > 0
    error_message = "connect_instances must name at least one Amazon Connect instance."
  }

  validation {
    condition     = alltrue([for k in keys(var.connect_instances) : can(regex("^[a-z0-9][a-z0-9_-]{0,31}$", k))])
    error_message = "connect_instances keys must be 1-32 characters of lowercase letters, digits, - and _ (not: ${join(", ", [for k in keys(var.connect_instances) : jsonencode(k) if !can(regex("^[a-z0-9][a-z0-9_-]{0,31}$", k))])})."
  }

  validation {
    condition     = alltrue([for v in values(var.connect_instances) : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", v.instance_id))])
    error_message = "${join(", ", [for k, v in var.connect_instances : "connect_instances[${jsonencode(k)}].instance_id" if !can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", v.instance_id))])}: pass only the instance UUID (the part after \"instance/\", lowercase), never an ARN: the provider's Connect resources misbehave with ARNs."
  }

  validation {
    condition = alltrue(flatten([
      for v in values(var.connect_instances) : [
        for id in concat([v.queue_id], v.flag_queue_id == null ? [] : [v.flag_queue_id], v.phone_number_ids) : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))
      ]
    ]))
    error_message = "${join(", ", [for k, v in var.connect_instances : "connect_instances[${jsonencode(k)}]" if !alltrue([for id in concat([v.queue_id], v.flag_queue_id == null ? [] : [v.flag_queue_id], v.phone_number_ids) : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])])}: queue_id, flag_queue_id and phone_number_ids must be UUIDs, not ARNs or phone numbers."
  }

  validation {
    condition     = length(distinct([for v in values(var.connect_instances) : v.instance_id])) == length(var.connect_instances)
    error_message = "connect_instances must not list the same instance_id twice."
  }
}

variable "flows_dir" {
  description = "Directory with the flow templates. null uses this repository's flows/."
  type        = string
  default     = null
}

# ---------------------------------------------------------------- audit trail
variable "audit" {
  description = <<-EOT
    Audit trail of every deny-list change (see modules/audit_trail):
    retention_in_days             - audit log group retention (3653 = ten years; 0 = forever);
    deletion_protection_enabled   - protect the audit log group and keep it on destroy;
    hash_key_arn                  - existing KMS HMAC_256 key for number hashes (null creates one);
    reserved_concurrency          - reserved concurrency of the audit function (null = unreserved);
    batch_size, maximum_retry_attempts, maximum_record_age_in_seconds - stream processing.
  EOT
  type = object({
    retention_in_days             = optional(number, 3653)
    deletion_protection_enabled   = optional(bool, true)
    hash_key_arn                  = optional(string)
    reserved_concurrency          = optional(number, 2)
    batch_size                    = optional(number, 100)
    maximum_retry_attempts        = optional(number, 10)
    maximum_record_age_in_seconds = optional(number, 86400)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains([0, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.audit.retention_in_days)
    error_message = "audit.retention_in_days must be at least a year (365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653) or 0 (never expire): the audit trail is evidence."
  }

  validation {
    condition     = var.audit.maximum_retry_attempts >= 0 && var.audit.maximum_record_age_in_seconds >= 60
    error_message = "audit.maximum_retry_attempts must be >= 0 and audit.maximum_record_age_in_seconds >= 60: retries are bounded (-1, forever, is not allowed)."
  }
}

# ---------------------------------------------------------------- monitoring
variable "monitoring" {
  description = <<-EOT
    Dashboard and alarms (see modules/monitoring):
    sns_topic_arns            - SNS topics paged on ALARM and OK ([] = no notifications);
    check_error_threshold     - check errors in 5 minutes that raise the alarm;
    duration_threshold_ratio  - share of the shortest check_timeout_seconds at which p99 duration alarms;
    iterator_age_threshold_ms - how far the audit function may lag behind the table's stream;
    challenge                 - optional spam-challenge log group and patterns for its metrics.
  EOT
  type = object({
    sns_topic_arns            = optional(list(string), [])
    check_error_threshold     = optional(number, 1)
    duration_threshold_ratio  = optional(number, 0.8)
    iterator_age_threshold_ms = optional(number, 600000)
    challenge = optional(object({
      log_group_name = string
      pass_pattern   = optional(string) # null: the monitoring module's verify_code pattern
      fail_pattern   = optional(string)
    }))
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for arn in var.monitoring.sns_topic_arns : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", arn))])
    error_message = "monitoring.sns_topic_arns must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<name>), not names."
  }
}
