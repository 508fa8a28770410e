"""Expected failures: one line on stderr, the documented exit code, never a traceback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from click.testing import CliRunner, Result
from moto import mock_aws

from callguard.store import DenyList
from callguard_tools.admin.state import CliState
from callguard_tools.cli import main

WriteFile = Callable[..., Path]
IDENTITY = "arn:aws:sts::123456789012:assumed-role/Supervisor/jane"


def _one_line_error(result: Result) -> str:
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_no_table_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALLGUARD_TABLE", raising=False)

    result = CliRunner().invoke(main, ["denylist", "check", "+442079460958"])

    assert result.exit_code == 2
    assert "no table given: pass --table NAME or set CALLGUARD_TABLE" in _one_line_error(result)


def test_table_from_environment(monkeypatch: pytest.MonkeyPatch, table_name: str) -> None:
    monkeypatch.setenv("CALLGUARD_TABLE", table_name)

    result = CliRunner().invoke(main, ["denylist", "check", "+442079460958"])

    assert result.exit_code == 0
    assert result.stdout.strip() == "+442079460958: not listed"


def test_missing_table_names_table_region_and_fix(moto_dynamodb: Any) -> None:
    result = CliRunner().invoke(main, ["--table", "no-such-table", "denylist", "list"])

    assert result.exit_code == 2
    line = _one_line_error(result)
    assert "table 'no-such-table' not found in region eu-west-2" in line
    assert "check --table, --region" in line


def test_missing_table_on_import_writes_nothing_and_exits_2(
    moto_dynamodb: Any, write_file: WriteFile
) -> None:
    path = write_file("number\n+442079460958\n")

    result = CliRunner().invoke(main, ["--table", "absent", "denylist", "import", str(path)])

    assert result.exit_code == 2
    assert "table 'absent' not found" in _one_line_error(result)


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_SECURITY_TOKEN", raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    "args",
    [
        ["denylist", "check", "+442079460958"],
        ["denylist", "add", "+442079460958"],
        ["denylist", "list"],
    ],
)
def test_missing_credentials(no_credentials: None, args: list[str]) -> None:
    result = CliRunner().invoke(
        main, ["--table", "t", "--endpoint-url", "http://127.0.0.1:9", *args]
    )

    assert result.exit_code == 2
    assert "no AWS credentials found" in _one_line_error(result)


def test_unknown_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))

    result = CliRunner().invoke(
        main, ["--table", "t", "--profile", "nobody", "denylist", "check", "+442079460958"]
    )

    assert result.exit_code == 2
    assert "nobody" in _one_line_error(result)


def test_unreachable_endpoint_is_a_one_line_failure() -> None:
    result = CliRunner().invoke(
        main,
        [
            "--table",
            "t",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "denylist",
            "check",
            "+12125550100",
        ],
    )

    assert result.exit_code == 1
    assert "cannot reach the AWS endpoint" in _one_line_error(result)


@pytest.fixture
def stubbed_dynamodb() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("dynamodb", region_name="eu-west-2")
    with Stubber(client) as stubber:
        yield client, stubber


def _state(client: Any) -> CliState:
    return CliState(clients={"dynamodb": client}, identity_arn=IDENTITY)


@pytest.mark.parametrize(
    ("args", "operation"),
    [
        (["denylist", "add", "+442079460958"], "put_item"),
        (["denylist", "check", "+442079460958"], "get_item"),
        (["denylist", "remove", "+442079460958"], "delete_item"),
        (["denylist", "list"], "scan"),
        (["denylist", "export"], "scan"),
    ],
)
def test_throttling_says_wait_and_rerun(
    stubbed_dynamodb: tuple[Any, Stubber], args: list[str], operation: str
) -> None:
    client, stubber = stubbed_dynamodb
    stubber.add_client_error(
        operation,
        service_error_code="ProvisionedThroughputExceededException",
        service_message="slow down",
        http_status_code=400,
    )

    result = CliRunner().invoke(main, ["--table", "t", *args], obj=_state(client))

    assert result.exit_code == 1
    line = _one_line_error(result)
    assert "DynamoDB is throttling table 't'" in line
    assert "re-running is safe" in line


def test_access_denied_names_the_operation(stubbed_dynamodb: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed_dynamodb
    stubber.add_client_error(
        "get_item",
        service_error_code="AccessDeniedException",
        service_message="no dynamodb:GetItem",
        http_status_code=400,
    )

    result = CliRunner().invoke(
        main, ["--table", "t", "denylist", "check", "+442079460958"], obj=_state(client)
    )

    assert result.exit_code == 2
    assert "access denied for GetItem on table 't'" in _one_line_error(result)


def test_writes_that_keep_failing_are_reported_per_line_and_exit_1(
    table_name: str,
    deny_list: DenyList,
    write_file: WriteFile,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DynamoDB throttles one number's write on every attempt: it must not vanish."""
    client = boto3.client("dynamodb", region_name="eu-west-2")
    real_put_item = client.put_item
    stubborn = "+12125550101"

    def put_item(**kwargs: Any) -> Any:
        if kwargs["Item"]["phone_number"]["S"] == stubborn:
            error = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "x"}}
            raise ClientError(error, "PutItem")  # type: ignore[arg-type]
        return real_put_item(**kwargs)

    monkeypatch.setattr(client, "put_item", put_item)
    monkeypatch.setattr("callguard.store.batch.BASE_DELAY_SECONDS", 0.0)
    path = write_file("number,reason\n+12125550100,a\n+12125550101,b\n+12125550102,c\n")
    rejects = tmp_path / "rejects.csv"

    result = CliRunner().invoke(
        main,
        ["--table", table_name, "denylist", "import", str(path), "--rejects", str(rejects)],
        obj=CliState(clients={"dynamodb": client}, identity_arn=IDENTITY),
    )

    assert result.exit_code == 1
    assert result.stdout.strip() == ("read 3, imported 2, already listed 0, rejected 0, failed 1")
    assert "failed line 3: not written (ProvisionedThroughputExceededException); re-run to" in (
        result.stderr
    )
    assert "+12125550101,b" in rejects.read_text(encoding="utf-8")
    assert deny_list.get(stubborn) is None
    assert deny_list.get("+12125550102") is not None


