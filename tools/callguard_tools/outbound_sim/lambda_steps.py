"""The state machine's Lambda steps, run in-process: moto's Docker-based invoke replaced.

:data:`STEP_HANDLERS` names the real handler behind each function the state
machine invokes; :func:`invoke_in_process` stands in for moto's
``LambdaFunction.invoke``, calling that handler and turning a raised exception
into the function error Step Functions sees.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Final

from moto.awslambda.models import LambdaFunction

from callguard.outbound.handlers import plan, record, report

#: The Lambda steps the state machine invokes, by function name.
STEP_HANDLERS: Final[Mapping[str, Callable[[dict[str, Any], Any], Any]]] = {
    "callguard-outbound-plan": plan.handler,
    "callguard-outbound-record": record.handler,
    "callguard-outbound-report": report.handler,
}


def invoke_in_process(
    self: LambdaFunction, body: Any, request_headers: Any, response_headers: Any
) -> bytes:
    """Moto's ``LambdaFunction.invoke`` replaced by the real handler, in-process."""
    handler = STEP_HANDLERS[self.function_name]
    event = json.loads(body) if body else {}
    try:
        answer = handler(event, None)
    except Exception as error:
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps({"errorMessage": str(error), "errorType": type(error).__name__}).encode()
    return json.dumps(answer).encode()
