# Alarms. Every one names what broke and what callers experience, and pages the
# optional SNS topics on ALARM and on OK. Missing data is "not breaching": no
# calls is not an incident.

locals {
  single_metric_alarms = merge(
    {
      "check-errors" = {
        description = "The deny-list check answered 'error' (DynamoDB unreachable, throttled or misconfigured): callers are let through unchecked (fail open) or turned away (fail closed)."
        namespace   = local.namespace
        metric      = "CheckErrors"
        dimensions  = {}
        statistic   = "Sum"
        extended    = null
        period      = 300
        evaluations = 1
        datapoints  = 1
        threshold   = var.alarms.check_error_threshold
        comparison  = "GreaterThanOrEqualToThreshold"
      }
      "check-duration" = {
        description = "p99 duration of the check is near the time the flows give it (check_timeout_seconds): calls wait in silence and may take the error branch."
        namespace   = "AWS/Lambda"
        metric      = "Duration"
        dimensions  = { FunctionName = var.function_names.check_number }
        statistic   = null
        extended    = "p99"
        period      = 60
        evaluations = 5
        datapoints  = 3
        threshold   = local.duration_threshold_ms
        comparison  = "GreaterThanThreshold"
      }
      "audit-failures" = {
        description = "Stream records could not be recorded in the audit log group (KMS or CloudWatch Logs failing); Lambda is retrying them."
        namespace   = local.namespace
        metric      = "AuditRecordFailures"
        dimensions  = {}
        statistic   = "Sum"
        extended    = null
        period      = 300
        evaluations = 1
        datapoints  = 1
        threshold   = 1
        comparison  = "GreaterThanOrEqualToThreshold"
      }
      "audit-dead-letters" = {
        description = "Deny-list changes gave up being recorded and were sent to the audit failure queue: the audit trail has a gap until they are replayed (callguard denylist audit-replay; see docs/audit-and-monitoring.md)."
        namespace   = "AWS/SQS"
        metric      = "ApproximateNumberOfMessagesVisible"
        dimensions  = { QueueName = var.audit_failure_queue_name }
        statistic   = "Maximum"
        extended    = null
        period      = 300
        evaluations = 1
        datapoints  = 1
        threshold   = 1
        comparison  = "GreaterThanOrEqualToThreshold"
      }
      "audit-iterator-age" = {
        description = "The audit function is falling behind the table's stream; records older than 24 hours are lost by the stream."
        namespace   = "AWS/Lambda"
        metric      = "IteratorAge"
        dimensions  = { FunctionName = var.function_names.audit }
        statistic   = "Maximum"
        extended    = null
        period      = 300
        evaluations = 1
        datapoints  = 1
        threshold   = var.alarms.iterator_age_threshold_ms
        comparison  = "GreaterThanThreshold"
      }
    },
    {
      for key, name in var.function_names : "${replace(key, "_", "-")}-errors" => {
        description = "The ${name} function failed (timeout, crash or an error it could not answer); the flows take their error branch or stream records are retried."
        namespace   = "AWS/Lambda"
        metric      = "Errors"
        dimensions  = { FunctionName = name }
        statistic   = "Sum"
        extended    = null
        period      = 300
        evaluations = 1
        datapoints  = 1
        threshold   = 1
        comparison  = "GreaterThanOrEqualToThreshold"
      }
    },
    {
      for key, name in var.function_names : "${replace(key, "_", "-")}-throttles" => {
        description = "Lambda throttled ${name} (reserved concurrency reached): those invocations did not run."
        namespace   = "AWS/Lambda"
        metric      = "Throttles"
        dimensions  = { FunctionName = name }
        statistic   = "Sum"
        extended    = null
        period      = 300
        evaluations = 1
        datapoints  = 1
        threshold   = 1
        comparison  = "GreaterThanOrEqualToThreshold"
      }
    },
  )

  alarm_names = concat(
    [for key in keys(local.single_metric_alarms) : "${var.name_prefix}-${key}"],
    ["${var.name_prefix}-table-throttling"],
  )
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.single_metric_alarms

  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = length(each.value.dimensions) == 0 ? null : each.value.dimensions
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended
  period              = each.value.period
  evaluation_periods  = each.value.evaluations
  datapoints_to_alarm = each.value.datapoints
  threshold           = each.value.threshold
  comparison_operator = each.value.comparison
  treat_missing_data  = "notBreaching"

  actions_enabled = true
  alarm_actions   = local.actions
  ok_actions      = local.actions
  tags            = var.tags
}

# Reads and writes throttled on the table or its index, as one alarm.
resource "aws_cloudwatch_metric_alarm" "table_throttling" {
  alarm_name          = "${var.name_prefix}-table-throttling"
  alarm_description   = "DynamoDB throttled reads or writes on the deny-list table: checks may answer 'error' and flags may fail."
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  threshold           = 1
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "throttled"
    expression  = "reads + writes"
    label       = "Throttle events"
    return_data = true
  }

  metric_query {
    id = "reads"

    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "ReadThrottleEvents"
      dimensions  = { TableName = var.table_name }
      stat        = "Sum"
      period      = 300
    }
  }

  metric_query {
    id = "writes"

    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "WriteThrottleEvents"
      dimensions  = { TableName = var.table_name }
      stat        = "Sum"
      period      = 300
    }
  }

  actions_enabled = true
  alarm_actions   = local.actions
  ok_actions      = local.actions
  tags            = var.tags
}
