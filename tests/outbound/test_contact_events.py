"""The DISCONNECTED contact-event handler: mapping, idempotence, foreign contacts."""

from __future__ import annotations

from typing import Any

import pytest
from outbound_dialer_helpers import dialer_rig

from callguard.outbound.contact_events import classify, handle_event
from callguard_tools.outbound_sim.fake_connect import FakeCall, Script

NUMBER = "+442079460958"


def _event(
    detail: dict[str, Any], detail_type: str = "Amazon Connect Contact Event"
) -> dict[str, Any]:
    return {"version": "0", "detail-type": detail_type, "source": "aws.connect", "detail": detail}


@pytest.mark.parametrize(
    ("detail", "status"),
    [
        ({"disconnectReason": "TELECOM_BUSY"}, "busy"),
        ({"disconnectReason": "TELECOM_UNANSWERED"}, "no_answer"),
        ({"disconnectReason": "TELECOM_TIMEOUT"}, "no_answer"),
        ({"disconnectReason": "TELECOM_NUMBER_INVALID"}, "failed"),
        ({"answeringMachineDetectionStatus": "SIT_TONE_BUSY"}, "busy"),
        ({"answeringMachineDetectionStatus": "SIT_TONE_INVALID_NUMBER"}, "failed"),
        (
            {
                "answeringMachineDetectionStatus": "VOICEMAIL_BEEP",
                "connectedToSystemTimestamp": "2026-01-01T00:00:05.000Z",
            },
            "voicemail",
        ),
        (
            {
                "connectedToSystemTimestamp": "2026-01-01T00:00:05.000Z",
                "disconnectReason": "CUSTOMER_DISCONNECT",
            },
            "partial",
        ),
        ({}, "no_answer"),
        ({"disconnectReason": "SOMETHING_NEW"}, "no_answer"),
    ],
)
def test_classification(detail: dict[str, Any], status: str) -> None:
    assert classify(detail).status == status


def _placed_call(rig: Any) -> str:
    rig.queue.send(rig.message("r-1", NUMBER))
    rig.handle(rig.queue.receive())
    return str(rig.connect.requests[-1].contact_id)


def test_disconnect_after_a_hang_up_resolves_partial_with_answers_so_far() -> None:
    with dialer_rig(flow=False) as rig:
        contact_id = _placed_call(rig)
        rig.store.add_answer(contact_id, 1, "yes")
        report = handle_event(
            _event(
                {
                    "eventType": "DISCONNECTED",
                    "contactId": contact_id,
                    "connectedToSystemTimestamp": "2026-01-01T00:00:05.000Z",
                }
            ),
            rig.store,
        )
        assert report.resolved == 1 and report.statuses == {"partial": 1}
        output = rig.output("token-job-1-r-1-1")
    assert output["status"] == "partial"
    assert output["answers"] == {"1": "yes"}
    assert output["source"] == "contact_event"
    assert output["detail"] == "connectedToSystemTimestamp"


def test_event_after_the_flow_resolved_is_a_no_op() -> None:
    def flow_completes(call: FakeCall) -> None:
        from callguard.outbound.task_tokens import Outcome

        rig.store.resolve(call.contact_id, Outcome(status="completed", source="flow"))

    with dialer_rig(scripts={NUMBER: Script(answers=("yes",))}, flow=False) as rig:
        rig.connect.on_answered = flow_completes
        _placed_call(rig)
        rig.clock.sleep(120)
        rig.connect.advance()  # CONNECTED (flow resolves), then DISCONNECTED
        assert rig.output("token-job-1-r-1-1")["status"] == "completed"
        assert [r.already_resolved for r in rig.event_reports] == [0, 0, 1]
        assert len(rig.sfn.sends) == 1


def test_unknown_contacts_and_other_events_are_ignored_and_counted() -> None:
    with dialer_rig() as rig:
        unknown = handle_event(_event({"eventType": "DISCONNECTED", "contactId": "x"}), rig.store)
        assert unknown.unknown_contact == 1 and unknown.resolved == 0
        for event in (
            _event({"eventType": "CONNECTED_TO_SYSTEM", "contactId": "x"}),
            _event({"eventType": "DISCONNECTED"}),
            _event({"eventType": "DISCONNECTED", "contactId": "x"}, detail_type="Other"),
            {"detail-type": "Amazon Connect Contact Event", "detail": "not an object"},
        ):
            assert handle_event(event, rig.store).ignored == 1
        assert rig.sfn.sends == []


def test_lost_event_leaves_the_wait_to_the_backstop_timeout() -> None:
    """No event, no resolve: the task's timeout ends it, and a late event is swallowed."""
    with dialer_rig(flow=False) as rig:
        contact_id = _placed_call(rig)
        rig.sfn.time_out("token-job-1-r-1-1")
        report = handle_event(
            _event({"eventType": "DISCONNECTED", "contactId": contact_id}), rig.store
        )
        assert report.resolved == 1  # recorded as resolved in the table ...
        assert (
            rig.sfn.results["token-job-1-r-1-1"].error == "States.Timeout"
        )  # ... SFN kept its own
        call = rig.store.get(contact_id)
        assert call is not None and call.state == "resolved"
