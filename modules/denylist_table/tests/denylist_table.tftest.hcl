# The table's fixed contract and its safe defaults, on a plan (offline:
# `terraform test` in this module).

mock_provider "aws" {}

variables {
  name = "callguard-test-denylist"
}

run "defaults_are_safe" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST" && aws_dynamodb_table.this.hash_key == "phone_number"
    error_message = "On-demand billing and the phone_number partition key are fixed."
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled == true
    error_message = "Deletion protection must be on by default."
  }

  assert {
    condition     = aws_dynamodb_table.this.point_in_time_recovery[0].enabled == true && aws_dynamodb_table.this.point_in_time_recovery[0].recovery_period_in_days == 35
    error_message = "PITR must be on with the full 35-day window by default."
  }

  assert {
    condition     = aws_dynamodb_table.this.server_side_encryption[0].enabled == true
    error_message = "Encryption at rest must always be on (AWS managed key without kms_key_arn)."
  }

  assert {
    condition     = aws_dynamodb_table.this.stream_enabled == true && aws_dynamodb_table.this.stream_view_type == "NEW_AND_OLD_IMAGES"
    error_message = "The audit stream must carry both images."
  }

  assert {
    condition     = aws_dynamodb_table.this.ttl[0].attribute_name == "expires_at" && aws_dynamodb_table.this.ttl[0].enabled == true
    error_message = "TTL must be on, on expires_at."
  }

  assert {
    condition     = length(aws_dynamodb_table.this.replica) == 0
    error_message = "No replicas unless asked for."
  }
}

run "customer_key_and_replicas" {
  command = apply

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    replicas = [
      { region_name = "us-west-2", kms_key_arn = "arn:aws:kms:us-west-2:111122223333:key/5678abcd-12ab-34cd-56ef-1234567890ab" },
      { region_name = "eu-west-1", kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/9abcabcd-12ab-34cd-56ef-1234567890ab", point_in_time_recovery = false },
    ]
  }

  assert {
    condition     = aws_dynamodb_table.this.server_side_encryption[0].kms_key_arn == var.kms_key_arn
    error_message = "The table must use the given customer managed key."
  }

  assert {
    condition     = length(aws_dynamodb_table.this.replica) == 2
    error_message = "Each replica region becomes one replica block."
  }

  assert {
    condition = alltrue([
      for r in aws_dynamodb_table.this.replica :
      r.deletion_protection_enabled == true && r.propagate_tags == true
    ])
    error_message = "Replicas keep deletion protection and tags unless told otherwise."
  }

  assert {
    condition     = output.kms_key_arn == var.kms_key_arn && output.ttl_attribute == "expires_at" && output.review_index_name == "status-created_at-index"
    error_message = "Outputs must name the key, the TTL attribute and the review index."
  }
}
