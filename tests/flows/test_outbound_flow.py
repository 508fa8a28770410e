"""Every branch of the outbound call flow, played with the real functions and the bot definition.

Each call goes through the rendered outbound template, the real ``call_step``,
``record_answer`` and ``finish_call`` handlers, the task-token and deny-list tables on
moto, and a receiver whose words and keys are resolved from
``modules/outbound_bots/bots.json``: a test fails when the bot cannot understand
what the flow asks for.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from callguard.outbound.model import Job, JobConfig, Question, QuestionType, Receiver
from callguard.store import DenyList, NotFoundError
from callguard_tools.flows.lambda_invoke import load_handler
from callguard_tools.flows.simulation import (
    HANG_UP,
    SILENCE,
    CallScript,
    Deployment,
    Turn,
    press,
    say,
)
from callguard_tools.flows.transcript import LambdaCalled, PromptPlayed, ReceiverHeard
from callguard_tools.outbound_sim.calls import DENY_TABLE, CallRig, PlayedCall

REGION = "eu-west-2"
PHONE = "+447700900123"
GREETING = "Hello, this is the surgery calling about your appointment."
ENDING = "Thank you for your answers. Goodbye."
RETRY = "Sorry, I did not get that. Let me ask again."

TYPES = (
    QuestionType.OK,
    QuestionType.YES_NO,
    QuestionType.MULTIPLE_CHOICE,
    QuestionType.NUMBER,
    QuestionType.DATE,
    QuestionType.TIME,
)


def job_of(*types: QuestionType, job_id: str = "job-7") -> Job:
    questions = tuple(
        Question(n, f"Question {n}, of type {kind.value}?", kind)
        for n, kind in enumerate(types, start=1)
    )
    return Job(
        id=job_id,
        config=JobConfig(greeting=GREETING, ending=ENDING),
        questions=questions,
        receivers=(Receiver("r-1", PHONE),),
    )


@pytest.fixture(scope="module")
def moto() -> Iterator[None]:
    """One moto account for the module: the rig's tables are created once."""
    with mock_aws():
        yield


@pytest.fixture(scope="module")
def shared_rig(moto: None) -> CallRig:
    return CallRig(
        boto3.client("dynamodb", region_name=REGION),
        boto3.client("stepfunctions", region_name=REGION),
    )


@pytest.fixture
def make_rig(moto: None) -> Callable[..., CallRig]:
    """A rig with template overrides, on the module's tables."""

    def build(**overrides: Any) -> CallRig:
        return CallRig(
            boto3.client("dynamodb", region_name=REGION),
            boto3.client("stepfunctions", region_name=REGION),
            overrides=overrides,
        )

    return build


@pytest.fixture
def rig(shared_rig: CallRig) -> Iterator[CallRig]:
    yield shared_rig
    shared_rig.deployment.handlers.update(Deployment.render().handlers)
    with contextlib.suppress(NotFoundError):
        deny_list().remove(PHONE)


def play(rig: CallRig, job: Job, *turns: Turn, status: str | None = None) -> PlayedCall:
    return rig.call(job, job.receivers[0], CallScript(turns=turns, call_status=status))


def prompts(played: PlayedCall) -> list[str]:
    return played.simulation.transcript.prompts


def asked(played: PlayedCall, number: int) -> int:
    """How often question ``number`` was put to the receiver."""
    return sum(f"Question {number}," in text for text in prompts(played))


def deny_list() -> DenyList:
    return DenyList(boto3.client("dynamodb", region_name=REGION), DENY_TABLE)


# ----------------------------------------------------------------------------- answers

VOICE = [
    (QuestionType.OK, "okay", "OK"),
    (QuestionType.OK, "got it", "OK"),
    (QuestionType.YES_NO, "yes", "yes"),
    (QuestionType.YES_NO, "no thank you", "no"),
    (QuestionType.YES_NO, "I would say yes", "yes"),
    (QuestionType.MULTIPLE_CHOICE, "option c", "C"),
    (QuestionType.MULTIPLE_CHOICE, "bravo", "B"),
    (QuestionType.MULTIPLE_CHOICE, "I choose E", "E"),
    (QuestionType.NUMBER, "forty two", "42"),
    (QuestionType.NUMBER, "it's 17", "17"),
    (QuestionType.DATE, "the 3rd of March 2026", "2026-03-03"),
    (QuestionType.DATE, "on 2026-12-24", "2026-12-24"),
    (QuestionType.TIME, "half past two", "02:30"),
    (QuestionType.TIME, "at 2:30 pm", "14:30"),
]
KEYPAD = [
    (QuestionType.OK, "1", "OK"),
    (QuestionType.YES_NO, "1", "yes"),
    (QuestionType.YES_NO, "2", "no"),
    (QuestionType.MULTIPLE_CHOICE, "1", "A"),
    (QuestionType.MULTIPLE_CHOICE, "4", "D"),
    (QuestionType.NUMBER, "12#", "12"),
    (QuestionType.NUMBER, "09#", "9"),
    (QuestionType.DATE, "20260303#", "2026-03-03"),
    (QuestionType.TIME, "1430#", "14:30"),
]


