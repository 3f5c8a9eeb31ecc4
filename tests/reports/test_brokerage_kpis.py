"""Brokerage KPIs against a small hand-made market (golden figures worked out by hand)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carecore.reports import brokerage_kpis as k
from carecore.units import LONDON

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)


def _r(ref: str, state: str, hours: str, *, placed_after: float | None = None, **kw: object):
    placed = None if placed_after is None else T0 + timedelta(hours=placed_after)
    defaults: dict[str, object] = {"person": ref, "source": "community", "zone": "z1"}
    defaults.update(kw)
    return k.RequestRecord(
        ref=ref,
        state=state,
        carer_hours_per_week=Decimal(hours),
        created_at=T0,
        placed_at=placed,
        **defaults,  # type: ignore[arg-type]
    )


MARKET = [
    _r("1", "started", "10", placed_after=2, provider="A", tier="prime"),
    _r("2", "placed", "14", placed_after=6, provider="A", tier="prime"),
    _r("3", "suspended", "7", placed_after=10, provider="B", tier="supplementary"),
    _r("4", "started", "21", placed_after=30, provider="C", tier="spot", person="1"),
    _r("5", "ended", "5", placed_after=1, provider="B", tier="supplementary"),
    _r("6", "requested", "12", source="hospital_discharge", zone="z2"),
    _r("7", "offered", "8", zone="z1"),
    _r("8", "offered", "4", source="reablement_step_down", zone="z2"),
    _r("9", "started", "3", placed_after=0, provider="B", tier="prime", by_transfer=True),
]


def test_hours_commissioned_sum_the_live_requests_only() -> None:
    assert k.hours_commissioned(MARKET) == Decimal("55")  # 10+14+7+21+3


def test_people_in_service_count_each_person_once() -> None:
    assert k.people_in_service(MARKET) == 4  # person "1" holds requests 1 and 4


def test_time_to_place_skips_transfers_and_interpolates_its_percentiles() -> None:
    ttp = k.time_to_place(MARKET, start=T0, end=T0 + timedelta(days=7))
    # placed after 1, 2, 6, 10, 30 hours: median 6; p90 rank 3.6 -> 10 + 0.6 * 20 = 22
    assert ttp == k.TimeToPlace(5, 6.0, pytest.approx(22.0))


def test_time_to_place_over_a_period_with_no_placements_is_empty() -> None:
    later = T0 + timedelta(days=30)
    assert k.time_to_place(MARKET, start=later, end=later + timedelta(days=1)).count == 0


def test_unplaced_hours_split_hospital_from_community_and_reablement() -> None:
    assert k.unplaced_hours(MARKET) == {"hospital": Decimal("12"), "community": Decimal("12")}


def test_share_by_tier_counts_live_packages_largest_first() -> None:
    rows = k.share_by_tier(MARKET)
    assert [(s.name, s.packages, s.hours, s.percent) for s in rows] == [
        ("prime", 3, Decimal("27"), Decimal("60.0")),
        ("spot", 1, Decimal("21"), Decimal("20.0")),
        ("supplementary", 1, Decimal("7"), Decimal("20.0")),
    ]


def test_share_by_provider_names_each_provider() -> None:
    assert [(s.name, s.packages) for s in k.share_by_provider(MARKET)] == [
        ("A", 2),
        ("B", 2),
        ("C", 1),
    ]


def test_refusals_count_declines_and_expiries_in_the_period() -> None:
    offers = [
        k.OfferRecord("A", "declined", T0),
        k.OfferRecord("A", "accepted", T0),
        k.OfferRecord("B", "expired", T0),
        k.OfferRecord("B", "declined", T0),
        k.OfferRecord("B", "declined", T0 - timedelta(days=1)),  # before the period
    ]
    rows = k.refusals_by_provider(offers, start=T0, end=T0 + timedelta(days=1))
    assert rows == [k.Refusals("B", 2, 1, 1), k.Refusals("A", 2, 1, 0)]


def test_capacity_against_demand_lists_every_zone_in_order() -> None:
    capacity = [
        k.CapacityRecord("A", "z1", Decimal("5")),
        k.CapacityRecord("B", "z1", Decimal("3")),
    ]
    rows = k.capacity_against_demand(capacity, MARKET, ["z2", "z1", "z3"])
    assert rows == [
        k.ZoneBalance("z2", Decimal("0"), Decimal("16")),
        k.ZoneBalance("z1", Decimal("8"), Decimal("8")),
        k.ZoneBalance("z3", Decimal("0"), Decimal("0")),
    ]
    assert rows[0].gap == Decimal("16")


def test_percentile_matches_the_type_7_definition_on_known_values() -> None:
    values = [15.0, 20.0, 35.0, 40.0, 50.0]
    assert k.percentile(values, 0.0) == 15.0
    assert k.percentile(values, 0.4) == 29.0  # rank 1.6: 20 + 0.6 * 15
    assert k.percentile(values, 1.0) == 50.0
    assert k.percentile([7.0], 0.9) == 7.0


def test_percentile_of_nothing_or_outside_zero_to_one_is_an_error() -> None:
    with pytest.raises(ValueError):
        k.percentile([], 0.5)
    with pytest.raises(ValueError):
        k.percentile([1.0], 1.5)


@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=50), st.floats(0, 1), st.floats(0, 1))
def test_percentiles_stay_within_the_data_and_never_fall_as_the_fraction_rises(
    values: list[float], a: float, b: float
) -> None:
    low, high = sorted((a, b))
    assert min(values) <= k.percentile(values, low) <= k.percentile(values, high) + 1e-6
    assert k.percentile(values, high) <= max(values) + 1e-6


def test_a_request_placed_before_it_was_made_is_refused() -> None:
    with pytest.raises(ValueError, match="placed before"):
        _r("x", "placed", "1", placed_after=-1)
