"""Brokerage KPIs for a commissioner: pure functions over plain records.

The live dashboard builds the records from the database in a few queries; the market
simulation builds the same records from its event log, so both report one set of figures
computed one way.

Definitions (hours are carer hours a week: a double-handed visit counts twice):

- *live* requests are placed, started or suspended: the council has commissioned them.
- *waiting* requests are requested or offered: not yet placed.
- *time to place* runs from a request's creation to its placement, in hours, for requests
  placed in the period; requests made by a transfer are left out (they are placed at once).
- percentiles use linear interpolation between closest ranks (Hyndman and Fan's type 7, the
  default of NumPy and of Excel's PERCENTILE.INC): for sorted values ``x[0..n-1]`` and
  fraction ``p``, the rank is ``h = (n - 1) p`` and the result
  ``x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

LIVE_STATES = frozenset({"placed", "started", "suspended"})
WAITING_STATES = frozenset({"requested", "offered"})
HOSPITAL = "hospital_discharge"
REFUSALS = frozenset({"declined", "expired"})
ZERO = Decimal(0)
SPOT = "spot"


@dataclass(frozen=True)
class RequestRecord:
    """One brokerage request as the KPIs need it.

    ``tier`` is the placed provider's tier in the package's zone (``"spot"`` when placed
    outside the framework); ``provider`` and ``tier`` are empty until placed.
    ``withdrawn_at`` is when a request was withdrawn before it was placed (``None``
    otherwise): its wait ends there without a placement.
    """

    ref: str
    person: str
    state: str
    source: str
    zone: str
    carer_hours_per_week: Decimal
    created_at: datetime
    placed_at: datetime | None = None
    provider: str = ""
    tier: str = ""
    by_transfer: bool = False
    withdrawn_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.carer_hours_per_week < 0:
            raise ValueError(f"{self.ref}: hours must not be negative")
        if self.placed_at is not None and self.placed_at < self.created_at:
            raise ValueError(f"{self.ref}: placed before it was requested")
        if self.withdrawn_at is not None and self.withdrawn_at < self.created_at:
            raise ValueError(f"{self.ref}: withdrawn before it was requested")


@dataclass(frozen=True)
class OfferRecord:
    """One offer sent: to whom, its status (open, accepted, declined, expired, withdrawn)."""

    provider: str
    status: str
    sent_at: datetime


@dataclass(frozen=True)
class CapacityRecord:
    """Free carer hours a week a provider declared in a zone (the latest for the week)."""

    provider: str
    zone: str
    free_hours: Decimal


@dataclass(frozen=True)
class TimeToPlace:
    """Hours from request to placement over a period: how many, median and 90th percentile."""

    count: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class Share:
    """One slice of the live packages: packages, carer hours a week, percent of packages."""

    name: str
    packages: int
    hours: Decimal
    percent: Decimal


@dataclass(frozen=True)
class Refusals:
    provider: str
    offers: int
    declined: int
    expired: int

    @property
    def refused(self) -> int:
        return self.declined + self.expired


@dataclass(frozen=True)
class ZoneBalance:
    """Declared free hours against waiting hours in one zone; ``gap`` > 0 is unmet demand."""

    zone: str
    free_hours: Decimal
    waiting_hours: Decimal

    @property
    def gap(self) -> Decimal:
        return self.waiting_hours - self.free_hours


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` (0 to 1) percentile of ``values`` by linear interpolation (type 7)."""
    if not values:
        raise ValueError("the percentile of no values is undefined")
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be 0 to 1, got {fraction}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * fraction
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


def live(requests: Iterable[RequestRecord]) -> list[RequestRecord]:
    return [r for r in requests if r.state in LIVE_STATES]


def hours_commissioned(requests: Iterable[RequestRecord]) -> Decimal:
    """Carer hours a week of the live requests."""
    return sum((r.carer_hours_per_week for r in live(requests)), ZERO)


def people_in_service(requests: Iterable[RequestRecord]) -> int:
    """Distinct people with a live request."""
    return len({r.person for r in live(requests)})


def time_to_place(
    requests: Iterable[RequestRecord], *, start: datetime, end: datetime
) -> TimeToPlace:
    """Median and 90th percentile hours to place, for requests placed in ``[start, end)``.

    Placed requests only: it leaves out every request still waiting, so it understates waits
    when some wait long. Pages use :func:`carecore.reports.survival.placement_times`, which
    counts them (Kaplan-Meier); this stays for comparison with that and with old reports."""
    hours = [
        (r.placed_at - r.created_at).total_seconds() / 3600
        for r in requests
        if r.placed_at is not None and start <= r.placed_at < end and not r.by_transfer
    ]
    if not hours:
        return TimeToPlace(0, None, None)
    return TimeToPlace(len(hours), percentile(hours, 0.5), percentile(hours, 0.9))


def unplaced_hours(requests: Iterable[RequestRecord]) -> dict[str, Decimal]:
    """Carer hours a week waiting, as ``{"hospital": h, "community": h}`` (community is every
    source other than hospital discharge, reablement step-down included)."""
    out = {"hospital": ZERO, "community": ZERO}
    for r in requests:
        if r.state in WAITING_STATES:
            out["hospital" if r.source == HOSPITAL else "community"] += r.carer_hours_per_week
    return out


def _shares(requests: Iterable[RequestRecord], key: str) -> list[Share]:
    rows = live(requests)
    counts: dict[str, int] = {}
    hours: dict[str, Decimal] = {}
    for r in rows:
        name = getattr(r, key) or SPOT
        counts[name] = counts.get(name, 0) + 1
        hours[name] = hours.get(name, ZERO) + r.carer_hours_per_week
    total = len(rows)
    return [
        Share(
            name,
            counts[name],
            hours[name],
            (Decimal(100 * counts[name]) / total).quantize(Decimal("0.1")),
        )
        for name in sorted(counts, key=lambda n: (-counts[n], n))
    ]


def share_by_tier(requests: Iterable[RequestRecord]) -> list[Share]:
    """Live packages by the placed provider's tier, largest first."""
    return _shares(requests, "tier")


def share_by_provider(requests: Iterable[RequestRecord]) -> list[Share]:
    """Live packages by provider, largest first."""
    return _shares(requests, "provider")


def refusals_by_provider(
    offers: Iterable[OfferRecord], *, start: datetime, end: datetime
) -> list[Refusals]:
    """Offers sent in ``[start, end)`` and how many each provider declined or let expire,
    most refusals first."""
    table: dict[str, list[int]] = {}
    for offer in offers:
        if not start <= offer.sent_at < end:
            continue
        row = table.setdefault(offer.provider, [0, 0, 0])
        row[0] += 1
        row[1] += offer.status == "declined"
        row[2] += offer.status == "expired"
    rows = [Refusals(name, *counts) for name, counts in table.items()]
    return sorted(rows, key=lambda r: (-r.refused, r.provider))


def capacity_against_demand(
    capacity: Iterable[CapacityRecord],
    requests: Iterable[RequestRecord],
    zones: Sequence[str],
) -> list[ZoneBalance]:
    """For each of ``zones`` (in that order): declared free hours and waiting hours."""
    free = dict.fromkeys(zones, ZERO)
    waiting = dict.fromkeys(zones, ZERO)
    for c in capacity:
        if c.zone in free:
            free[c.zone] += c.free_hours
    for r in requests:
        if r.state in WAITING_STATES and r.zone in waiting:
            waiting[r.zone] += r.carer_hours_per_week
    return [ZoneBalance(zone, free[zone], waiting[zone]) for zone in zones]
