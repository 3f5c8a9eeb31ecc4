"""On a real PostgreSQL server: rates keep their exact pence, and history rows are written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from carecore.pricing.rate_cards import load_rate_card
from homecare.accounts.models import Organisation
from homecare.commissioning.models import BandRate, RateCard, RatePeriod

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(databases=["default", "postgres"])]

DB = "postgres"


def test_rates_round_trip_exactly_and_their_history_is_written_on_postgresql() -> None:
    card = load_rate_card("leicestershire-2020-21")
    council = Organisation.objects.using(DB).create(
        name="Postgreshire County Council", slug="postgreshire", kind="council"
    )
    stored = RateCard(name=card.name, council=council, source=card.source)
    stored.save(using=DB)
    period = RatePeriod(card=stored, effective_from=card.periods[0].effective_from)
    period.save(using=DB)
    awkward = {"URBAN": Decimal("18.75"), "PENNY": Decimal("0.01"), "MOST": Decimal("999999.99")}
    for position, (band, rate) in enumerate(awkward.items()):
        BandRate(period=period, band=band, hourly_rate=rate, position=position).save(using=DB)

    read = {r.band: r.hourly_rate for r in BandRate.objects.using(DB).filter(period=period)}
    assert read == awkward
    assert all(
        isinstance(rate, Decimal) and rate.as_tuple().exponent == -2 for rate in read.values()
    )
    assert BandRate.history.using(DB).filter(period_id=period.pk).count() == 3
    assert RateCard.history.using(DB).filter(name=card.name).count() == 1

    urban = BandRate.objects.using(DB).get(period=period, band="URBAN")
    urban.hourly_rate = Decimal("19.10")
    urban.save(using=DB)
    versions = BandRate.history.using(DB).filter(id=urban.pk).order_by("history_date")
    assert [v.hourly_rate for v in versions] == [Decimal("18.75"), Decimal("19.10")]
    assert not RateCard.objects.exists()  # nothing leaked into the default database
