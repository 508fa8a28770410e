"""Create the outbound engine's small DynamoDB tables (tests, the demo, local emulators).

In AWS, Terraform creates them; the key schemas here are the runtime modules' own
constants, so a test table cannot drift from what the code reads and writes.
Kept out of the Lambda zip: the functions never create tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callguard.outbound import contact_cap_store, job_results, task_tokens

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def create_token_table(client: DynamoDBClient, table_name: str) -> None:
    """Create the task-token table (contact id; a job index) with TTL, and wait for it."""
    client.create_table(
        TableName=table_name,
        AttributeDefinitions=[
            {"AttributeName": task_tokens.PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": "job_id", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": task_tokens.PARTITION_KEY, "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": task_tokens.JOB_INDEX,
                "KeySchema": [
                    {"AttributeName": "job_id", "KeyType": "HASH"},
                    {"AttributeName": task_tokens.PARTITION_KEY, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName=table_name)
    client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": task_tokens.TTL_ATTRIBUTE},
    )


def create_contact_cap_table(client: DynamoDBClient, table_name: str) -> None:
    """Create the contact-cap table (number + slot) with TTL, and wait for it."""
    client.create_table(
        TableName=table_name,
        AttributeDefinitions=[
            {"AttributeName": contact_cap_store.PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": contact_cap_store.SORT_KEY, "AttributeType": "N"},
        ],
        KeySchema=[
            {"AttributeName": contact_cap_store.PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": contact_cap_store.SORT_KEY, "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName=table_name)
    client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={
            "Enabled": True,
            "AttributeName": contact_cap_store.TTL_ATTRIBUTE,
        },
    )


def create_results_table(client: DynamoDBClient, table_name: str) -> None:
    """Create the results table (job id + receiver id) and wait for it."""
    client.create_table(
        TableName=table_name,
        AttributeDefinitions=[
            {"AttributeName": job_results.PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": job_results.SORT_KEY, "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": job_results.PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": job_results.SORT_KEY, "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName=table_name)
