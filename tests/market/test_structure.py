"""The market structure each delivery model implies, and simulated time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from carecore.brokerage import Tier
from carecore.market import Scenario
from carecore.market.clock import Clock
from carecore.market.structure import (
    appointments,
    block_minutes,
    block_rate_pence,
    principals,
    provider_zone_pairs,
    staffed_workers,
    zone_needs,
)
from carecore.market.supply import Economics
from carecore.units import LONDON


def test_each_zone_with_a_prime_role_is_led_by_its_largest_framework_provider(
    small: Scenario,
) -> None:
    assert principals(small) == {"town": ("P1",), "vale": ("P3",), "moor": ()}


def test_the_leicestershire_principals_are_one_per_zone_except_the_rural_free_zone(
    leicestershire: Scenario,
) -> None:
    leading = principals(leicestershire)
    assert leading["harborough-rural-free"] == ()
    assert all(len(refs) == 1 for zone, refs in leading.items() if zone != "harborough-rural-free")
    assert leading["coalville-ashby"] == ("N1",)


def _tiers(
    small: Scenario, model: str, blocks: dict[str, Decimal] | None = None
) -> dict[tuple[str, Tier], frozenset[str]]:
    made = appointments(small, small.model(model), principals(small), blocks or {})
    return {(a.provider_ref, a.tier): a.zone_codes for a in made}


def test_the_prime_model_appoints_principals_as_primes_and_the_rest_as_supplementary(
    small: Scenario,
) -> None:
    tiers = _tiers(small, "prime")
    assert tiers[("P1", Tier.PRIME)] == {"town"}
    assert tiers[("P2", Tier.SUPPLEMENTARY)] == {"town", "vale"}
    assert tiers[("P4", Tier.SUPPLEMENTARY)] == {"moor", "vale"}
    assert tiers[("B1", Tier.BACK_UP)] == {"town", "vale", "moor"}
    assert tiers[("S1", Tier.SPOT)] == {"town", "vale", "moor"}
    assert not any(tier == Tier.PRIME and "moor" in zones for (_, tier), zones in tiers.items())


def test_the_open_model_puts_every_framework_provider_on_one_list(small: Scenario) -> None:
    tiers = _tiers(small, "open")
    assert {tier for _, tier in tiers} == {Tier.SUPPLEMENTARY, Tier.BACK_UP, Tier.SPOT}


def test_appointments_carry_the_band_rates_and_a_lead_its_block(small: Scenario) -> None:
    made = appointments(
        small, small.model("lead-block"), principals(small), {"P1": Decimal("12.5")}
    )
    lead = next(a for a in made if a.provider_ref == "P1")
    assert lead.tier == Tier.PRIME
    assert lead.block_hours_per_week == Decimal("12.5")
    assert lead.rate_for("ISOLATED") == Decimal("26.15")
    assert all(a.block_hours_per_week == 0 for a in made if a.provider_ref != "P1")


def test_a_block_is_the_factor_times_the_leads_hours_at_the_start(small: Scenario) -> None:
    assert block_minutes(small.model("lead-block"), {"P1": 1000, "P3": 999}) == {
        "P1": 1100,
        "P3": 1099,
    }
    assert block_minutes(small.model("prime"), {"P1": 1000}) == {}


def test_an_unused_block_is_paid_at_the_rate_of_the_leads_commonest_band(small: Scenario) -> None:
    leading = principals(small)
    assert block_rate_pence(small, "P1", leading) == 1875  # town: mostly urban
    assert block_rate_pence(small, "P3", leading) == 2295  # vale: more rural than isolated


def test_workers_start_at_the_margin_over_what_the_expected_caseload_needs(small: Scenario) -> None:
    econ = Economics.of(small)
    pairs = provider_zone_pairs(small)
    need = zone_needs(small, econ)
    staffed = staffed_workers(small, pairs, need)
    town = sum(w for w, zone in zip(staffed, pairs.zone, strict=True) if zone == "town")
    assert town * small.supply.hours_per_worker * 60 == pytest.approx(
        small.supply.capacity_margin * need["town"][1]
    )
    doubled = staffed_workers(
        replace(small, supply=replace(small.supply, capacity_margin=2.16)), pairs, need
    )
    assert doubled == pytest.approx(2 * staffed)


@pytest.fixture
def clock(small: Scenario) -> Clock:
    return Clock(small)  # starts Monday 1 March 2021, office 08:00 to 18:00 on weekdays


@pytest.mark.parametrize(
    ("hours", "opens"),
    [
        (7.0, 8.0),  # Monday before opening
        (9.5, 9.5),  # in office hours: at once
        (19.0, 24 + 8.0),  # Monday evening: Tuesday morning
        (4 * 24 + 19.0, 7 * 24 + 8.0),  # Friday evening: Monday morning
        (5 * 24 + 10.0, 7 * 24 + 8.0),  # Saturday: Monday morning
    ],
)
def test_brokers_work_office_hours(clock: Clock, hours: float, opens: float) -> None:
    assert clock.office(hours) == pytest.approx(opens)


def test_office_hours_follow_the_clock_change(clock: Clock) -> None:
    # Clocks went forward on Sunday 28 March 2021: 08:00 on Monday 29 March is 07:00 UTC.
    monday = 28 * 24
    opens = clock.office(monday)
    assert clock.moment(opens) == datetime(2021, 3, 29, 8, 0, tzinfo=LONDON)
    assert clock.moment(opens).astimezone(UTC).hour == 7


def test_policy_times_are_london_aware_and_round_trip(clock: Clock) -> None:
    moment = clock.moment(100.25)
    assert moment.tzinfo == LONDON
    assert clock.hours(moment) == pytest.approx(100.25)
    # 22:30 and 23:30 GMT on 28 March 2021 are 23:30 BST that day and 00:30 BST the next
    assert clock.date(27 * 24 + 22.5).isoformat() == "2021-03-28"
    assert clock.date(27 * 24 + 23.5).isoformat() == "2021-03-29"
