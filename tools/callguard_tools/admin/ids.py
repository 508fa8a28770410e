"""Amazon Connect identifiers: accept a bare id or the ARN an operator copied.

The console shows ARNs, Terraform outputs ids; the API wants ids. Checking the
shape here turns a pasted typo into a usage error before any AWS call.
"""

from __future__ import annotations

import re
from typing import Final

_UUID: Final = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_ARN: Final = re.compile(
    rf"^arn:aws[a-z-]*:connect:[a-z0-9-]+:[0-9]{{12}}:instance/(?P<instance>{_UUID})"
    rf"(?:/(?P<kind>queue|transfer-destination)/(?P<id>{_UUID}))?$",
    re.IGNORECASE,
)
_BARE: Final = re.compile(rf"^{_UUID}$", re.IGNORECASE)


class ConnectIdError(ValueError):
    """The text is neither the expected Connect id nor its ARN."""


def parse_connect_id(text: str, *, kind: str, instance_id: str | None = None) -> str:
    """Return the bare id in ``text`` for a ``kind`` of resource.

    ``kind`` is ``instance``, ``queue`` or ``transfer-destination`` (quick
    connect). An ARN for another instance than ``instance_id`` is refused, since
    the API call would act on a different instance than the one named.
    """
    value = text.strip()
    if _BARE.match(value):
        return value.lower()
    match = _ARN.match(value)
    if match is None:
        raise ConnectIdError(f"{value!r} is not a Connect {_label(kind)} id or ARN")
    if kind == "instance":
        if match["kind"] is not None:
            raise ConnectIdError(f"{value!r} is a {_label(match['kind'])} ARN, not an instance")
        return match["instance"].lower()
    if match["kind"] is None or match["kind"].lower() != kind:
        raise ConnectIdError(f"{value!r} is not a {_label(kind)} ARN")
    if instance_id is not None and match["instance"].lower() != instance_id:
        raise ConnectIdError(
            f"{value!r} belongs to instance {match['instance']}, not {instance_id}"
        )
    return match["id"].lower()


def _label(kind: str) -> str:
    return "quick connect" if kind == "transfer-destination" else kind
