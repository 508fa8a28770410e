# The bucket's safety settings, on a plan (offline: `terraform test` here).

mock_provider "aws" {}

variables {
  name        = "callguard-test-outbound-uploads"
  kms_key_arn = "arn:aws:kms:eu-west-2:111122223333:key/0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
}

run "private_encrypted_expiring" {
  command = plan

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "Versioning must be on."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "SSE-KMS with the environment key is required."
  }

  assert {
    condition     = aws_s3_bucket_public_access_block.this.block_public_acls && aws_s3_bucket_public_access_block.this.restrict_public_buckets
    error_message = "Public access must be blocked."
  }

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.this.rule[0].expiration[0].days == 30
    error_message = "Personal data must expire after 30 days by default."
  }
}
