"""A stable keyed hash of a phone number, computed by an AWS KMS HMAC key.

Audit events must let an auditor find every change to a known number without the
logs holding the number. A plain SHA-256 would not do that safely: there are only
about 10^15 E.164 numbers, and far fewer in use, so anyone who can read the logs
could hash every plausible number and reverse it. An HMAC whose key never leaves
KMS (``key_spec = HMAC_256``, ``GenerateMac`` with ``HMAC_SHA_256``) cannot be
brute-forced without calling KMS, which needs ``kms:GenerateMac`` on that key and
is recorded in CloudTrail. The audit function and ``callguard denylist history``
use the same function here, so they always agree.

The message is ``callguard-number:`` followed by the E.164 number; the prefix keeps
the key's MACs for numbers apart from any other use of the same key.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

#: The KMS MAC algorithm (the key must be an ``HMAC_256`` key).
MAC_ALGORITHM: Final = "HMAC_SHA_256"
#: Domain-separation prefix of every MAC message.
MESSAGE_PREFIX: Final = "callguard-number:"
#: Prefix of the hash as it appears in events (names the scheme, so a reader knows).
HASH_PREFIX: Final = "hmac-sha256:"
#: Hashes kept per process: one stream batch rarely names more than 100 numbers.
CACHE_SIZE: Final = 4096


class NumberHasher:
    """Hash numbers with one KMS HMAC key, remembering recent results.

    The MAC of a message under one key never changes, so caching it is safe and
    saves a KMS call when a number appears more than once (insert then modify).
    """

    def __init__(self, client: KMSClient, key_id: str) -> None:
        self.client = client
        self.key_id = key_id
        self._cache: OrderedDict[str, str] = OrderedDict()

    def __call__(self, number: str) -> str:
        """Return ``hmac-sha256:<hex>`` for ``number`` (raises on KMS errors)."""
        cached = self._cache.get(number)
        if cached is not None:
            self._cache.move_to_end(number)
            return cached
        response = self.client.generate_mac(
            KeyId=self.key_id,
            Message=(MESSAGE_PREFIX + number).encode("utf-8"),
            MacAlgorithm=MAC_ALGORITHM,
        )
        digest = HASH_PREFIX + bytes(response["Mac"]).hex()
        self._cache[number] = digest
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return digest
