"""A pay-floor audit from visit logs: did each carer's working day pay at least the floor?

The minimum-wage rules judge pay over ALL working time, not the rate for contact time (see
:mod:`carecore.pricing.pay_check`). Travel between visits and waiting between visits are
working time; the journey to the first visit and home from the last is commuting and is not
(:mod:`carecore.rostering.pay`). A provider paying only contact time at a rate above the
National Living Wage can still pay a carer below it over the day. This module rebuilds each
carer's working days from their call-monitoring logs and applies the provider's declared pay.

For one carer on one day (the London date of each visit's check-in):

- **Left out**: a log with no check-out, or whose check-out is not after its check-in; each is
  counted (:attr:`PayAudit.no_check_out`, :attr:`PayAudit.bad_times`).
- **Overlapping logs** of one carer (one carer cannot be in two homes at once) are merged: a
  visit starting before the earlier ones have ended joins them in one block from the first
  check-in to the last check-out, so no minute is counted twice. Visits that merely touch
  (one ends as the next starts) stay apart. Each merged log is counted
  (:attr:`CarerDay.merged_logs`). The block is left from the place of its last check-out.
- **Contact** is the time inside the blocks.
- **Travel** between consecutive blocks is the travel source's time from the place the carer
  left to the next place, never more than the gap between them.
- **Waiting** is the rest of the gap (gap minus travel), counted as working time when it is
  at most the stated break (``break_after_minutes``); a longer wait counts nothing as
  waiting: it is a break. Travel is counted either way.
- **Pay** under the policy: contact at ``hourly_pay``; travel at ``hourly_pay``
  (``hourly``), at ``travel_rate`` (``own_rate``), ``per_visit_pay`` for each logged visit of
  the day (``per_visit``) or nothing (``unpaid``); waiting at ``hourly_pay`` when
  ``waiting_paid``. The day's pay is kept exact (in 3600ths of a penny: pence an hour times
  seconds); :attr:`CarerDay.paid_pence` shows it to the penny, half up.
- **The verdict** for each floor in force that day (adult rates: a carer's age is not in the
  logs) is the pay check's: the day is below the floor when its pay is less than all its
  working hours times the floor; the shortfall for the day is rounded UP to the penny (paying
  it is enough) and the shortfall per hour is the floor less the effective pay. A day outside
  the floor data has no verdict for that floor.

Times are whole seconds; money is exact (whole numbers inside, ``Decimal`` pounds and ``int``
pence out). Never reads the clock.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from carecore.errors import InputError
from carecore.pricing.pay_floors import KINDS, PayFloor, PayFloorTable, load_pay_floors
from carecore.rostering.travel import Point, TravelSource
from carecore.units import as_london, to_decimal

TRAVEL_PAY = ("hourly", "own_rate", "per_visit", "unpaid")
SECONDS_PER_HOUR = 3600
MAX_BREAK_MINUTES = 24 * 60
WORST_DAYS = 10
ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, order=True)
class Place:
    """Where a visit is: WGS84 degrees and the pricing band (which sets the driving speed)."""

    lat: float
    lon: float
    band: str = ""


@dataclass(frozen=True)
class LoggedVisit:
    """One carer's log of one visit; ``check_out`` None when the carer never checked out."""

    carer_id: str
    check_in: datetime
    check_out: datetime | None
    lat: float
    lon: float
    band: str = ""

    @property
    def place(self) -> Place:
        return Place(float(self.lat), float(self.lon), self.band or "")


def _money(value: Any, key: str) -> Decimal:
    amount = to_decimal(value, key=key)
    if amount <= 0:
        raise InputError(f"must be more than £0, got {value}", key=key)
    if amount != amount.quantize(Decimal("0.01")):
        raise InputError(f"must be in pounds and pence, got {value}", key=key)
    return amount


