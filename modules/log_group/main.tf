# One CloudWatch Logs log group with a retention period and optional
# customer-managed encryption. Lambda functions write here through
# logging_config, so Terraform (not the Lambda service) owns the group and its
# retention from the first invocation on.

resource "aws_cloudwatch_log_group" "this" {
  name                        = var.name
  retention_in_days           = var.retention_in_days
  log_group_class             = var.log_group_class
  kms_key_id                  = var.kms_key_arn
  deletion_protection_enabled = var.deletion_protection_enabled
  skip_destroy                = var.skip_destroy
  tags                        = var.tags
}
