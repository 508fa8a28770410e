output "arn" {
  description = "Topic ARN (known at plan time: built from partition, region, account and name)."
  value       = local.topic_arn
}

output "name" {
  description = "Topic name."
  value       = aws_sns_topic.this.name
}

output "email_subscription_arns" {
  description = "Subscription ARN per e-mail address (\"pending confirmation\" until the recipient confirms)."
  value       = { for address, subscription in aws_sns_topic_subscription.email : address => subscription.arn }
}
