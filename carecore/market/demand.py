"""Demand: when and where packages arrive, what they look like, how long they last, how a
review shrinks them, and the caseload already in care when the simulation starts.

Arrivals are a non-homogeneous Poisson process drawn by thinning: candidates at the highest
rate the scenario can reach, each kept with probability rate(t) / highest. Everything is
drawn in bulk with NumPy from the stream the caller passes, so the same stream always gives
the same packages whatever else the simulation does (common random numbers across models).
Times are hours from the scenario's start (Monday 00:00).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import time

import numpy as np
import numpy.typing as npt

from carecore.brokerage.packages import Visit
from carecore.market.scenario import Demand, Scenario, VisitPattern

HOURS_PER_WEEK = 168.0
WEEKS_PER_YEAR = 365.25 / 7
JITTER_STEP_MINUTES = 15
SHORTEST_VISIT_MINUTES = 30  # NICE advises against calls shorter than 30 minutes

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def area_weekly_rates(scenario: Scenario) -> FloatArray:
    """New packages a week in each area (in ``scenario.areas`` order) before growth and
    seasonality."""
    per_person = scenario.demand.packages_per_week_per_1000_65_plus / 1000
    return np.array([a.population_65_plus * per_person for a in scenario.areas], dtype=np.float64)


def demand_factor(scenario: Scenario, hours: FloatArray) -> FloatArray:
    """Growth x season x surges at each time (hours from the start); 1 at the start of a year
    with no seasonality."""
    demand = scenario.demand
    weeks = hours / HOURS_PER_WEEK
    factor = (1 + demand.growth_per_year) ** (weeks / WEEKS_PER_YEAR)
    if demand.seasonality_amplitude:
        first_week = scenario.start_date.isocalendar().week
        week_of_year = (first_week - 1 + weeks) % WEEKS_PER_YEAR + 1
        angle = 2 * math.pi * (week_of_year - demand.seasonality_peak_week) / WEEKS_PER_YEAR
        factor = factor * (1 + demand.seasonality_amplitude * np.cos(angle))
    for surge in demand.surges:
        inside = (weeks >= surge.from_week) & (weeks < surge.to_week)
        factor = np.where(inside, factor * surge.factor, factor)
    return np.asarray(factor, dtype=np.float64)


def highest_factor(scenario: Scenario) -> float:
    """An upper bound of :func:`demand_factor` over the run, for thinning."""
    demand = scenario.demand
    growth = max(1.0, (1 + demand.growth_per_year) ** (scenario.total_weeks / WEEKS_PER_YEAR))
    surges = math.prod(max(1.0, s.factor) for s in demand.surges)
    return float(growth * (1 + demand.seasonality_amplitude) * surges)


def draw_arrivals(rng: np.random.Generator, scenario: Scenario) -> tuple[FloatArray, IntArray]:
    """Arrival times (hours, sorted) and area indexes of every new package in the run."""
    rates = area_weekly_rates(scenario)
    total = float(rates.sum())
    if total <= 0:
        return np.empty(0, dtype=np.float64), np.empty(0, dtype=np.int64)
    bound = highest_factor(scenario)
    horizon = scenario.total_weeks * HOURS_PER_WEEK
    count = int(rng.poisson(total * bound * scenario.total_weeks))
    times = np.sort(rng.uniform(0.0, horizon, count))
    kept = times[rng.uniform(size=count) * bound < demand_factor(scenario, times)]
    areas = rng.choice(len(rates), size=len(kept), p=rates / total)
    return kept, np.asarray(areas, dtype=np.int64)


@dataclass(frozen=True)
class PackageDraws:
    """Random attributes of ``n`` packages, one row each (indexes into the scenario's lists)."""

    hospital: BoolArray
    pattern: IntArray
    minutes: IntArray
    double: BoolArray
    jitter: IntArray  # minutes every visit of the package moves by
    component: IntArray
    length_hours: FloatArray
    shrink: BoolArray
    end_reason: IntArray

    def __len__(self) -> int:
        return len(self.pattern)


def _pick(rng: np.random.Generator, weights: list[float], n: int) -> IntArray:
    p = np.array(weights, dtype=np.float64)
    return np.asarray(rng.choice(len(p), size=n, p=p / p.sum()), dtype=np.int64)


def draw_packages(rng: np.random.Generator, n: int, demand: Demand) -> PackageDraws:
    """Attributes of ``n`` new packages from the scenario's stated distributions."""
    component = _pick(rng, [c.share for c in demand.length_of_care], n)
    means = np.array([c.mean_weeks for c in demand.length_of_care]) * HOURS_PER_WEEK
    steps = demand.jitter_minutes // JITTER_STEP_MINUTES
    minutes = np.array([m for m, _ in demand.visit_minutes], dtype=np.int64)
    return PackageDraws(
        hospital=rng.uniform(size=n) < demand.hospital_discharge_share,
        pattern=_pick(rng, [p.weight for p in demand.patterns], n),
        minutes=minutes[_pick(rng, [w for _, w in demand.visit_minutes], n)],
        double=rng.uniform(size=n) < demand.double_handed_share,
        jitter=rng.integers(-steps, steps + 1, size=n) * JITTER_STEP_MINUTES,
        component=component,
        length_hours=rng.exponential(1.0, size=n) * means[component],
        shrink=rng.uniform(size=n) < demand.review_shrink_share,
        end_reason=_pick(rng, [w for _, w in demand.end_reasons], n),
    )


def build_visits(
    pattern: VisitPattern, minutes: int, double: bool, jitter: int, window: int
) -> tuple[Visit, ...]:
    """A week of visits: each of the pattern's times, all moved by ``jitter`` minutes (a
    person's day runs earlier or later as a whole), on each of its days. With ``double``, the
    first and last visit of the day need two carers."""
    last = len(pattern.times) - 1
    visits: list[Visit] = []
    for slot, start in enumerate(pattern.times):
        moved = start.hour * 60 + start.minute + jitter
        carers = 2 if double and slot in (0, last) else 1
        at = time(moved // 60, moved % 60)
        visits.extend(Visit(day, at, window, minutes, carers) for day in pattern.days)
    return tuple(visits)


def shrink_visits(visits: tuple[Visit, ...], keep: float) -> tuple[Visit, ...]:
    """The package after a review that cuts it to at most ``keep`` of its carer minutes:
    visits shortened by 15 minutes at a time down to 30, then the middle calls of the day
    dropped (morning and evening stay), then the evening call; never below one 30-minute
    call a day, so a review may cut less than ``keep`` asks."""
    target = keep * sum(v.carer_minutes for v in visits)
    current = visits
    while sum(v.carer_minutes for v in current) > target:
        starts = sorted({v.start_minute for v in current})
        if max(v.minutes for v in current) > SHORTEST_VISIT_MINUTES:
            current = tuple(
                Visit(
                    v.day,
                    v.window_start,
                    v.window_minutes,
                    max(SHORTEST_VISIT_MINUTES, v.minutes - 15)
                    if v.minutes > SHORTEST_VISIT_MINUTES
                    else v.minutes,
                    v.carers,
                    v.critical,
                )
                for v in current
            )
        elif len(starts) > 1:
            dropped = starts[len(starts) // 2] if len(starts) > 2 else starts[-1]
            current = tuple(v for v in current if v.start_minute != dropped)
        else:
            break
    return current


@dataclass(frozen=True)
class Caseload:
    """People already in care at the start: their package attributes, area, how long their
    care has left (hours) and when their review falls due (hours; negative: already done)."""

    draws: PackageDraws
    areas: IntArray
    remaining_hours: FloatArray
    review_due_hours: FloatArray


def draw_caseload(rng: np.random.Generator, scenario: Scenario) -> Caseload:
    """The steady-state caseload of the start's arrival rate.

    With Poisson arrivals and exponential lengths, the people in care form a Poisson number
    (rate x mean length) in each area; a person's episode kind is chosen in proportion to
    share x mean length (long episodes are over-represented in a caseload), and the time
    already in care and the time left are each exponential with that kind's mean.
    """
    demand = scenario.demand
    rates = area_weekly_rates(scenario) * float(demand_factor(scenario, np.zeros(1))[0])
    stocks = rng.poisson(rates * demand.mean_length_weeks)
    n = int(stocks.sum())
    draws = draw_packages(rng, n, demand)
    lengths = [c.share * c.mean_weeks for c in demand.length_of_care]
    component = _pick(rng, lengths, n)
    means = np.array([c.mean_weeks for c in demand.length_of_care]) * HOURS_PER_WEEK
    age = rng.exponential(1.0, size=n) * means[component]
    remaining = rng.exponential(1.0, size=n) * means[component]
    draws = PackageDraws(
        hospital=draws.hospital,
        pattern=draws.pattern,
        minutes=draws.minutes,
        double=draws.double,
        jitter=draws.jitter,
        component=component,
        length_hours=remaining,
        shrink=draws.shrink,
        end_reason=draws.end_reason,
    )
    areas = np.repeat(np.arange(len(rates), dtype=np.int64), stocks)
    due = demand.review_after_weeks * HOURS_PER_WEEK - age
    return Caseload(draws, areas, remaining, due)
