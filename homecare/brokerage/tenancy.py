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


class ProviderPeople:
    """The people a provider may log visits to (everyone with a package ever placed with it),
    by reference. A reference naming people of two councils the provider serves resolves to
    neither: the provider must not guess which council's person a visit was for."""

    def __init__(self, provider: Any) -> None:
        rows = Placement.objects.filter(provider=provider).values_list(
            "package__person__reference", "package__person_id", "package__person__council__name"
        )
        found: dict[str, dict[int, str]] = {}
        for reference, person_id, council in rows:
            found.setdefault(reference, {})[person_id] = council
        self.ids = {ref: next(iter(people)) for ref, people in found.items() if len(people) == 1}
        self.councils = {ref: sorted(set(people.values())) for ref, people in found.items()}

    def __contains__(self, reference: object) -> bool:
        return reference in self.councils

    def is_ambiguous(self, reference: str) -> bool:
        return reference in self.councils and reference not in self.ids

    def ambiguity(self, reference: str) -> str:
        """Why a reference of two councils' people is refused, in the provider's words."""
        names = " and ".join(self.councils.get(reference, []))
        return (
            f"'{reference}' is a reference both {names} use for their people: ask the council "
            "whose person this visit was for, then send it again"
        )

    def person_id(self, reference: str, *, key: str = "person_ref") -> int:
        """The one person with ``reference``; InputError when none, or people of two councils."""
        if self.is_ambiguous(reference):
            raise InputError(self.ambiguity(reference), key=key)
        if reference not in self.ids:
            raise InputError(f"'{reference}' has no package placed with you", key=key)
        return self.ids[reference]
