# The queue's dead-letter wiring and encryption, on a plan (offline).

mock_provider "aws" {}

variables {
  name        = "callguard-test-outbound-jobs"
  fifo        = true
  kms_key_arn = "arn:aws:kms:eu-west-2:111122223333:key/0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
}

run "fifo_with_dead_letters" {
  command = plan

  assert {
    condition     = aws_sqs_queue.this.name == "callguard-test-outbound-jobs.fifo" && aws_sqs_queue.dlq.name == "callguard-test-outbound-jobs-dlq.fifo"
    error_message = "A FIFO queue and its dead-letter queue both end in .fifo."
  }

  assert {
    condition     = aws_sqs_queue.this.kms_master_key_id == var.kms_key_arn && aws_sqs_queue.dlq.kms_master_key_id == var.kms_key_arn
    error_message = "Both queues use the environment key."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq_depth.threshold == 0
    error_message = "Any dead letter raises the alarm."
  }
}
