"""The performance report from live data: the committee reports' KPIs for any period.

The seed reports tell a committee how many carer hours a week the council commissions, for
how many people, how much new care it arranged and how fast, how much sits with its lead
providers, what it pays an hour on average and how many complaints it had. This module works
out each of those for a period, for each calendar month within it (the trend) and for the
period before it, from plain records: the platform reads them from its database, a
simulation could build them from its event log.

Conventions (the definitions in :data:`KPIS` say the same in words):

- Hours are carer hours a week: a visit needing two carers counts twice.
- A package is *commissioned* while it is placed with a provider: from its placement until
  the placement ends (the package ended, was withdrawn or moved to another provider),
  whatever its state in between (placed, started or suspended).
- "At the end of the period" is the moment it closes (midnight at its end, UK time), so a
  placement ending at that midnight is not counted and one made at it is.
- Elapsed time (waits, the share of a period a package was placed) is measured in real time
  (UTC), so a day lost to the clocks going forward is not counted; lengths of periods in
  days, weeks and months are calendar lengths in UK time (March has 31 days).
- Every figure is a ``Decimal`` worked out exactly and rounded half up only at the end to the
  places its KPI states; a change is worked out from the rounded figures, so the table adds
  up as printed. ``None`` means no figure (nobody to divide by), never zero.
- Time to arrange care counts every request *made* in the period, followed up to the
  report's ``now``: a request still waiting is counted up to ``now`` and one withdrawn up to
  its withdrawal (Kaplan-Meier, :mod:`carecore.reports.survival`), so long waits are not
  hidden by leaving out the requests not yet placed.
- A change is given as a percentage only from a previous figure of at least the KPI's
  ``min_base`` (:data:`BASE_RULE`); from a smaller one the percentage mostly measures how
  small the base was ("+3,830%"), so only the change itself is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from carecore.reports.brokerage_kpis import RequestRecord
from carecore.reports.performance_kpis import BASE_RULE as BASE_RULE
from carecore.reports.performance_kpis import COUNT_BASE as COUNT_BASE
from carecore.reports.performance_kpis import HOURS_BASE as HOURS_BASE
from carecore.reports.performance_kpis import KPI_BY_KEY as KPI_BY_KEY
from carecore.reports.performance_kpis import KPIS as KPIS
from carecore.reports.performance_kpis import Kpi as Kpi
from carecore.reports.survival import placement_times
from carecore.units import LONDON

LEAD_TIER = "prime"  # the engine's tier for a prime or lead provider
UPHELD = frozenset({"upheld", "partly_upheld"})
OUTCOMES = ("upheld", "partly_upheld", "not_upheld", "open")
ZERO = Decimal(0)
_MICROSECONDS_A_DAY = Decimal(86_400_000_000)
_DAYS_A_MONTH = Decimal("365.25") / 12  # an average month, for periods not made of months


@dataclass(frozen=True)
class PlacementRecord:
    """One placement: a package placed with a provider at a rate, from ``start`` until
    ``end`` (``None``: still placed).

    ``rate_per_hour`` is pounds a carer hour; ``tier`` the provider's tier in the package's
    zone (``"prime"`` for a prime or lead provider, ``"spot"`` off the framework).
    """

    package: str
    person: str
    provider: str
    tier: str
    carer_hours_per_week: Decimal
    rate_per_hour: Decimal
    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        if self.carer_hours_per_week < 0:
            raise ValueError(f"placement of package {self.package}: hours must not be negative")
        if self.rate_per_hour < 0:
            raise ValueError(f"placement of package {self.package}: rate must not be negative")
        _require_aware(self.start, f"placement of package {self.package}: start")
        if self.end is not None:
            _require_aware(self.end, f"placement of package {self.package}: end")
            if self.end < self.start:
                raise ValueError(f"placement of package {self.package}: ends before it starts")


@dataclass(frozen=True)
class ComplaintRecord:
    """A complaint the council received on ``received_on`` (a UK date) about ``provider``;
    ``outcome`` is one of :data:`OUTCOMES`."""

    received_on: date
    provider: str
    category: str
    outcome: str

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"complaint outcome must be one of {', '.join(OUTCOMES)}")


@dataclass(frozen=True)
class LiveData:
    """Everything the report reads, for one council."""

    placements: Sequence[PlacementRecord] = ()
    requests: Sequence[RequestRecord] = ()
    complaints: Sequence[ComplaintRecord] = ()


@dataclass(frozen=True)
class Period:
    """The moments from ``start`` (included) to ``end`` (excluded), both time-zone aware."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "period start")
        _require_aware(self.end, "period end")
        if self.end <= self.start:
            raise ValueError("a period must end after it starts")

    @property
    def first_day(self) -> date:
        return self.start.astimezone(LONDON).date()

    @property
    def last_day(self) -> date:
        """The last UK date in the period (the day before ``end`` when it ends at midnight)."""
        end = self.end.astimezone(LONDON)
        return end.date() - timedelta(days=1) if end.time() == time(0) else end.date()

    @property
    def days(self) -> Decimal:
        """Calendar days in UK time (wall clock, so a March has 31 whatever the clocks do)."""
        start = self.start.astimezone(LONDON).replace(tzinfo=None)
        end = self.end.astimezone(LONDON).replace(tzinfo=None)
        return Decimal(_micro(end - start)) / _MICROSECONDS_A_DAY

    @property
    def whole_months(self) -> int | None:
        """How many calendar months the period is, when it runs from a first of the month at
        midnight to another (UK time); ``None`` otherwise."""
        start, end = self.start.astimezone(LONDON), self.end.astimezone(LONDON)
        if not (_is_month_start(start) and _is_month_start(end)):
            return None
        return (end.year - start.year) * 12 + end.month - start.month

    @property
    def months(self) -> Decimal:
        """Length in months: whole calendar months, or else days over an average month."""
        whole = self.whole_months
        return Decimal(whole) if whole is not None else self.days / _DAYS_A_MONTH

    def contains(self, moment: datetime) -> bool:
        return _u(self.start) <= _u(moment) < _u(self.end)


