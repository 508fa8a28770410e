# Key schemas must match the Python stores (job_results.py, task_tokens.py,
# contact_cap_store.py); checked on a plan (offline).

mock_provider "aws" {}

variables {
  name_prefix = "callguard-test"
  kms_key_arn = "arn:aws:kms:eu-west-2:111122223333:key/0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
}

run "key_schemas" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.this["results"].hash_key == "job_id" && aws_dynamodb_table.this["results"].range_key == "receiver_id"
    error_message = "Results are keyed by job_id + receiver_id."
  }

  assert {
    condition     = aws_dynamodb_table.this["tokens"].hash_key == "contact_id" && aws_dynamodb_table.this["tokens"].ttl[0].attribute_name == "expires_at"
    error_message = "Task tokens are keyed by contact_id with TTL expires_at."
  }

  assert {
    condition     = aws_dynamodb_table.this["contact_cap"].hash_key == "number" && aws_dynamodb_table.this["contact_cap"].range_key == "slot"
    error_message = "The contact cap is keyed by number + slot."
  }

  assert {
    condition     = alltrue([for t in aws_dynamodb_table.this : t.point_in_time_recovery[0].enabled && t.deletion_protection_enabled])
    error_message = "Every table has PITR and deletion protection."
  }
}
