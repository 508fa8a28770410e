"""The dialer against a fake Connect on a real boto3 client, moto DynamoDB and a sim queue."""

from __future__ import annotations

import json

import pytest
from outbound_dialer_helpers import captured_logs, dialer_rig

from callguard.outbound.call_message import InvalidMessageError, parse_message
from callguard.outbound.dialer import INVALID_MESSAGE, backoff_seconds
from callguard_tools.outbound_sim.fake_connect import Outcome as Behaviour
from callguard_tools.outbound_sim.fake_connect import Script

NUMBER = "+442079460958"
OTHER = "+12125550100"


def _failures(response: dict[str, list[dict[str, str]]]) -> list[str]:
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]


# ------------------------------------------------------------------ messages
def test_parse_message_reads_a_valid_attempt() -> None:
    with dialer_rig() as rig:
        attempt = parse_message(rig.message("r-1", NUMBER, attempt=2, ring_timeout_seconds=30))
    assert (attempt.job_id, attempt.receiver_id, attempt.attempt) == ("job-1", "r-1", 2)
    request = attempt.request()
    assert request["DestinationPhoneNumber"] == NUMBER
    assert request["ClientToken"] == attempt.client_token
    assert request["RingTimeoutInSeconds"] == 30
    assert request["Attributes"]["callguard_receiver_id"] == "r-1"
    assert request["Attributes"]["greeting"] == "hello"
    assert "QueueId" not in request


def test_parse_message_lists_every_problem_and_masks_numbers() -> None:
    body = json.dumps(
        {
            "version": 1,
            "task_token": "tok",
            "attempt": 0,
            "destination": "02079460958",
            "source_phone_number": "12345678901",
            "ring_timeout_seconds": 5,
            "attributes": {"a": 1},
        }
    )
    with pytest.raises(InvalidMessageError) as caught:
        parse_message(body)
    problems = caught.value.problems
    assert caught.value.task_token == "tok"
    for name in (
        "job_id",
        "receiver_id",
        "instance_id",
        "contact_flow_id",
        "attempt",
        "destination",
        "source_phone_number",
        "ring_timeout_seconds",
        "attributes",
    ):
        assert any(p.startswith(name) for p in problems), name
    assert "02079460958" not in str(caught.value)
    assert "12345678901" not in str(caught.value)


@pytest.mark.parametrize("body", ["not json", "[1, 2]", json.dumps({"version": 1})])
def test_unreadable_messages_have_no_token(body: str) -> None:
    with pytest.raises(InvalidMessageError) as caught:
        parse_message(body)
    assert caught.value.task_token is None


def test_backoff_grows_and_is_capped() -> None:
    values = [backoff_seconds(n, base=2, cap=300, rng=lambda: 1.0) for n in range(1, 12)]
    assert values == sorted(values)
    assert values[0] == 2 and values[-1] == 300
    assert backoff_seconds(1, base=2, cap=300, rng=lambda: 0.0) == 1


# ------------------------------------------------------------------ outcomes
def test_placed_call_records_the_token_and_acks() -> None:
    with dialer_rig() as rig, captured_logs() as logs:
        rig.queue.send(rig.message("r-1", NUMBER))
        response = rig.handle(rig.queue.receive())
        assert _failures(response) == []
        (request,) = rig.connect.requests
        assert request.result == "placed"
        call = rig.store.get(request.contact_id)
        assert call is not None
        assert (call.task_token, call.receiver_id, call.attempt) == ("token-job-1-r-1-1", "r-1", 1)
    out = "\n".join(logs.lines)
    assert NUMBER not in out
    placed = [e for e in logs.events() if e.get("event") == "call_placed"]
    assert placed[0]["number"] == "+4420*****958"
    assert placed[0]["contact_id"] == request.contact_id


def test_throttling_puts_the_message_back_without_failing_it() -> None:
    with dialer_rig(concurrent_limit=1, rate=10, burst=10) as rig:
        first = rig.queue.send(rig.message("r-1", NUMBER))
        second = rig.queue.send(rig.message("r-2", OTHER))
        response = rig.handle(rig.queue.receive())
        assert _failures(response) == [second]
        assert [r.result for r in rig.connect.requests] == ["placed", "limited"]
        assert rig.queue.messages[second].visible_at > rig.clock() + 1
        assert rig.sfn.sends == []  # nothing failed
        assert first  # acked by the poller in real runs


