"""The sign-in lockout rule: repeated failures lock a username, or an address, for a while.

The rule, in words (also in ``docs/security.md``):

- 5 failed sign-ins for one username within 15 minutes lock that username for 15 minutes
  from the fifth failure, whether or not the username exists (so a lock reveals nothing).
- 20 failed sign-ins from one address within 15 minutes lock that address the same way. The
  address limit is higher because a council office signs in from behind one address.
- While locked, even the right password is refused and the try is not counted, so a guesser
  cannot keep a lock going for ever by hammering it; the lock lifts on time.
- A successful sign-in clears the username's count; an administrator's unlock clears the
  count of a username or of an address.
- The address lock does not stop a username that has signed in successfully from that
  address within the last 30 days: a guesser in a council office cannot lock the office's
  staff out of their correct passwords (each username keeps its own limit of 5).
- Atomic: a try is let through and counted in one transaction that holds a lock on the
  username's and the address's counter rows (:func:`homecare.accounts.actions.begin_sign_in`),
  and it counts as a failure while its password is checked, so simultaneous tries cannot
  all slip past the limit.

Reading only; the writes are in :mod:`homecare.accounts.actions`. Every function takes
``now``; :func:`clock` is the one place that reads the time, so tests can replace it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from homecare.accounts.models import SignInAttempt

Outcome = SignInAttempt.Outcome


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failures within ``window`` lock a username or an address, and for how long."""

    max_failures_per_username: int = 5
    max_failures_per_address: int = 20
    window: timedelta = timedelta(minutes=15)
    lock_for: timedelta = timedelta(minutes=15)
    keep_attempts_for: timedelta = timedelta(days=30)

    def __post_init__(self) -> None:
        if self.max_failures_per_username < 1 or self.max_failures_per_address < 1:
            raise ValueError("the failure limits must be at least 1")
        if self.window <= timedelta(0) or self.lock_for <= timedelta(0):
            raise ValueError("the window and the lock must be longer than zero")
        if self.keep_attempts_for < self.window + self.lock_for:
            raise ValueError("attempts must be kept at least as long as the window and lock")


POLICY = LockoutPolicy()


def clock() -> datetime:
    """The current time (patched in tests)."""
    return timezone.now()


def username_key(username: str) -> str:
    """The form a username is counted under: trimmed and case-folded, so 'Ada' is 'ada'."""
    return username.strip().casefold()[:150]


def client_address(request: Any) -> str | None:
    """The address a request came from.

    ``REMOTE_ADDR`` by default: a forwarded-for header can be forged by anyone. Behind a
    reverse proxy that sets a trusted header, name it in ``HOMECARE_CLIENT_ADDRESS_HEADER``
    (e.g. ``HTTP_X_REAL_IP``).
    """
    if request is None:
        return None
    key = getattr(settings, "HOMECARE_CLIENT_ADDRESS_HEADER", "") or "REMOTE_ADDR"
    value = str(request.META.get(key, "")).split(",")[0].strip()
    return value or None


def _locked_until(rows: Any, limit: int, policy: LockoutPolicy) -> datetime | None:
    """When a lock on these attempts ends, or None when they are not locked.

    Counts the failures since the last reset (a success or an unlock): when the latest
    ``limit`` of them fall within ``policy.window``, the lock runs from the latest one.
    """
    reset = rows.filter(outcome__in=[Outcome.SUCCEEDED, Outcome.UNLOCKED]).order_by("-at").first()
    # A try whose password is being checked counts as a failure until it is known.
    failures = rows.filter(outcome__in=[Outcome.FAILED, Outcome.CHECKING])
    if reset is not None:
        failures = failures.filter(at__gt=reset.at)
    latest = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
    if len(latest) < limit or latest[0] - latest[-1] > policy.window:
        return None
    return latest[0] + policy.lock_for


def locked_until(
    username: str, address: str | None, *, now: datetime, policy: LockoutPolicy = POLICY
) -> datetime | None:
    """When the lock on ``username`` or ``address`` lifts, or None when neither is locked."""
    since = now - policy.window - policy.lock_for
    ends = []
    # No upper bound: a simultaneous try may have read the clock a moment later than this one
    # and been counted first; it still counts.
    recent = SignInAttempt.objects.filter(at__gte=since)
    key = username_key(username)
    if key:
        by_name = recent.filter(username=key)
        ends.append(_locked_until(by_name, policy.max_failures_per_username, policy))
    if address and not _known_here(key, address, now=now, policy=policy):
        # A success does not clear an address: one good account must not reset a guesser's count.
        by_address = recent.filter(ip_address=address).exclude(outcome=Outcome.SUCCEEDED)
        ends.append(_locked_until(by_address, policy.max_failures_per_address, policy))
    current = [end for end in ends if end is not None and end > now]
    return max(current) if current else None


def _known_here(key: str, address: str, *, now: datetime, policy: LockoutPolicy) -> bool:
    """True when ``key`` signed in successfully from ``address`` within the keep time: the
    address lock then does not apply to it (its own username limit still does)."""
    if not key:
        return False
    return SignInAttempt.objects.filter(
        username=key,
        ip_address=address,
        outcome=Outcome.SUCCEEDED,
        at__gte=now - policy.keep_attempts_for,
        at__lte=now,
    ).exists()


def counter_keys(username: str, address: str | None) -> list[str]:
    """The counter rows a try locks, always in the same order (so two tries cannot deadlock)."""
    keys = []
    if key := username_key(username):
        keys.append(f"username:{key}")
    if address:
        keys.append(f"address:{address}")
    return sorted(keys)
