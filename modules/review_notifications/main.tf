# The supervisors' notification topic of the two-step review: the flag function
# publishes one message per new pending flag; people subscribe by e-mail (or
# anything else SNS delivers to) to hear about flags without polling the queue.
#
# Messages hold masked numbers only, yet they are contact-center data: the
# topic is encrypted with the environment's customer managed key and refuses
# requests that do not use TLS.

# The partition, region and account come from the provider this module is
# given (the roots pin its account with allowed_account_ids), so no caller has
# to pass them, and they cannot disagree with where the resources are created.
data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id
}

locals {
  # Built from its parts, so the ARN is known at plan time: the flag function's
  # policy and environment can name it exactly before the topic exists.
  topic_arn = "arn:${local.partition}:sns:${local.region}:${local.account_id}:${var.name}"

  topic_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        # As SNS's default policy: the account's IAM policies decide who may
        # publish and subscribe (callguard grants Publish to the flag function only).
        Sid       = "AccountIamPoliciesDecide"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action = [
          "sns:GetTopicAttributes",
          "sns:SetTopicAttributes",
          "sns:AddPermission",
          "sns:RemovePermission",
          "sns:DeleteTopic",
          "sns:Subscribe",
          "sns:ListSubscriptionsByTopic",
          "sns:Publish",
        ]
        Resource = local.topic_arn
        # Says "this account" outright (the principal alone would too), so no
        # reader - or scanner - can take the statement for cross-account access.
        Condition = { StringEquals = { "aws:PrincipalAccount" = local.account_id } }
      },
      {
        Sid       = "DenyRequestsWithoutTls"
        Effect    = "Deny"
        Principal = "*"
        Action    = ["sns:Publish", "sns:Subscribe"]
        Resource  = local.topic_arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  }
}

resource "aws_sns_topic" "this" {
  name              = var.name
  display_name      = var.display_name
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_policy" "this" {
  arn    = aws_sns_topic.this.arn
  policy = jsonencode(local.topic_policy)
}

# E-mail subscriptions stay "pending confirmation" until the recipient follows
# the link SNS sends; Terraform cannot confirm them (AWS deletes unconfirmed
# ones after three days, and they can then be re-created by the next apply).
resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.email_subscriptions)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}
