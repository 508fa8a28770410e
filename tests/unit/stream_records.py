"""DynamoDB stream records as Lambda delivers them to the audit function.

Shapes follow the Lambda event for DynamoDB streams (``Records[].dynamodb`` with
``Keys``, ``NewImage``, ``OldImage`` in attribute-value form, epoch-second
``ApproximateCreationDateTime``, and ``userIdentity`` on TTL deletions).
"""

from __future__ import annotations

import copy
from typing import Any

from runtime_events import CONTACT_ID, INITIAL_CONTACT_ID, INSTANCE_ARN, PREVIOUS_CONTACT_ID

NUMBER = "+442079460958"
TABLE = "callguard-test-denylist"
STREAM_ARN = f"arn:aws:dynamodb:eu-west-2:123456789012:table/{TABLE}/stream/2026-11-01T00:00:00.000"
#: 2026-11-21T05:42:51Z
CHANGED_AT = 1_795_239_771
AGENT = "arn:aws:connect:eu-west-2:123456789012:instance/x/agent/jdoe"


def item(
    status: str = "blocked",
    *,
    number: str = NUMBER,
    reason: str = "threatened agent",
    source: str = "agent",
    flag_count: int = 1,
    expires_at: int | None = None,
    **extra: str,
) -> dict[str, Any]:
    """A deny-list item in attribute-value form, as the flag function writes it."""
    value: dict[str, Any] = {
        "phone_number": {"S": number},
        "status": {"S": status},
        "reason": {"S": reason},
        "source": {"S": source},
        "flagged_by": {"S": AGENT},
        "contact_id": {"S": CONTACT_ID},
        "initial_contact_id": {"S": INITIAL_CONTACT_ID},
        "previous_contact_id": {"S": PREVIOUS_CONTACT_ID},
        "instance_arn": {"S": INSTANCE_ARN},
        "created_at": {"S": "2026-11-21T05:42:51Z"},
        "updated_at": {"S": "2026-11-21T05:42:51Z"},
        "last_flagged_at": {"S": "2026-11-21T05:42:51Z"},
        "flag_count": {"N": str(flag_count)},
    }
    if expires_at is not None:
        value["expires_at"] = {"N": str(expires_at)}
    value.update({name: {"S": text} for name, text in extra.items()})
    return value


def record(
    event_name: str,
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    sequence: str = "100000000000000000001",
    event_id: str = "c4ca4238a0b923820dcc509a6f75849b",
    ttl: bool = False,
    number: str = NUMBER,
) -> dict[str, Any]:
    """One stream record; ``ttl`` marks it as a TTL deletion by DynamoDB."""
    body: dict[str, Any] = {
        "ApproximateCreationDateTime": CHANGED_AT,
        "Keys": {"phone_number": {"S": number}},
        "SequenceNumber": sequence,
        "SizeBytes": 512,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        body["NewImage"] = copy.deepcopy(new)
    if old is not None:
        body["OldImage"] = copy.deepcopy(old)
    result: dict[str, Any] = {
        "eventID": event_id,
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-2",
        "dynamodb": body,
        "eventSourceARN": STREAM_ARN,
    }
    if ttl:
        result["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    return result


def batch(*records: dict[str, Any]) -> dict[str, Any]:
    """The Lambda event for a batch of records."""
    return {"Records": list(records)}
