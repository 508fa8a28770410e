"""botocore errors become store exceptions a caller can react to, with safe messages."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from callguard.store import (
    StoreError,
    TableNotFoundError,
    ThrottledError,
    UnavailableError,
)
from callguard.store.errors import translate, translated
from callguard.store.writes import write_if


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "value +442079460958"}}, "GetItem")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (client_error("ProvisionedThroughputExceededException"), ThrottledError),
        (client_error("ThrottlingException"), ThrottledError),
        (client_error("RequestLimitExceeded"), ThrottledError),
        (client_error("ResourceNotFoundException"), TableNotFoundError),
        (client_error("ValidationException"), StoreError),
        (client_error(""), StoreError),
        (EndpointConnectionError(endpoint_url="http://x"), UnavailableError),
        (ConnectTimeoutError(endpoint_url="http://x"), UnavailableError),
        (ReadTimeoutError(endpoint_url="http://x"), UnavailableError),
    ],
)
def test_translation(error: Exception, expected: type[Exception]) -> None:
    translated_error = translate("lookup +4420*****958", error)
    assert type(translated_error) is expected
    assert "442079460958" not in str(translated_error)
    with pytest.raises(expected) as caught, translated("op"):
        raise error
    assert caught.value.__cause__ is error


def test_conditional_failures_and_other_errors_pass_through() -> None:
    conditional = client_error("ConditionalCheckFailedException")
    assert translate("op", conditional) is conditional
    with pytest.raises(ClientError), translated("op"):
        raise conditional
    other = KeyError("x")
    assert translate("op", other) is other


# ---------------------------------------------------------------- conditional writes
def test_a_failed_condition_is_a_refused_write_with_the_current_item() -> None:
    item = {"phone_number": {"S": "+442079460958"}, "status": {"S": "rejected"}}

    def refuse(**_request: object) -> object:
        error = client_error("ConditionalCheckFailedException")
        error.response["Item"] = item  # type: ignore[typeddict-unknown-key]
        raise error

    result = write_if("flag +4420*****958", refuse, TableName="t")
    assert (result.written, result.current, result.attributes) == (False, item, {})


def test_a_written_request_returns_its_attributes() -> None:
    def accept(**request: object) -> object:
        assert request == {"TableName": "t", "ReturnValues": "ALL_OLD"}
        return {"Attributes": {"flag_count": {"N": "2"}}}

    result = write_if("op", accept, TableName="t", ReturnValues="ALL_OLD")
    assert result.written and result.attributes == {"flag_count": {"N": "2"}}


def test_every_other_error_of_a_conditional_write_is_a_store_error() -> None:
    def throttle(**_request: object) -> object:
        raise client_error("ThrottlingException")

    with pytest.raises(ThrottledError, match="flag \\+4420\\*\\*\\*\\*\\*958: throttled"):
        write_if("flag +4420*****958", throttle)
