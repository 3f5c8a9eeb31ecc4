"""Personas for the app tests (after healthchecks' Alice, Bob and Charlie).

A commissioner and a broker at one council, two provider users at two different providers,
and an outsider: a signed-in user with no membership, who must see nothing.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from homecare.accounts import actions
from homecare.accounts.models import Organisation

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_passwords_and_static(settings: Any) -> None:
    # Real hashing takes a third of a second a persona; the tests are about access, not crypto.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # WhiteNoise warns on every request while STATIC_ROOT (filled by collectstatic) is absent.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    # The demo brokers a few hundred packages; app tests need a handful (tests that want
    # more set it themselves).
    settings.HOMECARE_DEMO_PACKAGES = 12
    # And one four-week period of visit logs, not six months (tests of the history set more).
    settings.HOMECARE_DEMO_LOG_PERIODS = 1
    # Background tasks (offer emails, imports) run at once, inside the test, as a worker would.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Freeze the clock pages read (``django.utils.timezone.now``) at a time the test gives.

    ``frozen_now(datetime(...))`` returns that time; tests never depend on the real day.
    """
    from django.utils import timezone

    def freeze(moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("freeze the clock at an aware time (Europe/London or UTC)")
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return freeze


@pytest.fixture
def council(db: Any) -> Organisation:
    return actions.create_organisation(
        "Testshire County Council", kind=Organisation.Kind.COUNCIL, acting_user=None
    )


@pytest.fixture
def council_format(council: Organisation) -> Organisation:
    """The council's person references are "P-" and digits, as the demo council's are."""
    return actions.set_person_reference_format(
        council,
        pattern=r"P-[0-9]+",
        description="P- followed by digits",
        example="P-004512",
        acting_user=None,
    )


@pytest.fixture
def provider_a(db: Any) -> Organisation:
    return actions.create_organisation(
        "Alderbank Care (test)", kind=Organisation.Kind.PROVIDER, acting_user=None
    )


@pytest.fixture
def provider_b(db: Any) -> Organisation:
    return actions.create_organisation(
        "Birchmoor Care (test)", kind=Organisation.Kind.PROVIDER, acting_user=None
    )


def _persona(username: str, organisation: Organisation | None, role: str | None) -> Any:
    return actions.create_persona(
        username,
        password=PASSWORD,
        organisation=organisation,
        role=role,
        first_name=username.replace("_", " ").title(),
        acting_user=None,
    )


@pytest.fixture
def commissioner(council: Organisation) -> Any:
    return _persona("commissioner", council, "commissioner")


@pytest.fixture
def broker(council: Organisation) -> Any:
    return _persona("broker", council, "broker")


@pytest.fixture
def provider_a_user(provider_a: Organisation) -> Any:
    return _persona("provider_a_user", provider_a, "provider")


@pytest.fixture
def provider_b_user(provider_b: Organisation) -> Any:
    return _persona("provider_b_user", provider_b, "provider")


@pytest.fixture
def outsider(db: Any) -> Any:
    return _persona("outsider", None, None)


@pytest.fixture
def personas(
    commissioner: Any, broker: Any, provider_a_user: Any, provider_b_user: Any, outsider: Any
) -> dict[str, Any]:
    """Every persona by fixture name."""
    return {
        "commissioner": commissioner,
        "broker": broker,
        "provider_a_user": provider_a_user,
        "provider_b_user": provider_b_user,
        "outsider": outsider,
    }


@pytest.fixture
def signed_in(client: Client) -> Any:
    """``signed_in(user)`` returns the test client signed in as ``user``."""

    def sign_in(user: Any) -> Client:
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def geography(council: Organisation) -> Any:
    """The engine's default geography, stored as the test council's (the engine's copy is
    returned)."""
    from carecore.geography import default_geography
    from homecare.commissioning.actions import import_geography

    geo = default_geography()
    import_geography(geo, council=council, acting_user=None)
    return geo


@pytest.fixture
def leicestershire_card(council: Organisation) -> Any:
    """The shipped Leicestershire 2020-21 rate card, stored under the test council."""
    from carecore.pricing.rate_cards import load_rate_card
    from homecare.commissioning.actions import import_rate_card

    return import_rate_card(
        load_rate_card("leicestershire-2020-21"), council=council, acting_user=None
    )
