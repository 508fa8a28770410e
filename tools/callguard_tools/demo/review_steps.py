"""The demo's two-step review: agent flags wait for a supervisor, who decides with the CLI.

The flag function runs with ``CALLGUARD_FLAG_MODE=review`` and a notification
topic on the demo's emulator; a queue subscribed to the topic stands in for the
supervisors' e-mail. The steps: a flag leaves the number pending and sends one
message; the caller's next call goes through with the pending-review attribute
set; a supervisor lists the queue and rejects; a later flag of the same number
is only counted; a second supervisor's late approval is refused; and a second
number is approved and refused on its next call.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from callguard.store import BLOCKED, PENDING, REJECTED
from callguard_tools.demo.story import Story
from callguard_tools.flows.connect_event import Contact
from callguard_tools.flows.shipped_templates import DEMO_VALUES
from callguard_tools.flows.simulation import SimulationResult
from callguard_tools.flows.transcript import mask_number

#: Two more callers of the story (numbers reserved for drama in the UK plan).
REVIEWED_CALLER: Final = "+442079460555"
APPROVED_CALLER: Final = "+442079460777"

_FLAG: Final = "agent_flag.flow.json.tftpl"
#: What modules/connect_instance renders as the agent's confirmation in review mode
#: when messages.flag_success is not set.
REVIEW_SUCCESS: Final = "The caller has been flagged for supervisor review."
_REVIEW_FLOWS: Final = {
    _FLAG: {"agent_prompt": "Flagging the caller for review.", "success_message": REVIEW_SUCCESS}
}
_INBOUND: Final = "inbound_denylist.flow.json.tftpl"
_NOTE: Final = "shared switchboard number"

Check = Callable[[SimulationResult], tuple[bool, str]]


@dataclass
class Inbox:
    """An SQS queue subscribed to the review topic: what supervisors would receive."""

    sqs: Any
    url: str
    topic_arn: str

    @classmethod
    def create(cls, story: Story) -> Inbox:
        """Create the topic and the subscribed queue on the demo's emulator."""
        sns = story.client("sns")
        sqs = story.client("sqs")
        name = story.table.removesuffix("-denylist") + "-review"
        topic = sns.create_topic(Name=name)["TopicArn"]
        url = sqs.create_queue(QueueName=f"{name}-inbox")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn["Attributes"]["QueueArn"])
        return cls(sqs, url, topic)

    def take(self) -> list[dict[str, Any]]:
        """Return (and delete) the notifications received so far, as their JSON form."""
        found: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)
            messages = batch.get("Messages", [])
            if not messages:
                return found
            for message in messages:
                envelope = json.loads(message["Body"])
                found.append(
                    {"subject": envelope.get("Subject", ""), **json.loads(envelope["Message"])}
                )
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])


def _review_environment(inbox: Inbox) -> dict[str, str]:
    return {"CALLGUARD_FLAG_MODE": "review", "CALLGUARD_NOTIFY_TOPIC_ARN": inbox.topic_arn}


def _flagged_for_review(story: Story, inbox: Inbox, number: str) -> Check:
    success = REVIEW_SUCCESS

    def check(result: SimulationResult) -> tuple[bool, str]:
        entry = story.store().get(number)
        notes = inbox.take()
        ok = (
            result.attributes.get("callguard_flag_status") == PENDING
            and success in result.transcript.prompts
            and entry is not None
            and entry.status == PENDING
            and len(notes) == 1
            and notes[0]["number_masked"] == mask_number(number)
            and number not in json.dumps(notes)
        )
        stored = "not stored" if entry is None else f"stored as {entry.status}"
        heard = ", ".join(repr(n["subject"]) for n in notes) or "nothing"
        return ok, f"number {stored}; supervisors' inbox got {heard}"

    return check


def _queued_pending(queue: str) -> Check:
    def check(result: SimulationResult) -> tuple[bool, str]:
        attributes = result.attributes
        ok = (
            result.outcome.kind == "transferred"
            and result.outcome.queue == queue
            and attributes.get("callguard_status") == PENDING
            and attributes.get("callguard_pending_review") == "true"
        )
        status = attributes.get("callguard_status")
        flagged = attributes.get("callguard_pending_review")
        return ok, (
            f"{result.outcome.describe()} (callguard_status={status!r}, "
            f"callguard_pending_review={flagged!r})"
        )

    return check


def _cli(story: Story, title: str, expected: str, args: list[str]) -> tuple[int, str, list[str]]:
    """Announce a step, run ``callguard ARGS``; return (exit code, output, transcript lines)."""
    story.step(title, expected)
    done = story.cli(args)
    shown = " ".join(["$ callguard", *done.options[:4], "...", *args])
    return done.code, done.output, [f"  {shown}", *done.lines()]


