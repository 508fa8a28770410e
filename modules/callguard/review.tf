# The two-step review (settings.flag_mode = "review"): what the flag function
# needs beyond the table - the rejection suppression period and, unless turned
# off, an encrypted SNS topic for supervisors that only the flag function may
# publish to. The review queue itself is the table's status-created_at-index,
# which the CLI's `denylist pending` queries.

locals {
  review_notifications = var.settings.flag_mode == "review" && var.review.notifications

  # Known at plan time (built from its parts), so the policy below names it exactly.
  review_topic_arn = local.review_notifications ? module.review_notifications[0].arn : null

  # Merged into both functions' CALLGUARD_* variables; a null value is left out.
  review_environment = {
    CALLGUARD_REJECT_SUPPRESSION_DAYS = tostring(var.review.reject_suppression_days)
    CALLGUARD_NOTIFY_TOPIC_ARN        = local.review_topic_arn
  }

  # Added to the flag function's role: publish to this one topic, and use the
  # environment's key for it only through SNS in this region.
  review_publish_statements = !local.review_notifications ? [] : [
    {
      sid        = "PublishReviewNotifications"
      actions    = ["sns:Publish"]
      resources  = [local.review_topic_arn]
      conditions = []
    },
    {
      sid       = "UseKeyForReviewNotificationsThroughSNS"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [local.kms_key_arn]
      conditions = [
        { test = "StringEquals", variable = "kms:ViaService", values = ["sns.${var.region}.amazonaws.com"] },
      ]
    },
  ]
}

module "review_notifications" {
  source = "../review_notifications"
  count  = local.review_notifications ? 1 : 0

  name                = "${var.name_prefix}-review"
  display_name        = "callguard ${var.name_prefix} review"
  kms_key_arn         = local.kms_key_arn
  email_subscriptions = var.review.email_subscriptions
  tags                = var.tags
}
