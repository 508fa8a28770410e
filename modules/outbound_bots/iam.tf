# The role Lex assumes to run the bots. Lex V2's runtime needs Amazon Polly to
# speak its own prompts in the chosen voice, and nothing else: no sentiment
# analysis, no conversation logs, no code hooks.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.region
}

resource "aws_iam_role" "bots" {
  count = length(local.managed) > 0 ? 1 : 0

  name        = "${var.name_prefix}-outbound-bots"
  description = "Runtime role of the outbound Lex V2 bots (${var.name_prefix})."
  tags        = var.tags

  # Only Lex V2, and only for bots in this account and region (confused deputy).
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "LexV2BotsOfThisAccount"
        Effect    = "Allow"
        Principal = { Service = "lexv2.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account }
          ArnLike      = { "aws:SourceArn" = "arn:${local.partition}:lex:${local.region}:${local.account}:bot/*" }
        }
      },
    ]
  })
}

resource "aws_iam_role_policy" "bots" {
  count = length(aws_iam_role.bots)

  name = "speak-prompts"
  role = aws_iam_role.bots[0].id

  # polly:SynthesizeSpeech is authorised against lexicons; the bots use none of
  # their own, so the narrowest resource is this account's lexicons here.
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "SpeakPrompts"
        Effect   = "Allow"
        Action   = ["polly:SynthesizeSpeech"]
        Resource = ["arn:${local.partition}:polly:${local.region}:${local.account}:lexicon/*"]
      },
    ]
  })
}
