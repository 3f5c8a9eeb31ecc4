"""Time to place a request with the requests still waiting counted: Kaplan-Meier.

A median over the requests *placed* hides the ones still waiting: if the quick ones are
placed and the hard ones wait for months, "median 0.5 days" looks fine while people wait.
Here every request made in a window counts. A placed request's wait ends at its placement
(an *event*); a request still waiting at ``now`` is *censored* there (we know it has waited
at least that long), and one withdrawn before placement is censored at its withdrawal.

The Kaplan-Meier estimate ``S(t)`` is the share of requests still unplaced ``t`` days after
they were made: at each distinct placement time ``t_j``, with ``n_j`` requests still at risk
(neither placed nor censored before ``t_j``) and ``d_j`` placed at ``t_j``,
``S(t) = prod over t_j <= t of (1 - d_j / n_j)``. A request censored at the same moment as
a placement counts as at risk at it (the usual convention).

- The **median** (and any quantile ``p``) is the first time ``S`` falls to ``1 - p`` or
  below; when ``S`` sits exactly at ``1 - p`` until the next placement time, the midpoint of
  the two (as R's ``survfit`` and SAS's LIFETEST do), so with nothing censored the median is
  the ordinary sample median. When the curve never falls that far the quantile is *not
  reached* (``None``): more than half are still waiting, and any number would understate it.
- The **95% interval for the median** is Brookmeyer and Crowley's (1982) with Greenwood's
  variance ``S(t)^2 sum d_j / (n_j (n_j - d_j))`` on the plain scale: the lower limit is the
  first time the lower band ``S - 1.96 se`` falls to 0.5, the upper the first time the upper
  band ``S + 1.96 se`` does (``None``: not reached).

Assumption: censoring is independent of the wait, i.e. a request still waiting today is as
likely to be placed soon as the placed requests were at the same point. Hard-to-place
requests make that optimistic, never pessimistic, so the figures are a floor on waits.

Pure Python: days are exact ``Decimal`` (from whole microseconds); the curve's heights are
floats, compared with a tolerance of 1e-9 so that 2/4 and the product 3/4 x 2/3 agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from carecore.reports.brokerage_kpis import RequestRecord

Z_95 = 1.96
TOLERANCE = 1e-9
_MICROSECONDS_A_DAY = Decimal(86_400_000_000)


@dataclass(frozen=True)
class Observation:
    """One request's wait in days: ``placed`` when it ended in a placement, otherwise it was
    censored then (still waiting, or withdrawn)."""

    days: Decimal
    placed: bool

    def __post_init__(self) -> None:
        if self.days < 0:
            raise ValueError(f"a wait cannot be negative, got {self.days} days")


@dataclass(frozen=True)
class Step:
    """The curve just after a placement time: who was at risk, how many were placed then,
    the share still unplaced and its Greenwood standard error."""

    days: Decimal
    at_risk: int
    placed: int
    survival: float
    std_error: float


def kaplan_meier(observations: Iterable[Observation]) -> tuple[Step, ...]:
    """The Kaplan-Meier curve: one :class:`Step` a distinct placement time, earliest first."""
    ordered = sorted(observations, key=lambda o: (o.days, not o.placed))
    at_risk = len(ordered)
    survival, greenwood = 1.0, 0.0
    steps: list[Step] = []
    index = 0
    while index < len(ordered):
        days = ordered[index].days
        placed = censored = 0
        while index < len(ordered) and ordered[index].days == days:
            placed += ordered[index].placed
            censored += not ordered[index].placed
            index += 1
        if placed:
            survival *= 1 - placed / at_risk
            if at_risk > placed:
                greenwood += placed / (at_risk * (at_risk - placed))
            std_error = survival * math.sqrt(greenwood) if survival > 0 else 0.0
            steps.append(Step(days, at_risk, placed, survival, std_error))
        at_risk -= placed + censored
    return tuple(steps)


def _first_below(steps: Sequence[Step], level: float, heights: Sequence[float]) -> int | None:
    for index, height in enumerate(heights):
        if height <= level + TOLERANCE:
            return index
    return None


def quantile(steps: Sequence[Step], fraction: float) -> Decimal | None:
    """The time by which ``fraction`` (0 to 1, exclusive) of requests were placed, by the
    curve; ``None`` when it is not reached (see the module)."""
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
    level = 1 - fraction
    index = _first_below(steps, level, [s.survival for s in steps])
    if index is None:
        return None
    step = steps[index]
    if abs(step.survival - level) <= TOLERANCE and index + 1 < len(steps):
        return (step.days + steps[index + 1].days) / 2
    return step.days


def median_interval(
    steps: Sequence[Step], z: float = Z_95
) -> tuple[Decimal | None, Decimal | None]:
    """Brookmeyer and Crowley's interval for the median with Greenwood's variance: the first
    times the lower and the upper band fall to 0.5 (``None``: not reached)."""
    lower = _first_below(steps, 0.5, [s.survival - z * s.std_error for s in steps])
    upper = _first_below(steps, 0.5, [s.survival + z * s.std_error for s in steps])
    return (
        None if lower is None else steps[lower].days,
        None if upper is None else steps[upper].days,
    )


@dataclass(frozen=True)
class PlacementTimes:
    """Time from request to placement for a group of requests, waits still open counted.

    ``requests`` = ``placed`` + ``waiting`` + ``withdrawn``. Times are days; ``None`` for a
    quantile or limit means not reached (or, with no requests at all, nothing to measure).
    ``longest_open_days`` is the longest wait among the requests still waiting at ``now``.
    """

    requests: int
    placed: int
    waiting: int
    withdrawn: int
    median_days: Decimal | None
    median_low_days: Decimal | None
    median_high_days: Decimal | None
    p90_days: Decimal | None
    longest_open_days: Decimal | None


def summarise(observations: Sequence[Observation], *, withdrawn: int = 0) -> PlacementTimes:
    """The :class:`PlacementTimes` of ``observations`` (``withdrawn`` of the censored ones
    were withdrawn; the rest are still waiting)."""
    steps = kaplan_meier(observations)
    low, high = median_interval(steps)
    placed = sum(o.placed for o in observations)
    open_waits = [o.days for o in observations if not o.placed]
    waiting = len(open_waits) - withdrawn
    if waiting < 0:
        raise ValueError("more withdrawn than censored requests")
    return PlacementTimes(
        requests=len(observations),
        placed=placed,
        waiting=waiting,
        withdrawn=withdrawn,
        median_days=quantile(steps, 0.5),
        median_low_days=low,
        median_high_days=high,
        p90_days=quantile(steps, 0.9),
        longest_open_days=None,
    )


def _days(start: datetime, end: datetime) -> Decimal:
    micro = (_u(end) - _u(start)) // timedelta(microseconds=1)
    return Decimal(micro) / _MICROSECONDS_A_DAY


def _u(moment: datetime) -> datetime:
    # Aware datetimes sharing a tzinfo compare by wall clock; in UTC they never do.
    return moment.astimezone(UTC)


def _observation(record: RequestRecord, now: datetime) -> tuple[Observation, str]:
    """The request's wait and how it stands at ``now``: placed, withdrawn or waiting."""
    if record.placed_at is not None and _u(record.placed_at) <= now:
        return Observation(_days(record.created_at, record.placed_at), True), "placed"
    if record.withdrawn_at is not None and _u(record.withdrawn_at) <= now:
        return Observation(_days(record.created_at, record.withdrawn_at), False), "withdrawn"
    return Observation(_days(record.created_at, now), False), "waiting"


def placement_times(
    requests: Iterable[RequestRecord],
    *,
    now: datetime,
    made_from: datetime | None = None,
    made_before: datetime | None = None,
) -> PlacementTimes:
    """Time to place the requests made in ``[made_from, made_before)`` (either end open),
    followed up to ``now``: still-waiting requests censored at ``now``, withdrawn ones at
    their withdrawal. Requests made by a transfer (placed the moment they were made) and
    requests made after ``now`` are left out. All times must be time-zone aware."""
    observations: list[Observation] = []
    withdrawn = 0
    longest: Decimal | None = None
    now = _u(now)
    for record in requests:
        made = _u(record.created_at)
        if record.by_transfer or made > now:
            continue
        if (made_from is not None and made < _u(made_from)) or (
            made_before is not None and made >= _u(made_before)
        ):
            continue
        observation, status = _observation(record, now)
        observations.append(observation)
        withdrawn += status == "withdrawn"
        if status == "waiting" and (longest is None or observation.days > longest):
            longest = observation.days
    return replace(summarise(observations, withdrawn=withdrawn), longest_open_days=longest)
