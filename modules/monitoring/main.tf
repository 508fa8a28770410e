# Metrics, one dashboard and the alarms of one callguard environment.
#
# Metrics come from metric filters on the structured log lines the functions
# already write (one JSON line per invocation, one JSON event per change), not
# from embedded metric format: the check stays exactly as fast as it is (no
# extra bytes or code on the path a caller waits on), no runtime code depends on
# the metric names, and a filter can be added or changed for past-proof counts
# without redeploying a function. Each count is published twice: a total (for
# alarms) and per Amazon Connect instance (dimension Instance = instance id).

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
  namespace = coalesce(var.namespace, "Callguard/${var.name_prefix}")

  # name => what to count, where, and whether to split it per instance.
  log_metrics = merge(
    {
      CallsChecked = {
        log_group    = var.log_groups.check_number
        pattern      = "{ $.handler = \"check_number\" }"
        value        = "1"
        per_instance = true
      }
      CallsBlocked = {
        log_group    = var.log_groups.check_number
        pattern      = "{ ($.handler = \"check_number\") && ($.blocked = \"true\") }"
        value        = "1"
        per_instance = true
      }
      CallsPending = {
        log_group    = var.log_groups.check_number
        pattern      = "{ ($.handler = \"check_number\") && ($.outcome = \"pending\") }"
        value        = "1"
        per_instance = true
      }
      CallsAnonymous = {
        log_group    = var.log_groups.check_number
        pattern      = "{ ($.handler = \"check_number\") && ($.outcome = \"anonymous\") }"
        value        = "1"
        per_instance = true
      }
      CheckErrors = {
        log_group    = var.log_groups.check_number
        pattern      = "{ ($.handler = \"check_number\") && ($.outcome = \"error\") }"
        value        = "1"
        per_instance = true
      }
      Flags = {
        log_group    = var.log_groups.flag_number
        pattern      = "{ ($.handler = \"flag_number\") && ($.outcome = \"flagged\") }"
        value        = "1"
        per_instance = true
      }
      FlagErrors = {
        log_group    = var.log_groups.flag_number
        pattern      = "{ ($.handler = \"flag_number\") && ($.outcome = \"error\") }"
        value        = "1"
        per_instance = true
      }
      Additions = {
        log_group    = var.log_groups.audit_events
        pattern      = "{ ($.event = \"callguard.audit\") && ($.kind = \"insert\") }"
        value        = "1"
        per_instance = true
      }
      Removals = {
        log_group    = var.log_groups.audit_events
        pattern      = "{ ($.event = \"callguard.audit\") && ($.kind = \"remove\") && ($.expired_by_ttl IS FALSE) }"
        value        = "1"
        per_instance = true
      }
      Expiries = {
        log_group    = var.log_groups.audit_events
        pattern      = "{ ($.event = \"callguard.audit\") && ($.expired_by_ttl IS TRUE) }"
        value        = "1"
        per_instance = true
      }
      AuditRecordFailures = {
        log_group    = var.log_groups.audit_function
        pattern      = "{ ($.handler = \"audit\") && ($.failed > 0) }"
        value        = "$.failed"
        per_instance = false
      }
    },
    var.challenge == null ? {} : {
      ChallengePasses = {
        log_group    = var.challenge.log_group_name
        pattern      = var.challenge.pass_pattern
        value        = "1"
        per_instance = true
      }
      ChallengeFailures = {
        log_group    = var.challenge.log_group_name
        pattern      = var.challenge.fail_pattern
        value        = "1"
        per_instance = true
      }
    },
  )

  # One filter per total, one per per-instance split (a filter publishes one metric).
  # A field used as a dimension must be matched by the pattern, so the split's
  # pattern also requires the instance field.
  filters = merge(
    { for name, m in local.log_metrics : name => merge(m, { metric = name, dimensions = {} }) },
    {
      for name, m in local.log_metrics : "${name}-by-instance" => merge(m, {
        metric     = name
        pattern    = replace(m.pattern, "/}\\s*$/", "&& ($.instance = *) }")
        dimensions = { Instance = "$.instance" }
      })
      if m.per_instance
    },
  )

  alarm_arn_prefix = "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:"
  actions          = var.alarms.sns_topic_arns

  # Duration "near the Connect limit": the flows give the check at most
  # check_timeout_seconds, so alarm at a share of the shortest one.
  duration_threshold_ms = floor(var.check_timeout_seconds * 1000 * var.alarms.duration_threshold_ratio)
}

# ---------------------------------------------------------------- metric filters
resource "aws_cloudwatch_log_metric_filter" "this" {
  for_each = local.filters

  name           = "${var.name_prefix}-${each.key}"
  log_group_name = each.value.log_group
  pattern        = each.value.pattern

  metric_transformation {
    namespace  = local.namespace
    name       = each.value.metric
    value      = each.value.value
    unit       = "Count"
    dimensions = length(each.value.dimensions) == 0 ? null : each.value.dimensions
    # A filter with dimensions may not publish a default value.
    default_value = length(each.value.dimensions) == 0 ? "0" : null
  }
}