def review_steps(story: Story) -> None:
    """Play the two-step review (appends its verdicts to ``story``)."""
    inbox = Inbox.create(story)
    review = _review_environment(inbox)
    queue = story.deployment.queue_arn
    blocked_message = str(DEMO_VALUES[_INBOUND]["blocked_message"])
    caller = mask_number(REVIEWED_CALLER)

    on_call = Contact.inbound(REVIEWED_CALLER)
    story.call(
        f"Review mode (CALLGUARD_FLAG_MODE=review): an agent flags a caller ({caller})",
        "the number waits for review as pending; the agent hears the confirmation; "
        "supervisors get one message with the number masked",
        lambda: story.simulator(environment=review, overrides=_REVIEW_FLOWS).agent_flag(on_call),
        _flagged_for_review(story, inbox, REVIEWED_CALLER),
    )
    story.call(
        "The flagged caller rings again while the review is pending",
        "let through (CALLGUARD_BLOCK_PENDING=false); agents see callguard_pending_review=true",
        lambda: story.simulator(environment=review).inbound(REVIEWED_CALLER),
        _queued_pending(queue),
    )

    title = "A supervisor lists the review queue with the callguard CLI"
    expected = "exit 0; the number with its reason, flag count and contact ids"
    code, output, lines = _cli(story, title, expected, ["denylist", "pending"])
    ok = code == 0 and REVIEWED_CALLER in output and "reason:" in output
    story.judge(title, expected, ok, f"exit code {code}", lines)

    title = "The supervisor rejects it (a shared switchboard number)"
    expected = "exit 0; the number is kept as rejected, with who decided, when and why"
    args = ["denylist", "reject", REVIEWED_CALLER, "--note", _NOTE]
    code, _, lines = _cli(story, title, expected, args)
    entry = story.store().get(REVIEWED_CALLER)
    ok = code == 0 and entry is not None and entry.status == REJECTED and entry.review_note == _NOTE
    state = "gone" if entry is None else f"{entry.status}, note {entry.review_note!r}"
    story.judge(title, expected, ok, f"exit code {code}; entry {state}", lines)

    def counted_silently(result: SimulationResult) -> tuple[bool, str]:
        after = story.store().get(REVIEWED_CALLER)
        notes = inbox.take()
        ok = (
            result.attributes.get("callguard_flag_status") == REJECTED
            and after is not None
            and after.status == REJECTED
            and after.flag_count == 2
            and notes == []
        )
        count = "-" if after is None else after.flag_count
        return (
            ok,
            f"status {getattr(after, 'status', None)!r}, {count} flags, {len(notes)} messages",
        )

    story.call(
        "Another agent flags the same caller again, within the suppression period",
        "counted on the rejected entry: no new review and no new message",
        lambda: story.simulator(environment=review, overrides=_REVIEW_FLOWS).agent_flag(
            Contact.inbound(REVIEWED_CALLER)
        ),
        counted_silently,
    )

    title = "A second supervisor, a moment too late, approves the same number"
    expected = "refused in one line with exit code 3: the first decision stands"
    code, output, lines = _cli(story, title, expected, ["denylist", "approve", REVIEWED_CALLER])
    still = story.store().get(REVIEWED_CALLER)
    ok = (
        code == 3
        and "already rejected" in output
        and len(output.strip().splitlines()) == 1
        and still is not None
        and still.status == REJECTED
    )
    story.judge(title, expected, ok, f"exit code {code}", lines)

    other = Contact.inbound(APPROVED_CALLER)
    story.call(
        f"An agent flags another caller ({mask_number(APPROVED_CALLER)}) in review mode",
        "pending, and one more message for the supervisors",
        lambda: story.simulator(environment=review, overrides=_REVIEW_FLOWS).agent_flag(other),
        _flagged_for_review(story, inbox, APPROVED_CALLER),
    )
    title = "A supervisor approves it"
    expected = "exit 0; the number is blocked, the decision recorded"
    args = ["denylist", "approve", APPROVED_CALLER, "--note", "abusive on two calls"]
    code, _, lines = _cli(story, title, expected, args)
    approved = story.store().get(APPROVED_CALLER)
    ok = code == 0 and approved is not None and approved.status == BLOCKED
    story.judge(
        title, expected, ok, f"exit code {code}; entry {getattr(approved, 'status', None)}", lines
    )

    def refused(result: SimulationResult) -> tuple[bool, str]:
        ok = result.outcome.kind == "disconnected" and blocked_message in result.transcript.prompts
        return ok, f"heard {result.transcript.prompts!r}, {result.outcome.describe()}"

    story.call(
        "The approved caller rings again",
        "the blocked message, then disconnected",
        lambda: story.simulator(environment=review).inbound(APPROVED_CALLER),
        refused,
    )
