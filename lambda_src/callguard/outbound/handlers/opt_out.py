"""Add a receiver who asked to stop the calls to the deny list, as an agent's flag would.

The number is the contact's own endpoint (an outbound contact's customer is the
number dialled), written through :meth:`callguard.store.DenyList.flag`: status
``blocked``, source ``outbound_optout``, a reason naming the job, the contact id
(so a retried invocation, or the final function repeating the write, counts once).
A supervisor's earlier rejection of the number never suppresses an opt-out: the
receiver's own request wins at once. Every later job screens the number out, and
an inbound call from it is blocked like any other listed caller.
"""

from __future__ import annotations

from typing import Final

from callguard.connect import ContactEvent
from callguard.handlers.common import deny_list
from callguard.numbers import classify_endpoint, mask
from callguard.store import BLOCKED, FlagOutcome

#: The deny-list source of an opt-out.
SOURCE: Final = "outbound_optout"
#: Who the entry says flagged it.
FLAGGED_BY: Final = "outbound call"


def reason_for(job_id: str) -> str:
    """Return the stored reason: it names the job, so an operator knows whence the request."""
    return f"Asked not to be called again during outbound job {job_id}"


def record_opt_out(
    table: str, contact: ContactEvent, job_id: str, fields: dict[str, object]
) -> FlagOutcome | None:
    """Block the contact's number; ``None`` when the contact carries no usable number."""
    caller = classify_endpoint(contact.customer_endpoint, None)
    fields["caller_class"] = caller.caller_class
    if not caller.is_number:
        return None
    fields["number"] = mask(caller.e164)
    return deny_list(table).flag(
        caller.e164,
        status=BLOCKED,
        reason=reason_for(job_id),
        source=SOURCE,
        flagged_by=FLAGGED_BY,
        contact_id=contact.contact_id,
        instance_arn=contact.instance_arn,
        suppression_days=0,
    )
