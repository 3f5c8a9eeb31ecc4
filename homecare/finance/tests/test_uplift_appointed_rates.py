"""Applying an uplift raises the framework's appointed rates, so a package placed after it
is placed at the new rate; withdrawing it puts them back; and a placement made before it was
applied is uplifted from the later of its day and the day it was placed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from homecare.brokerage import actions
from homecare.brokerage.testing import NOW, make_request
from homecare.commissioning.models import Appointment, Provider
from homecare.delivery.tests.conftest import *  # noqa: F403 (the delivery tests' fixtures)
from homecare.delivery.tests.conftest import _immediate_tasks  # noqa: F401 (autouse)
from homecare.finance import rates, uplifts


def test_an_uplift_raises_the_appointed_rates_and_a_withdrawal_puts_them_back(
    framework: Any, commissioner: Any
) -> None:
    made = uplifts.apply_fee_uplift(
        framework,
        effective_from=date(2026, 4, 6),
        percent=Decimal("4.5"),
        reason="National Living Wage rise",
        now=NOW,
        acting_user=commissioner,
    )
    # £20.00 + 4.5% = £20.90, for every appointment on the framework.
    assert set(Appointment.objects.values_list("hourly_rate", flat=True)) == {Decimal("20.90")}
    request = make_request(framework, "P-0009")
    placed = actions.place_manually(
        request,
        Provider.objects.get(name="Prime 1 (test)"),
        reason="test",
        now=NOW + timedelta(hours=1),
        acting_user=None,
    )
    assert placed.rate == Decimal("20.90")
    # Placed after the uplift was applied: its rate has it already, so it is not raised again.
    assert [s.pence for s in rates.rate_spans(placed, "URBAN", [made])] == [2090]
    refused = None
    try:
        uplifts.withdraw_fee_uplift(made, reason="wrong", now=NOW, acting_user=commissioner)
    except Exception as exc:  # a package was placed at the new rate since
        refused = exc
    assert refused is not None and "placed at the uplifted rates" in str(refused)


def test_a_withdrawal_restores_the_rates_the_uplift_raised(
    framework: Any, commissioner: Any
) -> None:
    made = uplifts.apply_fee_uplift(
        framework,
        effective_from=date(2026, 4, 6),
        band_rates={"URBAN": "22.00"},
        reason="New band rates",
        now=NOW,
        acting_user=commissioner,
    )
    urban = {
        a.pk: [(r.band, r.hourly_rate) for r in a.rates.all()] for a in Appointment.objects.all()
    }
    assert all(rows == [("URBAN", Decimal("22.00"))] for rows in urban.values())
    uplifts.withdraw_fee_uplift(made, reason="Sent too early", now=NOW, acting_user=commissioner)
    assert not any(a.rates.exists() for a in Appointment.objects.all())
    assert set(Appointment.objects.values_list("hourly_rate", flat=True)) == {Decimal("20.00")}
