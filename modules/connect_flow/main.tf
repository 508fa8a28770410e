# One published Amazon Connect flow or flow module: the two are the same concept
# (a named flow-language document in an instance) behind two provider resources,
# so type picks the resource. Connect validates the document when it is
# published, so everything it invokes (Lambda functions, flow modules, queues)
# must exist and be associated with the instance first: callers pass those
# dependencies with depends_on on the module block.

locals {
  is_flow_module = var.type == "FLOW_MODULE"
}

resource "aws_connect_contact_flow" "this" {
  count = local.is_flow_module ? 0 : 1

  instance_id = var.instance_id
  name        = var.name
  description = var.description
  type        = var.type
  content     = var.content
  tags        = var.tags
}

resource "aws_connect_contact_flow_module" "this" {
  count = local.is_flow_module ? 1 : 0

  instance_id = var.instance_id
  name        = var.name
  description = var.description
  content     = var.content
  tags        = var.tags
}

# Addresses of states written before the two modules were merged (connect_flow
# had only the flow, connect_flow_module only the flow module, neither counted).
moved {
  from = aws_connect_contact_flow.this
  to   = aws_connect_contact_flow.this[0]
}

moved {
  from = aws_connect_contact_flow_module.this
  to   = aws_connect_contact_flow_module.this[0]
}
