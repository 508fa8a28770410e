"""A fake Amazon Connect for outbound calls: quotas, idempotency, scripted receivers, events.

Amazon Connect has no emulator. This fake answers ``StartOutboundVoiceContact`` on a
*real* boto3 ``connect`` client (through a ``before-call`` hook, see :mod:`.hooks`), so
the dialer's request building, error classification and botocore's modelled
exceptions are all exercised. It behaves as the service is documented to:

* **ClientToken.** A repeated token returns the first ContactId and places no call.
* **Rate.** More than ``rate_limit`` requests in any one second are refused with
  ``TooManyRequestsException`` (Connect's default for the API is 2 per second).
* **Concurrency.** More than ``concurrent_limit`` calls in progress are refused with
  ``LimitExceededException`` (the concurrent active calls quota, default 10).
* **Receivers.** Each number plays a :class:`Script`: answer every question, hang up
  at question N, no answer, busy, voicemail, or a refused or invalid destination.
* **Events.** Each call emits ``INITIATED``, ``CONNECTED_TO_SYSTEM`` when answered and
  ``DISCONNECTED`` at its end, as EventBridge "Amazon Connect Contact Event" dicts, to
  ``on_event``. ``on_answered`` is where a flow stand-in (the call simulator) plugs in.

Time is a :class:`SimClock`, so a burst of fifty calls takes no real time.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from callguard.numbers import is_e164
from callguard.outbound.pacing import ConcurrencyCap
from callguard_tools.flows.simulation import Turn
from callguard_tools.outbound_sim.hooks import ServiceError, attach

#: EventBridge ``detail-type`` and ``source`` of contact events.
DETAIL_TYPE: Final = "Amazon Connect Contact Event"
SOURCE: Final = "aws.connect"
#: Connect's documented default ring timeout when the request sets none.
DEFAULT_RING_SECONDS: Final = 60


class SimClock:
    """Simulated seconds; ``sleep`` advances it (pass it wherever code would sleep).

    Whatever lives on simulated time (the fake Connect's calls) subscribes with
    :meth:`subscribe` and is told after every move, so no event is played late.
    """

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.now = start
        self._subscribers: list[Callable[[], None]] = []

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after every move of the clock."""
        self._subscribers.append(callback)

    def advance_to(self, moment: float) -> None:
        """Move to ``moment`` (never backwards) and tell the subscribers."""
        self.now = max(self.now, moment)
        for callback in self._subscribers:
            callback()

    def __call__(self) -> float:
        """Return the simulated time (epoch seconds)."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        self.advance_to(self.now + max(seconds, 0.0))


class Outcome(enum.Enum):
    """How a scripted receiver behaves when called."""

    ANSWER = "answer"
    HANG_UP = "hang_up"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"
    NOT_ALLOWED = "not_allowed"
    NOT_PERMITTED = "not_permitted"
    INVALID_NUMBER = "invalid_number"


@dataclass(frozen=True, slots=True)
class Script:
    """One receiver's behaviour.

    ``answers`` are the answers given in question order. ``hang_up_at`` (1-based) is
    the question during which a ``HANG_UP`` receiver hangs up (answers before it are
    given). ``ring_seconds`` is how long the phone rings before it is answered (or
    gives up); ``seconds_per_question`` paces an answered call. ``server_errors``
    makes the first N requests for this number fail with ``InternalServiceException``.
    ``turns`` is what the receiver says and keys in once the call is answered, for a
    flow simulator to play (``None``: derived from ``answers`` by whoever plays it).
    """

    outcome: Outcome = Outcome.ANSWER
    answers: tuple[str, ...] = ()
    hang_up_at: int | None = None
    ring_seconds: float = 5.0
    seconds_per_question: float = 10.0
    server_errors: int = 0
    turns: tuple[Turn, ...] | None = None

    @property
    def answers_given(self) -> tuple[str, ...]:
        """The answers the receiver gives before the call ends."""
        if self.outcome is Outcome.HANG_UP and self.hang_up_at is not None:
            return self.answers[: max(self.hang_up_at - 1, 0)]
        if self.outcome is Outcome.ANSWER:
            return self.answers
        return ()


@dataclass(slots=True)
class FakeCall:
    """A placed call and its timeline (simulated epoch seconds)."""

    contact_id: str
    number: str
    client_token: str
    script: Script
    attributes: dict[str, str]
    initiated_at: float
    connected_at: float | None
    ends_at: float
    connected: bool = False
    ended: bool = False


@dataclass(slots=True)
class Request:
    """One ``StartOutboundVoiceContact`` request as the fake saw it."""

    at: float
    client_token: str
    number: str
    result: str  # placed | repeated | throttled | limited | refused | error
    contact_id: str = ""


@dataclass
class FakeConnect:
    """The fake service. Attach it to a boto3 ``connect`` client with :meth:`attach`."""

    clock: SimClock
    scripts: Mapping[str, Script] = field(default_factory=dict)
    default_script: Script = field(default_factory=Script)
    rate_limit: int = 2
    concurrent_limit: int = 10
    on_event: Callable[[dict[str, Any]], None] | None = None
    on_answered: Callable[[FakeCall], None] | None = None
    instance_id: str = "11111111-2222-3333-4444-555555555555"
    region: str = "eu-west-2"
    account: str = "123456789012"
    requests: list[Request] = field(default_factory=list)
    calls: dict[str, FakeCall] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_token: dict[str, str] = {}
        self._active = ConcurrencyCap(self.concurrent_limit)
        self._server_errors: dict[str, int] = {}
        self._sequence = 0
        self._event_sequence = 0
        self.peak_active = 0
        self._advancing = False
        self.clock.subscribe(self.advance)

    # ------------------------------------------------------------ wiring
    def attach(self, client: Any) -> Any:
        """Answer ``client``'s ``StartOutboundVoiceContact`` from this fake; return the client."""
        attach(client, "StartOutboundVoiceContact", self._start)
        return client

    @property
    def instance_arn(self) -> str:
        """The ARN of the fake instance."""
        return f"arn:aws:connect:{self.region}:{self.account}:instance/{self.instance_id}"

    @property
    def active_calls(self) -> int:
        """Calls in progress now."""
        return self._active.active

    # ------------------------------------------------------------ the API
    def _start(self, request: dict[str, Any]) -> dict[str, Any]:
        self.advance()
        now = self.clock()
        token = str(request.get("ClientToken", ""))
        number = str(request.get("DestinationPhoneNumber", ""))
        if token in self._by_token:  # idempotent repeat: same contact, no new call
            contact_id = self._by_token[token]
            self.requests.append(Request(now, token, number, "repeated", contact_id))
            return {"ContactId": contact_id, "ContactArn": self._contact_arn(contact_id)}
        recent = [r for r in self.requests if r.at > now - 1.0 and r.result in _COUNTED]
        if len(recent) >= self.rate_limit:
            self.requests.append(Request(now, token, number, "throttled"))
            raise ServiceError("TooManyRequestsException", "Rate exceeded", 429)
        script = self.scripts.get(number, self.default_script)
        if str(request.get("InstanceId")) != self.instance_id:
            self.requests.append(Request(now, token, number, "error"))
            raise ServiceError("ResourceNotFoundException", "instance not found", 404)
        if not is_e164(number):
            self.requests.append(Request(now, token, number, "refused"))
            raise ServiceError("InvalidParameterException", "DestinationPhoneNumber", 400)
        errors_left = self._server_errors.setdefault(number, script.server_errors)
        if errors_left > 0:
            self._server_errors[number] = errors_left - 1
            self.requests.append(Request(now, token, number, "error"))
            raise ServiceError("InternalServiceException", "injected", 500)
        if script.outcome is Outcome.NOT_ALLOWED:
            self.requests.append(Request(now, token, number, "refused"))
            raise ServiceError("DestinationNotAllowedException", "not allowed", 403)
        if script.outcome is Outcome.NOT_PERMITTED:
            self.requests.append(Request(now, token, number, "refused"))
            raise ServiceError("OutboundContactNotPermittedException", "not permitted", 403)
        if script.outcome is Outcome.INVALID_NUMBER:
            self.requests.append(Request(now, token, number, "refused"))
            raise ServiceError("InvalidParameterException", "DestinationPhoneNumber", 400)
        contact_id = self._new_contact_id()
        if not self._active.try_enter(contact_id):
            self.requests.append(Request(now, token, number, "limited"))
            raise ServiceError("LimitExceededException", "concurrent calls quota", 429)
        ring_limit = float(request.get("RingTimeoutInSeconds") or DEFAULT_RING_SECONDS)
        call = self._schedule(
            contact_id,
            number=number,
            token=token,
            script=script,
            request=request,
            now=now,
            ring_limit=ring_limit,
        )
        self.calls[contact_id] = call
        self._by_token[token] = contact_id
        self.peak_active = max(self.peak_active, self._active.active)
        self.requests.append(Request(now, token, number, "placed", contact_id))
        self._emit(call, "INITIATED")
        return {"ContactId": contact_id, "ContactArn": self._contact_arn(contact_id)}

    def _schedule(
        self,
        contact_id: str,
        *,
        number: str,
        token: str,
        script: Script,
        request: Mapping[str, Any],
        now: float,
        ring_limit: float,
    ) -> FakeCall:
        answered = script.outcome in {Outcome.ANSWER, Outcome.HANG_UP, Outcome.VOICEMAIL}
        if script.outcome is Outcome.BUSY:
            connected_at, ends_at = None, now + 2.0
        elif not answered or script.ring_seconds >= ring_limit:
            connected_at, ends_at = None, now + ring_limit
        else:
            connected_at = now + script.ring_seconds
            questions = max(len(script.answers_given), 1)
            if script.outcome is Outcome.HANG_UP:
                questions = max(script.hang_up_at or 1, 1)
            ends_at = connected_at + questions * script.seconds_per_question
        attributes = {str(k): str(v) for k, v in dict(request.get("Attributes") or {}).items()}
        return FakeCall(contact_id, number, token, script, attributes, now, connected_at, ends_at)

    # ------------------------------------------------------------ time
    def advance(self) -> None:
        """Play every call's events up to the clock's present, in time order."""
        if self._advancing:  # an event handler moved the clock: the loop below catches up
            return
        self._advancing = True
        try:
            self._play()
        finally:
            self._advancing = False

    def _play(self) -> None:
        now = self.clock()
        while True:
            due: list[tuple[float, int, FakeCall]] = []
            for call in self.calls.values():
                if call.ended:
                    continue
                if (
                    call.connected_at is not None
                    and not call.connected
                    and call.connected_at <= now
                ):
                    due.append((call.connected_at, 0, call))
                elif call.ends_at <= now and (call.connected or call.connected_at is None):
                    due.append((call.ends_at, 1, call))
            if not due:
                return
            _, kind, call = min(due, key=lambda item: (item[0], item[1]))
            if kind == 0:
                call.connected = True
                self._emit(call, "CONNECTED_TO_SYSTEM")
                if self.on_answered is not None:
                    self.on_answered(call)
            else:
                call.ended = True
                self._active.leave(call.contact_id)
                self._emit(call, "DISCONNECTED")

    def next_event_at(self) -> float | None:
        """When the next call event is due (``None`` when no call is in progress)."""
        times = [
            call.connected_at
            if call.connected_at is not None and not call.connected
            else call.ends_at
            for call in self.calls.values()
            if not call.ended
        ]
        return min(times) if times else None

    # ------------------------------------------------------------ events
    def _emit(self, call: FakeCall, event_type: str) -> None:
        event = self.contact_event(call, event_type)
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def contact_event(self, call: FakeCall, event_type: str) -> dict[str, Any]:
        """Build the EventBridge event for ``event_type`` of ``call`` (fields as documented)."""
        self._event_sequence += 1
        at = {
            "INITIATED": call.initiated_at,
            "CONNECTED_TO_SYSTEM": call.connected_at or call.initiated_at,
            "DISCONNECTED": call.ends_at,
        }[event_type]
        detail: dict[str, Any] = {
            "eventType": event_type,
            "contactId": call.contact_id,
            "channel": "VOICE",
            "instanceArn": self.instance_arn,
            "initiationMethod": "API",
            "initiationTimestamp": _iso(call.initiated_at),
        }
        if call.connected and call.connected_at is not None:
            detail["connectedToSystemTimestamp"] = _iso(call.connected_at)
        if event_type == "DISCONNECTED":
            detail["disconnectTimestamp"] = _iso(call.ends_at)
            reason = _DISCONNECT_REASONS.get(call.script.outcome)
            if reason and not call.connected:
                detail["disconnectReason"] = reason
        return {
            "version": "0",
            "id": str(uuid.UUID(int=self._event_sequence)),
            "detail-type": DETAIL_TYPE,
            "source": SOURCE,
            "account": self.account,
            "time": _iso(at, millis=False),
            "region": self.region,
            "resources": [self._contact_arn(call.contact_id), self.instance_arn],
            "detail": detail,
        }

    # ------------------------------------------------------------ helpers
    def _new_contact_id(self) -> str:
        self._sequence += 1
        return str(uuid.UUID(int=(0xC0 << 120) + self._sequence))

    def _contact_arn(self, contact_id: str) -> str:
        return f"{self.instance_arn}/contact/{contact_id}"

    def placed_tokens(self) -> list[str]:
        """Client tokens of the calls actually placed, in order (a repeat never appears)."""
        return [r.client_token for r in self.requests if r.result == "placed"]


class AttemptScripts(dict[str, Any]):
    """Scripts per number that change with each call placed: ``{number: [first, second]}``.

    The fake Connect asks for a number's script once per request; the script is
    chosen by how many calls to the number it has placed so far, so a throttled
    or refused request does not move a receiver on to its next behaviour.
    """

    def __init__(self, sequences: dict[str, list[Any]]) -> None:
        super().__init__()
        self.sequences = sequences
        self.connect: Any = None

    def get(self, number: str, default: Any = None) -> Any:
        """Return ``number``'s script for its next call (``self.connect`` counts the calls)."""
        sequence = self.sequences.get(number)
        if not sequence:
            return default
        placed = sum(1 for call in self.connect.calls.values() if call.number == number)
        return sequence[min(placed, len(sequence) - 1)]


#: Requests the rate limit counts (a throttled request consumes nothing).
_COUNTED: Final = frozenset({"placed", "repeated", "limited", "refused", "error"})
#: ``disconnectReason`` the fake reports for calls that never connected. The values are
#: those of the contact *record* data model; that contact *events* carry them for
#: non-campaign calls is unverified (docs/outbound-dialer.md lists it).
_DISCONNECT_REASONS: Final = {
    Outcome.BUSY: "TELECOM_BUSY",
    Outcome.NO_ANSWER: "TELECOM_UNANSWERED",
}


def _iso(epoch: float, *, millis: bool = True) -> str:
    moment = dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
