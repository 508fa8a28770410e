# ---------------------------------------------------------------- instance
variable "name_prefix" {
  description = "Prefix of every name this module creates in the instance, for example callguard-dev."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,40}$", var.name_prefix))
    error_message = "name_prefix must be 1-40 characters of letters, digits, - and _."
  }
}

variable "instance_id" {
  description = "Id of the Amazon Connect instance: the UUID at the end of its ARN, not the ARN."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.instance_id))
    error_message = "instance_id must be the instance's UUID (the last part of its ARN), not the ARN itself."
  }
}

variable "instance_arn" {
  description = "ARN of the same instance (arn:aws:connect:<region>:<account>:instance/<instance_id>), for Lambda permissions and queue ARNs."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:connect:[a-z0-9-]+:[0-9]{12}:instance/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.instance_arn))
    error_message = "instance_arn must be a Connect instance ARN (arn:aws:connect:<region>:<account>:instance/<uuid>)."
  }

  validation {
    condition     = endswith(var.instance_arn, "/${var.instance_id}")
    error_message = "instance_arn must end with /<instance_id>: the id and the ARN name different instances."
  }
}

# ---------------------------------------------------------------- functions
variable "check_function" {
  description = "The check_number function (name and unqualified ARN) that the check flow module invokes."
  type = object({
    name = string
    arn  = string
  })

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", var.check_function.arn))
    error_message = "check_function.arn must be an unqualified Lambda function ARN."
  }
}

variable "flag_function" {
  description = "The flag_number function (name and unqualified ARN) that the agent-flag flow invokes."
  type = object({
    name = string
    arn  = string
  })

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", var.flag_function.arn))
    error_message = "flag_function.arn must be an unqualified Lambda function ARN."
  }
}

# ---------------------------------------------------------------- routing
variable "queue_id" {
  description = "Id (UUID) of the working queue that callers who are not blocked are transferred to."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.queue_id))
    error_message = "queue_id must be the queue's UUID, not its ARN."
  }
}

variable "flag_queue_id" {
  description = "Id (UUID) of the queue named in the agent quick connect. null uses queue_id. The agent-flag flow disconnects before any transfer, so this only has to exist."
  type        = string
  default     = null

  validation {
    condition     = var.flag_queue_id == null || can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.flag_queue_id))
    error_message = "flag_queue_id must be a queue UUID or null."
  }
}

variable "phone_number_ids" {
  description = "Ids (UUIDs) of claimed phone numbers whose inbound calls start in the deny-list flow (or in the static-list flow, see phone_number_flow). Empty: associate numbers yourself."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.phone_number_ids : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    error_message = "phone_number_ids must be phone number UUIDs (not E.164 numbers or ARNs)."
  }

  validation {
    condition     = length(distinct(var.phone_number_ids)) == length(var.phone_number_ids)
    error_message = "phone_number_ids must not repeat an id."
  }
}

variable "phone_number_flow" {
  description = "Which flow phone_number_ids start in: denylist (table-backed, the default) or static (the static-list flow; needs static_blocked_numbers)."
  type        = string
  default     = "denylist"

  validation {
    condition     = contains(["denylist", "static"], var.phone_number_flow)
    error_message = "phone_number_flow must be denylist or static."
  }

  validation {
    condition     = var.phone_number_flow == "denylist" || length(var.static_blocked_numbers) > 0
    error_message = "phone_number_flow = \"static\" needs static_blocked_numbers (the static-list flow is created only when there are numbers)."
  }
}

# ---------------------------------------------------------------- check behaviour
variable "fail_mode" {
  description = "What the check flow module does when the check function fails or times out: open lets the caller through, closed treats them as blocked."
  type        = string
  default     = "open"

  validation {
    condition     = contains(["open", "closed"], var.fail_mode)
    error_message = "fail_mode must be open or closed."
  }
}

