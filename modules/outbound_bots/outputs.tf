output "alias_arns" {
  description = "Lex V2 bot alias ARN per question type (ok, yes_no, multiple_choice, number, date, time): the LexV2Bot.AliasArn of the outbound flow's ConnectParticipantWithLexBot blocks. Built here or taken from existing_alias_arns."
  value       = local.alias_arns
}

output "bot_ids" {
  description = "Id of each bot this module built, per question type."
  value       = { for key, bot in awscc_lex_bot.this : key => bot.bot_id }
}

output "bot_versions" {
  description = "The version each alias points at, per question type."
  value       = { for key, version in awscc_lex_bot_version.this : key => version.bot_version }
}

output "role_arn" {
  description = "ARN of the bots' runtime role (null when every question type uses an existing alias)."
  value       = one(aws_iam_role.bots[*].arn)
}

output "association_ids" {
  description = "Id of each alias-to-instance association, by \"<instance key>/<question type>\"."
  value       = { for key, association in awscc_connect_integration_association.this : key => association.id }
}

output "session_attributes" {
  description = "Lex session attributes (DTMF settings) per question type, for the flow's LexSessionAttributes."
  value = {
    for key, bot in local.definition.bots : key => merge(local.definition.keypad.session_attributes, bot.session_attributes)
    if contains(var.question_types, key)
  }
}

output "locale_id" {
  description = "The bots' locale."
  value       = var.locale_id
}

output "definition_path" {
  description = "The bot definition file the bots were built from (what the flow tools resolve answers with)."
  value       = local.definition_path
}