@pytest.mark.parametrize(("kind", "utterance", "expected"), VOICE, ids=str)
def test_each_type_answered_by_voice(
    rig: CallRig, kind: QuestionType, utterance: str, expected: str
) -> None:
    played = play(rig, job_of(kind), say(utterance))
    assert played.answers == {"1": expected}
    assert played.status == "completed"
    assert played.task is not None and played.task.output is not None
    assert played.task.output["answers"] == {"1": expected}
    assert prompts(played)[0].startswith(f"<speak>{GREETING} To stop receiving these calls")
    assert prompts(played)[-1] == f"<speak>{ENDING}</speak>"
    assert played.simulation.outcome.kind == "disconnected"


@pytest.mark.parametrize(("kind", "keys", "expected"), KEYPAD, ids=str)
def test_each_type_answered_by_keypad(
    rig: CallRig, kind: QuestionType, keys: str, expected: str
) -> None:
    played = play(rig, job_of(kind), press(keys))
    assert played.answers == {"1": expected}
    assert played.status == "completed"
    assert RETRY not in prompts(played)


def test_a_whole_job_some_answers_by_keypad(rig: CallRig) -> None:
    played = play(
        rig,
        job_of(*TYPES),
        say("okay"),
        press("2"),
        say("option b"),
        press("250#"),
        say("tomorrow"),
        press("0915#"),
    )
    assert played.status == "completed"
    answers = played.answers
    assert [answers[str(n)] for n in range(1, 5)] == ["OK", "no", "B", "250"]
    assert len(answers["5"]) == 10 and answers["6"] == "09:15"
    heard = played.simulation.transcript.of_type(ReceiverHeard)
    assert [entry.bot for entry in heard] == [
        "ok",
        "yes_no",
        "multiple_choice",
        "number",
        "date",
        "time",
    ]


def test_every_prompt_holds_one_question_and_the_attributes_stay_small(rig: CallRig) -> None:
    played = play(rig, job_of(*TYPES), *(say("stop"),))
    attributes = played.simulation.attributes
    assert sum(len(k) + len(v) for k, v in attributes.items()) < 2_000
    assert "Question 2," not in attributes["callguard_prompt"]


def test_a_message_is_spoken_and_not_answered(rig: CallRig) -> None:
    played = play(rig, job_of(QuestionType.MESSAGE, QuestionType.YES_NO), say("yes"))
    assert played.answers == {"2": "yes"}
    assert played.status == "completed"
    assert [e.bot for e in played.simulation.transcript.of_type(ReceiverHeard)] == ["yes_no"]


# ----------------------------------------------------------------------------- repeat, retries


def test_repeat_replays_the_question_without_counting_a_try(rig: CallRig) -> None:
    played = play(rig, job_of(QuestionType.YES_NO), say("say that again"), say("yes"))
    assert asked(played, 1) == 2
    assert RETRY not in prompts(played)
    assert played.answers == {"1": "yes"}


def test_repeat_forever_is_capped(rig: CallRig) -> None:
    played = play(rig, job_of(QuestionType.YES_NO), *([say("repeat")] * 20))
    assert played.status == "completed"
    assert played.answers == {"1": ""}
    assert asked(played, 1) == 3 + 3  # three repeats, then three tries that count


def test_two_fallbacks_then_an_answer_counts(rig: CallRig) -> None:
    played = play(rig, job_of(QuestionType.YES_NO), say("banana"), say("purple"), say("yes"))
    assert played.answers == {"1": "yes"}
    assert prompts(played).count(RETRY) == 2


def test_after_the_retries_no_answer_is_recorded_and_the_call_moves_on(rig: CallRig) -> None:
    job = job_of(QuestionType.YES_NO, QuestionType.NUMBER)
    played = play(rig, job, say("banana"), say("banana"), say("banana"), say("seven"))
    assert asked(played, 1) == 3
    assert played.answers == {"1": "", "2": "7"}
    assert played.status == "completed"


