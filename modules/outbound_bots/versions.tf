terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.66"
    }
    # hashicorp/aws has no Lex V2 bot alias and associates only Lex V1 bots with
    # Amazon Connect, so the bots, versions, aliases and associations come from
    # the Cloud Control provider. A minimum here; the roots pin it exactly.
    awscc = {
      source  = "hashicorp/awscc"
      version = ">= 1.106.0"
    }
  }
}