variable "flag_mode" {
  description = "What an agent's flag does, as the flag function is configured (settings.flag_mode): block (blocked at once) or review (pending for a supervisor). Chooses what the agent hears by default after a flag."
  type        = string
  default     = "block"
  nullable    = false

  validation {
    condition     = contains(["block", "review"], var.flag_mode)
    error_message = "flag_mode must be block or review."
  }
}

variable "check_timeout_seconds" {
  description = "Seconds Connect waits for the check function (1-8). The caller hears silence meanwhile, so keep it short."
  type        = number
  default     = 3

  validation {
    condition     = var.check_timeout_seconds >= 1 && var.check_timeout_seconds <= 8 && floor(var.check_timeout_seconds) == var.check_timeout_seconds
    error_message = "check_timeout_seconds must be a whole number from 1 to 8 (Connect's limit)."
  }
}

variable "flag_timeout_seconds" {
  description = "Seconds Connect waits for the flag function (1-8)."
  type        = number
  default     = 5

  validation {
    condition     = var.flag_timeout_seconds >= 1 && var.flag_timeout_seconds <= 8 && floor(var.flag_timeout_seconds) == var.flag_timeout_seconds
    error_message = "flag_timeout_seconds must be a whole number from 1 to 8 (Connect's limit)."
  }
}

# ---------------------------------------------------------------- spam challenge
variable "challenge" {
  description = <<-EOT
    The spam challenge for this instance; null (the default) leaves it out and the
    inbound flow renders as without it. When set, a spam-challenge flow module runs
    after the deny-list check: challenge_function/verify_function are the two
    functions (name and unqualified ARN); code_length must equal the function's
    CALLGUARD_CHALLENGE_LENGTH; fail_mode decides what a function error does
    (open = the caller goes on, closed = goodbye and disconnect); messages are
    plain text, or SSML when they start with <speak> (prompt is always plain text:
    the function reads it before the code inside its own SSML).
  EOT
  type = object({
    challenge_function    = object({ name = string, arn = string })
    verify_function       = object({ name = string, arn = string })
    fail_mode             = optional(string, "open")
    code_length           = optional(number, 4)
    max_attempts          = optional(number, 2)
    timeout_seconds       = optional(number, 3)
    input_timeout_seconds = optional(number, 8)
    messages = optional(object({
      prompt   = optional(string, "To continue, please enter this code on your telephone keypad:")
      retry    = optional(string, "That code did not match. Please try again.")
      no_input = optional(string, "We did not receive any digits. Please try again.")
      goodbye  = optional(string, "We could not verify your call. Goodbye.")
    }), {})
  })
  default = null

  validation {
    condition = var.challenge == null || alltrue([
      for f in [try(var.challenge.challenge_function.arn, ""), try(var.challenge.verify_function.arn, "")] :
      can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", f))
    ])
    error_message = "challenge.challenge_function.arn and challenge.verify_function.arn must be unqualified Lambda function ARNs."
  }

  validation {
    condition     = var.challenge == null || contains(["open", "closed"], try(var.challenge.fail_mode, ""))
    error_message = "challenge.fail_mode must be open or closed."
  }

  validation {
    condition     = var.challenge == null || (try(var.challenge.code_length, 0) >= 3 && try(var.challenge.code_length, 0) <= 6 && floor(try(var.challenge.code_length, 0)) == try(var.challenge.code_length, 0))
    error_message = "challenge.code_length must be a whole number from 3 to 6."
  }

  validation {
    condition     = var.challenge == null || (try(var.challenge.max_attempts, 0) >= 1 && try(var.challenge.max_attempts, 0) <= 5 && floor(try(var.challenge.max_attempts, 0)) == try(var.challenge.max_attempts, 0))
    error_message = "challenge.max_attempts must be a whole number from 1 to 5."
  }

  validation {
    condition     = var.challenge == null || (try(var.challenge.timeout_seconds, 0) >= 1 && try(var.challenge.timeout_seconds, 0) <= 8 && floor(try(var.challenge.timeout_seconds, 0)) == try(var.challenge.timeout_seconds, 0))
    error_message = "challenge.timeout_seconds must be a whole number from 1 to 8 (Connect's limit)."
  }

  validation {
    condition     = var.challenge == null || (try(var.challenge.input_timeout_seconds, 0) >= 1 && try(var.challenge.input_timeout_seconds, 0) <= 180 && floor(try(var.challenge.input_timeout_seconds, 0)) == try(var.challenge.input_timeout_seconds, 0))
    error_message = "challenge.input_timeout_seconds must be a whole number of seconds from 1 to 180."
  }

  validation {
    condition     = var.challenge == null || alltrue([for v in values(try(var.challenge.messages, {})) : length(trimspace(v)) > 0 && length(v) <= 1000])
    error_message = "challenge.messages must be non-empty and at most 1,000 characters each."
  }

  validation {
    condition     = var.challenge == null || !startswith(try(var.challenge.messages.prompt, ""), "<speak>")
    error_message = "challenge.messages.prompt is plain text: the function reads it inside its own SSML, before the code."
  }
}