@dataclass(frozen=True)
class PayPolicy:
    """What a provider pays its care workers from ``effective_from`` (None: always).

    Money is pounds (``Decimal``): ``hourly_pay`` for contact time; travel between visits paid
    as ``travel_pay`` (one of :data:`TRAVEL_PAY`) with ``travel_rate`` an hour (``own_rate``)
    or ``per_visit_pay`` a visit (``per_visit``); waiting paid at ``hourly_pay`` when
    ``waiting_paid``; a wait longer than ``break_after_minutes`` is an unpaid break.
    """

    hourly_pay: Decimal
    travel_pay: str = "hourly"
    travel_rate: Decimal | None = None
    per_visit_pay: Decimal | None = None
    waiting_paid: bool = True
    break_after_minutes: int = 60
    effective_from: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "hourly_pay", _money(self.hourly_pay, "hourly_pay"))
        if self.travel_pay not in TRAVEL_PAY:
            raise InputError(
                f"expected one of {', '.join(TRAVEL_PAY)}, got {self.travel_pay!r}",
                key="travel_pay",
            )
        for name, needed in (("travel_rate", "own_rate"), ("per_visit_pay", "per_visit")):
            value = getattr(self, name)
            if self.travel_pay == needed:
                if value is None:
                    raise InputError(f"is needed when travel is paid {needed}", key=name)
                object.__setattr__(self, name, _money(value, name))
            elif value is not None:
                raise InputError(f"is only for travel paid {needed}", key=name)
        minutes = self.break_after_minutes
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise InputError("expected whole minutes", key="break_after_minutes")
        if not 0 <= minutes <= MAX_BREAK_MINUTES:
            raise InputError(
                f"must be from 0 to {MAX_BREAK_MINUTES} minutes, got {minutes}",
                key="break_after_minutes",
            )

    def rates(self) -> tuple[int, int, int]:
        """Pence an hour for contact and waiting, pence an hour for travel, pence a visit."""
        hourly = _pence(self.hourly_pay)
        travel = {"hourly": hourly, "own_rate": _pence(self.travel_rate or Decimal(0))}
        per_visit = (
            _pence(self.per_visit_pay or Decimal(0)) if self.travel_pay == "per_visit" else 0
        )
        return hourly, travel.get(self.travel_pay, 0), per_visit


@dataclass(frozen=True)
class FloorVerdict:
    """One floor's verdict on one carer-day (money in £, exact; the day's shortfall in pence)."""

    floor: PayFloor
    below: bool
    shortfall_per_hour: Decimal
    shortfall_pence: int


@dataclass(frozen=True)
class CarerDay:
    """One carer's working day: time in whole seconds, pay exact, a verdict per floor."""

    carer_id: str
    day: date
    visits: int
    merged_logs: int
    contact_seconds: int
    travel_seconds: int
    waiting_seconds: int
    break_seconds: int
    pay_units: int = field(repr=False)  # the day's pay in 3600ths of a penny, exact
    verdicts: tuple[FloorVerdict | None, ...]  # in the order of :data:`KINDS`

    @property
    def working_seconds(self) -> int:
        return self.contact_seconds + self.travel_seconds + self.waiting_seconds

    @property
    def contact_minutes(self) -> Decimal:
        return Decimal(self.contact_seconds) / 60

    @property
    def travel_minutes(self) -> Decimal:
        return Decimal(self.travel_seconds) / 60

    @property
    def waiting_minutes(self) -> Decimal:
        return Decimal(self.waiting_seconds) / 60

    @property
    def working_hours(self) -> Decimal:
        return Decimal(self.working_seconds) / SECONDS_PER_HOUR

    @property
    def paid(self) -> Fraction:
        """The day's pay in pence, exact."""
        return Fraction(self.pay_units, SECONDS_PER_HOUR)

    @property
    def paid_pence(self) -> int:
        """The day's pay to the penny, half up."""
        return (2 * self.pay_units + SECONDS_PER_HOUR) // (2 * SECONDS_PER_HOUR)

    @property
    def effective_pay(self) -> Decimal:
        """Pay over all working hours, £ an hour (exact to the Decimal context)."""
        return _pounds_an_hour(self.pay_units, self.working_seconds)

    def verdict(self, kind: str) -> FloorVerdict | None:
        return self.verdicts[KINDS.index(kind)]


