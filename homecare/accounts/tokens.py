"""API tokens: how they look, how they are hashed, and how a presented token is checked.

A token reads ``hc_<prefix>_<secret>``: the prefix (10 hex digits) finds the row and may be
shown in lists and logs; the secret (43 URL-safe characters, 256 random bits) is known only
to its holder. The database keeps the SHA-256 digest of the whole token, compared in constant
time. Each token acts as a service user of its own, so the audit trail names it. Writes
(issue, revoke, last use) are in :mod:`homecare.accounts.actions`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from typing import Any

from homecare.accounts.models import ApiToken

SCHEME = "hc"
_SHAPE = re.compile(r"^hc_(?P<prefix>[0-9a-f]{10})_(?P<secret>[A-Za-z0-9_-]{43})$")


def new_token() -> tuple[str, str]:
    """A fresh ``(prefix, plaintext)``."""
    prefix = secrets.token_hex(5)
    return prefix, f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"


def digest_of(plaintext: str) -> str:
    """The hex SHA-256 digest kept in place of the token."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def find_token(plaintext: str) -> ApiToken | None:
    """The live (unrevoked) token row matching ``plaintext``, or None.

    A malformed token, an unknown prefix, a wrong secret and a revoked token all give None:
    the caller answers each the same way.
    """
    match = _SHAPE.match(plaintext.strip())
    if match is None:
        return None
    row = (
        ApiToken.objects.select_related("organisation", "user")
        .filter(prefix=match["prefix"], revoked_at__isnull=True)
        .first()
    )
    # The digest is compared in constant time even though the prefix already matched, so the
    # time taken says nothing about how much of the secret was right.
    if row is None or not hmac.compare_digest(row.digest, digest_of(plaintext.strip())):
        return None
    # A token whose service user was switched off (by hand, in the admin) acts for nobody.
    if not row.user.is_active:
        return None
    return row


def is_service_user(user: Any) -> bool:
    """Whether ``user`` is an API token's service user (who must never sign in)."""
    pk = getattr(user, "pk", None)
    return pk is not None and ApiToken.objects.filter(user_id=pk).exists()


def is_due_for_touch(row: ApiToken, now: datetime, every_seconds: int = 60) -> bool:
    """Whether ``last_used_at`` is stale enough to write again (one write a minute at most)."""
    last = row.last_used_at
    return last is None or (now - last).total_seconds() >= every_seconds
