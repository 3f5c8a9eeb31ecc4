"""The Django admin lists each council's standing of a provider, with its history, and labels
the provider's own status and quality score as the defaults they are."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from homecare.brokerage.testing import NOW, make_market, other_council
from homecare.commissioning import market_actions
from homecare.commissioning.market_models import Provider, ProviderStanding
from homecare.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(get_user_model().objects.create_superuser("root", password=PASSWORD))
    return client


def _get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_each_council_s_standing_is_listed_and_has_a_history(
    staff: Client, geography: Any, council: Any
) -> None:
    council_b = other_council()
    for each in (council, council_b):
        make_market(each)
    prime = Provider.objects.get(name="Prime 1 (test)")
    market_actions.set_provider_status(
        prime, "suspended", council=council_b, reason="inspection due", at=NOW, acting_user=None
    )
    page = _get(staff, reverse("admin:commissioning_providerstanding_changelist"))
    assert page.count("Prime 1 (test)") >= 2 and "inspection due" in page
    standing = ProviderStanding.objects.get(council=council_b, provider=prime)
    history = _get(
        staff, reverse("admin:commissioning_providerstanding_history", args=[standing.pk])
    )
    changes = " ".join(re.sub(r"<[^>]+>|&nbsp;|&rarr;", " ", history).split())
    assert "Status: active suspended" in changes and "2 entries" in changes


def test_the_provider_s_status_and_score_are_labelled_as_its_defaults(
    staff: Client, geography: Any, council: Any
) -> None:
    make_market(council)
    listing = _get(staff, reverse("admin:commissioning_provider_changelist"))
    assert "Default quality score" in listing and "Default status" in listing
    assert "By default status" in listing
    prime = Provider.objects.get(name="Prime 1 (test)")
    change = _get(staff, reverse("admin:commissioning_provider_change", args=[prime.pk]))
    assert "<h2" in change and "Defaults</h2>" in change
    assert "each council's own status and quality score of the provider is its standing" in change
