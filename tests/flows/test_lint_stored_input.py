"""The stored-input lint rule on the spam-challenge module: each mistake, and the clean case."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from callguard_tools.flows.lint import lint_template, lint_text
from callguard_tools.flows.render import render_file
from callguard_tools.flows.rules import Finding
from callguard_tools.flows.shipped_templates import DEMO_CHALLENGE_MODULE_ARN, DEMO_VALUES, template

CHALLENGE = "spam_challenge.module.json.tftpl"
Doc = dict[str, Any]


def _document() -> Doc:
    entry = template(CHALLENGE)
    assert entry is not None
    document: Doc = json.loads(render_file(entry.path, dict(DEMO_VALUES[CHALLENGE])))
    return document


def _collect(doc: Doc) -> Doc:
    action = next(a for a in doc["Actions"] if a["Identifier"] == "collect-code")
    assert isinstance(action, dict)
    return action


def _lint(doc: Doc) -> list[Finding]:
    return [
        f
        for f in lint_text(json.dumps(doc), "challenge", "CONTACT_FLOW_MODULE")
        if f.rule == "stored-input"
    ]


def test_shipped_module_is_clean() -> None:
    assert _lint(_document()) == []


def _set(path: tuple[str, ...], value: object) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        target = _collect(doc)["Parameters"]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _drop_validation(doc: Doc) -> None:
    del _collect(doc)["Parameters"]["InputValidation"]


def _add_condition(doc: Doc) -> None:
    _collect(doc)["Transitions"]["Conditions"] = [
        {"NextAction": "end-module", "Condition": {"Operator": "Equals", "Operands": ["1"]}}
    ]


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (_set(("InputValidation", "CustomValidation", "MaximumLength"), "21"), "MaximumLength"),
        (_set(("InputValidation", "CustomValidation", "MaximumLength"), "four"), "MaximumLength"),
        (_set(("InputValidation",), {"Other": {}}), "CustomValidation"),
        (_drop_validation, "needs InputValidation"),
        (_set(("DTMFConfiguration", "InputTerminationSequence"), "x"), "keypad keys"),
        (_set(("DTMFConfiguration", "EndKey"), "#"), "EndKey is not documented"),
        (_set(("DTMFConfiguration",), "#"), "must be an object"),
        (_add_condition, "no digit conditions"),
    ],
)
def test_each_mistake_is_an_error(mutate: Callable[[Doc], None], words: str) -> None:
    document = copy.deepcopy(_document())
    mutate(document)
    findings = _lint(document)
    assert [f.severity for f in findings] == ["error"], findings
    assert words in findings[0].message
    assert findings[0].action == "collect-code"


def test_phone_number_validation_is_accepted() -> None:
    document = _document()
    _collect(document)["Parameters"]["InputValidation"] = {"PhoneNumberValidation": {}}
    assert _lint(document) == []


def test_timeout_branch_in_store_mode_is_a_warning() -> None:
    document = _document()
    _collect(document)["Transitions"]["Errors"].append(
        {"ErrorType": "InputTimeLimitExceeded", "NextAction": "end-module"}
    )
    findings = _lint(document)
    assert [f.severity for f in findings] == ["warning"]
    assert "Timeout" in findings[0].message


def test_menu_mode_is_not_this_rules_business() -> None:
    document = _document()
    parameters = _collect(document)["Parameters"]
    parameters["StoreInput"] = "False"
    del parameters["InputValidation"]
    assert _lint(document) == []


@pytest.mark.parametrize("enabled", [False, True])
def test_inbound_flow_lints_clean_with_and_without_the_challenge(enabled: bool) -> None:
    inbound = template("inbound_denylist.flow.json.tftpl")
    assert inbound is not None
    values = {
        **DEMO_VALUES[inbound.filename],
        "challenge_enabled": enabled,
        "challenge_module_id": DEMO_CHALLENGE_MODULE_ARN if enabled else "",
    }
    text = inbound.path.read_text(encoding="utf-8")
    assert lint_template(text, inbound.filename, values, inbound.flow_type) == []
