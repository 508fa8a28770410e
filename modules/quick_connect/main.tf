# One QUEUE-type quick connect: what an agent picks in the Contact Control
# Panel to run a QUEUE_TRANSFER flow on the current contact. Agents see it
# only after it is associated with their queues (see README).

resource "aws_connect_quick_connect" "this" {
  instance_id = var.instance_id
  name        = var.name
  description = var.description

  quick_connect_config {
    quick_connect_type = "QUEUE"

    queue_config {
      contact_flow_id = var.contact_flow_id
      queue_id        = var.queue_id
    }
  }

  tags = var.tags
}
