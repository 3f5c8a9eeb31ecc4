"""Emails to providers about new offers, through Django's mail interface.

Nothing about the person goes in an email (it is special-category health data and email is
not a safe channel): only the area, zone, band, hours, deadline and a link to the inbox, where
the provider's user signs in to see the schedule and needs. ``send_next_round`` calls
:func:`notify_new_offers` through the task worker (``notify_new_offers_task``) once its
transaction commits, so a rolled-back round sends nothing and a slow mail server never slows
the answer to an offer that sent the round.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from carecore.units import as_london
from homecare.accounts.plain_words import plural

logger = logging.getLogger(__name__)


def offer_email(offer: Any) -> tuple[str, str]:
    """The subject and body of the email about one offer (no personal data)."""
    package = offer.request.package
    area = package.person.area
    base = getattr(settings, "HOMECARE_SITE_URL", "http://localhost:8000").rstrip("/")
    deadline = as_london(offer.deadline)
    subject = f"New offer of home care in {area.zone.name}"
    body = "\n".join(
        [
            f"{offer.provider.name} has a new offer of a package of home care.",
            "",
            f"Area: {area.name}",
            f"Zone: {area.zone.name}",
            f"Band: {area.band.name}",
            f"Hours per week: {plural(package.carer_hours_per_week, 'carer hour')} "
            f"({plural(package.contact_hours_per_week, 'contact hour')})",
            f"Answer by: {deadline:%A %d %B %Y, %H:%M}",
            "",
            "See the schedule and needs, and accept or decline:",
            f"{base}{reverse('brokerage:offers')}",
        ]
    )
    return subject, body


def recipients(organisation_ids: Iterable[int]) -> dict[int, list[str]]:
    """The email addresses of each provider organisation's active users, in one query
    (users without an address are skipped)."""
    from homecare.accounts.models import Membership

    found: dict[int, set[str]] = {}
    for organisation_id, email in Membership.objects.filter(
        organisation_id__in=list(organisation_ids),
        role=Membership.Role.PROVIDER,
        user__is_active=True,
    ).values_list("organisation_id", "user__email"):
        if email:
            found.setdefault(organisation_id, set()).add(email)
    return {organisation_id: sorted(emails) for organisation_id, emails in found.items()}


def notify_new_offers(offer_ids: Iterable[int]) -> int:
    """Email each offered provider's users; returns how many emails were sent.

    A failing mail server is logged (by offer number only) and never undoes the offers.
    """
    from homecare.brokerage.models import Offer

    offers = list(
        # Only offers still open: a round sent and answered inside one transaction (a bulk
        # load) has nothing left to ask by the time it commits.
        Offer.objects.filter(pk__in=list(offer_ids), status=Offer.Status.OPEN).select_related(
            "provider",
            "request__package__person__area__zone",
            "request__package__person__area__band",
        )
    )
    addresses = recipients({offer.provider.organisation_id for offer in offers})
    sent = 0
    for offer in offers:
        to = addresses.get(offer.provider.organisation_id)
        if not to:
            continue
        subject, body = offer_email(offer)
        try:
            sent += send_mail(subject, body, None, to)
        except Exception:  # the offer stands; the inbox shows it whether or not mail works
            logger.warning("could not email offer %s", offer.pk, exc_info=True)
    return sent
