"""What a package costs a provider, when it accepts, what it bids, and its workforce."""

from __future__ import annotations

from datetime import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carecore.brokerage import Visit
from carecore.market import Scenario, VisitPattern
from carecore.market.demand import build_visits
from carecore.market.structure import provider_zone_pairs, staffed_workers, zone_needs
from carecore.market.supply import (
    Economics,
    Terms,
    Workforce,
    accepts,
    caseload_minutes,
    offer_value_pence,
    package_terms,
    reservation_pence,
    threshold_pence,
)

DAILY = tuple(range(7))


def _visits(times: tuple[time, ...], minutes: int, double: bool = False) -> tuple[Visit, ...]:
    return build_visits(VisitPattern("p", 1.0, times, DAILY), minutes, double, 0, 30)


TWICE = (time(9, 0), time(18, 0))


@pytest.fixture(scope="module")
def econ(small: Scenario) -> Economics:
    return Economics.of(small)


def test_rural_care_costs_more_and_uses_more_worker_time(econ: Economics) -> None:
    visits = _visits(TWICE, 45)
    urban, rural = (package_terms(visits, band, econ) for band in ("URBAN", "ISOLATED"))
    assert rural.carer_minutes == urban.carer_minutes == 14 * 45
    assert rural.worker_minutes > urban.worker_minutes
    assert rural.cost_pence > urban.cost_pence
    assert rural.miles > urban.miles


def test_short_visits_cost_more_per_hour_than_long_ones(econ: Economics) -> None:
    short = package_terms(_visits(TWICE, 30), "URBAN", econ)
    long = package_terms(_visits(TWICE, 60), "URBAN", econ)
    assert short.cost_pence > long.cost_pence
    assert short.carer_share < long.carer_share


def test_small_packages_carry_more_admin_per_hour(econ: Economics) -> None:
    one = package_terms(_visits((time(9, 0),), 45), "URBAN", econ)
    four = package_terms(
        _visits((time(8, 0), time(12, 0), time(16, 0), time(19, 0)), 45), "URBAN", econ
    )
    assert one.cost_pence - four.cost_pence == pytest.approx(econ.admin_pence * (1 / 5.25 - 1 / 21))


def test_calls_at_awkward_times_cost_more(econ: Economics) -> None:
    late = package_terms(_visits((time(7, 0), time(21, 15)), 45), "URBAN", econ)
    usual = package_terms(_visits((time(9, 0), time(18, 0)), 45), "URBAN", econ)
    assert late.cost_pence - usual.cost_pence == pytest.approx(econ.awkward_pence)


def test_double_handed_visits_count_both_carers(econ: Economics) -> None:
    terms = package_terms(_visits(TWICE, 45, double=True), "URBAN", econ)
    assert terms.carer_minutes == 2 * terms.contact_minutes


def test_a_busier_provider_is_choosier_and_an_obligation_makes_it_less_so() -> None:
    assert (
        threshold_pence(30, 100, 0.9)
        > threshold_pence(30, 100, 0.5)
        > threshold_pence(30, 100, 0.0)
    )
    assert threshold_pence(30, 100, 0.9, obligation=100) == pytest.approx(
        threshold_pence(30, 100, 0.9) - 100
    )
    assert threshold_pence(30, 100, 5.0) == threshold_pence(30, 100, 1.5)


TERMS = st.builds(
    Terms,
    carer_minutes=st.integers(60, 3000),
    contact_minutes=st.just(60),
    worker_minutes=st.integers(3000, 6000),
    cost_pence=st.floats(1200, 3000),
    miles=st.just(0.0),
)


@settings(max_examples=200, deadline=None)
@given(
    terms=TERMS,
    rate=st.integers(1000, 4000),
    rise=st.integers(0, 1000),
    noise=st.floats(-300, 300),
    threshold=st.floats(-100, 400),
)
def test_a_higher_rate_never_turns_an_acceptance_into_a_refusal(
    terms: Terms, rate: int, rise: int, noise: float, threshold: float
) -> None:
    if accepts(rate, terms, noise, threshold):
        assert accepts(rate + rise, terms, noise, threshold)


@settings(max_examples=200, deadline=None)
@given(terms=TERMS, noise=st.floats(-300, 300), threshold=st.floats(-100, 400))
def test_the_reservation_rate_is_where_acceptance_starts(
    terms: Terms, noise: float, threshold: float
) -> None:
    reserve = reservation_pence(terms, noise, threshold)
    assert offer_value_pence(reserve, terms, noise) == pytest.approx(threshold, abs=1e-6)
    assert accepts(reserve + 0.01, terms, noise, threshold)
    assert not accepts(reserve - 0.01, terms, noise, threshold)


def test_the_workforce_turns_over_at_the_stated_rate_and_keeps_a_tenth_of_posts_vacant(
    leicestershire: Scenario,
) -> None:
    econ = Economics.of(leicestershire)
    pairs = provider_zone_pairs(leicestershire)
    staffed = staffed_workers(leicestershire, pairs, zone_needs(leicestershire, econ))
    workforce = Workforce(
        leicestershire, list(zip(pairs.provider, pairs.zone, strict=True)), staffed
    )
    workforce.growth = 0.0
    rng = np.random.default_rng(10)
    weeks, heads, teams = 520, [], np.zeros(len(staffed))
    for week in range(weeks):
        workforce.week(rng, week * 168.0)
        heads.append(workforce.total)
        teams += workforce.workers
    years = weeks / (365.25 / 7)
    assert workforce.leavers / np.mean(heads) / years == pytest.approx(0.35, abs=0.015)
    # Teams of 20 or more: a handful of workers cannot hold 10% of a post vacant.
    large = workforce.target >= 20
    vacancy = 1 - teams[large].sum() / weeks / workforce.target[large].sum()
    assert vacancy == pytest.approx(0.10, abs=0.015)


def test_rural_caseloads_need_more_worker_time_per_package(
    small: Scenario, econ: Economics
) -> None:
    per_band = caseload_minutes(small, econ)
    urban_carer, urban_worker = per_band["URBAN"]
    rural_carer, rural_worker = per_band["ISOLATED"]
    assert urban_carer == pytest.approx(rural_carer)
    assert rural_worker > urban_worker > urban_carer
