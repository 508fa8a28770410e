"""Both handlers, fed arbitrary events, never raise and always answer with the same flat map."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runtime_events import contact_event

from callguard.handlers import check_number, flag_number

HUGE = "9" * 100_000

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.sampled_from(
        ["+442079460958", "anonymous", "", "020 7946 0958", HUGE, "\u00e9\u260e\U0001d7d8", "\x00"]
    ),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def _shaped_event(address: Any, endpoint_type: Any, parameters: Any, contact_id: Any) -> Any:
    event = contact_event(address, endpoint_type=endpoint_type)
    event["Details"]["Parameters"] = parameters
    event["Details"]["ContactData"]["ContactId"] = contact_id
    return event


# Events that look like Connect's, with wrong types and odd values in every slot.
shaped_events = st.builds(
    _shaped_event,
    address=json_values,
    endpoint_type=st.one_of(st.none(), st.sampled_from(["TELEPHONE_NUMBER", "CHAT"]), json_values),
    parameters=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"CustomerNumber": json_values, "Reason": json_values, "AgentUsername": json_values}
        ),
    ),
    contact_id=json_values,
)
events = st.one_of(json_values, shaped_events)

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_flat(answer: object, keys: tuple[str, ...]) -> None:
    assert isinstance(answer, dict)
    assert tuple(answer) == keys
    assert all(isinstance(v, str) for v in answer.values())


@pytest.mark.usefixtures("handler_env")
@FUZZ
@given(events)
def test_check_number_always_answers(event: object) -> None:
    answer = check_number.handler(event, None)
    assert_flat(answer, check_number.KEYS)
    assert answer["blocked"] in ("true", "false")
    assert answer["status"] in ("blocked", "pending", "clear", "anonymous", "invalid", "error")
    assert answer["status"] != "error"  # malformed input is a defined outcome, not an error


@pytest.mark.usefixtures("handler_env")
@FUZZ
@given(events)
def test_flag_number_always_answers(event: object) -> None:
    answer = flag_number.handler(event, None)
    assert_flat(answer, flag_number.KEYS)
    assert answer["result"] in ("flagged", "already_listed", "invalid")
    assert answer["status"] in ("blocked", "pending", "")


@pytest.mark.usefixtures("handler_env")
@pytest.mark.parametrize("event", [None, [], "event", 42, {"Details": None}, {"Details": []}])
def test_degenerate_events(event: object) -> None:
    assert check_number.handler(event, None) == {
        "blocked": "false",
        "status": "anonymous",
        "reason": "",
        "caller_class": "missing",
    }
    assert flag_number.handler(event, None) == {"result": "invalid", "status": "", "reason": ""}


@pytest.mark.usefixtures("handler_env")
def test_huge_reason_is_stored_cut() -> None:
    event = contact_event(parameters={"Reason": "r" * 100_000})
    answer = flag_number.handler(event, None)
    assert answer["result"] == "flagged" and len(answer["reason"]) == 500