def test_the_retry_limit_is_configurable(make_rig: Callable[..., CallRig]) -> None:
    rig = make_rig(max_retries="0")
    played = play(rig, job_of(QuestionType.YES_NO, QuestionType.OK), say("banana"), say("ok"))
    assert asked(played, 1) == 1
    assert played.answers == {"1": "", "2": "OK"}


def test_maybe_is_not_a_yes_no_answer(rig: CallRig) -> None:
    played = play(rig, job_of(QuestionType.YES_NO), say("maybe"), say("no"))
    assert played.answers == {"1": "no"}
    verdicts = [c.response for c in played.simulation.transcript.of_type(LambdaCalled)]
    assert {"action": "again", "reason": "invalid"}.items() <= verdicts[2].items()


def test_an_invalid_keyed_date_is_asked_again(rig: CallRig) -> None:
    played = play(rig, job_of(QuestionType.DATE), press("20261345#"), press("20261231#"))
    assert played.answers == {"1": "2026-12-31"}
    assert prompts(played).count(RETRY) == 1


def test_a_nine_in_a_one_key_bot_is_only_the_opt_out_key(rig: CallRig) -> None:
    played = play(rig, job_of(QuestionType.NUMBER), press("9#"))
    assert played.status == "opted_out"


# ----------------------------------------------------------------------------- silence, voicemail


def test_silence_from_the_start_ends_the_call_without_asking_everything(rig: CallRig) -> None:
    played = play(rig, job_of(*TYPES), SILENCE, SILENCE, SILENCE, *([SILENCE] * 20))
    assert asked(played, 1) == 3
    assert asked(played, 2) == 0
    assert played.status == "partial"
    assert played.task is not None and played.task.output is not None
    assert played.task.output["detail"] == "no response"
    assert played.simulation.outcome.kind == "disconnected"


def test_silence_after_an_answer_moves_on(rig: CallRig) -> None:
    job = job_of(QuestionType.YES_NO, QuestionType.NUMBER, QuestionType.OK)
    played = play(rig, job, say("yes"), SILENCE, SILENCE, SILENCE, say("ok"))
    assert played.answers == {"1": "yes", "2": "", "3": "OK"}
    assert played.status == "completed"


@pytest.mark.parametrize("status", ["VoicemailBeep", "VoicemailNoBeep"])
def test_a_voicemail_ends_at_once_without_a_message_by_default(rig: CallRig, status: str) -> None:
    played = play(rig, job_of(QuestionType.YES_NO), status=status)
    assert played.status == "voicemail"
    assert prompts(played) == []


def test_a_configured_voicemail_message_is_left(make_rig: Callable[..., CallRig]) -> None:
    rig = make_rig(voicemail_message="This is the surgery. We will call again.")
    played = play(rig, job_of(QuestionType.YES_NO), status="VoicemailBeep")
    assert prompts(played) == ["This is the surgery. We will call again."]
    assert played.status == "voicemail"


@pytest.mark.parametrize("status", ["CallAnswered", "NotDetected", None])
def test_a_person_or_no_detection_hears_the_questions(rig: CallRig, status: str | None) -> None:
    played = play(rig, job_of(QuestionType.YES_NO), say("yes"), status=status)
    assert played.status == "completed"


def test_recording_is_off_unless_configured(make_rig: Callable[..., CallRig]) -> None:
    default = play(make_rig(), job_of(QuestionType.OK), say("ok"))
    assert not any("start-recording" in v for v in default.simulation.transcript.visited)
    recorded = play(make_rig(recording_enabled=True), job_of(QuestionType.OK), say("ok"))
    assert "outbound_call/start-recording" in recorded.simulation.transcript.visited
    assert recorded.status == "completed"


# ----------------------------------------------------------------------------- opt-out


