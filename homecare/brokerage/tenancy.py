"""What a council owns stays the council's: its people, and its packages with a provider.

Every lookup and every write of a person by reference names the council, so a reference
typed at one council never reaches another council's person: two councils may both have a
"P-1001", and each is that council's own person. Every change to a person is saved with its
author, so ``Person.history`` shows who changed what.

A provider serves several councils; a council's exit of a provider re-brokers that council's
packages alone (:func:`rebroker_council_packages`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from carecore.errors import InputError
from homecare.accounts.models import Organisation, audited
from homecare.brokerage.models import BrokerageRequest, Offer, Person, Placement, State
from homecare.brokerage.steps import end_placement, locked, move, new_request


def person_in(council: Organisation, reference: str) -> Person | None:
    """The council's person with ``reference`` (spaces around it ignored), or None."""
    return (
        Person.objects.select_related("area")
        .filter(council=council, reference=str(reference or "").strip())
        .first()
    )


def save_person(
    council: Organisation,
    reference: str,
    *,
    area: Any,
    funding: str,
    cohort: str,
    acting_user: Any,
    key: str = "person_ref",
) -> Person:
    """The council's person with ``reference``, created or brought up to date (area, funding,
    cohort); unchanged details write nothing, so the history holds only real changes."""
    reference = str(reference or "").strip()
    if not reference:
        raise InputError("must not be blank", key=key)
    if council is None or council.kind != Organisation.Kind.COUNCIL:
        raise InputError("a person belongs to a council", key="council")
    person = person_in(council, reference) or Person(council=council, reference=reference)
    values = {"area_id": area.pk, "funding": funding, "cohort": cohort}
    if person.pk is None or any(getattr(person, k) != v for k, v in values.items()):
        for name, value in values.items():
            setattr(person, name, value)
        audited(person, acting_user).save()
    return person


def rebroker_council_packages(
    provider: Any, council: Organisation, *, reason: str, at: datetime, acting_user: Any
) -> list[BrokerageRequest]:
    """The live packages ``provider`` holds through ``council``'s frameworks go back to
    brokerage as new requests, and its open offers on the council's requests are withdrawn.
    Its packages and offers with any other council are untouched."""
    placements = Placement.objects.filter(
        provider=provider, ended_at__isnull=True, request__framework__council=council
    )
    new_requests = []
    for placement in placements.select_related("request", "package").order_by("pk"):
        old = locked(placement.request_id)
        move(
            old,
            State.TRANSFERRED,
            at=at,
            acting_user=acting_user,
            reason=f"provider exited: {reason}",
        )
        end_placement(old, at, acting_user)
        new = new_request(old.package, old.framework, now=at, acting_user=acting_user)
        package = old.package
        package.status = State.REQUESTED
        audited(package, acting_user).save()
        new_requests.append(new)
    for offer in Offer.objects.filter(
        provider=provider, status=Offer.Status.OPEN, request__framework__council=council
    ):
        offer.status = Offer.Status.WITHDRAWN
        audited(offer, acting_user).save()
    return new_requests
