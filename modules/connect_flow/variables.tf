variable "instance_id" {
  description = "Id (a UUID, not the ARN) of the Amazon Connect instance that owns the flow or flow module."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.instance_id))
    error_message = "instance_id must be the instance's UUID (the last part of its ARN), not the ARN itself."
  }
}

variable "name" {
  description = "Name of the flow or flow module as shown in the Connect flow designer; unique within the instance."
  type        = string

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 127
    error_message = "name must be 1-127 characters."
  }
}

variable "description" {
  description = "Description of the flow or flow module."
  type        = string
  default     = ""
}

variable "content" {
  description = "The rendered flow or flow-module document (flow language 2019-10-30), usually templatefile() of a template in flows/."
  type        = string

  validation {
    condition     = can(jsondecode(var.content).Actions) && try(jsondecode(var.content).Version, "") == "2019-10-30"
    error_message = "content must be a JSON flow document with Version \"2019-10-30\" and an Actions list."
  }

  validation {
    condition     = length(var.content) <= 256000
    error_message = "content must be at most 256,000 characters (the Amazon Connect limit)."
  }
}

variable "tags" {
  description = "Tags for the flow or flow module."
  type        = map(string)
  default     = {}
}

variable "type" {
  description = "Flow type, or FLOW_MODULE for a flow module (aws_connect_contact_flow_module; its inputs and outputs live in the document's Settings). Changing it replaces the flow, and with it every quick connect that points at it."
  type        = string
  default     = "CONTACT_FLOW"

  validation {
    condition = contains([
      "CONTACT_FLOW", "CUSTOMER_QUEUE", "CUSTOMER_HOLD", "CUSTOMER_WHISPER", "AGENT_HOLD",
      "AGENT_WHISPER", "OUTBOUND_WHISPER", "AGENT_TRANSFER", "QUEUE_TRANSFER", "FLOW_MODULE",
    ], var.type)
    error_message = "type must be an Amazon Connect flow type such as CONTACT_FLOW or QUEUE_TRANSFER, or FLOW_MODULE."
  }
}
