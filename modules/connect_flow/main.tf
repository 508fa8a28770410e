# One published Amazon Connect flow. Connect validates the document when it is
# published, so everything the flow invokes (Lambda functions, flow modules,
# queues) must exist and be associated with the instance first: callers pass
# those dependencies with depends_on on the module block.

resource "aws_connect_contact_flow" "this" {
  instance_id = var.instance_id
  name        = var.name
  description = var.description
  type        = var.type
  content     = var.content
  tags        = var.tags
}
