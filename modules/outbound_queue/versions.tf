terraform {
  required_version = ">= 1.10"

  # A reusable module states minimum versions; the environment roots pin exactly.
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.66"
    }
  }
}