@dataclass(frozen=True)
class FloorSummary:
    """How one floor fared over the audited carer-days."""

    kind: str
    days: int  # carer-days with a rate for this floor
    days_below: int
    mean_shortfall_per_hour: Decimal | None  # over the days below; None when none is
    shortfall_pence: int  # over the days below, each rounded up to the penny
    floors: tuple[PayFloor, ...]  # the rates in force on the audited days, oldest first

    @property
    def share_below(self) -> Decimal | None:
        """Days below over days with a rate (0 to 1, exact to the Decimal context)."""
        return Decimal(self.days_below) / self.days if self.days else None


@dataclass(frozen=True)
class PayAudit:
    """The audit of one provider's logs: every carer-day, each floor's summary and the worst
    days (lowest effective pay first), with what was left out and why."""

    days: tuple[CarerDay, ...]
    floors: tuple[FloorSummary, ...]
    worst: tuple[CarerDay, ...]
    no_check_out: int
    bad_times: int
    merged_logs: int
    days_without_policy: int
    travel_source: str

    def floor(self, kind: str) -> FloorSummary:
        return self.floors[KINDS.index(kind)]


TravelTime = Callable[[Place, Place], int]
"""Whole seconds from one place to another."""


def _pence(pounds: Decimal) -> int:
    """Whole pence in ``pounds``; money of finer grain is refused."""
    pence = pounds * 100
    if pence != pence.to_integral_value():
        raise InputError(f"expected pounds and pence, got {pounds}", key="amount")
    return int(pence)


def _pounds_an_hour(pay_units: int, seconds: int) -> Decimal:
    """£ an hour from pay in 3600ths of a penny over ``seconds``."""
    return Decimal(pay_units) / Decimal(seconds * 100)


def _seconds(later: datetime, earlier: datetime) -> int:
    return (later - earlier) // ONE_SECOND


# --- inputs ---------------------------------------------------------------------------------

FRAME_COLUMNS = ("carer_id", "check_in", "check_out", "lat", "lon")


def visits_from_frame(frame: pl.DataFrame) -> list[LoggedVisit]:
    """Logged visits from a frame with columns ``carer_id``, ``check_in``, ``check_out``
    (null when none), ``lat``, ``lon`` and optionally ``band``."""
    missing = [name for name in FRAME_COLUMNS if name not in frame.columns]
    if missing:
        raise InputError(f"missing columns: {', '.join(missing)}", key=missing[0])
    has_band = "band" in frame.columns
    return [
        LoggedVisit(
            carer_id=str(row["carer_id"]),
            check_in=row["check_in"],
            check_out=row["check_out"],
            lat=row["lat"],
            lon=row["lon"],
            band=(row["band"] or "") if has_band else "",
        )
        for row in frame.iter_rows(named=True)
    ]


def travel_lookup(source: TravelSource, places: Iterable[Place]) -> TravelTime:
    """Whole seconds between any two of ``places``, the source asked once for all of them."""
    unique = sorted(set(places))
    index = {place: i for i, place in enumerate(unique)}
    if not unique:
        return lambda a, b: 0
    points = [Point(p.lat, p.lon) for p in unique]
    bands = [p.band for p in unique] if all(p.band for p in unique) else None
    seconds = source.matrix(points, bands).seconds
    return lambda a, b: int(seconds[index[a], index[b]])


def travel_table(source: TravelSource, places: Iterable[Place]) -> dict[tuple[Place, Place], int]:
    """Whole seconds between every pair of ``places`` (a few: the table is their square)."""
    unique = sorted(set(places))
    travel = travel_lookup(source, unique)
    return {(a, b): travel(a, b) for a in unique for b in unique}