@pytest.mark.parametrize(
    ("behaviour", "code"),
    [
        (Behaviour.NOT_ALLOWED, "DestinationNotAllowedException"),
        (Behaviour.NOT_PERMITTED, "OutboundContactNotPermittedException"),
        (Behaviour.INVALID_NUMBER, "InvalidParameterException"),
    ],
)
def test_destination_errors_end_the_attempt_failed(behaviour: Behaviour, code: str) -> None:
    with dialer_rig(scripts={NUMBER: Script(outcome=behaviour)}) as rig:
        rig.queue.send(rig.message("r-1", NUMBER))
        assert _failures(rig.handle(rig.queue.receive())) == []
        output = rig.output("token-job-1-r-1-1")
    assert output["status"] == "failed"
    assert output["error"] == code
    assert output["source"] == "dialer"


def test_other_errors_are_retried_then_the_call_is_placed() -> None:
    with dialer_rig(scripts={NUMBER: Script(server_errors=2)}, max_error_receives=3) as rig:
        message = rig.queue.send(rig.message("r-1", NUMBER))
        for expected in ([message], [message], []):
            rig.clock.advance_to(rig.queue.messages[message].visible_at)
            response = rig.handle(rig.queue.receive())
            assert _failures(response) == expected
        assert [r.result for r in rig.connect.requests] == ["error", "error", "placed"]


def test_other_errors_end_failed_after_the_receive_limit() -> None:
    with dialer_rig(scripts={NUMBER: Script(server_errors=9)}, max_error_receives=2) as rig:
        message = rig.queue.send(rig.message("r-1", NUMBER))
        assert _failures(rig.handle(rig.queue.receive())) == [message]
        rig.clock.advance_to(rig.queue.messages[message].visible_at)
        assert _failures(rig.handle(rig.queue.receive())) == []
        output = rig.output("token-job-1-r-1-1")
    assert (output["status"], output["error"]) == ("failed", "InternalServiceException")


def test_crash_after_placing_never_places_a_second_call() -> None:
    """The call is placed, then the dialer dies before recording and acknowledging."""
    with dialer_rig() as rig:
        message = rig.queue.send(rig.message("r-1", NUMBER))
        rig.queue.receive()  # delivered to a dialer that crashes ...
        rig.dialer.connect.start_outbound_voice_contact(
            **parse_message(rig.queue.messages[message].body).request()
        )  # ... right after Connect placed the call
        rig.clock.sleep(rig.queue.visibility_timeout)  # the message comes back
        assert _failures(rig.handle(rig.queue.receive())) == []
        results = [r.result for r in rig.connect.requests]
        assert results == ["placed", "repeated"]
        contact_id = rig.connect.requests[0].contact_id
        assert rig.store.get(contact_id) is not None


def test_duplicate_message_reaches_the_same_call() -> None:
    with dialer_rig(rate=10, burst=10) as rig:
        body = rig.message("r-1", NUMBER)
        rig.queue.send(body)
        rig.queue.send(body)
        assert _failures(rig.handle(rig.queue.receive())) == []
        assert [r.result for r in rig.connect.requests] == ["placed", "repeated"]
        assert len(rig.connect.placed_tokens()) == 1


def test_token_store_failure_keeps_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from callguard.store.errors import UnavailableError

    with dialer_rig() as rig:
        message = rig.queue.send(rig.message("r-1", NUMBER))

        def broken(*args: object, **kwargs: object) -> bool:
            raise UnavailableError("DynamoDB unavailable")

        monkeypatch.setattr(rig.store, "record", broken)
        assert _failures(rig.handle(rig.queue.receive())) == [message]
        monkeypatch.undo()
        rig.clock.advance_to(rig.queue.messages[message].visible_at)
        assert _failures(rig.handle(rig.queue.receive())) == []
        assert [r.result for r in rig.connect.requests] == ["placed", "repeated"]


