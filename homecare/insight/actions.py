"""Every write of the insight app: recording a complaint and, later, its outcome.

Named verb_noun, each in a transaction, each taking ``acting_user`` for the audit history
(``None`` is the system itself: the demo). Problems are ``ValidationError`` keyed by the
field at fault, so a form can show each at its field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from carecore.units import as_london
from homecare.accounts.models import Organisation, audited
from homecare.brokerage.models import Person
from homecare.commissioning.market_models import Provider
from homecare.insight.models import Complaint


def council_providers(council: Organisation) -> QuerySet[Provider]:
    """The providers a council's complaints may be about, by name: those appointed on one of
    its frameworks and those holding a package it placed (spot providers included)."""
    return (
        Provider.objects.filter(
            Q(appointments__framework__council=council)
            | Q(placements__request__framework__council=council)
        )
        .distinct()
        .order_by("name")
    )


def council_person(council: Organisation, reference: str) -> Person:
    """The council's person with ``reference``, or ValidationError (another council's person
    of the same reference is not found)."""
    person = Person.objects.filter(council=council, reference=reference).first()
    if person is None:
        raise ValidationError(
            {"person": f"No person with the reference {reference} has care arranged by you"}
        )
    return person


@transaction.atomic
def record_complaint(
    *,
    council: Organisation,
    received_on: date,
    provider: Provider,
    category: str,
    summary: str,
    person: Person | None = None,
    outcome: str = Complaint.Outcome.OPEN,
    now: datetime,
    acting_user: Any,
) -> Complaint:
    """Record a complaint the council received about ``provider``.

    It may not be dated after today (UK time, from ``now``), must concern one of the
    council's providers and, when it names a person, a person whose care the council arranged.
    """
    if council.kind != Organisation.Kind.COUNCIL:
        raise ValidationError({"council": f"{council} is not a council"})
    if received_on > as_london(now).date():
        raise ValidationError({"received_on": "The date received must be today or in the past"})
    if not council_providers(council).filter(pk=provider.pk).exists():
        raise ValidationError({"provider": f"{provider} does not provide care for {council}"})
    if person is not None:
        council_person(council, person.reference)
    complaint = Complaint(
        council=council,
        received_on=received_on,
        provider=provider,
        person=person,
        category=category,
        summary=summary.strip(),
        outcome=outcome,
        recorded_at=now,
        recorded_by=acting_user,
    )
    complaint.full_clean()
    audited(complaint, acting_user).save()
    return complaint


@transaction.atomic
def decide_complaint(complaint: Complaint, *, outcome: str, acting_user: Any) -> Complaint:
    """Record (or correct) a complaint's outcome; the history keeps each earlier one."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    complaint.outcome = outcome
    complaint.full_clean()
    audited(complaint, acting_user).save(update_fields=["outcome"])
    return complaint
