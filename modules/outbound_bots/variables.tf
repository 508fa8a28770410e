# ---------------------------------------------------------------- naming

variable "name_prefix" {
  description = "Prefix of every bot name (<prefix>-<question-type>, e.g. callguard-dev-yes-no) and of the bots' IAM role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", var.name_prefix))
    error_message = "name_prefix must be 1-64 of A-Za-z0-9_- and start with a letter or digit (Lex bot names allow no more)."
  }
}

variable "tags" {
  description = "Tags for the bots, their aliases and the IAM role."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------- what to build

variable "question_types" {
  description = "Question types that get a bot: any of ok, yes_no, multiple_choice, number, date, time (the keys of the bot definition)."
  type        = set(string)
  default     = ["ok", "yes_no", "multiple_choice", "number", "date", "time"]

  validation {
    condition     = length(setsubtract(var.question_types, ["ok", "yes_no", "multiple_choice", "number", "date", "time"])) == 0
    error_message = "question_types may hold only ok, yes_no, multiple_choice, number, date and time."
  }
}

variable "existing_alias_arns" {
  description = "Per question type, the ARN of a Lex V2 bot alias you already run; no bot is built for that type and its alias is used (and associated) instead."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setsubtract(keys(var.existing_alias_arns), ["ok", "yes_no", "multiple_choice", "number", "date", "time"])) == 0
    error_message = "existing_alias_arns keys must be question types: ok, yes_no, multiple_choice, number, date or time."
  }

  validation {
    condition = alltrue([
      for arn in values(var.existing_alias_arns) :
      can(regex("^arn:aws[a-z-]*:lex:[a-z0-9-]+:[0-9]{12}:bot-alias/[A-Z0-9]{10}/[A-Z0-9]{10}$", arn))
    ])
    error_message = "Each existing alias ARN must look like arn:aws:lex:<region>:<account>:bot-alias/<BOTID>/<ALIASID>."
  }
}

variable "definition_file" {
  description = "Path of the bot definition (intents, utterances, slot types, keypad patterns). Empty: the module's own bots.json. Give your own copy to change the wording or the language."
  type        = string
  default     = ""

  validation {
    condition     = var.definition_file == "" || can(jsondecode(file(var.definition_file)).bots)
    error_message = "definition_file must be a JSON file with a \"bots\" object (see the module's bots.json)."
  }
}

# ---------------------------------------------------------------- language and voice

variable "locale_id" {
  description = "Lex V2 locale of every bot, e.g. en_GB, en_US, en_AU. The definition's utterances must be in that language."
  type        = string
  default     = "en_GB"

  validation {
    condition     = can(regex("^[a-z]{2}_[A-Z]{2}$", var.locale_id))
    error_message = "locale_id must look like en_GB (language, underscore, country)."
  }
}

variable "voice_id" {
  description = "Amazon Polly voice the bots speak with (their own prompts only: the flow speaks the questions), e.g. Amy, Brian, Joanna."
  type        = string
  default     = "Amy"

  validation {
    condition     = can(regex("^[A-Z][A-Za-z]{1,31}$", var.voice_id))
    error_message = "voice_id must be an Amazon Polly voice name such as Amy."
  }
}

variable "voice_engine" {
  description = "Amazon Polly engine of the voice: standard, neural, long-form or generative."
  type        = string
  default     = "neural"

  validation {
    condition     = contains(["standard", "neural", "long-form", "generative"], var.voice_engine)
    error_message = "voice_engine must be standard, neural, long-form or generative."
  }
}

variable "nlu_confidence_threshold" {
  description = "Lowest intent confidence (0-1) Lex accepts; below it the answer goes to the fallback intent and the flow asks again."
  type        = number
  default     = 0.4

  validation {
    condition     = var.nlu_confidence_threshold >= 0 && var.nlu_confidence_threshold <= 1
    error_message = "nlu_confidence_threshold must be between 0 and 1."
  }
}

variable "idle_session_ttl_in_seconds" {
  description = "How long Lex keeps a conversation's session (60-86400 s). A question takes well under the default five minutes."
  type        = number
  default     = 300

  validation {
    condition     = var.idle_session_ttl_in_seconds >= 60 && var.idle_session_ttl_in_seconds <= 86400 && floor(var.idle_session_ttl_in_seconds) == var.idle_session_ttl_in_seconds
    error_message = "idle_session_ttl_in_seconds must be a whole number from 60 to 86400."
  }
}

variable "child_directed" {
  description = "Whether the bots are directed at children under 13 (COPPA); Lex requires the answer."
  type        = bool
  default     = false
}

variable "alias_name" {
  description = "Name of each bot's alias, the one the outbound flow calls."
  type        = string
  default     = "live"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$", var.alias_name)) && var.alias_name != "TestBotAlias"
    error_message = "alias_name must be 1-100 of A-Za-z0-9_-, and not TestBotAlias (Lex's own)."
  }
}

# ---------------------------------------------------------------- Amazon Connect

variable "connect_instance_arns" {
  description = "Amazon Connect instances that run outbound jobs, by a key of your choice (the roots' instance keys). Every bot alias is associated with each."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for arn in values(var.connect_instance_arns) :
      can(regex("^arn:aws[a-z-]*:connect:[a-z0-9-]+:[0-9]{12}:instance/[0-9a-f-]{36}$", arn))
    ])
    error_message = "Each Connect instance must be given by its ARN: arn:aws:connect:<region>:<account>:instance/<uuid>."
  }
}

variable "associate_existing_aliases" {
  description = "Whether the aliases in existing_alias_arns are associated with the instances too. Turn off when they already are (Connect refuses a second association)."
  type        = bool
  default     = true
}
