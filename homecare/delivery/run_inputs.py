"""What a reconciliation run reads from the database, read once into the engine's inputs.

A run walks one way: this module reads the provider's placements (once), the fee uplifts of
their frameworks, the framework's rate card and the visit logs (once, as plain values), and
makes the engine's planned visits and log frames; :func:`carecore.ecm.reconcile` prices them
(the same engine ``homecare ecm reconcile`` runs on files, with the same card); then
:mod:`homecare.delivery.invoicing` saves the lines.

The card: each framework names the rate card whose minimum time, billing increments and
weekend, bank-holiday and double-handed enhancements apply to its placements, and, for a
framework that pays at the card, whose band rate in force on the day is paid. One run is
priced under one card: a provider's placements through frameworks with different cards in one
period are refused, naming them, rather than priced under the wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import polars as pl

from carecore.ecm import planned_visits
from carecore.errors import InputError
from homecare.brokerage.models import Funding, Person, Placement
from homecare.delivery import engine
from homecare.delivery.models import VisitLog


@dataclass(frozen=True)
class PersonFacts:
    """What an invoice line needs of its person: who, who pays and where."""

    id: int
    funding: str
    nhs_share_percent: Any
    zone_code: str
    band: str


@dataclass
class RunInputs:
    """Everything the engine and the invoice need for one provider's period."""

    planned: pl.DataFrame
    logs: engine.LogFrames
    card: Any  # carecore.pricing.rate_cards.RateCard or None
    card_name: str
    placements: list[Placement]
    behind: dict[str, Placement]  # package reference -> placement
    people: dict[str, PersonFacts]  # person reference -> facts
    left_out: int  # logged visits of people on a direct payment, left out
    uplifts: dict[int, list[Any]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.planned.height == 0 and self.logs.actual.height == 0


def logs_of(council: Any, provider: Any, start: date, end: date) -> Any:
    """The provider's unheld logs in the period for the council's own people it cares for
    through the council (a queryset): another council's people's logs are never read, so a
    log is paid in at most one council's invoice."""
    first, after = engine.period_bounds(start, end)
    people = Placement.objects.filter(
        provider=provider, request__framework__council=council, package__person__council=council
    ).values("package__person_id")
    return VisitLog.objects.filter(
        provider=provider,
        held=False,
        person__council=council,
        person_id__in=people,
        check_in__gte=first,
        check_in__lt=after,
    )


def read_run_inputs(council: Any, provider: Any, start: date, end: date) -> RunInputs:
    """Read the period's placements, uplifts, card and logs once and make the engine's inputs.

    People on a direct payment buy their own care: their planned visits and logs are left
    out here, so they never reach the engine, an invoice line or an exception."""
    placements = [
        p
        for p in engine.placements_in(council, provider, start, end)
        if p.package.person.council_id == council.pk
    ]
    uplifts = engine.uplifts_by_framework(placements)
    packages, behind = engine.placed_packages(council, provider, start, end, placements, uplifts)
    paid_by_person = {
        p.package.person.reference
        for p in placements
        if p.package.person.funding == Funding.DIRECT_PAYMENT
    }
    packages = [p for p in packages if p.person_ref not in paid_by_person]
    read = engine.read_logs(logs_of(council, provider, start, end))
    direct = pl.col("funding") == Funding.DIRECT_PAYMENT
    left_out = read.keys.filter(direct).height
    if left_out:
        keep = ~direct
        mask = read.keys.select(keep).to_series()
        read = engine.LogFrames(
            actual=read.actual.filter(mask),
            approvals=read.approvals.join(
                read.keys.filter(direct).select(read.approvals.columns),
                on=read.approvals.columns,
                how="anti",
            ),
            keys=read.keys.filter(keep),
        )
    card, name = card_for(placements, start, end)
    return RunInputs(
        planned=planned_visits(packages, start, end),
        logs=read,
        card=card,
        card_name=name,
        placements=placements,
        behind=behind,
        people=_people(placements, read),
        left_out=left_out,
        uplifts=uplifts,
    )


def _people(placements: list[Placement], read: engine.LogFrames) -> dict[str, PersonFacts]:
    """Facts of the planned people and of every logged person (one query for the logged
    people no placement in the period brought)."""
    facts: dict[str, PersonFacts] = {}
    for placement in placements:
        person = placement.package.person
        facts[person.reference] = _facts(person)
    missing = set(read.keys["person_id"].unique().to_list()) - {f.id for f in facts.values()}
    if missing:
        for person in Person.objects.filter(pk__in=missing).select_related(
            "area__zone", "area__band"
        ):
            facts[person.reference] = _facts(person)
    return facts


def _facts(person: Any) -> PersonFacts:
    return PersonFacts(
        id=person.pk,
        funding=person.funding,
        nhs_share_percent=person.nhs_share_percent,
        zone_code=person.area.zone.code,
        band=person.area.band.code,
    )


def card_for(placements: list[Placement], start: date, end: date) -> tuple[Any, str]:
    """The engine's rate card the period is priced under, and its name in words ("" for
    none): the card of the placements' frameworks, which must cover every day of the period."""
    from homecare.commissioning.engine import rate_card_from_db

    frameworks = {p.request.framework_id: p.request.framework for p in placements}
    cards = {f.rate_card_id for f in frameworks.values()}
    if len(cards) > 1:
        names = ", ".join(sorted(f.name for f in frameworks.values()))
        raise InputError(
            f"this provider's placements come through frameworks with different rate cards "
            f"({names}): give the frameworks one card, or pay them in separate runs",
            key="rate_card",
        )
    stored = next((f.rate_card for f in frameworks.values() if f.rate_card_id), None)
    if stored is None:
        return None, ""
    card = rate_card_from_db(stored)
    gaps = [day for day in _days(start, end) if not any(p.covers(day) for p in card.periods)]
    if gaps:
        raise InputError(
            f"the rate card “{stored.label}” has no rates in force from {gaps[0]:%d %B %Y} "
            f"to {gaps[-1]:%d %B %Y}: add a period to it before paying this period",
            key="rate_card",
        )
    return card, stored.label


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
