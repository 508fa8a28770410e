# The bots, versions, aliases and Connect associations the module plans from
# bots.json, offline: both providers are mocked (their schemas still come from
# the stand-ins, so every argument is checked against the real provider shape).

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { region = "eu-west-2" }
  }
}

mock_provider "awscc" {
  mock_resource "awscc_lex_bot" {
    defaults = { bot_id = "BOTID00001" }
  }
  mock_resource "awscc_lex_bot_version" {
    defaults = { bot_version = "1" }
  }
  mock_resource "awscc_lex_bot_alias" {
    defaults = { arn = "arn:aws:lex:eu-west-2:111122223333:bot-alias/BOTID00001/ALIAS00001" }
  }
}

variables {
  name_prefix = "callguard-test"
  connect_instance_arns = {
    london = "arn:aws:connect:eu-west-2:111122223333:instance/0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
    backup = "arn:aws:connect:eu-west-2:111122223333:instance/7d4e2f10-aaaa-4bbb-8ccc-123456789abc"
  }
  tags = { App = "callguard" }
}

run "one_bot_per_question_type" {
  command = apply

  assert {
    condition     = toset(keys(awscc_lex_bot.this)) == toset(["ok", "yes_no", "multiple_choice", "number", "date", "time"])
    error_message = "Every question type must get its own bot by default."
  }

  assert {
    condition     = awscc_lex_bot.this["multiple_choice"].name == "callguard-test-multiple-choice"
    error_message = "Bot names must be <prefix>-<question type with hyphens>."
  }

  assert {
    condition = alltrue([
      for bot in awscc_lex_bot.this : contains([for i in one(bot.bot_locales).intents : i.name], "OptOut") && contains([for i in one(bot.bot_locales).intents : i.name], "Repeat") && contains([for i in one(bot.bot_locales).intents : i.parent_intent_signature if i.parent_intent_signature != null], "AMAZON.FallbackIntent")
    ])
    error_message = "Every bot must hear OptOut and Repeat and have the fallback intent."
  }

  assert {
    condition     = toset([for i in one(awscc_lex_bot.this["yes_no"].bot_locales).intents : i.name]) == toset(["Answer", "KeypadYes", "KeypadNo", "Repeat", "OptOut", "FallbackIntent"])
    error_message = "The yes/no bot must have exactly its answer, keypad, shared and fallback intents."
  }

  assert {
    condition = alltrue([
      for pair in [["yes_no", "AMAZON.Confirmation"], ["number", "AMAZON.Number"], ["date", "AMAZON.Date"], ["time", "AMAZON.Time"], ["multiple_choice", "ChoiceLetter"]] :
      one([for s in one([for i in one(awscc_lex_bot.this[pair[0]].bot_locales).intents : i if i.name == "Answer"]).slots : s.slot_type_name]) == pair[1]
    ])
    error_message = "Each Answer intent must fill its slot with the question type's slot type."
  }

  assert {
    condition     = toset([for v in one(one(awscc_lex_bot.this["multiple_choice"].bot_locales).slot_types).slot_type_values : v.sample_value.value]) == toset(["A", "B", "C", "D", "E"])
    error_message = "The multiple choice bot must define the letters A-E."
  }

  assert {
    condition     = length(one(awscc_lex_bot.this["number"].bot_locales).slot_types) == 0
    error_message = "Bots with only built-in slot types must define no custom slot type."
  }

  assert {
    condition     = contains([for u in one([for i in one(awscc_lex_bot.this["ok"].bot_locales).intents : i if i.name == "OptOut"]).sample_utterances : u.utterance], "do not call me")
    error_message = "Opt-out must be heard from the words the greeting announces."
  }

  assert {
    condition     = one(awscc_lex_bot.this["ok"].bot_locales).locale_id == "en_GB" && one(awscc_lex_bot.this["ok"].bot_locales).voice_settings.voice_id == "Amy"
    error_message = "The default locale and voice must be en_GB and Amy."
  }

  assert {
    condition     = awscc_lex_bot.this["ok"].bot_tags == toset([{ key = "App", value = "callguard" }])
    error_message = "Bots must carry the module's tags."
  }
}