def test_unexpected_exceptions_are_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only expected failures are translated; a bug still shows its traceback."""

    def boom(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr("callguard_tools.admin.denylist.open_store", boom)

    with mock_aws():
        result = CliRunner().invoke(main, ["--table", "t", "denylist", "list"])

    assert isinstance(result.exception, RuntimeError)


def test_output_files_in_missing_directories_are_refused_before_any_work(
    table_name: str, deny_list: DenyList, write_file: WriteFile, tmp_path: Path
) -> None:
    path = write_file("number\n+12125550100\n")
    missing = tmp_path / "no-such-dir"

    imported = CliRunner().invoke(
        main,
        [
            "--table",
            table_name,
            "denylist",
            "import",
            str(path),
            "--rejects",
            str(missing / "r.csv"),
        ],
    )
    exported = CliRunner().invoke(
        main, ["--table", table_name, "denylist", "export", "--output", str(missing / "e.csv")]
    )

    assert (imported.exit_code, exported.exit_code) == (2, 2)
    assert f"--rejects: directory {missing} does not exist" in _one_line_error(imported)
    assert f"--output: directory {missing} does not exist" in _one_line_error(exported)
    assert list(deny_list.entries()) == []


def test_an_unwritable_rejects_file_is_reported_not_a_traceback(
    table_name: str, write_file: WriteFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_file("number\nnot-a-number\n")

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("callguard_tools.admin.csvfile.write_rejects", refuse)

    result = CliRunner().invoke(
        main,
        ["--table", table_name, "denylist", "import", str(path), "--rejects", str(tmp_path / "r")],
    )

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "could not write" in result.stderr
    assert "Permission denied; the lines are listed above" in result.stderr
    assert "rejected line 2:" in result.stderr
    assert result.stdout.strip() == "read 1, imported 0, already listed 0, rejected 1"


def test_an_overlong_default_reason_is_refused(table_name: str, write_file: WriteFile) -> None:
    path = write_file("number\n+12125550100\n")

    result = CliRunner().invoke(
        main, ["--table", table_name, "denylist", "import", str(path), "--reason", "r" * 600]
    )

    assert result.exit_code == 2
    assert "--reason is 600 characters long" in _one_line_error(result)


def test_a_throttled_already_listed_check_stops_the_import_before_any_write(
    table_name: str,
    deny_list: DenyList,
    write_file: WriteFile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from botocore.exceptions import ClientError

    client = boto3.client("dynamodb", region_name="eu-west-2")

    def throttled(**_kwargs: Any) -> Any:
        error = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}}
        raise ClientError(error, "BatchGetItem")  # type: ignore[arg-type]

    monkeypatch.setattr(client, "batch_get_item", throttled)
    monkeypatch.setattr("callguard.store.batch.BASE_DELAY_SECONDS", 0.0)
    path = write_file("number\n+12125550100\n")

    result = CliRunner().invoke(
        main,
        ["--table", table_name, "denylist", "import", str(path)],
        obj=CliState(clients={"dynamodb": client}, identity_arn=IDENTITY),
    )

    assert result.exit_code == 1
    assert f"DynamoDB is throttling table '{table_name}'" in _one_line_error(result)
    assert list(deny_list.entries()) == []