def _travel_function(
    travel: TravelSource | Mapping[tuple[Place, Place], int] | TravelTime, places: set[Place]
) -> TravelTime:
    if isinstance(travel, TravelSource):
        return travel_lookup(travel, places)
    if isinstance(travel, Mapping):
        lookup = travel

        def from_table(a: Place, b: Place) -> int:
            if a == b:
                return int(lookup.get((a, b), 0))
            if (a, b) not in lookup:
                raise InputError(f"no travel time from {a} to {b}", key="travel")
            return int(lookup[(a, b)])

        return from_table
    return travel


# --- one carer-day ----------------------------------------------------------------------------


@dataclass
class _Block:
    start: datetime
    end: datetime
    first: Place
    last: Place
    last_key: tuple[Any, ...]


def _blocks(visits: Sequence[LoggedVisit]) -> tuple[list[_Block], int]:
    """Overlapping visits merged into blocks (in time order) and how many logs were merged."""
    blocks: list[_Block] = []
    merged = 0
    stops = sorted((v.check_in, v.check_out, v.place) for v in visits if v.check_out)
    for check_in, check_out, place in stops:
        out_key = (check_out, check_in, place)
        if blocks and check_in < blocks[-1].end:
            block = blocks[-1]
            merged += 1
            block.end = max(block.end, check_out)
            if out_key > block.last_key:
                block.last, block.last_key = place, out_key
        else:
            blocks.append(_Block(check_in, check_out, place, place, out_key))
    return blocks, merged


