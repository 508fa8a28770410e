# A symmetric customer managed key for one callguard environment: the
# deny-list table, the functions' environment variables and their log groups.
#
# The key policy follows the AWS default shape: the account (that is, its IAM
# policies) administers and uses the key, so each function's role grants
# itself exactly what it needs. The one service that cannot go through IAM,
# CloudWatch Logs, is named explicitly and limited to this environment's log
# groups by encryption context.

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
  account_root = "arn:${local.partition}:iam::${local.account_id}:root"

  logs_statements = length(var.log_group_name_prefixes) == 0 ? [] : [
    {
      Sid       = "AllowCloudWatchLogsForCallguardLogGroups"
      Effect    = "Allow"
      Principal = { Service = "logs.${local.region}.amazonaws.com" }
      Action = [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:DescribeKey",
      ]
      # In a key policy "*" means "this key"; the condition narrows the use.
      Resource = "*"
      Condition = {
        ArnLike = {
          "kms:EncryptionContext:aws:logs:arn" = [
            for p in var.log_group_name_prefixes :
            "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${p}*"
          ]
        }
      }
    },
  ]

  policy = {
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          # The AWS default key policy statement. Without it the key can become
          # unmanageable (only the root user could recover it); with it, access
          # is decided by the account's IAM policies, which callguard scopes to
          # exact actions on this key's ARN.
          Sid       = "EnableIamPoliciesOfThisAccount"
          Effect    = "Allow"
          Principal = { AWS = local.account_root }
          Action    = "kms:*"
          Resource  = "*"
        },
      ],
      local.logs_statements,
    )
  }
}

resource "aws_kms_key" "this" {
  description             = var.description
  key_usage               = "ENCRYPT_DECRYPT"
  enable_key_rotation     = true
  rotation_period_in_days = var.rotation_period_in_days
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = jsonencode(local.policy)
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.alias_name}"
  target_key_id = aws_kms_key.this.key_id
}
