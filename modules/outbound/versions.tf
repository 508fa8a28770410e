terraform {
  required_version = ">= 1.10"

  # A reusable module states minimum versions; the environment roots pin exactly.
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.66"
    }
    # The Lex V2 bots of the call (modules/outbound_bots).
    awscc = {
      source  = "hashicorp/awscc"
      version = ">= 1.106.0"
    }
  }
}
