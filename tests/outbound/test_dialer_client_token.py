"""ClientToken derivation: deterministic, collision-free across parts, within the API limit."""

from __future__ import annotations

import botocore.session
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callguard.outbound.client_token import MAX_CLIENT_TOKEN_LENGTH, client_token


def test_limit_matches_the_connect_service_model() -> None:
    model = botocore.session.get_session().get_service_model("connect")
    shape = model.operation_model("StartOutboundVoiceContact").input_shape.members["ClientToken"]
    assert shape.metadata["max"] == MAX_CLIENT_TOKEN_LENGTH


def test_same_attempt_same_token_and_other_attempts_differ() -> None:
    token = client_token("job-1", "r-1", 1)
    assert token == client_token("job-1", "r-1", 1)
    assert token != client_token("job-1", "r-1", 2)
    assert token != client_token("job-2", "r-1", 1)
    assert client_token("a-b", "c", 1) != client_token("a", "b-c", 1)


@given(
    job=st.text(min_size=1, max_size=300),
    receiver=st.text(min_size=1, max_size=300),
    attempt=st.integers(min_value=1, max_value=10_000),
)
def test_tokens_are_short_and_stable(job: str, receiver: str, attempt: int) -> None:
    token = client_token(job, receiver, attempt)
    assert len(token) == 36 <= MAX_CLIENT_TOKEN_LENGTH
    assert token == client_token(job, receiver, attempt)


@pytest.mark.parametrize(
    ("job", "receiver", "attempt"), [("", "r", 1), ("j", "", 1), ("j", "r", 0), ("j", "r", True)]
)
def test_bad_parts_are_refused(job: str, receiver: str, attempt: int) -> None:
    with pytest.raises(ValueError, match=r"client token|attempt"):
        client_token(job, receiver, attempt)
