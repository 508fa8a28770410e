"""The Lambda action: ``InvokeLambdaFunction``, whose answer the flow reads as ``$.External``.

The function is called through the walk's
:class:`~callguard_tools.flows.lambda_invoke.LambdaInvoker` with the event Connect
would send; a synchronous call's answer becomes the contact's external attributes,
and a failed one clears them and takes the error branch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from callguard_tools.flows.connect_event import build_event
from callguard_tools.flows.lambda_invoke import MAX_TIME_LIMIT_SECONDS, ResponseType
from callguard_tools.flows.model import Action
from callguard_tools.flows.simulation.action_handler import ActionHandler, ParameterReader
from callguard_tools.flows.transcript import LambdaCalled

if TYPE_CHECKING:
    from callguard_tools.flows.simulation.walker import Walker


@dataclass(frozen=True)
class LambdaInvocation:
    """``InvokeLambdaFunction``: the function, its time limit (None: unreadable) and inputs."""

    function_arn: Any
    time_limit_seconds: float | None
    attributes: Mapping[str, Any]
    response_type: ResponseType
    asynchronous: bool


def _lambda_invocation(reader: ParameterReader) -> LambdaInvocation:
    limit = reader.value("InvocationTimeLimitSeconds", MAX_TIME_LIMIT_SECONDS)
    try:
        seconds: float | None = min(float(limit), MAX_TIME_LIMIT_SECONDS)
    except (TypeError, ValueError):
        seconds = None  # Connect would not publish it; the walk takes the error branch
    validation = reader.nested("ResponseValidation")
    return LambdaInvocation(
        function_arn=reader.value("LambdaFunctionARN"),
        time_limit_seconds=seconds,
        attributes=reader.mapping("LambdaInvocationAttributes"),
        response_type="JSON" if validation.value("ResponseType") == "JSON" else "STRING_MAP",
        asynchronous=reader.value("InvocationType") == "ASYNCHRONOUS",
    )


def _invoke_lambda(walk: Walker, action: Action, spec: LambdaInvocation) -> str:
    if spec.time_limit_seconds is None:
        return walk.error(action, "NoMatchingError")
    function_arn = walk.text(spec.function_arn)
    sent = {key: walk.text(value) for key, value in spec.attributes.items()}
    event = build_event(walk.contact.contact_data(walk.attributes, walk.target_queue), sent)
    invocation = walk.invoker.invoke(
        function_arn,
        event,
        time_limit_seconds=spec.time_limit_seconds,
        response_type=spec.response_type,
    )
    walk.record(
        LambdaCalled(
            walk.flow.name,
            action.identifier,
            function_arn,
            invocation.handler,
            invocation.parameters,
            invocation.ok,
            invocation.response,
            invocation.error,
            invocation.log_lines,
        )
    )
    if spec.asynchronous:
        return walk.next(action)
    if not invocation.ok:
        # Conservative: nothing of a failed call is readable afterwards.
        walk.external = {}
        return walk.error(action, "NoMatchingError")
    walk.external = dict(invocation.response)
    return walk.next(action)


#: The Lambda action, by type.
HANDLERS: Mapping[str, ActionHandler[Any]] = {
    "InvokeLambdaFunction": ActionHandler(_lambda_invocation, _invoke_lambda),
}
