# The deny list: one DynamoDB table per environment, shared by every Connect
# instance of that environment.
#
# The key schema, the pending-review index and the TTL attribute are a
# contract with the runtime store (callguard.store); they are constants here,
# not inputs, so that a module user cannot build a table the functions cannot
# read. tests/terraform/test_table_matches_store.py keeps both sides in step.

locals {
  hash_key      = "phone_number"
  ttl_attribute = "expires_at"

  # Pending reviews, oldest first: Query status = "pending", ascending created_at.
  review_index = {
    name      = "status-created_at-index"
    hash_key  = "status"
    range_key = "created_at"
  }
}

resource "aws_dynamodb_table" "this" {
  name         = var.name
  billing_mode = "PAY_PER_REQUEST"
  table_class  = var.table_class
  hash_key     = local.hash_key

  deletion_protection_enabled = var.deletion_protection_enabled

  # The audit trail (and any replica) reads changes with both images.
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  attribute {
    name = local.hash_key
    type = "S"
  }

  attribute {
    name = local.review_index.hash_key
    type = "S"
  }

  attribute {
    name = local.review_index.range_key
    type = "S"
  }

  global_secondary_index {
    name            = local.review_index.name
    projection_type = "ALL"

    key_schema {
      attribute_name = local.review_index.hash_key
      key_type       = "HASH"
    }

    key_schema {
      attribute_name = local.review_index.range_key
      key_type       = "RANGE"
    }
  }

  # Items with expires_at (epoch seconds) in the past are deleted by DynamoDB,
  # typically within days; the check treats them as absent meanwhile.
  ttl {
    attribute_name = local.ttl_attribute
    enabled        = true
  }

  point_in_time_recovery {
    enabled                 = true
    recovery_period_in_days = var.point_in_time_recovery_days
  }

  # enabled = true with no key uses the AWS managed key alias/aws/dynamodb.
  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  dynamic "replica" {
    for_each = var.replicas

    content {
      region_name                 = replica.value.region_name
      kms_key_arn                 = replica.value.kms_key_arn
      point_in_time_recovery      = replica.value.point_in_time_recovery
      deletion_protection_enabled = replica.value.deletion_protection_enabled
      propagate_tags              = replica.value.propagate_tags
    }
  }

  tags = var.tags
}
