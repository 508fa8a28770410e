# Example values: replace with your account, region and Connect ids.
# Ids are UUIDs - the last part of an ARN - never ARNs.
aws_region     = "eu-west-2"
aws_account_id = "444455556666"

tags = {
  CostCenter = "contact-center"
}

settings = {
  default_country = "GB"
  fail_mode       = "open"
  flag_mode       = "review"
  log_level       = "INFO"
}

functions = {
  check_reserved_concurrency = 50
  flag_reserved_concurrency  = 10
  log_retention_in_days      = 731
}

table = {
  deletion_protection_enabled = true
  point_in_time_recovery_days = 35
}

# Alarms (check errors, throttling, slow checks, audit trail gaps) page this
# topic on ALARM and on OK; the audit trail keeps its events ten years.
monitoring = {
  sns_topic_arns = ["arn:aws:sns:eu-west-2:444455556666:contact-center-oncall"]
}

connect_instances = {
  london = {
    instance_id      = "2f6e1d0c-3b4a-4c5d-9e8f-7a6b5c4d3e2f"
    queue_id         = "8a9b0c1d-2e3f-4a5b-9c6d-7e8f9a0b1c2d"
    phone_number_ids = ["1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c"]
    messages = {
      # Review mode: the flag waits for a supervisor, so say that to the agent.
      flag_success = "Thank you. The caller has been flagged for a supervisor's review."
    }
  }

  manchester = {
    instance_id = "4b5c6d7e-8f9a-4b0c-8d1e-2f3a4b5c6d7e"
    queue_id    = "0e1f2a3b-4c5d-4e6f-9a7b-8c9d0e1f2a3b"
    messages = {
      agent_prompt = "Flagging the caller for review."
      flag_success = "Thank you. The caller has been flagged for a supervisor's review."
    }
  }
}

# Agent flags wait for a supervisor (settings.flag_mode = "review"): they are
# told by e-mail and decide with `callguard denylist pending|approve|reject`.
review = {
  reject_suppression_days = 30
  email_subscriptions     = ["contact-center-supervisors@example.com"]
}