# ---------------------------------------------------------------- messages
variable "messages" {
  description = "What callers and agents hear. Plain text, or SSML when a value starts with <speak>. agent_prompt = \"\" plays nothing before flagging. flag_success and flag_error = null follow flag_mode (block: \"The caller has been added to the deny list.\"; review: \"The caller has been flagged for supervisor review.\" and an error message that asks the agent to tell a supervisor)."
  type = object({
    blocked                   = optional(string, "We are unable to take your call. Goodbye.")
    queue_full                = optional(string, "All our lines are busy. Please call again later.")
    error                     = optional(string, "Sorry, something went wrong. Please call again later.")
    agent_prompt              = optional(string, "")
    flag_success              = optional(string)
    flag_error                = optional(string)
    flag_reason               = optional(string, "Flagged by agent")
    quick_connect             = optional(string, "Add caller to deny list")
    quick_connect_description = optional(string, "Flags the current caller's number in the callguard deny list.")
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for k, v in var.messages : k == "agent_prompt" || try(length(trimspace(v)) > 0, v == null)])
    error_message = "messages must not be empty (only agent_prompt may be \"\")."
  }

  validation {
    condition     = alltrue([for k, v in var.messages : try(length(v) <= 3000, v == null)])
    error_message = "Each message must be at most 3,000 characters (the text-to-speech limit per prompt)."
  }
}

# ---------------------------------------------------------------- static list
variable "static_blocked_numbers" {
  description = "E.164 numbers blocked by an extra flow that needs no Lambda or table (1-100 numbers; every change republishes the flow). Empty: no static-list flow."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for n in var.static_blocked_numbers : can(regex("^\\+[1-9][0-9]{1,14}$", n))])
    error_message = "static_blocked_numbers must be E.164 numbers: + then up to 15 digits, no spaces."
  }

  validation {
    condition     = length(distinct(var.static_blocked_numbers)) == length(var.static_blocked_numbers)
    error_message = "static_blocked_numbers must not repeat a number."
  }

  validation {
    condition     = length(var.static_blocked_numbers) <= 100
    error_message = "static_blocked_numbers holds at most 100 numbers; use the table-backed deny list for more."
  }
}

# ---------------------------------------------------------------- templates
variable "flows_dir" {
  description = "Directory with the flow templates (*.tftpl). null uses this repository's flows/ directory."
  type        = string
  default     = null

  validation {
    condition = var.flows_dir == null || alltrue([
      for template in [
        "check_caller.module.json.tftpl",
        "inbound_denylist.flow.json.tftpl",
        "agent_flag.flow.json.tftpl",
        "inbound_static_list.flow.json.tftpl",
      ] : fileexists("${coalesce(var.flows_dir, ".")}/${template}")
    ])
    error_message = "flows_dir must contain check_caller.module.json.tftpl, inbound_denylist.flow.json.tftpl, agent_flag.flow.json.tftpl and inbound_static_list.flow.json.tftpl."
  }
}

variable "tags" {
  description = "Tags for every taggable resource in the instance."
  type        = map(string)
  default     = {}
}