@pytest.mark.parametrize(
    ("position", "turn"),
    list(
        itertools.product(
            range(1, len(TYPES) + 1), [say("stop"), say("do not call me"), press("9")]
        )
    ),
    ids=lambda v: v.text if isinstance(v, Turn) else f"q{v}",
)
def test_opt_out_at_each_question(rig: CallRig, position: int, turn: Turn) -> None:
    answers = [say("ok"), press("1"), press("2"), press("5#"), press("20260101#"), press("1200#")]
    played = play(rig, job_of(*TYPES), *answers[: position - 1], turn, say("ok"))
    assert played.status == "opted_out"
    assert len(played.answers) == position - 1
    assert asked(played, position + 1) == 0 if position < len(TYPES) else True
    assert any("do-not-call list" in text for text in prompts(played))
    entry = deny_list().get(PHONE)
    assert entry is not None
    assert (entry.status, entry.source) == ("blocked", "outbound_optout")
    assert "job-7" in entry.reason
    assert played.simulation.outcome.kind == "disconnected"


def test_an_opt_out_overrides_an_earlier_rejection(rig: CallRig) -> None:
    store = deny_list()
    store.flag(PHONE, status="pending", reason="agent thought so", source="agent")
    store.reject(PHONE, reviewer="sup")
    played = play(rig, job_of(QuestionType.OK), say("stop calling me"))
    assert played.status == "opted_out"
    entry = store.get(PHONE)
    assert entry is not None and entry.status == "blocked"


# ----------------------------------------------------------------------------- hang-up, errors


def test_a_hang_up_mid_question_keeps_the_answers_and_leaves_the_wait_to_the_event(
    rig: CallRig,
) -> None:
    played = play(rig, job_of(*TYPES), say("ok"), HANG_UP)
    assert played.simulation.outcome.kind == "hung_up"
    assert played.answers == {"1": "OK"}
    assert played.task is None  # the DISCONNECTED contact event resolves it as partial


def test_an_unreachable_bot_counts_as_a_failed_try(make_rig: Callable[..., CallRig]) -> None:
    rig = make_rig()
    assert rig.deployment.bots is not None
    aliases = dict(rig.deployment.bots.aliases)
    gone = next(arn for arn, bot in aliases.items() if bot == "yes_no")
    del aliases[gone]
    object.__setattr__(rig.deployment.bots, "aliases", aliases)
    played = play(rig, job_of(QuestionType.YES_NO, QuestionType.OK), say("yes"), say("ok"))
    reasons = [c.response.get("reason") for c in played.simulation.transcript.of_type(LambdaCalled)]
    assert reasons.count("bot_error") == 3
    assert played.answers == {"1": "", "2": "OK"}


FULL_CALL = (say("yes"), press("3"))
#: The invocations of FULL_CALL in order: greet, q1, answer, q2, answer, done, finish.
FULL_CALL_INVOCATIONS = 7


@pytest.mark.parametrize("failing", range(FULL_CALL_INVOCATIONS))
def test_a_function_error_at_each_invocation_is_handled(rig: CallRig, failing: int) -> None:
    calls = itertools.count()

    def wrap(dotted: str) -> Callable[[dict[str, Any], Any], Any]:
        real = load_handler(dotted)

        def handler(event: dict[str, Any], context: Any) -> Any:
            if next(calls) == failing:
                raise RuntimeError("injected failure")
            return real(event, context)

        return handler

    for arn, dotted in list(rig.deployment.handlers.items()):
        if isinstance(dotted, str) and "outbound" in dotted:
            rig.deployment.handlers[arn] = wrap(dotted)
    played = play(rig, job_of(QuestionType.YES_NO, QuestionType.MULTIPLE_CHOICE), *FULL_CALL)
    assert played.simulation.outcome.kind == "disconnected"
    kept = {"1": "yes", "2": "C"}
    if failing == FULL_CALL_INVOCATIONS - 1:
        assert played.task is None  # finish failed: the contact event ends the wait
        assert prompts(played)[-1] == f"<speak>{ENDING}</speak>"
        return
    assert played.status == "partial"
    assert played.task is not None and played.task.output is not None
    assert played.task.output["detail"] == "flow error"
    assert any("went wrong" in text for text in prompts(played))
    answered_before = {0: 0, 1: 0, 2: 0, 3: 1, 4: 1, 5: 2}[failing]
    assert played.answers == dict(list(kept.items())[:answered_before]), "\n".join(
        played.simulation.transcript.render()
    )


def test_the_transcript_masks_the_number_and_names_what_the_bot_heard(rig: CallRig) -> None:
    played = play(rig, job_of(QuestionType.YES_NO), press("1"))
    text = "\n".join(played.simulation.transcript.render())
    assert PHONE not in text
    assert "receiver presses 1 -> yes_no bot: KeypadYes" in text
    assert isinstance(played.simulation.transcript.of_type(PromptPlayed)[0], PromptPlayed)