def test_invalid_message_with_a_token_ends_failed_without_a_call() -> None:
    with dialer_rig() as rig:
        rig.queue.send(rig.message("r-1", "02079460958"))
        assert _failures(rig.handle(rig.queue.receive())) == []
        output = rig.output("token-job-1-r-1-1")
        assert (output["status"], output["error"]) == ("failed", INVALID_MESSAGE)
        assert "02079460958" not in json.dumps(output)
        assert rig.connect.requests == []


def test_invalid_message_without_a_token_is_kept_for_the_dead_letter_queue() -> None:
    with dialer_rig() as rig:
        message = rig.queue.send("{not json")
        assert _failures(rig.handle(rig.queue.receive())) == [message]


def test_failure_not_delivered_to_step_functions_keeps_the_message() -> None:
    with dialer_rig(scripts={NUMBER: Script(outcome=Behaviour.NOT_ALLOWED)}) as rig:
        message = rig.queue.send(rig.message("r-1", NUMBER))
        rig.sfn.fail_next.append("ThrottlingException")
        assert _failures(rig.handle(rig.queue.receive())) == [message]
        rig.clock.advance_to(rig.queue.messages[message].visible_at)
        assert _failures(rig.handle(rig.queue.receive())) == []
        assert rig.output("token-job-1-r-1-1")["status"] == "failed"


def test_out_of_time_defers_the_rest_of_the_batch() -> None:
    """At 1 call/s, a 3-second budget (after the margin) cannot place ten calls."""
    with dialer_rig(rate=1, burst=1) as rig:
        ids = [rig.queue.send(rig.message(f"r-{i}", f"+4420794609{i:02d}")) for i in range(10)]
        response = rig.handle(rig.queue.receive(), seconds=8.0)
        deferred = _failures(response)
        placed = [r for r in rig.connect.requests if r.result == "placed"]
        assert len(placed) == 4  # t = 0, 1, 2, 3
        assert deferred == ids[4:]
        assert all(rig.queue.messages[m].visible_at > rig.clock() for m in deferred)


def test_cancelled_job_places_no_further_call() -> None:
    with dialer_rig(rate=10, burst=10) as rig:
        rig.queue.send(rig.message("r-1", NUMBER))
        rig.handle(rig.queue.receive())
        assert rig.store.cancel_job("job-1") == 1
        rig.queue.send(rig.message("r-2", OTHER))
        rig.queue.send(rig.message("r-3", OTHER, job="job-2"))
        assert _failures(rig.handle(rig.queue.receive())) == []
        assert [r.number for r in rig.connect.requests] == [NUMBER, OTHER]  # only job-2's
        assert rig.output("token-job-1-r-1-1")["status"] == "cancelled"
        cancelled = rig.output("token-job-1-r-2-1")
        assert (cancelled["status"], cancelled["source"], cancelled["contact_id"]) == (
            "cancelled",
            "cancel",
            "",
        )
        assert "token-job-2-r-3-1" not in rig.sfn.results  # job-2 still waits on its call


def test_a_cancelled_jobs_queue_drains_without_waiting_for_the_rate_limit() -> None:
    with dialer_rig(rate=1, burst=1) as rig:
        rig.store.cancel_job("job-1")
        for i in range(10):
            rig.queue.send(rig.message(f"r-{i}", f"+4420794609{i:02d}"))
        started = rig.clock()
        assert _failures(rig.handle(rig.queue.receive(), seconds=8.0)) == []
        assert rig.clock() == started  # no pacing wait for calls that are not placed
        assert rig.connect.requests == []
        assert {rig.output(f"token-job-1-r-{i}-1")["status"] for i in range(10)} == {"cancelled"}


def test_a_throttled_attempt_older_than_its_wait_ends_failed() -> None:
    """A quota error that never clears cannot keep a message cycling for ever."""
    with dialer_rig(rate_limit=0) as rig:  # this fake refuses every request
        message = rig.queue.send(rig.message("r-1", NUMBER))
        assert _failures(rig.handle(rig.queue.receive())) == [message]
        assert rig.sfn.sends == []  # throttled: put back, not failed
        rig.clock.advance_to(rig.clock() + rig.dialer.max_attempt_age + 1)
        assert _failures(rig.handle(rig.queue.receive())) == []
        output = rig.output("token-job-1-r-1-1")
    assert (output["status"], output["error"]) == ("failed", "TooManyRequestsException")
