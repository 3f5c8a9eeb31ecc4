"""What a council owns stays the council's: its people, and its packages with a provider.

Every lookup and every write of a person by reference names the council, so a reference
typed at one council never reaches another council's person: two councils may both have a
"P-1001", and each is that council's own person. Every change to a person is saved with its
author, so ``Person.history`` shows who changed what.

A person's funding (council, NHS continuing healthcare, direct payment, or joint-funded with
a stated NHS share) is checked by :func:`check_funding` wherever people are made: the request
form, the market import and the API. Changing it afterwards is :func:`change_person_funding`,
with a reason, recorded in the person's history.

A provider serves several councils; a council's exit of a provider re-brokers that council's
packages alone (:func:`rebroker_council_packages`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.db import transaction

from carecore.errors import InputError
from homecare.accounts.models import Organisation, audited
from homecare.brokerage.models import (
    BrokerageRequest,
    Funding,
    Offer,
    Person,
    Placement,
    State,
)
from homecare.brokerage.steps import end_placement, locked, move, new_request


def person_in(council: Organisation, reference: str) -> Person | None:
    """The council's person with ``reference`` (spaces around it ignored), or None."""
    return (
        Person.objects.select_related("area")
        .filter(council=council, reference=str(reference or "").strip())
        .first()
    )


class _Keep:
    """The share a caller did not give: a joint-funded person keeps the one they have."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()
SHARE_KEY = "nhs_share_percent"
REASON_LENGTH = 100  # the history keeps a change's reason in 100 characters
_CENT = Decimal("0.01")


def read_share(text: Any, *, key: str = SHARE_KEY) -> Decimal | None:
    """The NHS share typed ("40", "37.5", "40%"), as a Decimal; None when nothing was typed.
    Only whether it is a number is checked here: :func:`check_funding` judges the value."""
    if text is None:
        return None
    if isinstance(text, Decimal):
        return text
    cleaned = str(text).replace("%", "").replace(" ", "").strip()
    if not cleaned:
        return None
    try:
        share = Decimal(cleaned)
    except InvalidOperation:
        share = None
    if share is None or not share.is_finite() or len(cleaned) > 12:
        raise InputError("must be a percentage, like 40 or 37.5", key=key)
    return share


def check_funding(
    funding: str,
    nhs_share_percent: Decimal | None,
    *,
    funding_key: str = "funding",
    share_key: str = SHARE_KEY,
) -> Decimal | None:
    """The NHS share to store with ``funding``: required for joint funding (more than 0 and
    less than 100, to two decimal places), refused for any other funding. InputError names
    the field at fault (``funding_key`` or ``share_key``)."""
    if funding not in Funding.values:
        expected = ", ".join(Funding.values)
        raise InputError(
            f"unknown funding {funding!r} (expected one of: {expected})", key=funding_key
        )
    if funding != Funding.JOINT:
        if nhs_share_percent is not None:
            raise InputError(
                "only a joint-funded person has an NHS share: leave it empty, or choose joint "
                "funding",
                key=share_key,
            )
        return None
    if nhs_share_percent is None:
        raise InputError(
            "enter the NHS share of a joint-funded person's care, more than 0% and less than "
            "100%, like 40",
            key=share_key,
        )
    share = Decimal(nhs_share_percent)
    if not share.is_finite() or not Decimal(0) < share < Decimal(100):
        raise InputError("must be more than 0% and less than 100%, like 40", key=share_key)
    if share != share.quantize(_CENT):
        raise InputError("must have at most two decimal places, like 37.25", key=share_key)
    return share.quantize(_CENT)


def _share_for(person: Person, funding: str, nhs_share_percent: Any) -> Decimal | None:
    """The share ``person`` is to have: the one given, or (not given) the one they have if
    they stay joint-funded."""
    if nhs_share_percent is KEEP:
        kept = person.nhs_share_percent if person.funding == Funding.JOINT else None
        nhs_share_percent = kept if funding == Funding.JOINT else None
    return check_funding(funding, nhs_share_percent)


def save_person(
    council: Organisation,
    reference: str,
    *,
    area: Any,
    funding: str,
    cohort: str,
    nhs_share_percent: Decimal | _Keep | None = KEEP,
    acting_user: Any,
    key: str = "person_ref",
) -> Person:
    """The council's person with ``reference``, created or brought up to date (area, funding,
    NHS share, cohort); unchanged details write nothing, so the history holds only real
    changes.

    A joint-funded person needs an NHS share (InputError on ``nhs_share_percent`` without
    one); left as ``KEEP``, a person who is joint-funded already keeps their share, and any
    other funding has none."""
    reference = str(reference or "").strip()
    if not reference:
        raise InputError("must not be blank", key=key)
    if council is None or council.kind != Organisation.Kind.COUNCIL:
        raise InputError("a person belongs to a council", key="council")
    person = person_in(council, reference) or Person(council=council, reference=reference)
    share = _share_for(person, funding, nhs_share_percent)
    values = {
        "area_id": area.pk,
        "funding": funding,
        "nhs_share_percent": share,
        "cohort": cohort,
    }
    if person.pk is None or any(getattr(person, k) != v for k, v in values.items()):
        for name, value in values.items():
            setattr(person, name, value)
        audited(person, acting_user).save()
    return person


@transaction.atomic
def change_person_funding(
    person: Person,
    *,
    funding: str,
    nhs_share_percent: Decimal | None,
    reason: str,
    now: datetime,
    acting_user: Any,
) -> Person:
    """Change who pays for ``person``'s care, from ``now``, with a reason kept in the person's
    history (who, when, from what to what, why). InputError names the field: ``funding``,
    ``nhs_share_percent`` or ``reason``; a change that changes nothing is refused."""
    share = check_funding(funding, nhs_share_percent)
    reason = str(reason or "").strip()
    if not reason:
        raise InputError("give the reason the funding changes", key="reason")
    if len(reason) > REASON_LENGTH:
        raise InputError(f"must be {REASON_LENGTH} characters or fewer", key="reason")
    locked_person = Person.objects.select_for_update().get(pk=person.pk)
    if (locked_person.funding, locked_person.nhs_share_percent) == (funding, share):
        raise InputError("that is the person's funding already: nothing to change", key="funding")
    locked_person.funding, locked_person.nhs_share_percent = funding, share
    audited(locked_person, acting_user)
    locked_person._change_reason = reason  # type: ignore[attr-defined]
    locked_person._history_date = now  # type: ignore[attr-defined]
    locked_person.save(update_fields=["funding", "nhs_share_percent"])
    person.funding, person.nhs_share_percent = funding, share
    return locked_person


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
