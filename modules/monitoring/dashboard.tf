# One dashboard per environment: calls and outcomes (total and per instance),
# list changes, function duration percentiles, errors and throttles, table
# throttling, the audit trail's health, and every alarm's state.

locals {
  instance_ids = var.connect_instances # key => instance id

  totals = ["CallsChecked", "CallsBlocked", "CallsPending", "CallsAnonymous", "CheckErrors"]
  changes = concat(
    ["Flags", "FlagErrors", "Additions", "Removals", "Expiries"],
    var.challenge == null ? [] : ["ChallengePasses", "ChallengeFailures"],
  )
  per_instance_panels = concat(
    ["CallsChecked", "CallsBlocked", "CheckErrors", "Flags"],
    var.challenge == null ? [] : ["ChallengePasses", "ChallengeFailures"],
  )

  functions = var.function_names

  # Widgets are laid out by CloudWatch left to right, top to bottom (x/y omitted).
  widgets = concat(
    [
      {
        type   = "text"
        width  = 24
        height = 2
        properties = {
          markdown = "## callguard ${var.name_prefix}\nCounts come from the functions' JSON log lines (namespace `${local.namespace}`). Audit events: log group `${var.log_groups.audit_events}`. Runbook: docs/audit-and-monitoring.md."
        }
      },
      {
        type   = "metric"
        width  = 12
        height = 6
        properties = {
          title   = "Calls checked and their outcomes (all instances)"
          region  = local.region
          view    = "timeSeries"
          stat    = "Sum"
          period  = 300
          metrics = [for name in local.totals : [local.namespace, name, { label = name }]]
        }
      },
      {
        type   = "metric"
        width  = 12
        height = 6
        properties = {
          title   = "Deny-list changes (all instances)"
          region  = local.region
          view    = "timeSeries"
          stat    = "Sum"
          period  = 300
          metrics = [for name in local.changes : [local.namespace, name, { label = name }]]
        }
      },
    ],
    [
      for name in local.per_instance_panels : {
        type   = "metric"
        width  = 6
        height = 6
        properties = {
          title   = "${name} per instance"
          region  = local.region
          view    = "timeSeries"
          stat    = "Sum"
          period  = 300
          metrics = [for key, id in local.instance_ids : [local.namespace, name, "Instance", id, { label = key }]]
        }
      }
    ],
    [
      {
        type   = "metric"
        width  = 12
        height = 6
        properties = {
          title  = "Check duration (ms)"
          region = local.region
          view   = "timeSeries"
          period = 60
          metrics = [
            for stat in ["p50", "p90", "p99", "Maximum"] :
            ["AWS/Lambda", "Duration", "FunctionName", local.functions.check_number, { stat = stat, label = stat }]
          ]
          annotations = {
            horizontal = [
              { label = "alarm", value = local.duration_threshold_ms },
              { label = "flow timeout", value = var.check_timeout_seconds * 1000 },
            ]
          }
        }
      },
      {
        type   = "metric"
        width  = 12
        height = 6
        properties = {
          title  = "Duration p99 of every function (ms)"
          region = local.region
          view   = "timeSeries"
          period = 300
          metrics = [
            for key, name in local.functions :
            ["AWS/Lambda", "Duration", "FunctionName", name, { stat = "p99", label = key }]
          ]
        }
      },
      {
        type   = "metric"
        width  = 12
        height = 6
        properties = {
          title  = "Lambda errors and throttles"
          region = local.region
          view   = "timeSeries"
          stat   = "Sum"
          period = 300
          metrics = concat(
            [for key, name in local.functions : ["AWS/Lambda", "Errors", "FunctionName", name, { label = "${key} errors" }]],
            [for key, name in local.functions : ["AWS/Lambda", "Throttles", "FunctionName", name, { label = "${key} throttles" }]],
          )
        }
      },
      {
        type   = "metric"
        width  = 12
        height = 6
        properties = {
          title  = "DynamoDB throttles and errors (${var.table_name})"
          region = local.region
          view   = "timeSeries"
          stat   = "Sum"
          period = 300
          metrics = [
            ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", var.table_name, { label = "read throttles" }],
            ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", var.table_name, { label = "write throttles" }],
            ["AWS/DynamoDB", "SystemErrors", "TableName", var.table_name, "Operation", "GetItem", { label = "GetItem system errors" }],
          ]
        }
      },
      {
        type   = "metric"
        width  = 12
        height = 6
        properties = {
          title  = "Audit trail"
          region = local.region
          view   = "timeSeries"
          period = 300
          metrics = [
            ["AWS/Lambda", "IteratorAge", "FunctionName", local.functions.audit, { stat = "Maximum", label = "stream iterator age (ms)" }],
            [local.namespace, "AuditRecordFailures", { stat = "Sum", label = "records not recorded", yAxis = "right" }],
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.audit_failure_queue_name, { stat = "Maximum", label = "failure queue depth", yAxis = "right" }],
          ]
        }
      },
      {
        type   = "alarm"
        width  = 12
        height = 6
        properties = {
          title  = "Alarms"
          alarms = [for name in local.alarm_names : "${local.alarm_arn_prefix}${name}"]
        }
      },
    ],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name_prefix
  dashboard_body = jsonencode({ widgets = local.widgets })
}
