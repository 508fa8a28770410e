"""Answer one operation of a real botocore client in-process, like botocore's Stubber.

A ``before-call`` handler that returns a response short-circuits the HTTP request,
so the real client still validates and serialises the parameters, and still turns an
error response into its modelled exception class (``client.exceptions.X``). The
code under test therefore runs unchanged against a fake service.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from botocore.awsrequest import AWSResponse, HTTPHeaders


class ServiceError(Exception):
    """Raise from a fake operation to answer with an AWS error ``code`` and HTTP ``status``."""

    def __init__(self, code: str, message: str = "", status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


#: A fake operation: the request's parameters (as sent on the wire) in, the parsed answer out.
Operation = Callable[[dict[str, Any]], Mapping[str, Any]]


def _event_name(client: Any, operation: str) -> str:
    service_id = client.meta.service_model.service_id.hyphenize()
    return f"before-call.{service_id}.{operation}"


def attach(client: Any, operation: str, fake: Operation) -> None:
    """Route ``operation`` (``"StartOutboundVoiceContact"``) of ``client`` to ``fake``."""

    def handler(params: Mapping[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        body = params.get("body") or b"{}"
        request = json.loads(body.decode() if isinstance(body, bytes) else body)
        try:
            answer = dict(fake(request))
        except ServiceError as error:
            parsed = {
                "Error": {"Code": error.code, "Message": error.message},
                "ResponseMetadata": {"HTTPStatusCode": error.status},
            }
            return AWSResponse("", error.status, HTTPHeaders(), None), parsed
        answer.setdefault("ResponseMetadata", {"HTTPStatusCode": 200})
        return AWSResponse("", 200, HTTPHeaders(), None), answer

    client.meta.events.register(_event_name(client, operation), handler)
