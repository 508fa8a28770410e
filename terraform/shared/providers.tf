provider "aws" {
  region = var.aws_region

  # Refuse to touch any other account: a dev plan run with prod credentials
  # (or the reverse) fails before it changes anything.
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = merge(var.tags, {
      Application = "callguard"
      Environment = local.environment
      ManagedBy   = "terraform"
    })
  }
}

# Cloud Control: the outbound call's Lex V2 bots, their aliases and their
# association with the instance (hashicorp/aws has no Lex V2 alias).
provider "awscc" {
  region = var.aws_region
}