Figures = dict[str, Decimal | None]


@dataclass(frozen=True)
class KpiRow:
    """A KPI's figure this period, the previous period, the change and the monthly trend."""

    kpi: Kpi
    this: Decimal | None
    previous: Decimal | None
    trend: tuple[Decimal | None, ...]

    @property
    def change(self) -> Decimal | None:
        """This period's figure less the previous one's (as rounded)."""
        if self.this is None or self.previous is None:
            return None
        return self.this - self.previous

    @property
    def change_percent(self) -> Decimal | None:
        """The change as a percentage of the previous figure, to one decimal place; none for
        percentages (they change in points) and from a previous figure below the KPI's
        ``min_base`` (see :attr:`percent_meaningless`)."""
        change = self.change
        if change is None or self.kpi.points or self.percent_meaningless:
            return None
        assert self.previous is not None
        return _round(change * 100 / self.previous, 1)

    @property
    def percent_meaningless(self) -> bool:
        """True when there is a change but its percentage would mislead: the previous figure
        is zero or below the KPI's ``min_base`` (:data:`BASE_RULE`)."""
        if self.change is None or self.kpi.points or self.previous is None:
            return False
        return self.previous <= 0 or self.previous < self.kpi.min_base


@dataclass(frozen=True)
class PerformanceReport:
    """The KPIs' rows, and every request still waiting at ``now`` whenever it was made:
    how many (``waiting_now``) and the longest wait (``longest_open_days``, ``None`` when
    none is waiting), so a long wait from before the period is not hidden either."""

    period: Period
    previous: Period
    months: tuple[Period, ...]
    rows: tuple[KpiRow, ...] = field(default=())
    now: datetime | None = None
    waiting_now: int = 0
    longest_open_days: Decimal | None = None

    def row(self, key: str) -> KpiRow:
        for row in self.rows:
            if row.kpi.key == key:
                return row
        raise KeyError(key)


def _require_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be a time-zone aware datetime")


