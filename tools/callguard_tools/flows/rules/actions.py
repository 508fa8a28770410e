"""Rules about individual actions: error branches, flow types, parameters, Lambda limits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from callguard_tools.flows.model import Action, Flow
from callguard_tools.flows.rules.catalog import (
    ASYNC_LAMBDA_LIMIT_SECONDS,
    SYNC_LAMBDA_LIMIT_SECONDS,
    error_branches_required,
    spec_for,
)
from callguard_tools.flows.rules.registry import Problem, flow_rule


def _errors_readable(action: Action) -> bool:
    """Return False when Transitions.Errors is malformed (the transition-shape rule reports it)."""
    transitions = action.raw.get("Transitions")
    errors = transitions.get("Errors", []) if isinstance(transitions, Mapping) else []
    return isinstance(errors, list)


@flow_rule("error-branches")
def check_error_branches(flow: Flow) -> Iterator[Problem]:
    """Require the error branches each type needs, wired once, and no error types it lacks."""
    required_here = error_branches_required(flow.flow_type)
    for action in flow.actions:
        spec = spec_for(action.type)
        if spec is None or not _errors_readable(action):
            continue
        wired = [error.error_type for error in action.errors]
        for error_type in sorted({e for e in wired if wired.count(e) > 1}):
            yield Problem(
                f"error branch {error_type} is wired more than once", action.identifier or None
            )
        for error_type in dict.fromkeys(wired):
            if error_type not in spec.errors:
                known = ", ".join(spec.errors) or "none"
                yield Problem(
                    f"{action.type} has no error {error_type!r} (its errors: {known})",
                    action.identifier or None,
                )
        if required_here:
            for error_type in spec.required_errors:
                if error_type not in wired:
                    yield Problem(
                        f"{action.type} must wire its {error_type} error branch deliberately",
                        action.identifier or None,
                    )


@flow_rule("flow-type")
def check_flow_type(flow: Flow) -> Iterator[Problem]:
    """Allow each action only in flow types that support it (no modules in QUEUE_TRANSFER)."""
    if flow.flow_type is None:
        return
    for action in flow.actions:
        spec = spec_for(action.type)
        if (
            spec is not None
            and spec.flow_types is not None
            and flow.flow_type not in spec.flow_types
        ):
            allowed = ", ".join(sorted(spec.flow_types))
            yield Problem(
                f"{action.type} is not allowed in a {flow.flow_type} flow (only in: {allowed})",
                action.identifier or None,
            )


def _non_string_leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Yield (path, value) for every JSON leaf under ``value`` that is not a string."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _non_string_leaves(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _non_string_leaves(item, f"{path}[{index}]")
    elif not isinstance(value, str):
        yield path, value


@flow_rule("parameters")
def check_parameters(flow: Flow) -> Iterator[Problem]:
    """Check parameter shapes per action type, and that every value is a JSON string."""
    for action in flow.actions:
        label = action.identifier or None
        for path, value in _non_string_leaves(action.parameters, "Parameters"):
            shown = (
                "null"
                if value is None
                else repr(value).lower()
                if isinstance(value, bool)
                else repr(value)
            )
            yield Problem(
                f'{path} is the JSON value {shown}; Connect expects strings ("8", "True")',
                label,
            )
        spec = spec_for(action.type)
        if spec is None:
            continue
        for name in spec.required_params:
            if name not in action.parameters:
                yield Problem(f"{action.type} requires Parameters.{name}", label)
        known = set(spec.required_params) | set(spec.optional_params)
        for name in action.parameters:
            if name not in known:
                yield Problem(
                    f"{action.type} does not document Parameters.{name}", label, "warning"
                )
        if spec.check_params is not None:
            for message in spec.check_params(action.parameters):
                yield Problem(message, label)


@flow_rule("lambda-timeout")
def check_lambda_timeout(flow: Flow) -> Iterator[Problem]:
    """Limit InvokeLambdaFunction waits to 1-8 whole seconds (1-60 when asynchronous)."""
    for action in flow.actions:
        if action.type != "InvokeLambdaFunction":
            continue
        value = action.parameters.get("InvocationTimeLimitSeconds")
        if not isinstance(value, str):
            continue  # missing: the parameters rule; not a string: the parameters rule
        asynchronous = action.parameters.get("InvocationType") == "ASYNCHRONOUS"
        limit = ASYNC_LAMBDA_LIMIT_SECONDS if asynchronous else SYNC_LAMBDA_LIMIT_SECONDS
        if not value.isdigit() or not 1 <= int(value) <= limit:
            yield Problem(
                f"InvocationTimeLimitSeconds {value!r} must be whole seconds from 1 to {limit}",
                action.identifier or None,
            )


@flow_rule("unknown-action", severity="warning")
def check_unknown_action(flow: Flow) -> Iterator[Problem]:
    """Warn about action types the linter does not know; Connect keeps adding new ones."""
    for action in flow.actions:
        if action.type and spec_for(action.type) is None:
            yield Problem(
                f"action type {action.type!r} is unknown to this linter; only generic checks ran",
                action.identifier or None,
            )
