"""What must hold of the market simulation, on the small county (common random numbers: the
same seed and replication give the same packages whatever the market does with them)."""

from __future__ import annotations

import pickle
import statistics
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from decimal import Decimal

import pytest

from carecore.market import (
    DELIVERY_MODELS,
    ProviderExit,
    ReplicationResult,
    Scenario,
    ZoneSpec,
    compare,
    run_replication,
)
from carecore.market.engine import Simulation

Change = Callable[[Scenario, float], Scenario]
Uplift = Callable[[Scenario, str], Scenario]


@pytest.mark.parametrize("model", DELIVERY_MODELS)
def test_more_provider_capacity_never_lengthens_the_median_wait(
    small: Scenario, capacity: Change, model: str
) -> None:
    # Short of staff, just enough, and plenty: the mean of three replications' medians.
    medians = [
        statistics.fmean(
            run_replication(capacity(small, margin), model, r, 21).median_days_to_place or 0.0
            for r in range(3)
        )
        for margin in (0.8, 1.0, 1.3)
    ]
    assert medians == sorted(medians, reverse=True)
    assert medians[0] > medians[-1]


@pytest.mark.parametrize("model", ["prime", "open", "lead-block"])
def test_raising_the_rural_rate_never_lowers_rural_acceptance(
    small: Scenario, rural_uplift: Uplift, model: str
) -> None:
    # DPS prices come from bids, so there the band rate only prices spot purchases.
    rates = [
        run_replication(rural_uplift(small, uplift), model, 0, 21).offer_acceptance_rural
        for uplift in ("0", "0.1", "0.2", "0.3")
    ]
    assert None not in rates
    assert rates == sorted(rates)  # type: ignore[type-var]
    assert rates[-1] > rates[0]


def test_removing_every_prime_from_a_zone_sends_its_packages_to_supplementary_providers(
    small: Scenario,
) -> None:
    before = run_replication(small, "prime", 0, 21).placements_by_zone["town"]
    zones = tuple(ZoneSpec(z.code, z.name, False) if z.code == "town" else z for z in small.zones)
    after = run_replication(replace(small, zones=zones), "prime", 0, 21).placements_by_zone["town"]
    assert before.get("prime", 0) > 0
    assert "prime" not in after
    assert after["supplementary"] > before.get("supplementary", 0)
    assert sum(after.values()) >= 0.9 * sum(before.values())


@pytest.mark.parametrize("model", DELIVERY_MODELS)
def test_with_no_demand_nothing_happens(small: Scenario, demand_rate: Change, model: str) -> None:
    result = run_replication(demand_rate(small, 0.0), model, 0, 21)
    assert result.requests == result.placed == result.offers == 0
    assert result.spend_pence == result.block_unused_pence == 0
    assert result.delivered_carer_hours == 0
    assert result.travel_miles == result.co2_kg == 0
    assert result.mean_people_served == result.mean_waiting_list == 0
    assert result.cost_per_hour is None and result.median_days_to_place is None


def test_the_same_seed_gives_identical_results(small: Scenario) -> None:
    first = run_replication(small, "dps", 2, 99)
    again = run_replication(small, "dps", 2, 99)
    assert first == again
    assert first.to_dict() == again.to_dict()


def test_replications_and_seeds_draw_different_streams(small: Scenario) -> None:
    base = run_replication(small, "prime", 0, 99)
    assert run_replication(small, "prime", 1, 99).to_dict() != base.to_dict()
    assert run_replication(small, "prime", 0, 100).to_dict() != base.to_dict()


def test_every_model_sees_the_same_packages_arrive(small: Scenario) -> None:
    comparison = compare(small, replications=2, seed=8)
    for replication in range(2):
        arrivals = {r.arrivals_per_week for r in comparison.results if r.replication == replication}
        assert len(arrivals) == 1
    assert comparison.models == DELIVERY_MODELS
    assert comparison.summary("open").replications == 2


def test_money_is_exact(small: Scenario) -> None:
    comparison = compare(small, ["lead-block"], replications=2, seed=3)
    for result in comparison.results:
        assert type(result.spend_pence) is int
        assert type(result.block_unused_pence) is int and result.block_unused_pence > 0
        assert isinstance(result.cost_per_hour, Decimal)
        assert isinstance(result.delivered_carer_hours, Decimal)
        # the average rate times the hours gives the spend back to within rounding
        assert result.cost_per_hour * result.delivered_carer_hours * 100 == pytest.approx(
            result.spend_pence, rel=Decimal("0.001")
        )
    summary = comparison.summary("lead-block")
    for metric in ("spend_pence", "cost_per_hour", "block_unused_pence"):
        assert isinstance(summary[metric].mean, Decimal)
        assert isinstance(summary[metric].half_width, Decimal)


def test_a_failing_provider_hands_its_packages_back_to_the_waiting_list(small: Scenario) -> None:
    failing = replace(small, exits=(ProviderExit("P1", 10.0),))
    simulation = Simulation(failing, "prime", 0, 21)
    result = simulation.run()
    assert result.rebrokered > 50  # the town's prime held most of the town's care
    assert not simulation.placed_by_provider[simulation.index["P1"]]
    assert not simulation.market.is_active("P1")
    calm = run_replication(small, "prime", 0, 21)
    assert result.mean_waiting_list > 3 * calm.mean_waiting_list  # its carers left with it


def test_carers_moving_from_a_failed_provider_let_its_packages_be_placed_again(
    small: Scenario,
) -> None:
    gone = run_replication(replace(small, exits=(ProviderExit("P1", 10.0),)), "prime", 0, 21)
    moved = run_replication(replace(small, exits=(ProviderExit("P1", 10.0, 0.9),)), "prime", 0, 21)
    calm = run_replication(small, "prime", 0, 21)
    assert moved.rebrokered == gone.rebrokered
    assert moved.placed > calm.placed  # the handed-back packages were placed again
    assert moved.mean_waiting_list < gone.mean_waiting_list
    assert moved.mean_care_workers > gone.mean_care_workers


def test_busy_providers_with_first_refusal_pick_the_urban_work(small: Scenario) -> None:
    # Not assumed: rural packages use more worker time per hour of care, so they are worth
    # less to a provider whose workers are its scarce resource.
    result = run_replication(small, "prime", 0, 21)
    assert result.offer_acceptance_rural is not None and result.offer_acceptance_urban is not None
    assert result.offer_acceptance_rural < result.offer_acceptance_urban


def test_a_replication_runs_in_another_process_as_dask_would_run_it(small: Scenario) -> None:
    here = run_replication(small, "open", 1, 4)
    with ProcessPoolExecutor(max_workers=1) as pool:
        there: ReplicationResult = pool.submit(run_replication, small, "open", 1, 4).result()
    assert there == here
    assert pickle.loads(pickle.dumps(here)) == here


@pytest.mark.parametrize(
    ("arguments", "key"),
    [((0, -1), "seed"), ((-1, 0), "replication"), ((True, 0), "replication")],
)
def test_bad_run_arguments_are_named(small: Scenario, arguments: tuple[int, int], key: str) -> None:
    from carecore.errors import InputError

    with pytest.raises(InputError) as caught:
        run_replication(small, "prime", *arguments)
    assert caught.value.key == key
