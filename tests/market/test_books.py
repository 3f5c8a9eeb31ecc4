"""The ledger (exact money, time-averages, waits) and summaries over replications."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from scipy import stats

from carecore.errors import InputError
from carecore.market import ReplicationResult, Scenario, estimate, run_replication, summarise
from carecore.market.ledger import Ledger


def _ledger() -> Ledger:
    return Ledger(warm_up_weeks=1, horizon_weeks=2, providers=3)  # horizon: days 7 to 21


def test_a_line_is_rate_times_carer_minutes_times_days_rounded_half_up_once() -> None:
    ledger = _ledger()
    # £18.75 an hour, 45 carer minutes a week, 1 day: 1875 x 45 / 420 = 200.89p -> 201p
    ledger.bill(0, 1875, 45, 0.0, 7, 8, spot=False)
    assert ledger.spend_pence == 201
    # a line of exactly half a penny rounds up: 1 x 210 / 420 = 0.5p -> 1p
    ledger.bill(1, 1, 210, 0.0, 7, 8, spot=False)
    assert ledger.spend_pence == 202


def test_the_spend_is_the_sum_of_its_lines_to_the_penny() -> None:
    ledger = _ledger()
    lines = [
        (0, 1875, 630, 2, 19),
        (1, 2295, 455, 0, 30),
        (2, 2615, 1260, 10, 12),
        (0, 1995, 45, 7, 21),
    ]
    expected = 0
    for provider, rate, minutes, first, end in lines:
        ledger.bill(provider, rate, minutes, 1.0, first, end, spot=provider == 2)
        days = min(end, 21) - max(first, 7)
        expected += math.floor(Fraction(rate * minutes * days, 420) + Fraction(1, 2))
    assert ledger.spend_pence == expected
    assert isinstance(ledger.spend_pence, int)
    assert ledger.spot_spend_pence == math.floor(Fraction(2615 * 1260 * 2, 420) + Fraction(1, 2))


def test_care_outside_the_horizon_is_not_billed() -> None:
    ledger = _ledger()
    ledger.bill(0, 2000, 600, 0.0, 0, 7, spot=False)  # all in the warm-up
    ledger.bill(0, 2000, 600, 0.0, 21, 30, spot=False)  # all after the end
    assert ledger.spend_pence == ledger.minute_days == 0


def test_levels_are_averaged_over_the_horizon_only() -> None:
    ledger = _ledger()
    ledger.tick(0.0)
    ledger.waiting = 3  # three waiting from the start, in the warm-up too
    ledger.tick(168.0 + 24.0)
    ledger.waiting = 1
    ledger.tick(3 * 168.0)
    result = ledger.result(
        scenario="s", model="m", replication=0, seed=0, kg_co2e_per_mile=0.3, zones=(), leavers=0
    )
    assert result.mean_waiting_list == pytest.approx((3 * 24 + 1 * (336 - 24)) / 336)


def test_waits_count_unplaced_requests_with_the_time_they_waited() -> None:
    ledger = _ledger()
    day = 24.0
    placed = [
        ledger.open_request(168.0 + i * day, rural=i % 2 == 0, zone="z", rebrokered=False)
        for i in range(4)
    ]
    for i, request in enumerate(placed):
        ledger.close_request(request, 168.0 + i * day + (i + 1) * day, placed=True)  # 1 to 4 days
    never = ledger.open_request(168.0, rural=False, zone="z", rebrokered=False)
    ledger.close_request(never, 168.0 + 10 * day, placed=False)  # withdrawn after 10 days
    result = ledger.result(
        scenario="s",
        model="m",
        replication=0,
        seed=0,
        kg_co2e_per_mile=0.3,
        zones=("z",),
        leavers=0,
    )
    assert result.median_days_to_place == pytest.approx(3.0)
    assert result.share_placed_within_2_days == pytest.approx(2 / 5)
    assert result.share_placed_within_7_days == pytest.approx(4 / 5)
    assert result.median_days_rural == pytest.approx(2.0)  # requests 0 and 2: 1 and 3 days
    assert result.withdrawn_waiting == 1
    assert result.median_days_by_zone == {"z": pytest.approx(3.0)}


def test_concentration_is_the_herfindahl_index_of_delivered_hours() -> None:
    ledger = _ledger()
    ledger.bill(0, 1000, 60, 0.0, 7, 14, spot=False)
    ledger.bill(1, 1000, 60, 0.0, 7, 14, spot=False)
    result = ledger.result(
        scenario="s", model="m", replication=0, seed=0, kg_co2e_per_mile=0.3, zones=(), leavers=0
    )
    assert result.hhi == pytest.approx(5000.0)
    assert result.delivered_carer_hours == Decimal("2.00")
    assert result.cost_per_hour == Decimal("10.00")


def test_an_unused_block_is_paid_by_the_week_at_its_rate() -> None:
    ledger = _ledger()
    ledger.block_shortfall(2 * 168.0, 1875, 90)  # the week ending day 14: 90 minutes at £18.75
    ledger.block_shortfall(168.0, 1875, 90)  # the week ending day 7 is in the warm-up
    assert ledger.block_unused_pence == ledger.spend_pence == 2813  # 2812.5p rounded half up


def test_an_estimate_is_the_mean_and_its_95_percent_t_interval() -> None:
    values = [2.0, 4.0, 4.0, 5.0, 7.0]
    got = estimate(values)
    mean = sum(values) / 5
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / 4)
    half = stats.t.ppf(0.975, 4) * sd / math.sqrt(5)
    assert got.mean == pytest.approx(4.4)
    assert got.half_width == pytest.approx(half)
    assert (got.low, got.high) == (pytest.approx(mean - half), pytest.approx(mean + half))
    assert got.n == 5


def test_an_estimate_skips_missing_values_and_needs_two_for_an_interval() -> None:
    assert estimate([None, 3.0]).half_width is None
    assert estimate([None, None]).mean is None


def test_money_is_summarised_exactly_in_decimal() -> None:
    got = estimate([100, 101, 103], exact=True)
    assert got.mean == Decimal("101.33")
    assert isinstance(got.half_width, Decimal)
    assert got.low is not None and got.high is not None
    assert got.low < got.mean < got.high


def test_results_of_two_models_cannot_be_summarised_together(
    small_results: list[ReplicationResult],
) -> None:
    with pytest.raises(InputError, match="more than one"):
        summarise(small_results)
    with pytest.raises(InputError, match="no results"):
        summarise([])


def test_results_and_summaries_are_json_friendly(small_results: list[ReplicationResult]) -> None:
    result = small_results[0]
    text = json.dumps(result.to_dict())
    assert f'"spend_pence": {result.spend_pence}' in text
    assert f'"cost_per_hour": "{result.cost_per_hour}"' in text
    summary = summarise(r for r in small_results if r.model == "prime")
    again = json.loads(json.dumps(summary.to_dict()))
    assert again["estimates"]["spend_pence"]["mean"] == str(summary["spend_pence"].mean)
    with pytest.raises(InputError):
        summary["no_such_metric"]


@pytest.fixture(scope="module")
def small_results(small: Scenario) -> list[ReplicationResult]:
    return [run_replication(small, model, 0, 5) for model in ("prime", "open")]
