"""``callguard connect attach-quick-connect`` against a stubbed Connect client.

moto does not implement Connect queues, so botocore's Stubber plays the API:
it fails the test on any call the command should not make, which is how the
idempotency (list first, associate only when missing) is checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from callguard_tools.admin.ids import ConnectIdError, parse_connect_id
from callguard_tools.admin.state import CliState
from callguard_tools.cli import main

INSTANCE = "4f3c0e5e-0b7a-4a8e-9c2e-1f1a2b3c4d5e"
QUICK_CONNECT = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
QUEUE_A = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
QUEUE_B = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
OTHER_QC = "2b3c4d5e-6f70-4a8b-9cad-bed0f1a2b3c4"
ARN_PREFIX = f"arn:aws:connect:eu-west-2:123456789012:instance/{INSTANCE}"


@pytest.fixture
def stubbed() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client(
        "connect",
        region_name="eu-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _summary(quick_connect_id: str) -> dict[str, str]:
    return {
        "Id": quick_connect_id,
        "Arn": f"{ARN_PREFIX}/transfer-destination/{quick_connect_id}",
        "Name": "Add caller to deny list",
        "QuickConnectType": "QUEUE",
    }


def _expect_list(stubber: Stubber, queue: str, attached: list[str]) -> None:
    stubber.add_response(
        "list_queue_quick_connects",
        {"QuickConnectSummaryList": [_summary(qc) for qc in attached]},
        {"InstanceId": INSTANCE, "QueueId": queue},
    )


def _expect_associate(stubber: Stubber, queue: str) -> None:
    stubber.add_response(
        "associate_queue_quick_connects",
        {},
        {"InstanceId": INSTANCE, "QueueId": queue, "QuickConnectIds": [QUICK_CONNECT]},
    )


def _run(client: Any, *args: str) -> Any:
    return CliRunner().invoke(
        main,
        ["connect", "attach-quick-connect", *args],
        obj=CliState(clients={"connect": client}),
    )


def test_attaches_only_to_queues_that_lack_the_quick_connect(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    _expect_list(stubber, QUEUE_A, [OTHER_QC])
    _expect_associate(stubber, QUEUE_A)
    _expect_list(stubber, QUEUE_B, [OTHER_QC, QUICK_CONNECT])

    result = _run(
        client,
        *("--instance-id", INSTANCE, "--quick-connect-id", QUICK_CONNECT),
        *("--queue-id", QUEUE_A, "--queue-id", QUEUE_B),
    )

    assert result.exit_code == 0, result.output
    assert f"queue {QUEUE_A}: attached" in result.stdout
    assert f"queue {QUEUE_B}: already attached" in result.stdout


def test_rerun_changes_nothing(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    _expect_list(stubber, QUEUE_A, [QUICK_CONNECT])

    result = _run(
        client,
        "--instance-id",
        INSTANCE,
        "--quick-connect-id",
        QUICK_CONNECT,
        "--queue-id",
        QUEUE_A,
    )

    assert result.exit_code == 0
    assert result.stdout.strip() == f"queue {QUEUE_A}: already attached"


def test_accepts_arns_and_follows_list_pages(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    stubber.add_response(
        "list_queue_quick_connects",
        {"QuickConnectSummaryList": [_summary(OTHER_QC)], "NextToken": "page-2"},
        {"InstanceId": INSTANCE, "QueueId": QUEUE_A},
    )
    stubber.add_response(
        "list_queue_quick_connects",
        {"QuickConnectSummaryList": [_summary(QUICK_CONNECT)]},
        {"InstanceId": INSTANCE, "QueueId": QUEUE_A, "NextToken": "page-2"},
    )

    result = _run(
        client,
        *("--instance-id", ARN_PREFIX),
        *("--quick-connect-id", f"{ARN_PREFIX}/transfer-destination/{QUICK_CONNECT}"),
        *("--queue-id", f"{ARN_PREFIX}/queue/{QUEUE_A}", "--queue-id", QUEUE_A),
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"queue {QUEUE_A}: already attached"


def test_dry_run_lists_but_never_associates(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    _expect_list(stubber, QUEUE_A, [])

    result = _run(
        client,
        *("--instance-id", INSTANCE, "--quick-connect-id", QUICK_CONNECT),
        *("--queue-id", QUEUE_A, "--dry-run"),
    )

    assert result.exit_code == 0
    assert f"queue {QUEUE_A}: would attach" in result.stdout


def test_a_missing_queue_fails_alone_and_exits_1(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    stubber.add_client_error(
        "list_queue_quick_connects",
        service_error_code="ResourceNotFoundException",
        service_message="Queue not found",
        http_status_code=404,
        expected_params={"InstanceId": INSTANCE, "QueueId": QUEUE_A},
    )
    _expect_list(stubber, QUEUE_B, [])
    _expect_associate(stubber, QUEUE_B)

    result = _run(
        client,
        *("--instance-id", INSTANCE, "--quick-connect-id", QUICK_CONNECT),
        *("--queue-id", QUEUE_A, "--queue-id", QUEUE_B),
    )

    assert result.exit_code == 1
    assert f"queue {QUEUE_A}: failed: queue, instance or quick connect not found" in result.stderr
    assert f"queue {QUEUE_B}: attached" in result.stdout
    assert "1 of 2 queue(s) failed" in result.stderr


def test_access_denied_is_reported_per_queue(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    _expect_list(stubber, QUEUE_A, [])
    stubber.add_client_error(
        "associate_queue_quick_connects",
        service_error_code="AccessDeniedException",
        service_message="not allowed",
        http_status_code=403,
    )

    result = _run(
        client,
        "--instance-id",
        INSTANCE,
        "--quick-connect-id",
        QUICK_CONNECT,
        "--queue-id",
        QUEUE_A,
    )

    assert result.exit_code == 1
    assert "access denied for AssociateQueueQuickConnects" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--instance-id", "my-instance"),
        (
            "--queue-id",
            "arn:aws:connect:eu-west-2:123456789012:instance/" + OTHER_QC + "/queue/" + QUEUE_A,
        ),
        ("--quick-connect-id", f"{ARN_PREFIX}/queue/{QUEUE_A}"),
    ],
)
def test_bad_ids_are_usage_errors_before_any_call(
    stubbed: tuple[Any, Stubber], option: str, value: str
) -> None:
    client, _ = stubbed
    args = {"--instance-id": INSTANCE, "--quick-connect-id": QUICK_CONNECT, "--queue-id": QUEUE_A}
    args[option] = value

    result = _run(client, *[part for pair in args.items() for part in pair])

    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {option}: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_parse_connect_id_accepts_bare_ids_case_insensitively() -> None:
    assert parse_connect_id(QUEUE_A.upper(), kind="queue") == QUEUE_A
    assert parse_connect_id(f"{ARN_PREFIX}/queue/{QUEUE_A}", kind="queue") == QUEUE_A
    with pytest.raises(ConnectIdError, match="is a queue ARN, not an instance"):
        parse_connect_id(f"{ARN_PREFIX}/queue/{QUEUE_A}", kind="instance")


def test_missing_required_options_exit_2() -> None:
    result = CliRunner().invoke(
        main, ["connect", "attach-quick-connect", "--instance-id", INSTANCE]
    )

    assert result.exit_code == 2
    assert "Missing option '--quick-connect-id'" in result.stderr
