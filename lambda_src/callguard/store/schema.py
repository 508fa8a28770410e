"""The deny-list table: its key schema, index and TTL, defined once.

Terraform's table module declares the same keys, index and TTL attribute (a test
compares the two); tests, the demo and local development create tables with
:func:`create_table`, so every copy of the table has exactly this shape.

Table layout (one table per environment, shared by every Connect instance):

- partition key ``phone_number`` (S): the number in E.164;
- GSI ``status-created_at-index``: hash ``status`` (S), range ``created_at`` (S,
  ISO-8601 UTC, so lexical order is time order), projection ALL; it serves the
  supervisor review queue (pending entries, oldest first) and listings by status;
- TTL attribute ``expires_at`` (N, epoch seconds); DynamoDB deletes expired items
  up to two days late, so readers also treat an expired item as absent;
- stream NEW_AND_OLD_IMAGES, for audit and notification consumers.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Final

from callguard.store.errors import translated

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: Partition key attribute: the E.164 number.
PARTITION_KEY: Final = "phone_number"
#: The global secondary index for "entries with status X, oldest first".
STATUS_INDEX: Final = "status-created_at-index"
#: Hash key of :data:`STATUS_INDEX`.
STATUS_INDEX_HASH_KEY: Final = "status"
#: Range key of :data:`STATUS_INDEX`.
STATUS_INDEX_RANGE_KEY: Final = "created_at"
#: The table's TTL attribute (epoch seconds).
TTL_ATTRIBUTE: Final = "expires_at"

#: ``CreateTable`` arguments (without the name). Billing is on demand: call
#: volume is spiky and small; Terraform may add encryption, PITR and protection.
TABLE_DEFINITION: Final[dict[str, Any]] = {
    "KeySchema": [{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
    "AttributeDefinitions": [
        {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
        {"AttributeName": STATUS_INDEX_HASH_KEY, "AttributeType": "S"},
        {"AttributeName": STATUS_INDEX_RANGE_KEY, "AttributeType": "S"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": STATUS_INDEX,
            "KeySchema": [
                {"AttributeName": STATUS_INDEX_HASH_KEY, "KeyType": "HASH"},
                {"AttributeName": STATUS_INDEX_RANGE_KEY, "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
}


def create_table(client: DynamoDBClient, name: str, *, wait: bool = True) -> None:
    """Create a deny-list table called ``name`` on ``client``'s endpoint, with TTL on.

    Meant for local endpoints (moto, DynamoDB Local), tests and demos; production
    tables come from Terraform. With ``wait`` the call returns once the table is
    ACTIVE. Raises :class:`~callguard.store.errors.StoreError` subclasses on failure
    (e.g. when the table already exists).
    """
    with translated("create table"):
        client.create_table(TableName=name, **copy.deepcopy(TABLE_DEFINITION))
        if wait:
            client.get_waiter("table_exists").wait(
                TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
            )
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )
