terraform {
  required_version = ">= 1.10"

  # The root pins the provider exactly; reusable modules under modules/ state minimums.
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "6.66.0"
    }
    # The outbound call's Lex V2 bots (modules/outbound_bots); the offline
    # stand-in's schema (tools/callguard_tools/tfkit/awscc_schema.json) is of this version.
    awscc = {
      source  = "hashicorp/awscc"
      version = "1.106.0"
    }
  }

  # Partial configuration: bucket, key, region and use_lockfile come from
  # backend.hcl (copy backend.hcl.example). `terraform init -backend=false`
  # works without it, for validate and offline plans.
  backend "s3" {}
}
