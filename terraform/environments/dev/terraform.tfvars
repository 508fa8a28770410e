# Example values: replace with your account, region and Connect ids.
# Ids are UUIDs - the last part of an ARN - never ARNs.
aws_region     = "eu-west-2"
aws_account_id = "111122223333"

tags = {
  CostCenter = "contact-center"
}

settings = {
  default_country = "GB"
  fail_mode       = "open"
  flag_mode       = "block"
  log_level       = "DEBUG"
}

functions = {
  # Small reservations keep dev inside a fresh account's concurrency limit.
  check_reserved_concurrency = 5
  flag_reserved_concurrency  = 2
  log_retention_in_days      = 365
}

table = {
  deletion_protection_enabled = true
}

connect_instances = {
  support = {
    instance_id      = "0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
    queue_id         = "7e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
    phone_number_ids = ["5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"]
  }

  sales = {
    instance_id = "9c8b7a6d-5e4f-4d3c-8b2a-1f0e9d8c7b6a"
    queue_id    = "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a"
    fail_mode   = "closed"
    messages = {
      blocked = "<speak>We cannot take your call. Goodbye.</speak>"
    }
    static_blocked_numbers = ["+442079460958", "+14155550123"]
  }
}

# Outbound call jobs on the support instance (ids are the example instance's).
outbound = {
  enabled                = true
  instance               = "support"
  source_phone_number    = "+442079460000"
  source_phone_number_id = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
  retention_days         = 30
}
