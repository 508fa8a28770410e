"""The one EMF builder, and the one place that decides who the caller is."""

from __future__ import annotations

import pytest

from callguard import metrics, notify
from callguard.connect import parse_event
from callguard.metrics import Metric
from callguard.numbers import E164, MISSING, NON_TELEPHONE


def test_no_metrics_add_no_block() -> None:
    assert metrics.embedded([]) == {}


def test_each_metric_is_a_directive_under_one_block() -> None:
    fields = metrics.embedded(
        [Metric("ChallengeFailed", (("handler", "verify_code"),)), notify.failure_metric("t")],
        now=1.5,
    )
    assert fields["_aws"] == {
        "Timestamp": 1500,
        "CloudWatchMetrics": [
            {
                "Namespace": "callguard",
                "Dimensions": [["handler"]],
                "Metrics": [{"Name": "ChallengeFailed", "Unit": "Count"}],
            },
            {
                "Namespace": "callguard",
                "Dimensions": [["Table"]],
                "Metrics": [{"Name": "ReviewNotificationFailures", "Unit": "Count"}],
            },
        ],
    }
    assert (fields["handler"], fields["Table"]) == ("verify_code", "t")
    assert (fields["ChallengeFailed"], fields["ReviewNotificationFailures"]) == (1, 1)


def _contact(channel: str, address: object, **parameters: str) -> object:
    endpoint = {"Address": address, "Type": "TELEPHONE_NUMBER"} if address else None
    data = {"Channel": channel, "CustomerEndpoint": endpoint}
    return {"Details": {"ContactData": data, "Parameters": parameters}}


@pytest.mark.parametrize(
    ("channel", "address", "keypad", "expected"),
    [
        ("VOICE", "+442079460958", False, E164),
        ("VOICE", "+442079460958", True, E164),
        ("VOICE", None, False, MISSING),
        ("CHAT", None, False, NON_TELEPHONE),  # a web chat: no number to match
        ("CHAT", "+442079460958", False, E164),  # an SMS chat has a number to check...
        ("CHAT", "+442079460958", True, NON_TELEPHONE),  # ...but no keypad for a code
        ("task", None, True, NON_TELEPHONE),
    ],
)
def test_one_rule_decides_who_the_caller_is(
    channel: str, address: str | None, keypad: bool, expected: str
) -> None:
    contact = parse_event(_contact(channel, address))
    assert contact.caller(None, keypad=keypad).caller_class == expected


def test_the_flow_parameter_wins_over_the_endpoint() -> None:
    contact = parse_event(_contact("VOICE", "+442079460958", CustomerNumber="020 7946 0000"))
    caller = contact.caller("GB", parameter="CustomerNumber")
    assert caller.e164 == "+442079460000"
    assert contact.caller("GB").e164 == "+442079460958"
