output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "namespace" {
  description = "CloudWatch namespace of the log-derived metrics."
  value       = local.namespace
}

output "metric_names" {
  description = "Log-derived metrics: name => whether it is also published per instance (dimension Instance)."
  value       = { for name, m in local.log_metrics : name => m.per_instance }
}

output "alarm_names" {
  description = "Every alarm the module creates."
  value       = local.alarm_names
}
