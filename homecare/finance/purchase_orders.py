"""Purchase orders: what a council has ordered from a provider for one placement, derived
from the placement, its package's schedules and its framework's fee uplifts (never stored).

A placement has one purchase order for its whole life (its number is
:func:`homecare.finance.rates.purchase_order_number`). The order runs from the later of the
package's start and the day it was placed, to the earlier of the package's end and the day
before the placement ended (open while neither is known). It has a new version on each day
something it orders changes:

- a schedule version starts (a council's variation or an approved review:
  :func:`homecare.brokerage.schedules.spans_of`), or
- the rate changes: a fee uplift (:func:`homecare.finance.rates.rate_spans`, the one rule
  runs price by), or for a framework that pays at its rate card, a new period of the card.

Each version states its weekly contact hours and carer hours (a visit needing two carers
counts twice), its hourly rate and its weekly value: carer minutes a week times the rate, over
60, rounded half up to the penny. Days on which nothing changes are one version: a band-rate
uplift that leaves the placement's band alone starts no version.

Who may see one: the council's finance officers and commissioners (their council's people
only) and the placed provider's users (their own placements only).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from carecore.units import as_london, to_pence
from homecare.accounts.access import DELIVERY_ROLES, Scope
from homecare.brokerage import schedules
from homecare.brokerage.models import Funding, Placement
from homecare.commissioning.models import RatePeriod
from homecare.finance import rates
from homecare.finance.models import FeeUplift
from homecare.finance.rates import RateSpan

PLACED, SCHEDULE, UPLIFT, CARD = "placed", "schedule", "uplift", "card"
WHY_WORDS = {
    PLACED: "Placed",
    SCHEDULE: "Schedule changed",
    UPLIFT: "Fee uplift",
    CARD: "New rate card rates",
}


def weekly_pence(carer_minutes: int, rate_pence: int | None) -> int | None:
    """A week's value: carer minutes times the hourly rate over 60, half up to the penny."""
    if rate_pence is None:
        return None
    exact = Decimal(carer_minutes * rate_pence) / 60
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Version:
    """One version of a purchase order, in force from ``first`` to ``last`` (inclusive;
    None: open-ended). ``rate_pence`` is None where no rate is known (a framework paying at
    a card with no rate for the band that day). ``why`` says what started it."""

    first: date
    last: date | None
    contact_hours: Decimal
    carer_hours: Decimal
    carer_minutes: int
    rate_pence: int | None
    why: tuple[str, ...] = ()

    @property
    def weekly_pence(self) -> int | None:
        return weekly_pence(self.carer_minutes, self.rate_pence)

    @property
    def why_words(self) -> str:
        return ", ".join(WHY_WORDS[w] for w in self.why)

    def covers(self, day: date) -> bool:
        return self.first <= day and (self.last is None or day <= self.last)

    def days_between(self, first: date, last: date) -> int:
        """How many days of ``first``..``last`` (inclusive) the version is in force."""
        a = max(self.first, first)
        b = last if self.last is None else min(self.last, last)
        return max(0, (b - a).days + 1)

    def same_order(self, other: Version) -> bool:
        return (self.carer_minutes, self.contact_hours, self.carer_hours, self.rate_pence) == (
            other.carer_minutes,
            other.contact_hours,
            other.carer_hours,
            other.rate_pence,
        )


@dataclass(frozen=True)
class PurchaseOrder:
    number: str
    placement: Any
    first: date
    last: date | None
    versions: tuple[Version, ...]
    funding: str = Funding.COUNCIL
    nhs_share_percent: Decimal | None = None
    zone_id: int | None = None

    @property
    def direct_payment(self) -> bool:
        return self.funding == Funding.DIRECT_PAYMENT

    @property
    def current(self) -> Version | None:
        return self.versions[-1] if self.versions else None

    def version_on(self, day: date) -> Version | None:
        for version in self.versions:
            if version.covers(day):
                return version
        return None


