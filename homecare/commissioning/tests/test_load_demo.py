"""The demo loads, prints its sign-ins, and loads again without change."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from homecare.accounts import access
from homecare.accounts.models import Membership, Organisation
from homecare.commissioning.demo import DEMO_PASSWORD, PERSONAS
from homecare.commissioning.models import Area, BandRate, RateCard, RatePeriod, Zone

MODELS = (Organisation, Membership, Zone, Area, RateCard, RatePeriod, BandRate)


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["users"] = get_user_model().objects.count()
    counts["rate history"] = RateCard.history.count() + BandRate.history.count()
    counts["membership history"] = Membership.history.count()
    return counts


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_prints_every_sign_in() -> None:
    output = _load()
    for persona in PERSONAS:
        assert persona.username in output
    assert DEMO_PASSWORD in output
    assert "commissioner at Leicestershire County Council (demo)" in output


@pytest.mark.django_db
def test_loading_the_demo_twice_changes_nothing() -> None:
    _load()
    first = _counts()
    _load()
    assert _counts() == first
    assert first["Zone"] == 14 + 3 and first["RateCard"] >= 3  # both councils' zones


@pytest.mark.django_db
def test_every_demo_persona_signs_in_with_the_demo_password_in_their_role() -> None:
    _load()
    for persona in PERSONAS:
        user = authenticate(username=persona.username, password=DEMO_PASSWORD)
        assert user is not None, persona.username
        assert access.roles_of(user) == {persona.role}


@pytest.mark.django_db
def test_the_two_demo_providers_are_different_invented_organisations() -> None:
    _load()
    providers = Organisation.objects.filter(kind=Organisation.Kind.PROVIDER)
    assert providers.count() >= 2  # provider A and B, and the market's other invented ones
    assert all(name.endswith("(demo)") for name in providers.values_list("name", flat=True))
    a, b = (get_user_model().objects.get(username=n) for n in ("provider-a", "provider-b"))
    assert access.organisations_of(a) != access.organisations_of(b)


@pytest.mark.django_db
def test_the_leicestershire_card_belongs_to_the_demo_council(settings: Any) -> None:
    _load()
    card = RateCard.objects.get(name="leicestershire-2020-21")
    assert card.council.name == "Leicestershire County Council (demo)"