def _u(moment: datetime) -> datetime:
    # Aware datetimes sharing a tzinfo compare and subtract by wall clock; in UTC they never
    # do, so an autumn hour that happens twice is measured as the two hours it is.
    return moment.astimezone(UTC)


def _micro(delta: timedelta) -> int:
    """Whole microseconds of a timedelta, exactly (never through a float)."""
    return delta // timedelta(microseconds=1)


def _is_month_start(moment: datetime) -> bool:
    return moment.day == 1 and moment.time() == time(0)


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _utc(period: Period) -> tuple[datetime, datetime]:
    return _u(period.start), _u(period.end)


def london_midnight(day: date) -> datetime:
    """The start of ``day`` in UK time."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def previous_period(period: Period) -> Period:
    """The period of the same length just before ``period``: as many calendar months when
    it is whole months (the quarter before a quarter), otherwise as many calendar days (or
    the same wall-clock length)."""
    whole = period.whole_months
    if whole is not None:
        return Period(london_midnight(_add_months(period.first_day, -whole)), period.start)
    start = period.start.astimezone(LONDON).replace(tzinfo=None)
    length = period.end.astimezone(LONDON).replace(tzinfo=None) - start
    return Period((start - length).replace(tzinfo=LONDON), period.start)


def months_within(period: Period) -> tuple[Period, ...]:
    """The period cut at each first of the month (UK time): the trend's points."""
    months = []
    cursor = period.start
    while cursor < period.end:
        following = london_midnight(_add_months(cursor.astimezone(LONDON).date(), 1))
        end = min(following, period.end)
        months.append(Period(cursor, end))
        cursor = end
    return tuple(months)


