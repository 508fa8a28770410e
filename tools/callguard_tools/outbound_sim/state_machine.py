"""The outbound job state machine definition, rendered exactly as Terraform renders it.

The definition is a template (``modules/outbound_orchestration/state_machine.asl.json.tftpl``)
that Terraform fills with ``templatefile()``; this module fills it with the flow
tools' implementation of ``templatefile()``, so the offline tests execute the very
document Terraform deploys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from callguard_tools.flows.render import render_file

#: The template, relative to the repository root.
TEMPLATE: Final = (
    Path(__file__).resolve().parents[3]
    / "modules"
    / "outbound_orchestration"
    / "state_machine.asl.json.tftpl"
)

#: Every variable the template takes, with what it is.
VARIABLES: Final = {
    "plan_function_arn": "ARN of the plan function",
    "record_function_arn": "ARN of the record function",
    "report_function_arn": "ARN of the report function",
    "dial_queue_url": "URL of the dial queue the dialer consumes",
    "work_bucket": "bucket of normalised jobs, rounds and Map results",
    "topic_arn": "completion notification topic",
    "instance_id": "Amazon Connect instance id",
    "contact_flow_id": "outbound contact flow id",
    "max_concurrency": "concurrent-call budget (Map MaxConcurrency)",
    "call_timeout_seconds": "backstop wait for one call's outcome",
    "ring_timeout_seconds": "RingTimeoutInSeconds of each call (15..60)",
    "lambda_retry_interval_seconds": "first retry interval of a failed Lambda step",
}


def render(variables: dict[str, Any]) -> str:
    """Render the definition; every variable of :data:`VARIABLES` must be given."""
    unknown = set(variables) - set(VARIABLES)
    if unknown:
        raise ValueError(f"unknown state machine variables: {', '.join(sorted(unknown))}")
    return render_file(TEMPLATE, variables)


def definition(variables: dict[str, Any]) -> dict[str, Any]:
    """Return the rendered definition as a parsed JSON object."""
    parsed: dict[str, Any] = json.loads(render(variables))
    return parsed
