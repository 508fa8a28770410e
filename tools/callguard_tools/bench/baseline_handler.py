"""Baseline for the runtime benchmark: a check handler as the common walkthroughs write it.

Never shipped and never used by callguard: it exists only to be measured next to
``callguard.handlers.check_number``. It follows the usual tutorial shape: a boto3
*resource* and table object created at import time, a ``Query`` per call where a
``GetItem`` would do, and the whole event printed to the log (which also writes
the caller's full number into the logs).
"""

import json
import os
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table(os.environ["TABLE_NAME"])


def lambda_handler(event: Any, context: Any) -> dict[str, str]:
    """Return {"blocked": "true"} when the caller's number is in the table."""
    print(json.dumps(event))
    number = event["Details"]["ContactData"]["CustomerEndpoint"]["Address"]
    response = table.query(KeyConditionExpression=Key("phone_number").eq(number))
    if response["Items"]:
        return {"blocked": "true"}
    return {"blocked": "false"}