def percentile(values: Sequence[Decimal], fraction: Decimal) -> Decimal:
    """The ``fraction`` (0 to 1) percentile of ``values``, type 7, exactly in Decimals."""
    if not values:
        raise ValueError("the percentile of no values is undefined")
    if not ZERO <= fraction <= 1:
        raise ValueError(f"fraction must be 0 to 1, got {fraction}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * fraction
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


@dataclass(frozen=True)
class _Spell:
    """A placement as the sums need it: times in UTC, hours and pounds an hour times hours."""

    start: datetime
    end: datetime | None
    hours: Decimal
    pound_hours: Decimal
    person: str
    lead: bool
    first: bool  # the package's first placement: new care


@dataclass(frozen=True)
class _Prepared:
    """The records once over, in UTC: a report works out dozens of periods from them."""

    spells: tuple[_Spell, ...]
    requests: tuple[RequestRecord, ...]
    complaints: tuple[tuple[datetime, bool], ...]  # (received, upheld or partly)


def _first_placements(placements: Sequence[PlacementRecord]) -> set[int]:
    """The positions of each package's first placement: the one that made it new care."""
    first: dict[str, int] = {}
    for index, placement in enumerate(placements):
        seen = first.get(placement.package)
        if seen is None or _u(placement.start) < _u(placements[seen].start):
            first[placement.package] = index
    return set(first.values())


def _prepare(data: LiveData) -> _Prepared:
    firsts = _first_placements(data.placements)
    spells = tuple(
        _Spell(
            start=_u(p.start),
            end=None if p.end is None else _u(p.end),
            hours=p.carer_hours_per_week,
            pound_hours=p.carer_hours_per_week * p.rate_per_hour,
            person=p.person,
            lead=p.tier == LEAD_TIER,
            first=index in firsts,
        )
        for index, p in enumerate(data.placements)
    )
    complaints = tuple(
        (_u(london_midnight(c.received_on)), c.outcome in UPHELD) for c in data.complaints
    )
    return _Prepared(spells, tuple(data.requests), complaints)


def _ratio(top: Decimal, bottom: Decimal) -> Decimal | None:
    return top / bottom if bottom else None


def _snapshot(data: _Prepared, moment: datetime) -> Figures:
    live = [s for s in data.spells if s.start <= moment and (s.end is None or moment < s.end)]
    hours = sum((s.hours for s in live), ZERO)
    people = Decimal(len({s.person for s in live}))
    leads = sum(1 for s in live if s.lead)
    return {
        "hours_at_end": hours,
        "people_at_end": people,
        "hours_per_person": _ratio(hours, people),
        "lead_share": _ratio(Decimal(100 * leads), Decimal(len(live))),
    }


def _over_period(data: _Prepared, period: Period) -> Figures:
    start, end = _utc(period)
    weighted_hours = weighted_pounds = ZERO
    new_packages, new_hours = 0, ZERO
    for s in data.spells:
        if s.first and start <= s.start < end:
            new_packages += 1
            new_hours += s.hours
        last = end if s.end is None or s.end > end else s.end
        first = s.start if s.start > start else start
        if last > first:
            overlap = _micro(last - first)
            weighted_hours += s.hours * overlap
            weighted_pounds += s.pound_hours * overlap
    return {
        "hours_average": weighted_hours / _micro(end - start),
        "new_packages": Decimal(new_packages),
        "new_hours_per_week": new_hours * 7 / period.days,
        "average_rate": _ratio(weighted_pounds, weighted_hours),
    }


def _arranging(data: _Prepared, period: Period, now: datetime) -> Figures:
    """The requests made in the period, followed up to ``now`` (see the module)."""
    start, end = _utc(period)
    times = placement_times(data.requests, now=now, made_from=start, made_before=end)
    return {
        "arrange_requests": Decimal(times.requests),
        "arrange_placed": Decimal(times.placed),
        "arrange_waiting": Decimal(times.waiting),
        "arrange_median_days": times.median_days,
        "arrange_median_low_days": times.median_low_days,
        "arrange_median_high_days": times.median_high_days,
        "arrange_p90_days": times.p90_days,
        "arrange_longest_open_days": times.longest_open_days,
    }


def _complaints(data: _Prepared, period: Period) -> Figures:
    start, end = _utc(period)
    received = [upheld for moment, upheld in data.complaints if start <= moment < end]
    return {
        "complaints": Decimal(len(received)),
        "complaints_per_month": Decimal(len(received)) / period.months,
        "complaints_upheld": Decimal(sum(received)),
    }


def _figures(data: _Prepared, period: Period, now: datetime) -> Figures:
    exact = {**_snapshot(data, _u(period.end)), **_over_period(data, period)}
    exact.update(_arranging(data, period, now))
    exact.update(_complaints(data, period))
    rounded: Figures = {}
    for kpi in KPIS:
        value = exact[kpi.key]
        rounded[kpi.key] = None if value is None else _round(value, kpi.places)
    return rounded


def figures(data: LiveData, period: Period, *, now: datetime | None = None) -> Figures:
    """Every KPI of :data:`KPIS` for ``period``, rounded half up to the KPI's places;
    requests are followed up to ``now`` (by default the period's end)."""
    moment = period.end if now is None else now
    _require_aware(moment, "now")
    return _figures(_prepare(data), period, _u(moment))


def performance_report(
    data: LiveData, *, start: datetime, end: datetime, now: datetime | None = None
) -> PerformanceReport:
    """The report for ``[start, end)``: each KPI this period, the previous period of the
    same length, and each calendar month within the period (its trend).

    ``start``, ``end`` and ``now`` must be time-zone aware (the platform passes UK
    midnights and the moment the report is made). Requests are followed up to ``now`` (by
    default ``end``): the ones still waiting then are counted up to it.
    """
    period = Period(start, end)
    previous = previous_period(period)
    months = months_within(period)
    moment = end if now is None else now
    _require_aware(moment, "now")
    moment = _u(moment)
    prepared = _prepare(data)
    this, before = _figures(prepared, period, moment), _figures(prepared, previous, moment)
    trend = [_figures(prepared, month, moment) for month in months]
    rows = tuple(
        KpiRow(kpi, this[kpi.key], before[kpi.key], tuple(m[kpi.key] for m in trend))
        for kpi in KPIS
    )
    everyone = placement_times(prepared.requests, now=moment)
    return PerformanceReport(
        period,
        previous,
        months,
        rows,
        now=moment,
        waiting_now=everyone.waiting,
        longest_open_days=everyone.longest_open_days,
    )
