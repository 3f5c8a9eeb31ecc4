"""The market snapshot: who covers a zone, in what order, at what rate, with what room."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from carecore.brokerage import (
    CASCADE_ORDER,
    AppointmentState,
    MarketSnapshot,
    ProviderState,
    Tier,
)
from carecore.errors import InputError

D = Decimal
MakeMarket = Callable[..., MarketSnapshot]


def test_the_cascade_order_is_prime_supplementary_back_up_specialist_spot() -> None:
    assert [t.value for t in CASCADE_ORDER] == [
        "prime",
        "supplementary",
        "back_up",
        "specialist",
        "spot",
    ]


def test_providers_in_a_zone_come_best_quality_first_and_skip_the_suspended(
    market: MarketSnapshot,
) -> None:
    # FERN (quality 95) is suspended; ALDER 92 beats BIRCH 88 though BIRCH ranks first.
    assert market.providers_in_zone("Z1", tier="prime") == ("ALDER", "BIRCH")
    assert market.providers_in_zone("RFZ", tier=Tier.PRIME) == ()
    assert market.providers_in_zone("RFZ") == ("DAMSON", "CEDAR", "ELM")


def test_equal_quality_is_broken_by_rank_then_reference() -> None:
    providers = {r: ProviderState(r, r, D(80), "active") for r in ("A", "B", "C")}
    appointments = tuple(
        AppointmentState(ref, "L", frozenset({"Z"}), Tier.PRIME, rank)
        for ref, rank in (("A", 2), ("B", 1), ("C", 2))
    )
    assert MarketSnapshot(providers, appointments).providers_in_zone("Z") == ("B", "A", "C")


def test_band_rates_win_over_the_hourly_rate(market: MarketSnapshot) -> None:
    assert market.rate_for("BIRCH", "URBAN") == D("21.00")
    assert market.rate_for("BIRCH", "RURAL") == D("22.50")
    assert market.rate_for("NOBODY", "URBAN") is None


def test_block_hours_remaining_never_go_below_zero(make_market: MakeMarket) -> None:
    assert make_market().block_hours_remaining("ALDER") == D(5)
    assert make_market(block_hours_used={"ALDER": D(30)}).block_hours_remaining("ALDER") == 0
    assert make_market().block_hours_remaining("CEDAR") == 0


def test_an_undeclared_provider_has_room_and_a_declared_one_only_its_hours(
    make_market: MakeMarket,
) -> None:
    market = make_market(free_hours={("ALDER", "Z1"): D(6)})
    assert not market.has_room("ALDER", "Z1", D(7))
    assert market.has_room("ALDER", "Z1", D(6))
    assert market.has_room("BIRCH", "Z1", D(100))


def test_a_specialist_appointment_serves_only_its_cohorts() -> None:
    appointment = AppointmentState(
        "A", "SPEC", frozenset({"Z"}), Tier.SPECIALIST, 1, cohorts=frozenset({"mental_health"})
    )
    assert appointment.covers("Z", "mental_health")
    assert not appointment.covers("Z", "older_people")
    assert not appointment.covers("Y", "mental_health")


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"tier": "lead"}, "tier"),
        ({"rank": 0}, "rank"),
        ({"hourly_rate": D(0)}, "hourly_rate"),
        ({"band_rates": {"URBAN": D(-1)}}, "band_rates.URBAN"),
        ({"block_hours_per_week": D(-1)}, "block_hours_per_week"),
    ],
)
def test_a_bad_appointment_is_refused_naming_the_field(
    changes: dict[str, object], key: str
) -> None:
    fields: dict[str, object] = {
        "provider_ref": "A",
        "lot_code": "L",
        "zone_codes": frozenset({"Z"}),
        "tier": "prime",
        "rank": 1,
    }
    fields.update(changes)
    with pytest.raises(InputError) as excinfo:
        AppointmentState(**fields)  # type: ignore[arg-type]
    assert excinfo.value.key == key


def test_a_snapshot_refuses_an_appointment_of_an_unknown_provider_and_a_bad_status() -> None:
    with pytest.raises(InputError) as excinfo:
        MarketSnapshot({}, (AppointmentState("X", "L", frozenset({"Z"}), Tier.PRIME, 1),))
    assert excinfo.value.key == "appointments[0].provider_ref"
    with pytest.raises(InputError, match="active, suspended, exited"):
        ProviderState("A", "A", D(1), "closed")
