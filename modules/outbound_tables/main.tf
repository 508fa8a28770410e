# The outbound call engine's three DynamoDB tables. Key schemas match the
# Python stores exactly: job_results.py (job_id + receiver_id),
# task_tokens.py (contact_id, TTL expires_at) and contact_cap_store.py
# (number + slot, TTL expires_at).

locals {
  tables = {
    results = {
      name      = "${var.name_prefix}-outbound-results"
      hash_key  = "job_id"
      range_key = "receiver_id"
      attributes = [
        { name = "job_id", type = "S" },
        { name = "receiver_id", type = "S" },
      ]
      ttl_attribute = null
    }
    tokens = {
      name          = "${var.name_prefix}-outbound-task-tokens"
      hash_key      = "contact_id"
      range_key     = null
      attributes    = [{ name = "contact_id", type = "S" }]
      ttl_attribute = "expires_at"
    }
    contact_cap = {
      name      = "${var.name_prefix}-outbound-contact-cap"
      hash_key  = "number"
      range_key = "slot"
      attributes = [
        { name = "number", type = "S" },
        { name = "slot", type = "N" },
      ]
      ttl_attribute = "expires_at"
    }
  }
}

resource "aws_dynamodb_table" "this" {
  for_each = local.tables

  name                        = each.value.name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = each.value.hash_key
  range_key                   = each.value.range_key
  deletion_protection_enabled = var.deletion_protection_enabled

  dynamic "attribute" {
    for_each = each.value.attributes
    content {
      name = attribute.value.name
      type = attribute.value.type
    }
  }

  dynamic "ttl" {
    for_each = each.value.ttl_attribute == null ? [] : [each.value.ttl_attribute]
    content {
      attribute_name = ttl.value
      enabled        = true
    }
  }

  point_in_time_recovery {
    enabled                 = true
    recovery_period_in_days = var.point_in_time_recovery_days
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}
