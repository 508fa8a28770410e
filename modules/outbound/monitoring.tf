# What an operator watches while jobs run: failed calls and rounds waiting for the
# calling window (counted from the functions' JSON log lines), and one dashboard with
# those, the dead letters, the dialer's errors and throttles, and failed or timed-out
# executions (the alarms on them are in main.tf and modules/outbound_queue).

locals {
  metrics_namespace = "Callguard/${var.name_prefix}/outbound"

  log_metrics = {
    FailedCalls = {
      log_group = module.functions["record"].log_group_name
      pattern   = "{ $.event = \"attempt_recorded\" && $.status = \"failed\" }"
    }
    RoundsWaitingForWindow = {
      log_group = module.functions["plan"].log_group_name
      pattern   = "{ $.event = \"round_planned\" && $.action = \"wait\" }"
    }
  }

  dead_letter_queues = [module.job_queue.dlq_name, module.call_queue.dlq_name]

  dashboard_widgets = [
    {
      type = "metric", width = 12, height = 6
      properties = {
        title   = "Failed calls and rounds waiting for the calling window", region = var.region
        view    = "timeSeries", stat = "Sum", period = 300
        metrics = [for name in keys(local.log_metrics) : [local.metrics_namespace, name]]
      }
    },
    {
      type = "metric", width = 12, height = 6
      properties = {
        title   = "Dead letters (messages waiting in each DLQ)", region = var.region
        view    = "timeSeries", stat = "Maximum", period = 300
        metrics = [for queue in local.dead_letter_queues : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue]]
      }
    },
    {
      type = "metric", width = 12, height = 6
      properties = {
        title   = "Dialer errors and throttles", region = var.region
        view    = "timeSeries", stat = "Sum", period = 300
        metrics = [for name in ["Errors", "Throttles"] : ["AWS/Lambda", name, "FunctionName", module.functions["dialer"].function_name]]
      }
    },
    {
      type = "metric", width = 12, height = 6
      properties = {
        title = "Job executions started, succeeded, failed and timed out", region = var.region
        view  = "timeSeries", stat = "Sum", period = 300
        metrics = [
          for name in ["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut"] :
          ["AWS/States", name, "StateMachineArn", module.orchestration.arn]
        ]
      }
    },
  ]
}

resource "aws_cloudwatch_log_metric_filter" "outbound" {
  for_each = local.log_metrics

  name           = "${var.name_prefix}-outbound-${each.key}"
  log_group_name = each.value.log_group
  pattern        = each.value.pattern

  metric_transformation {
    namespace     = local.metrics_namespace
    name          = each.key
    value         = "1"
    unit          = "Count"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "failed_calls" {
  alarm_name          = "${var.name_prefix}-outbound-failed-calls"
  alarm_description   = "Outbound calls ended failed (destination not allowed, contact not permitted, timed out): see the record function's log group and the job's report."
  namespace           = local.metrics_namespace
  metric_name         = "FailedCalls"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = var.tags

  depends_on = [aws_cloudwatch_log_metric_filter.outbound]
}

resource "aws_cloudwatch_dashboard" "outbound" {
  dashboard_name = "${var.name_prefix}-outbound"
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
