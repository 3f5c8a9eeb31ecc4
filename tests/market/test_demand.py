"""Demand: arrival rates (growth, season, surges, places), package shapes, reviews, caseload."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import date, time

import numpy as np
import pytest

from carecore.brokerage.packages import PackageSpec
from carecore.market import Scenario, Surge, VisitPattern
from carecore.market.demand import (
    HOURS_PER_WEEK,
    area_weekly_rates,
    build_visits,
    demand_factor,
    draw_arrivals,
    draw_caseload,
    draw_packages,
    highest_factor,
    shrink_visits,
)

Rate = Callable[[Scenario, float], Scenario]


def _long(scenario: Scenario, weeks: int = 400) -> Scenario:
    return replace(scenario, horizon_weeks=weeks, warm_up_weeks=0)


def _expected_arrivals(scenario: Scenario, first_week: float, last_week: float) -> float:
    """The integral of the arrival rate, by the midpoint rule on hourly steps."""
    hours = np.arange(first_week * HOURS_PER_WEEK, last_week * HOURS_PER_WEEK) + 0.5
    weekly = area_weekly_rates(scenario).sum()
    return float((demand_factor(scenario, hours) * weekly / HOURS_PER_WEEK).sum())


def test_arrivals_match_the_rate_with_growth_and_seasons(small: Scenario) -> None:
    scenario = _long(small)
    times, _ = draw_arrivals(np.random.default_rng(1), scenario)
    expected = _expected_arrivals(scenario, 0, scenario.total_weeks)
    assert abs(len(times) - expected) < 4 * math.sqrt(expected)
    assert np.all(np.diff(times) >= 0)


def test_arrivals_grow_by_the_yearly_rate(small: Scenario) -> None:
    demand = replace(small.demand, growth_per_year=0.5, seasonality_amplitude=0.0)
    scenario = _long(replace(small, demand=demand), 208)
    times, _ = draw_arrivals(np.random.default_rng(2), scenario)
    first = np.sum(times < 52 * HOURS_PER_WEEK)
    last = np.sum(times >= 156 * HOURS_PER_WEEK)
    assert last / first == pytest.approx(1.5**3, rel=0.12)


def test_the_season_peaks_in_its_week(small: Scenario) -> None:
    demand = replace(
        small.demand, growth_per_year=0.0, seasonality_amplitude=0.5, seasonality_peak_week=27
    )
    scenario = _long(replace(small, demand=demand), 520)
    times, _ = draw_arrivals(np.random.default_rng(3), scenario)
    hours = np.arange(scenario.total_weeks * HOURS_PER_WEEK) + 0.5
    rate = demand_factor(scenario, hours)

    def week_of_year(at: np.ndarray) -> np.ndarray:
        first = small.start_date.isocalendar().week  # week 9 of 2021
        return (first - 1 + at / HOURS_PER_WEEK) % (365.25 / 7) + 1

    def summer(at: np.ndarray) -> np.ndarray:
        return np.abs(week_of_year(at) - 27) < 4

    def winter(at: np.ndarray) -> np.ndarray:
        return np.abs(week_of_year(at) - 27) > 22

    assert rate[summer(hours)].mean() > 1.45 and rate[winter(hours)].mean() < 0.55
    counted = np.sum(summer(times)) / np.sum(winter(times))
    expected = rate[summer(hours)].sum() / rate[winter(hours)].sum()
    assert counted == pytest.approx(expected, rel=0.06)


def test_a_surge_multiplies_demand_in_its_weeks(small: Scenario) -> None:
    # Leicestershire, summer 2020: weekly starts up 70% (seed 000 paragraph 20)
    demand = replace(
        small.demand, growth_per_year=0.0, seasonality_amplitude=0.0, surges=(Surge(20, 40, 1.7),)
    )
    scenario = _long(replace(small, demand=demand), 60)
    assert highest_factor(scenario) == pytest.approx(1.7)
    times, _ = draw_arrivals(np.random.default_rng(4), scenario)
    weeks = times / HOURS_PER_WEEK
    inside = np.sum((weeks >= 20) & (weeks < 40)) / 20
    outside = np.sum((weeks < 20) | (weeks >= 40)) / 40
    assert inside / outside == pytest.approx(1.7, rel=0.12)


def test_areas_get_packages_in_proportion_to_people_aged_65_and_over(
    small: Scenario, demand_rate: Rate
) -> None:
    scenario = _long(demand_rate(small, 3.0), 100)
    _, areas = draw_arrivals(np.random.default_rng(5), scenario)
    people = np.array([a.population_65_plus for a in scenario.areas], dtype=float)
    shares = np.bincount(areas, minlength=len(people)) / len(areas)
    assert shares == pytest.approx(people / people.sum(), abs=0.01)


def test_no_demand_means_no_arrivals_and_no_caseload(small: Scenario, demand_rate: Rate) -> None:
    scenario = demand_rate(small, 0.0)
    times, areas = draw_arrivals(np.random.default_rng(6), scenario)
    assert len(times) == len(areas) == 0
    assert len(draw_caseload(np.random.default_rng(6), scenario).areas) == 0


def test_package_draws_follow_the_stated_shares_and_lengths(small: Scenario) -> None:
    demand = small.demand
    draws = draw_packages(np.random.default_rng(7), 40_000, demand)
    assert draws.hospital.mean() == pytest.approx(demand.hospital_discharge_share, abs=0.01)
    assert draws.double.mean() == pytest.approx(demand.double_handed_share, abs=0.01)
    assert draws.length_hours.mean() / HOURS_PER_WEEK == pytest.approx(
        demand.mean_length_weeks, rel=0.03
    )
    assert set(np.unique(draws.jitter)) == {-30, -15, 0, 15, 30}
    assert draws.minutes.mean() == pytest.approx(30 * 0.5 + 45 * 0.32 + 60 * 0.18, rel=0.01)


def test_the_caseload_is_the_steady_state_of_arrivals(small: Scenario, demand_rate: Rate) -> None:
    scenario = demand_rate(small, 3.0)
    caseload = draw_caseload(np.random.default_rng(8), scenario)
    expected = area_weekly_rates(scenario).sum() * demand_factor(scenario, np.zeros(1))[0]
    expected *= scenario.demand.mean_length_weeks
    assert len(caseload.areas) == pytest.approx(expected, rel=0.05)
    # long episodes are over-represented in a caseload: share x mean, not share
    long_share = 0.6 * 60 / (0.4 * 6 + 0.6 * 60)
    assert (caseload.draws.component == 1).mean() == pytest.approx(long_share, abs=0.02)


def test_visits_move_together_and_double_up_morning_and_night() -> None:
    pattern = VisitPattern(
        "four", 1.0, (time(7, 30), time(12, 0), time(16, 30), time(20, 30)), tuple(range(7))
    )
    visits = build_visits(pattern, 45, True, -15, 30)
    assert len(visits) == 28
    starts = sorted({v.window_start for v in visits})
    assert starts == [time(7, 15), time(11, 45), time(16, 15), time(20, 15)]
    two = {v.window_start for v in visits if v.carers == 2}
    assert two == {time(7, 15), time(20, 15)}
    spec = PackageSpec(
        "X", "A", "Z", "URBAN", "older_people", "council", "community", "normal",
        date(2021, 3, 1), visits,
    )  # fmt: skip
    assert spec.carer_minutes_per_week == (28 + 14) * 45


def test_a_review_cuts_to_at_most_the_kept_share_without_going_below_a_daily_call() -> None:
    pattern = VisitPattern(
        "four", 1.0, (time(7, 30), time(12, 0), time(16, 30), time(20, 30)), tuple(range(7))
    )
    visits = build_visits(pattern, 60, False, 0, 30)
    cut = shrink_visits(visits, 0.6)
    assert sum(v.carer_minutes for v in cut) <= 0.6 * sum(v.carer_minutes for v in visits)
    assert min(v.minutes for v in cut) >= 30
    one = VisitPattern("one", 1.0, (time(8, 30),), tuple(range(7)))
    floor = shrink_visits(build_visits(one, 30, False, 0, 30), 0.1)
    assert len(floor) == 7 and all(v.minutes == 30 for v in floor)


def test_reviews_bring_hours_per_person_down_by_about_a_fifth(leicestershire: Scenario) -> None:
    # Leicestershire's reviews cut 12 hours a person a week to 9.41 (seed 002 paragraph 15)
    demand = leicestershire.demand
    draws = draw_packages(np.random.default_rng(9), 4000, demand)
    before = after = 0
    for j in range(len(draws)):
        visits = build_visits(
            demand.patterns[draws.pattern[j]], int(draws.minutes[j]), bool(draws.double[j]), 0, 30
        )
        before += sum(v.carer_minutes for v in visits)
        kept = shrink_visits(visits, demand.review_keep) if draws.shrink[j] else visits
        after += sum(v.carer_minutes for v in kept)
    assert before / 60 / len(draws) == pytest.approx(12.0, abs=0.6)
    assert after / before == pytest.approx(9.41 / 12, abs=0.04)
