variable "instance_id" {
  description = "Id (a UUID, not the ARN) of the Amazon Connect instance."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.instance_id))
    error_message = "instance_id must be the instance's UUID (the last part of its ARN), not the ARN itself."
  }
}

variable "name" {
  description = "Name agents see in the Contact Control Panel's transfer list."
  type        = string

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 127
    error_message = "name must be 1-127 characters."
  }
}

variable "description" {
  description = "Description of the quick connect."
  type        = string
  default     = ""
}

variable "contact_flow_id" {
  description = "Id of the QUEUE_TRANSFER flow the quick connect runs (the flow id, not the Terraform id instance:flow)."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.contact_flow_id))
    error_message = "contact_flow_id must be a flow UUID."
  }
}

variable "queue_id" {
  description = "Id (UUID) of the queue named in the quick connect's configuration."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.queue_id))
    error_message = "queue_id must be the queue's UUID, not its ARN."
  }
}

variable "tags" {
  description = "Tags for the quick connect."
  type        = map(string)
  default     = {}
}
