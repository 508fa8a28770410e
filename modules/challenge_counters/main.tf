# Failed spam challenges per number, for the optional "flag for review after N
# failures" rule. A separate table on purpose: every item of the deny list is a
# listing that the check, the CLI, exports and the audit trail read, so counts
# cannot live there. Items are small and short-lived: the TTL attribute removes
# a number's count when its window ends.
#
# Key and TTL attribute are a contract with callguard.challenge_failures, so they
# are constants here, not inputs.

locals {
  hash_key      = "phone_number"
  ttl_attribute = "expires_at"
}

resource "aws_dynamodb_table" "this" {
  name         = var.name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = local.hash_key

  deletion_protection_enabled = var.deletion_protection_enabled

  attribute {
    name = local.hash_key
    type = "S"
  }

  ttl {
    attribute_name = local.ttl_attribute
    enabled        = true
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
