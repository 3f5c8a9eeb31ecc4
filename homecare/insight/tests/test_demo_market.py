"""The demo market: packages in every state, open offers for every demo provider, and a
second load that adds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from homecare.brokerage.models import BrokerageRequest, Offer, Package, State
from homecare.commissioning.demo import PROVIDER_A, PROVIDER_B, PROVIDER_C, load_demo
from homecare.commissioning.models import CapacityDeclaration, Provider


@pytest.fixture
def demo(db: Any, settings: Any) -> None:
    settings.HOMECARE_DEMO_PACKAGES = 40
    load_demo()


def test_the_demo_has_requests_in_every_state(demo: None) -> None:
    states = set(BrokerageRequest.objects.values_list("state", flat=True))
    assert states == set(State.values)


def test_every_demo_provider_sign_in_has_open_offers_in_their_inbox(demo: None) -> None:
    open_to = set(
        Offer.objects.filter(status=Offer.Status.OPEN).values_list("provider__name", flat=True)
    )
    assert {PROVIDER_A, PROVIDER_B, PROVIDER_C} <= open_to


def test_the_demo_market_has_invented_providers_and_capacity(demo: None) -> None:
    names = list(Provider.objects.values_list("name", flat=True))
    assert len(names) == 9 and all(name.endswith("(demo)") for name in names)
    assert CapacityDeclaration.objects.count() > 0


def test_demo_packages_average_nine_to_thirteen_carer_hours(db: Any, settings: Any) -> None:
    settings.HOMECARE_DEMO_PACKAGES = 60
    load_demo()
    hours = [p.carer_hours_per_week for p in Package.objects.all()]
    assert 9 <= sum(hours) / len(hours) <= 13
    assert Package.objects.filter(visits__carers=2).exists()  # some are double-handed


def test_loading_the_demo_again_adds_nothing(demo: None) -> None:
    counts = (
        BrokerageRequest.objects.count(),
        Offer.objects.count(),
        Offer.history.count(),
        CapacityDeclaration.objects.count(),
    )
    load_demo()
    assert (
        BrokerageRequest.objects.count(),
        Offer.objects.count(),
        Offer.history.count(),
        CapacityDeclaration.objects.count(),
    ) == counts
