"""``callguard connect``: Amazon Connect wiring that Terraform cannot manage.

Agents see the "Add caller to deny list" quick connect only on queues it is
associated with. Terraform associates it with the queues it manages; queues
owned by someone else (the console, another stack) need the
AssociateQueueQuickConnects API, which the provider has no resource for. The
command lists each queue's quick connects first, so re-running it is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import click
from botocore.exceptions import ClientError

from callguard_tools.admin.errors import EXIT_PARTIAL, CliUsageError, describe_aws_error
from callguard_tools.admin.group import AwsCommandGroup
from callguard_tools.admin.ids import ConnectIdError, parse_connect_id
from callguard_tools.admin.state import get_state

if TYPE_CHECKING:
    from mypy_boto3_connect import ConnectClient


@click.group(cls=AwsCommandGroup)
def connect() -> None:
    """Wire callguard into Amazon Connect resources that Terraform does not manage.

    \b
    Examples:
      callguard connect attach-quick-connect --instance-id ID \\
          --quick-connect-id ID --queue-id ID [--queue-id ID ...]
    """


@dataclass(frozen=True)
class QueueOutcome:
    """What happened to one queue: ``attached``, ``already attached`` or ``failed``."""

    queue_id: str
    result: str
    detail: str = ""


def _attached_ids(client: ConnectClient, instance_id: str, queue_id: str) -> set[str]:
    ids: set[str] = set()
    paginator = client.get_paginator("list_queue_quick_connects")
    for page in paginator.paginate(InstanceId=instance_id, QueueId=queue_id):
        ids.update(summary["Id"].lower() for summary in page.get("QuickConnectSummaryList", []))
    return ids


def attach_quick_connect(
    client: ConnectClient,
    *,
    instance_id: str,
    quick_connect_id: str,
    queue_id: str,
    dry_run: bool = False,
) -> QueueOutcome:
    """Associate ``quick_connect_id`` with one queue unless it already is.

    A queue the API cannot find or refuses is a ``failed`` outcome, so one bad
    queue id does not stop the others; credential and network errors propagate.
    """
    try:
        if quick_connect_id in _attached_ids(client, instance_id, queue_id):
            return QueueOutcome(queue_id, "already attached")
        if dry_run:
            return QueueOutcome(queue_id, "would attach")
        client.associate_queue_quick_connects(
            InstanceId=instance_id, QueueId=queue_id, QuickConnectIds=[quick_connect_id]
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            detail = "queue, instance or quick connect not found; check the ids"
        else:
            detail = describe_aws_error(error).message
        return QueueOutcome(queue_id, "failed", detail)
    return QueueOutcome(queue_id, "attached")


def _parse(text: str, *, kind: str, option: str, instance_id: str | None = None) -> str:
    try:
        return parse_connect_id(text, kind=kind, instance_id=instance_id)
    except ConnectIdError as error:
        raise CliUsageError(f"{option}: {error}") from None


@connect.command("attach-quick-connect")
@click.option("--instance-id", required=True, help="Connect instance id (or its ARN).")
@click.option(
    "--quick-connect-id",
    required=True,
    help=(
        "The agent-flag quick connect's id or ARN "
        "(Terraform output quick_connect_ids, one per instance)."
    ),
)
@click.option(
    "--queue-id",
    "queue_ids",
    required=True,
    multiple=True,
    help="A queue id or ARN; repeat the option for several queues.",
)
@click.option("--dry-run", is_flag=True, help="Only report what would change.")
def attach_quick_connect_command(
    instance_id: str, quick_connect_id: str, queue_ids: tuple[str, ...], dry_run: bool
) -> None:
    """Make the deny-list quick connect visible to agents of existing queues.

    Idempotent: queues that already have the quick connect are left alone, so
    the command is safe to re-run, for example from a deployment pipeline.
    Exits 1 if any queue failed; the other queues are still processed.

    \b
    Examples:
      callguard --region eu-west-2 connect attach-quick-connect \\
          --instance-id 4f3c0e5e-0b7a-4a8e-9c2e-1f1a2b3c4d5e \\
          --quick-connect-id 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d \\
          --queue-id 0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6 \\
          --queue-id 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d
      callguard connect attach-quick-connect --dry-run ...   # show, change nothing
    """
    instance = _parse(instance_id, kind="instance", option="--instance-id")
    quick_connect = _parse(
        quick_connect_id,
        kind="transfer-destination",
        option="--quick-connect-id",
        instance_id=instance,
    )
    queues = list(
        dict.fromkeys(
            _parse(text, kind="queue", option="--queue-id", instance_id=instance)
            for text in queue_ids
        )
    )
    client = get_state().client("connect")
    failures = 0
    for queue in queues:
        outcome = attach_quick_connect(
            client,
            instance_id=instance,
            quick_connect_id=quick_connect,
            queue_id=queue,
            dry_run=dry_run,
        )
        line = f"queue {outcome.queue_id}: {outcome.result}"
        if outcome.result == "failed":
            failures += 1
            click.echo(f"{line}: {outcome.detail}", err=True)
        else:
            click.echo(line)
    if failures:
        click.echo(f"{failures} of {len(queues)} queue(s) failed", err=True)
        raise click.exceptions.Exit(EXIT_PARTIAL)
