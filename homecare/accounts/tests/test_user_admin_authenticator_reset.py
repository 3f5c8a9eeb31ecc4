"""A user administrator resets the authenticator app of someone who lost their phone, after a
check page, without the Django admin; the service's administrators can do it in the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from homecare.accounts import actions, two_factor
from homecare.accounts.models import AccountEvent, Membership, Organisation
from homecare.accounts.plain_words import internal_words_in
from homecare.accounts.tests.test_user_admin_actions import make_admin
from homecare.accounts.tests.test_user_admin_pages import client_for, page_of
from homecare.conftest import PASSWORD

pytestmark = pytest.mark.django_db

Role = Membership.Role
KEY = "3132333435363738393031323334353637383930"  # RFC 6238 test secret
BUTTON = "Reset their authenticator app"


@pytest.fixture
def council_admin(council: Organisation) -> Any:
    return make_admin("council_admin", council, Role.COMMISSIONER)


@pytest.fixture
def broker_with_app(broker: Any) -> Any:
    two_factor.give_known_app(broker, KEY, acting_user=None)
    two_factor.make_recovery_codes(broker, acting_user=None)
    return broker


def _devices(user: Any) -> int:
    return (
        TOTPDevice.objects.filter(user=user).count()
        + StaticDevice.objects.filter(user=user).count()
    )


def _address(user: Any) -> str:
    return reverse("users:reset-authenticator", args=[user.pk])


def test_an_administrator_checks_then_resets_a_lost_app_and_it_is_recorded(
    signed_in: Any, council_admin: Any, broker_with_app: Any, council: Organisation, settings: Any
) -> None:
    brokers_browser = client_for(broker_with_app)
    admin = signed_in(council_admin)
    user_page = page_of(admin.get(reverse("users:user", args=[broker_with_app.pk])))
    assert BUTTON in user_page and _address(broker_with_app) in user_page

    check = page_of(admin.get(_address(broker_with_app)))
    assert "signed out at once" in check and "set up an authenticator app again" in check
    assert _devices(broker_with_app) == 2  # opening the check page changes nothing

    response = admin.post(_address(broker_with_app))

    assert response.status_code == 302
    assert response.url == reverse("users:user", args=[broker_with_app.pk])
    after = page_of(admin.get(response.url))
    assert "authenticator app is reset" in after
    assert "Authenticator app reset" in after  # in the history here
    assert "Second factor</dt>" in after and "Not set up" in after
    assert BUTTON not in after  # nothing left to reset
    assert _devices(broker_with_app) == 0
    [event] = AccountEvent.objects.filter(kind=AccountEvent.Kind.SECOND_FACTOR_RESET)
    assert (event.organisation, event.user, event.by) == (council, broker_with_app, council_admin)
    assert SESSION_KEY not in brokers_browser.session  # signed out at once

    settings.HOMECARE_REQUIRE_TWO_FACTOR = True
    browser = Client()
    browser.post(reverse("accounts:sign-in"), {"username": "broker", "password": PASSWORD})
    assert "Set up your authenticator app" in browser.get("/accounts/two-factor/").content.decode()


def test_someone_with_no_app_is_offered_no_reset_and_a_reset_is_refused_in_words(
    signed_in: Any, council_admin: Any, broker: Any
) -> None:
    admin = signed_in(council_admin)
    assert BUTTON not in page_of(admin.get(reverse("users:user", args=[broker.pk])))
    refused = admin.post(_address(broker))
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "They have not set up an authenticator app" in page and internal_words_in(page) == []
    assert not AccountEvent.objects.filter(kind=AccountEvent.Kind.SECOND_FACTOR_RESET).exists()


def test_an_administrator_cannot_reset_their_own_app_here(
    signed_in: Any, council_admin: Any
) -> None:
    two_factor.give_known_app(council_admin, KEY, acting_user=None)
    admin = signed_in(council_admin)
    assert BUTTON not in page_of(admin.get(reverse("users:user", args=[council_admin.pk])))
    refused = admin.post(_address(council_admin))
    assert refused.status_code == 400
    assert "You cannot reset your own authenticator app here" in refused.content.decode()
    assert _devices(council_admin) == 1


def test_only_this_organisations_user_administrators_may_reset_an_app(
    signed_in: Any, personas: dict[str, Any], broker_with_app: Any, client: Client
) -> None:
    for name, user in personas.items():
        member = signed_in(user)
        for method in ("get", "post"):
            response = getattr(member, method)(_address(broker_with_app))
            assert response.status_code == 403, (name, method)
        member.logout()
    other = actions.create_organisation(
        "Otherby Borough Council", kind=Organisation.Kind.COUNCIL, acting_user=None
    )
    other_admin = signed_in(make_admin("otherby_admin", other, Role.BROKER))
    assert other_admin.get(_address(broker_with_app)).status_code == 404
    assert other_admin.post(_address(broker_with_app)).status_code == 404
    other_admin.logout()
    assert client.post(_address(broker_with_app)).status_code == 302  # to sign in
    assert _devices(broker_with_app) == 2


def test_the_services_administrators_reset_apps_from_the_admin_and_it_is_recorded_everywhere(
    client: Client, broker_with_app: Any, council: Organisation, provider_a: Organisation
) -> None:
    actions.add_membership(broker_with_app, provider_a, Role.PROVIDER, acting_user=None)
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_authenticator_apps", "_selected_action": [broker_with_app.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Reset 1 authenticator app(s)" in response.content.decode()
    assert _devices(broker_with_app) == 0
    events = AccountEvent.objects.filter(kind=AccountEvent.Kind.SECOND_FACTOR_RESET)
    assert {(e.organisation, e.user, e.by) for e in events} == {
        (council, broker_with_app, superuser),
        (provider_a, broker_with_app, superuser),
    }


def test_the_admin_says_why_a_user_without_an_app_was_not_reset(
    client: Client, broker: Any
) -> None:
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_authenticator_apps", "_selected_action": [broker.pk]},
        follow=True,
    )
    assert "Broker: They have not set up an authenticator app" in response.content.decode()
