"""How often someone may ask for a password-reset e-mail.

Asking is open to anyone, so without a limit the page could be used to flood a colleague's
inbox, or the mail server. Each request is recorded as a ``SignInAttempt`` with the outcome
"reset_asked" (kept and pruned with the sign-in attempts; never counted towards a sign-in
lock), under a key made from the address (a digest, so the table holds no e-mail addresses).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import transaction

from homecare.accounts.lockout import clock
from homecare.accounts.models import SignInAttempt

WINDOW = timedelta(hours=1)
PER_ADDRESS = 3  # e-mails to one address an hour
PER_COMPUTER = 20  # requests from one client address an hour (a council office shares one)


def email_key(email: str) -> str:
    """The key a request is recorded under: never the address itself."""
    digest = hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:40]
    return f"reset:{digest}"


@transaction.atomic
def allow(email: str, client_address: str | None) -> bool:
    """Record a request and say whether its e-mail may be sent."""
    now = clock()
    recent = SignInAttempt.objects.filter(
        outcome=SignInAttempt.Outcome.RESET_ASKED, at__gte=now - WINDOW
    )
    key = email_key(email)
    allowed = recent.filter(username=key).count() < PER_ADDRESS and (
        client_address is None or recent.filter(ip_address=client_address).count() < PER_COMPUTER
    )
    SignInAttempt.objects.create(
        username=key, ip_address=client_address, outcome=SignInAttempt.Outcome.RESET_ASKED, at=now
    )
    return allowed