def carer_minutes(visits: Iterable[Any]) -> int:
    return sum(int(v.minutes) * int(v.carers) for v in visits)


def _schedule_on(spans: Sequence[schedules.Span], day: date) -> schedules.Span:
    """The schedule in force on ``day``: the one covering it, else the latest begun before
    it, else the first."""
    for span in spans:
        if span.covers(day):
            return span
    begun = [s for s in spans if s.first <= day]
    return begun[-1] if begun else spans[0]


def _rate_on(spans: Sequence[RateSpan], day: date) -> int | None:
    return rates.rate_on(spans, day) if spans else None


def build_versions(
    first: date,
    last: date | None,
    schedule_spans: Sequence[schedules.Span],
    rate_spans: Sequence[RateSpan],
    *,
    rate_why: str = UPLIFT,
) -> list[Version]:
    """The versions from ``first`` to ``last``: cut on each schedule's and each rate's first
    day inside that time, and joined again where nothing ordered changes."""
    if not schedule_spans or (last is not None and last < first):
        return []
    starts = {first}
    for day in [s.first for s in schedule_spans] + [r.first for r in rate_spans]:
        if first < day and (last is None or day <= last):
            starts.add(day)
    ordered = sorted(starts)
    versions: list[Version] = []
    previous_span: schedules.Span | None = None
    for index, day in enumerate(ordered):
        end = ordered[index + 1] - timedelta(days=1) if index + 1 < len(ordered) else last
        span = _schedule_on(schedule_spans, day)
        version = Version(
            first=day,
            last=end,
            contact_hours=Decimal(span.contact_hours),
            carer_hours=Decimal(span.carer_hours),
            carer_minutes=carer_minutes(span.visits),
            rate_pence=_rate_on(rate_spans, day),
        )
        if versions and versions[-1].same_order(version):
            old = versions[-1]
            versions[-1] = Version(
                old.first,
                end,
                old.contact_hours,
                old.carer_hours,
                old.carer_minutes,
                old.rate_pence,
                old.why,
            )
            previous_span = span
            continue
        why: list[str] = []
        if not versions:
            why.append(PLACED)
        else:
            if span is not previous_span:
                why.append(SCHEDULE)
            if versions[-1].rate_pence != version.rate_pence:
                why.append(rate_why)
        versions.append(
            Version(
                version.first,
                version.last,
                version.contact_hours,
                version.carer_hours,
                version.carer_minutes,
                version.rate_pence,
                tuple(why),
            )
        )
        previous_span = span
    return versions


def card_rate_spans(periods: Iterable[Any], band: str) -> list[RateSpan]:
    """A card's rate for ``band`` (pence an hour) over its periods, with None where the card
    has no period or no rate for the band; the first span reaches back to the earliest day."""
    wanted = band.strip().upper()
    spans: list[RateSpan] = []
    cursor = date.min
    for period in sorted(periods, key=lambda p: p.effective_from):
        if period.effective_from > cursor:
            spans.append(RateSpan(cursor, period.effective_from - timedelta(days=1), None))
        rate = next((r for r in period.rates.all() if r.band.strip().upper() == wanted), None)
        pence = to_pence(Decimal(rate.hourly_rate)) if rate is not None else None
        spans.append(RateSpan(period.effective_from, period.effective_to, pence))
        if period.effective_to is None:
            return spans
        cursor = period.effective_to + timedelta(days=1)
    spans.append(RateSpan(cursor, None, None))
    return spans


def span_of_placement(placement: Any) -> tuple[date, date | None]:
    """The first and last day (None: open) the placement's purchase order covers."""
    package = placement.package
    first = max(package.start_date, rates.placed_on(placement))
    ends = [package.end_date] if package.end_date is not None else []
    if placement.ended_at is not None:
        ends.append(as_london(placement.ended_at).date() - timedelta(days=1))
    return first, min(ends) if ends else None


