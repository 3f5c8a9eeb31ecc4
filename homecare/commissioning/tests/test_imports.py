"""Importing the engine's geography and rate cards into the database, and reading them back."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from carecore.errors import InputError
from carecore.pricing.rate_cards import load_rate_card, shipped_rate_cards
from homecare.commissioning import actions
from homecare.commissioning.engine import geography_from_db, rate_card_from_db
from homecare.commissioning.models import Area, BandRate, RateCard, Zone


@pytest.mark.django_db
def test_the_stored_geography_reads_back_as_the_engines(geography: Any) -> None:
    stored = geography_from_db(Zone.objects.all())
    assert stored.scheme == geography.scheme
    assert stored.zones == geography.zones
    assert {a.code: a for a in stored.areas} == {a.code: a for a in geography.areas}
    assert dict(stored.zone_of) == dict(geography.zone_of)
    assert dict(stored.band_of) == dict(geography.band_of)
    assert stored.outline is not None


@pytest.mark.django_db
def test_importing_the_same_geography_again_changes_nothing(geography: Any, council: Any) -> None:
    again = actions.import_geography(geography, council=council, acting_user=None)
    assert not again.changed
    assert Zone.objects.count() == 14 and Area.objects.count() == len(geography.areas)


@pytest.mark.django_db
def test_an_area_dropped_from_the_geography_is_removed(geography: Any, council: Any) -> None:
    dropped = geography.areas[0]
    smaller = replace(
        geography,
        areas=geography.areas[1:],
        zone_of={k: v for k, v in geography.zone_of.items() if k != dropped.code},
        band_of={k: v for k, v in geography.band_of.items() if k != dropped.code},
    )
    result = actions.import_geography(smaller, council=council, acting_user=None)
    assert result.removed_areas == 1
    assert not Area.objects.filter(code=dropped.code).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", shipped_rate_cards())
def test_every_shipped_card_round_trips_through_the_database(council: Any, name: str) -> None:
    card = load_rate_card(name)
    stored = actions.import_rate_card(card, council=council, acting_user=None)
    back = rate_card_from_db(stored).to_dict()
    expected = card.to_dict()
    back.pop("council"), expected.pop("council")
    assert back == expected


@pytest.mark.django_db
def test_importing_a_card_again_writes_no_history(council: Any, commissioner: Any) -> None:
    card = load_rate_card("leicestershire-2020-21")
    actions.import_rate_card(card, council=council, acting_user=commissioner)
    before = (RateCard.history.count(), BandRate.history.count())
    actions.import_rate_card(card, council=council, acting_user=commissioner)
    assert (RateCard.history.count(), BandRate.history.count()) == before


@pytest.mark.django_db
def test_a_changed_card_keeps_the_old_rates_in_its_history(council: Any, commissioner: Any) -> None:
    card = load_rate_card("leicestershire-2020-21")
    actions.import_rate_card(card, council=council, acting_user=None)
    period = card.periods[0]
    dearer = replace(card, periods=(replace(period, rates={**period.rates, "URBAN": "19.10"}),))
    stored = actions.import_rate_card(dearer, council=council, acting_user=commissioner)
    urban = BandRate.objects.get(period__card=stored, band="URBAN")
    assert urban.hourly_rate == Decimal("19.10")
    old = BandRate.history.filter(band="URBAN", history_type="-").get()
    assert old.hourly_rate == Decimal("18.75")
    assert old.history_user == commissioner


@pytest.mark.django_db
def test_a_rate_in_fractions_of_a_penny_is_refused(council: Any) -> None:
    card = load_rate_card("leicestershire-2020-21")
    period = card.periods[0]
    odd = replace(card, periods=(replace(period, rates={**period.rates, "RURAL": "22.955"}),))
    with pytest.raises(InputError, match="whole pence") as caught:
        actions.import_rate_card(odd, council=council, acting_user=None)
    assert caught.value.key == "periods[0].rates.RURAL"
    assert not RateCard.objects.exists()


@pytest.mark.django_db
def test_a_card_cannot_belong_to_a_provider(provider_a: Any) -> None:
    with pytest.raises(ValueError, match="not a council"):
        actions.import_rate_card(
            load_rate_card("leicestershire-2020-21"), council=provider_a, acting_user=None
        )
