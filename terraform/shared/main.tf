locals {
  lambda_zip_path = coalesce(var.lambda_zip_path, "${path.root}/../../../build/lambda/callguard.zip")
}

module "callguard" {
  source = "../../../modules/callguard"

  name_prefix = "callguard-${local.environment}"
  partition   = var.aws_partition
  region      = var.aws_region
  account_id  = var.aws_account_id

  kms_key_arn       = var.kms_key_arn
  table             = var.table
  challenge         = var.challenge
  lambda_zip_path   = local.lambda_zip_path
  functions         = var.functions
  settings          = var.settings
  connect_instances = var.connect_instances
  audit             = var.audit
  monitoring        = var.monitoring
  review            = var.review
}
