"""A simulation of the live market uses the council's rate card in force on the day, and says
plainly when there is none rather than quietly using the default scenario's rates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from homecare.commissioning.models import BandRate, RateCard, RatePeriod
from homecare.insight.scenarios import DEFAULT, LIVE, live_scenario

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("Europe/London"))
RATES = {"URBAN": "21.10", "FRINGE": "22.40", "RURAL": "24.35", "ISOLATED": "27.80"}


def _card(council: Any, start: date, end: date | None) -> None:
    card = RateCard.objects.create(name="testshire-rates", council=council)
    period = RatePeriod.objects.create(card=card, effective_from=start, effective_to=end)
    for band, rate in RATES.items():
        BandRate.objects.create(period=period, band=band, hourly_rate=Decimal(rate))


def _rates_sources(council: Any) -> list[Any]:
    live = live_scenario(council, now=NOW, horizon_weeks=2, seed=1)
    return [source for source in live.sources if source.part == "Band rates"]


def test_the_simulation_uses_the_card_in_force_today(council: Any) -> None:
    _card(council, date(2025, 4, 1), None)
    live = live_scenario(council, now=NOW, horizon_weeks=2, seed=1)
    assert live.build().costs.band_rates["RURAL"] == Decimal("24.35")
    [source] = _rates_sources(council)
    assert source.origin == LIVE
    assert "Rural £24.35" in source.detail and "RURAL" not in source.detail


def test_without_a_card_in_force_the_simulation_says_so_in_plain_words(
    council: Any, commissioner: Any, signed_in: Any
) -> None:
    _card(council, date(2020, 4, 1), date(2021, 11, 5))  # long ended
    [source] = _rates_sources(council)
    assert source.origin == DEFAULT
    assert source.detail.startswith("The council has no rate card in force on 4 March 2026, so")
    assert "Urban £18.75" in source.detail  # the default scenario's (published 2020-21) rate
    page = signed_in(commissioner).get(reverse("insight:new-simulation")).content.decode()
    assert 'id="rates-missing"' in page and "The council has no rate card in force on" in page


def test_the_page_gives_no_warning_when_a_card_is_in_force(
    council: Any, commissioner: Any, signed_in: Any
) -> None:
    _card(council, date(2020, 4, 1), None)
    page = signed_in(commissioner).get(reverse("insight:new-simulation")).content.decode()
    assert 'id="rates-missing"' not in page