def _verdict(floor: PayFloor, pay_units: int, working_seconds: int) -> FloorVerdict:
    required = _pence(floor.amount) * working_seconds  # 3600ths of a penny, as the pay
    if pay_units >= required:
        return FloorVerdict(floor, False, Decimal(0), 0)
    return FloorVerdict(
        floor,
        True,
        floor.amount - _pounds_an_hour(pay_units, working_seconds),
        -((pay_units - required) // SECONDS_PER_HOUR),  # rounded up to the penny
    )


def _floors_on(day: date, table: PayFloorTable) -> tuple[PayFloor | None, ...]:
    found: list[PayFloor | None] = []
    for kind in KINDS:
        try:
            found.append(table.on(day, kind))
        except InputError:  # a day outside the data: no verdict for this floor
            found.append(None)
    return tuple(found)


def audit_day(
    carer_id: str,
    day: date,
    visits: Sequence[LoggedVisit],
    *,
    travel: TravelTime,
    policy: PayPolicy,
    floors: Sequence[PayFloor | None],
) -> CarerDay:
    """One carer's day from its visits (each with a check-out after its check-in)."""
    blocks, merged = _blocks(visits)
    contact = sum(_seconds(b.end, b.start) for b in blocks)
    travelled = waiting = resting = 0
    for earlier, later in itertools.pairwise(blocks):
        gap = _seconds(later.start, earlier.end)
        leg = min(max(0, int(travel(earlier.last, later.first))), gap)
        wait = gap - leg
        travelled += leg
        if wait <= policy.break_after_minutes * 60:
            waiting += wait
        else:
            resting += wait
    hourly, travel_rate, per_visit = policy.rates()
    pay_units = hourly * contact + travel_rate * travelled
    pay_units += per_visit * len(visits) * SECONDS_PER_HOUR
    if policy.waiting_paid:
        pay_units += hourly * waiting
    working = contact + travelled + waiting
    return CarerDay(
        carer_id=carer_id,
        day=day,
        visits=len(visits),
        merged_logs=merged,
        contact_seconds=contact,
        travel_seconds=travelled,
        waiting_seconds=waiting,
        break_seconds=resting,
        pay_units=pay_units,
        verdicts=tuple(
            None if floor is None else _verdict(floor, pay_units, working) for floor in floors
        ),
    )


# --- the audit --------------------------------------------------------------------------------


def _policies(policy: PayPolicy | Sequence[PayPolicy]) -> list[PayPolicy]:
    items = [policy] if isinstance(policy, PayPolicy) else list(policy)
    starts = [p.effective_from or date.min for p in items]
    if len(set(starts)) != len(starts):
        raise InputError("two pay policies start on the same day", key="effective_from")
    return sorted(items, key=lambda p: p.effective_from or date.min)


def _policy_on(day: date, policies: Sequence[PayPolicy]) -> PayPolicy | None:
    current = None
    for policy in policies:
        if (policy.effective_from or date.min) <= day:
            current = policy
    return current


def audit_pay(
    visits: pl.DataFrame | Iterable[LoggedVisit],
    *,
    travel: TravelSource | Mapping[tuple[Place, Place], int] | TravelTime,
    policy: PayPolicy | Sequence[PayPolicy],
    floors: PayFloorTable | None = None,
    travel_basis: str = "",
    worst: int = WORST_DAYS,
) -> PayAudit:
    """Audit one provider's logs: a :class:`CarerDay` for each carer and London day with a
    policy in force, each floor's summary, and the ``worst`` days (lowest effective pay).

    ``travel`` is a travel source (asked once for every place), a table of whole seconds by
    (from, to) :class:`Place`, or a function of two places giving whole seconds; ``policy``
    one policy or several from their ``effective_from`` days; ``floors`` the pay floor table
    (the shipped one when None).
    """
    table = floors or load_pay_floors()
    rows = visits_from_frame(visits) if isinstance(visits, pl.DataFrame) else list(visits)
    policies = _policies(policy)
    no_check_out = bad_times = 0
    by_day: dict[tuple[str, date], list[LoggedVisit]] = {}
    for visit in rows:
        if visit.check_out is None:
            no_check_out += 1
            continue
        check_in, check_out = as_london(visit.check_in), as_london(visit.check_out)
        if check_out <= check_in:
            bad_times += 1
            continue
        normal = LoggedVisit(visit.carer_id, check_in, check_out, visit.lat, visit.lon, visit.band)
        by_day.setdefault((visit.carer_id, check_in.date()), []).append(normal)
    places = {v.place for group in by_day.values() for v in group}
    travel_time = _travel_function(travel, places)
    days: list[CarerDay] = []
    without_policy = 0
    floors_cache: dict[date, tuple[PayFloor | None, ...]] = {}
    for (carer_id, day), group in sorted(by_day.items()):
        current = _policy_on(day, policies)
        if current is None:
            without_policy += 1
            continue
        if day not in floors_cache:
            floors_cache[day] = _floors_on(day, table)
        days.append(
            audit_day(
                carer_id, day, group, travel=travel_time, policy=current, floors=floors_cache[day]
            )
        )
    ranked = sorted(days, key=lambda d: (d.effective_pay, d.carer_id, d.day))
    return PayAudit(
        days=tuple(days),
        floors=tuple(_summary(kind, days) for kind in KINDS),
        worst=tuple(ranked[: max(0, worst)]),
        no_check_out=no_check_out,
        bad_times=bad_times,
        merged_logs=sum(d.merged_logs for d in days),
        days_without_policy=without_policy,
        travel_source=travel_basis or _describe(travel),
    )


def _describe(travel: Any) -> str:
    describe = getattr(travel, "describe", None)
    return str(describe()) if callable(describe) else "a travel table given by the caller"


def _summary(kind: str, days: Sequence[CarerDay]) -> FloorSummary:
    verdicts = [v for d in days if (v := d.verdict(kind)) is not None]
    below = [v for v in verdicts if v.below]
    in_force: dict[tuple[date, Decimal], PayFloor] = {}
    for verdict in verdicts:
        in_force.setdefault((verdict.floor.effective_from, verdict.floor.amount), verdict.floor)
    return FloorSummary(
        kind=kind,
        days=len(verdicts),
        days_below=len(below),
        mean_shortfall_per_hour=(
            sum((v.shortfall_per_hour for v in below), Decimal(0)) / len(below) if below else None
        ),
        shortfall_pence=sum(v.shortfall_pence for v in below),
        floors=tuple(in_force[key] for key in sorted(in_force)),
    )
