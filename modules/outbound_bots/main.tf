# Lex V2 bots that hear the answers to outbound call questions: one bot per
# question type (see the README for why not one bot), each with a version and
# an alias, built from the bot definition in bots.json. The same file is what
# the flow tools resolve simulated answers from, so a test fails when a bot
# cannot understand what the outbound flow asks for.

locals {
  definition_path = var.definition_file != "" ? var.definition_file : "${path.module}/bots.json"
  definition      = jsondecode(file(local.definition_path))

  # Question types built here; a type with an existing alias gets no bot.
  managed = {
    for key, bot in local.definition.bots : key => bot
    if contains(var.question_types, key) && !contains(keys(var.existing_alias_arns), key)
  }

  # Each bot hears its own answers plus the intents every question shares
  # (Repeat, OptOut).
  intents = {
    for key, bot in local.managed : key => merge(bot.intents, local.definition.common_intents)
  }

  # Custom slot types a bot's intents use (the AMAZON.* ones are built in).
  custom_slot_types = {
    for key, intents in local.intents : key => distinct(flatten([
      for intent in values(intents) : [
        for slot_type in values(try(intent.slots, {})) : slot_type if !startswith(slot_type, "AMAZON.")
      ]
    ]))
  }

  locale_intents = {
    for key, intents in local.intents : key => concat(
      [
        for name, intent in intents : {
          name              = name
          description       = intent.description
          sample_utterances = [for utterance in intent.utterances : { utterance = utterance }]
          # Slots are optional: the flow, not Lex, asks again when an answer
          # arrives without one, so Lex never elicits on its own.
          slots = [
            for slot_name, slot_type in try(intent.slots, {}) : {
              name                      = slot_name
              slot_type_name            = slot_type
              value_elicitation_setting = { slot_constraint = "Optional" }
            }
          ]
          slot_priorities = [
            for index, slot_name in keys(try(intent.slots, {})) : { priority = index + 1, slot_name = slot_name }
          ]
        }
      ],
      [
        {
          name                    = "FallbackIntent"
          description             = "Anything the bot does not understand; the flow asks again."
          parent_intent_signature = "AMAZON.FallbackIntent"
        },
      ],
    )
  }

  locale_slot_types = {
    for key, names in local.custom_slot_types : key => [
      for name in names : {
        name                    = name
        description             = local.definition.slot_types[name].description
        value_selection_setting = { resolution_strategy = "TOP_RESOLUTION" }
        slot_type_values = [
          for value, synonyms in local.definition.slot_types[name].values : {
            sample_value = { value = value }
            synonyms     = [for synonym in synonyms : { value = synonym }]
          }
        ]
      }
    ]
  }

  # A digest of what each bot hears: a new one publishes a new version.
  definition_digest = {
    for key, bot in local.managed : key => substr(sha256(jsonencode({
      intents    = local.locale_intents[key]
      slot_types = local.locale_slot_types[key]
      locale     = var.locale_id
      voice      = [var.voice_id, var.voice_engine]
    })), 0, 16)
  }

  tag_list = [for key, value in var.tags : { key = key, value = value }]
}

resource "awscc_lex_bot" "this" {
  for_each = local.managed

  name                        = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  description                 = "${each.value.question_type} answers of outbound calls. ${each.value.description}"
  role_arn                    = aws_iam_role.bots[0].arn
  idle_session_ttl_in_seconds = var.idle_session_ttl_in_seconds
  auto_build_bot_locales      = true

  data_privacy = {
    child_directed = var.child_directed
  }

  bot_locales = [
    {
      locale_id                = var.locale_id
      description              = "Answers to ${each.value.question_type} questions."
      nlu_confidence_threshold = var.nlu_confidence_threshold
      voice_settings = {
        voice_id = var.voice_id
        engine   = var.voice_engine
      }
      slot_types = local.locale_slot_types[each.key]
      intents    = local.locale_intents[each.key]
    },
  ]

  bot_tags = local.tag_list
}

# A numbered, immutable snapshot of the bot. A changed definition replaces the
# version (create before destroy), and the alias moves to the new one.
resource "awscc_lex_bot_version" "this" {
  for_each = awscc_lex_bot.this

  bot_id      = each.value.bot_id
  description = "Definition ${local.definition_digest[each.key]}."

  bot_version_locale_specification = [
    {
      locale_id = var.locale_id
      bot_version_locale_details = {
        source_bot_version = "DRAFT"
      }
    },
  ]

  lifecycle {
    create_before_destroy = true
    replace_triggered_by  = [awscc_lex_bot.this[each.key]]
  }
}

resource "awscc_lex_bot_alias" "this" {
  for_each = awscc_lex_bot_version.this

  bot_id         = awscc_lex_bot.this[each.key].bot_id
  bot_alias_name = var.alias_name
  bot_version    = each.value.bot_version
  description    = "The ${local.managed[each.key].question_type} bot the outbound flow calls."

  bot_alias_locale_settings = [
    {
      locale_id = var.locale_id
      bot_alias_locale_setting = {
        enabled = true
      }
    },
  ]

  # Answers are matched to intents only; no sentiment is analysed.
  sentiment_analysis_settings = {
    detect_sentiment = false
  }

  bot_alias_tags = local.tag_list
}

locals {
  # Every alias the outbound flow may call, by question type: built here or given.
  alias_arns = merge(
    { for key, alias in awscc_lex_bot_alias.this : key => alias.arn },
    { for key, arn in var.existing_alias_arns : key => arn if contains(var.question_types, key) },
  )

  associated_types = setunion(
    keys(local.managed),
    var.associate_existing_aliases ? [for key in keys(var.existing_alias_arns) : key if contains(var.question_types, key)] : [],
  )

  associations = {
    for pair in setproduct(keys(var.connect_instance_arns), local.associated_types) :
    "${pair[0]}/${pair[1]}" => { instance = pair[0], question_type = pair[1] }
  }
}

# Amazon Connect may call a Lex V2 alias only once it is associated with the
# instance; Connect then adds the alias's resource policy itself.
resource "awscc_connect_integration_association" "this" {
  for_each = local.associations

  instance_id      = var.connect_instance_arns[each.value.instance]
  integration_type = "LEX_BOT"
  integration_arn  = local.alias_arns[each.value.question_type]
}