run "aliases_versions_and_associations" {
  command = apply

  assert {
    condition     = length(awscc_lex_bot_alias.this) == 6 && alltrue([for a in awscc_lex_bot_alias.this : a.bot_alias_name == "live" && a.bot_version == "1"])
    error_message = "Each bot must get an alias named live on its published version."
  }

  assert {
    condition     = alltrue([for v in awscc_lex_bot_version.this : one(v.bot_version_locale_specification).bot_version_locale_details.source_bot_version == "DRAFT"])
    error_message = "Versions must be published from the draft the bot resource builds."
  }

  assert {
    condition     = length(awscc_connect_integration_association.this) == 12
    error_message = "Every alias must be associated with each of the two instances."
  }

  assert {
    condition = alltrue([
      for key, a in awscc_connect_integration_association.this :
      a.integration_type == "LEX_BOT" && a.instance_id == var.connect_instance_arns[split("/", key)[0]]
    ])
    error_message = "Associations must be LEX_BOT integrations of the right instance."
  }

  assert {
    condition     = output.alias_arns["date"] == "arn:aws:lex:eu-west-2:111122223333:bot-alias/BOTID00001/ALIAS00001"
    error_message = "alias_arns must give the alias of each question type."
  }

  assert {
    condition     = output.session_attributes["date"]["x-amz-lex:dtmf:max-length:*:*"] == "8" && output.session_attributes["ok"]["x-amz-lex:dtmf:end-character:*:*"] == "#"
    error_message = "Session attributes must merge the shared DTMF settings with each bot's own."
  }
}

run "least_privilege_role" {
  command = plan

  assert {
    condition     = jsondecode(aws_iam_role.bots[0].assume_role_policy).Statement[0].Principal.Service == "lexv2.amazonaws.com" && jsondecode(aws_iam_role.bots[0].assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "111122223333"
    error_message = "Only Lex V2 in this account may assume the bots' role."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.bots[0].policy).Statement == [{ Sid = "SpeakPrompts", Effect = "Allow", Action = ["polly:SynthesizeSpeech"], Resource = ["arn:aws:polly:eu-west-2:111122223333:lexicon/*"] }]
    error_message = "The role may only synthesise speech."
  }
}

run "existing_alias_replaces_a_bot" {
  command = plan

  variables {
    existing_alias_arns = { yes_no = "arn:aws:lex:eu-west-2:111122223333:bot-alias/OWNBOT0001/OWNALIAS01" }
  }

  assert {
    condition     = !contains(keys(awscc_lex_bot.this), "yes_no") && length(awscc_lex_bot.this) == 5
    error_message = "A question type with an existing alias must get no bot."
  }

  assert {
    condition     = output.alias_arns["yes_no"] == "arn:aws:lex:eu-west-2:111122223333:bot-alias/OWNBOT0001/OWNALIAS01"
    error_message = "The existing alias must be the one the flow calls."
  }

  assert {
    condition     = awscc_connect_integration_association.this["london/yes_no"].integration_arn == "arn:aws:lex:eu-west-2:111122223333:bot-alias/OWNBOT0001/OWNALIAS01"
    error_message = "The existing alias must be associated with the instances."
  }
}

run "existing_aliases_only" {
  command = plan

  variables {
    question_types             = ["yes_no"]
    existing_alias_arns        = { yes_no = "arn:aws:lex:eu-west-2:111122223333:bot-alias/OWNBOT0001/OWNALIAS01" }
    associate_existing_aliases = false
  }

  assert {
    condition     = length(awscc_lex_bot.this) == 0 && length(aws_iam_role.bots) == 0 && length(awscc_connect_integration_association.this) == 0
    error_message = "With only existing, already associated aliases nothing is built."
  }
}

run "language_and_voice" {
  command = apply

  variables {
    locale_id      = "en_US"
    voice_id       = "Joanna"
    voice_engine   = "generative"
    question_types = ["number"]
  }

  assert {
    condition     = one(awscc_lex_bot.this["number"].bot_locales).voice_settings == { voice_id = "Joanna", engine = "generative" } && one(awscc_lex_bot_alias.this["number"].bot_alias_locale_settings).locale_id == "en_US"
    error_message = "Locale and voice must reach the bot and its alias."
  }
}

run "rejects_a_bad_locale" {
  command = plan

  variables {
    locale_id = "english"
  }

  expect_failures = [var.locale_id]
}

run "rejects_an_unknown_question_type" {
  command = plan

  variables {
    existing_alias_arns = { essay = "arn:aws:lex:eu-west-2:111122223333:bot-alias/OWNBOT0001/OWNALIAS01" }
  }

  expect_failures = [var.existing_alias_arns]
}

run "rejects_an_instance_id_for_an_arn" {
  command = plan

  variables {
    connect_instance_arns = { london = "0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d" }
  }

  expect_failures = [var.connect_instance_arns]
}
