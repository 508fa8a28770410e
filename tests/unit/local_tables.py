"""Tables the tests create on a local DynamoDB endpoint, shaped as Terraform declares them.

Kept with the tests rather than in the runtime package: creating tables is
Terraform's job in a deployment, so the Lambda zip carries no such code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callguard.challenge_failures import PARTITION_KEY

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def create_counter_table(client: DynamoDBClient, table_name: str) -> None:
    """Create the failed-challenge counter table (key as the runtime and Terraform use it)."""
    client.create_table(
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": PARTITION_KEY, "AttributeType": "S"}],
        KeySchema=[{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
