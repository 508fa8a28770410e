# The one Terraform file that differs between environment roots. Every other .tf
# file here is a link to ../../shared/, so the roots cannot drift apart; what does
# differ per environment lives in terraform.tfvars and backend.hcl.
locals {
  environment = "prod"
}
