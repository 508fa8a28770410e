"""The ``ClientToken`` of a call attempt: the same attempt always gets the same token.

Amazon Connect treats repeated ``StartOutboundVoiceContact`` requests with one
``ClientToken`` as one request for 7 days and answers them with the same
``ContactId``. Deriving the token from (job id, receiver id, attempt number) alone
therefore makes every repeat of an attempt harmless: a message delivered twice, a
dialer that crashed after placing the call but before acknowledging the message, or
botocore's own retry of a timed-out request all reach the same call.

The token is a UUID version 5 (SHA-1 of the three parts under a fixed namespace):
36 characters, well below the 500 the botocore service model allows for the field,
and it reveals nothing about the receiver.
"""

from __future__ import annotations

import json
import uuid
from typing import Final

#: Namespace of callguard's call-attempt tokens (fixed forever: changing it would let a
#: redelivered message place a second call during an upgrade).
NAMESPACE: Final = uuid.UUID("6f0b5d1e-3c1a-5b7e-9a43-2d8e5f1c0a77")
#: Longest ``ClientToken`` the Connect API accepts (``ClientToken`` shape, ``max``).
MAX_CLIENT_TOKEN_LENGTH: Final = 500


def client_token(job_id: str, receiver_id: str, attempt: int) -> str:
    """Return the idempotency token of ``attempt`` (1-based) of ``receiver_id`` in ``job_id``.

    The parts are encoded as a JSON array, so no choice of ids can make two different
    attempts collide (``("a-b", "c")`` and ``("a", "b-c")`` stay distinct).
    """
    if not job_id or not receiver_id:
        raise ValueError("a client token needs a job id and a receiver id")
    if isinstance(attempt, bool) or not isinstance(attempt, int) or attempt < 1:
        raise ValueError(f"attempt must be a whole number from 1, not {attempt!r}")
    name = json.dumps([job_id, receiver_id, attempt], ensure_ascii=False, separators=(",", ":"))
    return str(uuid.uuid5(NAMESPACE, name))
