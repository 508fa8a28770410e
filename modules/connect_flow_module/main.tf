# One published Amazon Connect flow module. Connect validates the document when
# it is published, so everything the module invokes (Lambda functions, queues)
# must exist and be associated with the instance first: callers pass those
# dependencies with depends_on on the module block.

resource "aws_connect_contact_flow_module" "this" {
  instance_id = var.instance_id
  name        = var.name
  description = var.description
  content     = var.content
  tags        = var.tags
}