def purchase_order(
    placement: Any,
    uplifts: Sequence[Any] | None = None,
    card_periods: Sequence[Any] | None = None,
) -> PurchaseOrder:
    """The purchase order of ``placement`` (with its package's visits and schedule versions,
    its person's area and band, and its request's framework). ``uplifts`` are the
    framework's (read when not given); ``card_periods`` the framework's card's periods with
    their rates, read when the framework pays at the card and they are not given."""
    framework = placement.request.framework
    person = placement.package.person
    band = person.area.band.code
    if uplifts is None:
        uplifts = list(FeeUplift.objects.filter(framework_id=framework.pk))
    first, last = span_of_placement(placement)
    if framework.pay_at_card:
        if card_periods is None:
            card_periods = _card_periods(framework.rate_card_id)
        spans = card_rate_spans(card_periods, band)
        why = CARD
    else:
        spans = rates.rate_spans(placement, band, uplifts)
        why = UPLIFT
    versions = build_versions(
        first, last, schedules.spans_of(placement.package), spans, rate_why=why
    )
    return PurchaseOrder(
        number=rates.purchase_order_number(placement),
        placement=placement,
        first=first,
        last=last,
        versions=tuple(versions),
        funding=person.funding,
        nhs_share_percent=person.nhs_share_percent,
        zone_id=person.area.zone_id,
    )


def _card_periods(card_id: int | None) -> list[Any]:
    if card_id is None:
        return []
    return list(RatePeriod.objects.filter(card_id=card_id).prefetch_related("rates"))


def with_what_orders_read(placements: QuerySet[Placement]) -> QuerySet[Placement]:
    """``placements`` with everything their purchase orders read, in a few queries."""
    return placements.select_related(
        "package__person__area__band",
        "package__person__area__zone",
        "request__framework",
        "provider",
    ).prefetch_related("package__visits", "package__schedule_versions")


def purchase_orders(placements: Iterable[Any]) -> list[PurchaseOrder]:
    """The purchase orders of ``placements`` (read with :func:`with_what_orders_read`),
    reading every framework's uplifts and cards once."""
    items = list(placements)
    framework_ids = {p.request.framework_id for p in items}
    uplifts: dict[int, list[Any]] = defaultdict(list)
    for uplift in FeeUplift.objects.filter(framework_id__in=framework_ids):
        uplifts[uplift.framework_id].append(uplift)
    card_ids = {p.request.framework.rate_card_id for p in items if p.request.framework.pay_at_card}
    periods: dict[int, list[Any]] = defaultdict(list)
    if card_ids:
        read = RatePeriod.objects.filter(card_id__in=card_ids).prefetch_related(Prefetch("rates"))
        for period in read:
            periods[period.card_id].append(period)
    return [
        purchase_order(
            p,
            uplifts[p.request.framework_id],
            periods.get(p.request.framework.rate_card_id or 0, []),
        )
        for p in items
    ]


# --- who may see a purchase order ---------------------------------------------------------


def placements_for(scope: Scope) -> QuerySet[Placement]:
    """Placements whose purchase orders the scope may read: those of its councils' own
    people through their frameworks (finance officers, commissioners), or its providers'."""
    wanted = Q(pk__in=[])
    councils = scope.councils(DELIVERY_ROLES)
    if councils:
        wanted |= Q(request__framework__council__in=councils, package__person__council__in=councils)
    if scope.provider_organisations:
        wanted |= Q(provider__organisation__in=scope.provider_organisations)
    return Placement.objects.filter(wanted)


def placement_for(scope: Scope, pk: int) -> Placement:
    return get_object_or_404(with_what_orders_read(placements_for(scope)), pk=pk)


def placement_pk(number: str) -> int | None:
    """The placement a purchase order number names ("PO-0000123" or 123), or None."""
    text = (number or "").strip().upper().removeprefix("PO-").removeprefix("PO")
    text = text.strip(" -")
    if not text.isdecimal() or not text.isascii() or len(text) > 10:
        return None
    return int(text)
