"""The user administration pages: who may open them, and what each does."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from homecare.accounts import actions
from homecare.accounts import user_admin_actions as admin_actions
from homecare.accounts.models import Membership, Organisation
from homecare.accounts.plain_words import internal_words_in
from homecare.accounts.tests.test_user_admin_actions import make_admin, roles_at
from homecare.conftest import PASSWORD

Role = Membership.Role


@pytest.fixture
def council_admin(council: Organisation) -> Any:
    return make_admin("council_admin", council, Role.COMMISSIONER)


@pytest.fixture
def second_council(db: Any) -> Organisation:
    return actions.create_organisation(
        "Otherby Borough Council", kind=Organisation.Kind.COUNCIL, acting_user=None
    )


@pytest.fixture
def second_admin(second_council: Organisation) -> Any:
    return make_admin("otherby_admin", second_council, Role.BROKER)


def page_of(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    page: str = response.content.decode()
    assert internal_words_in(page) == []
    return page


def pages_about(user: Any) -> list[tuple[str, str]]:
    """Every user administration address about one user, with its method."""
    return [
        ("get", reverse("users:user", args=[user.pk])),
        ("get", reverse("users:roles", args=[user.pk])),
        ("post", reverse("users:roles", args=[user.pk])),
        ("get", reverse("users:switch-off", args=[user.pk])),
        ("post", reverse("users:switch-off", args=[user.pk])),
        ("post", reverse("users:switch-on", args=[user.pk])),
        ("post", reverse("users:invite-again", args=[user.pk])),
    ]


# --- access -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_people_without_the_user_administrator_role_are_refused(
    signed_in: Any, personas: dict[str, Any], council_admin: Any
) -> None:
    for name, user in personas.items():
        client = signed_in(user)
        for address in (reverse("users:list"), reverse("users:invite")):
            assert client.get(address).status_code == 403, (name, address)
        for method, address in pages_about(council_admin):
            assert getattr(client, method)(address).status_code == 403, (name, address)
        client.logout()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("users:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


@pytest.mark.django_db
def test_another_councils_administrator_finds_none_of_this_councils_users(
    signed_in: Any, council: Organisation, council_admin: Any, broker: Any, second_admin: Any
) -> None:
    client = signed_in(second_admin)
    for user in (broker, council_admin):
        for method, address in pages_about(user):
            assert getattr(client, method)(address).status_code == 404, address
    page = page_of(client.get(reverse("users:list")))
    assert "1 user<" in page  # Otherby's own administrator only
    assert "Otherby Admin" in page
    assert "Council Admin" not in page
    broker.refresh_from_db()
    assert broker.is_active
    assert roles_at(broker, council) == {Role.BROKER}


@pytest.mark.django_db
def test_only_user_administrators_see_the_users_link(
    signed_in: Any, commissioner: Any, council_admin: Any
) -> None:
    assert 'href="/users/"' not in signed_in(commissioner).get(reverse("home")).content.decode()
    assert 'href="/users/"' in signed_in(council_admin).get(reverse("home")).content.decode()


# --- the list and one user's page ------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_each_users_roles_here_account_and_last_sign_in_in_london_time(
    signed_in: Any, council: Organisation, council_admin: Any, broker: Any
) -> None:
    get_user_model().objects.filter(pk=broker.pk).update(
        last_login=datetime(2025, 7, 1, 9, 30, tzinfo=UTC), email="broker@example.org"
    )
    admin_actions.invite_user(
        council,
        email="new.starter@example.org",
        first_name="New",
        last_name="Starter",
        roles={Role.FINANCE},
        acting_user=council_admin,
    )

    page = page_of(signed_in(council_admin).get(reverse("users:list")))

    assert "3 users" in page
    assert "broker@example.org" in page
    assert "1 July 2025, 10:30" in page  # 09:30 UTC is 10:30 in summer in London
    assert "Commissioner, User administrator" in page
    assert "Invited" in page
    # Whether a second factor is set up is shown when two-factor sign-in is installed.
    assert ("Second factor" in page) == apps.is_installed("django_otp")


@pytest.mark.django_db
def test_an_api_tokens_service_user_is_not_listed(
    signed_in: Any, council: Organisation, council_admin: Any
) -> None:
    token, _ = actions.issue_api_token(council, "Case system", acting_user=council_admin)
    page = page_of(signed_in(council_admin).get(reverse("users:list")))
    assert token.user.username not in page
    response = signed_in(council_admin).get(reverse("users:user", args=[token.user.pk]))
    assert response.status_code == 404


# --- inviting and choosing a password --------------------------------------------------------


def invitation_link() -> str:
    return re.search(r"http://\S+/users/invitation/\S+/", mail.outbox[-1].body)[0]  # type: ignore[index]


def invite_by_page(client: Client, email: str = "sam@example.org") -> Any:
    return client.post(
        reverse("users:invite"),
        {"email": email, "first_name": "Sam", "last_name": "Okafor", "roles": ["broker"]},
    )


@pytest.mark.django_db
def test_the_invite_form_names_each_field_that_is_wrong(signed_in: Any, council_admin: Any) -> None:
    page = signed_in(council_admin).post(
        reverse("users:invite"),
        {"email": "not an address\x00", "first_name": "", "roles": ["provider"]},
    )
    text = page_of(page)
    assert '<a href="#email">' in text
    assert "Enter their first name" in text
    assert "Enter their last name" in text
    assert '<a href="#roles">Select roles from the list</a>' in text
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_invitee_chooses_a_password_once_and_then_signs_in(
    client: Client, council: Organisation, council_admin: Any
) -> None:
    response = invite_by_page(client_for(council_admin))
    invitee = get_user_model().objects.get(email="sam@example.org")
    assert response.status_code == 302
    assert response.url == reverse("users:user", args=[invitee.pk])

    link = invitation_link()
    opened = client.get(link)
    assert opened.status_code == 302  # the token moves into the session, off the address
    page = page_of(client.get(opened.url))
    assert "Your username is" in page
    assert "at least 12 characters" in page

    short = client.post(opened.url, {"new_password1": "short", "new_password2": "short"})
    assert "This password is too short" in page_of(short)
    chosen = "a long enough passphrase"
    done = client.post(opened.url, {"new_password1": chosen, "new_password2": chosen})
    assert done.url == reverse("users:invitation-done")
    page_of(client.get(done.url))

    assert client.login(username="sam@example.org", password=chosen)
    client.logout()
    again = page_of(client.get(link))
    assert "This invitation link does not work" in again


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_an_invitation_link_stops_working_after_it_runs_out(
    client: Client, council_admin: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from homecare.accounts.user_admin_emails import invitation_tokens

    sent = datetime(2025, 3, 1, 9, 0)
    monkeypatch.setattr(invitation_tokens, "_now", lambda: sent)
    invite_by_page(client_for(council_admin))
    link = invitation_link()
    lifetime = timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    monkeypatch.setattr(invitation_tokens, "_now", lambda: sent + lifetime)
    assert client.get(link).status_code == 302  # still works at the last moment

    monkeypatch.setattr(invitation_tokens, "_now", lambda: sent + lifetime + timedelta(minutes=1))
    page = page_of(client.get(link))

    assert "This invitation link does not work" in page


@pytest.mark.django_db
def test_a_new_invitation_replaces_the_old_link(client: Client, council_admin: Any) -> None:
    admin_client = client_for(council_admin)
    invite_by_page(admin_client)
    first_link = invitation_link()
    invitee = get_user_model().objects.get(email="sam@example.org")

    response = admin_client.post(reverse("users:invite-again", args=[invitee.pk]))

    assert response.status_code == 302
    assert "This invitation link does not work" in page_of(client.get(first_link))
    assert client.get(invitation_link()).status_code == 302


@pytest.mark.django_db
def test_a_password_reset_link_is_no_invitation_link(client: Client, council_admin: Any) -> None:
    invite_by_page(client_for(council_admin))
    link = invitation_link().replace("/users/invitation/", "/users/password-reset/")
    assert "This link does not work" in page_of(client.get(link))


# --- roles and switching off -----------------------------------------------------------------


@pytest.mark.django_db
def test_changing_roles_by_the_page(
    signed_in: Any, council: Organisation, council_admin: Any, broker: Any
) -> None:
    client = signed_in(council_admin)
    form = page_of(client.get(reverse("users:roles", args=[broker.pk])))
    assert 'value="broker" checked' in form

    response = client.post(reverse("users:roles", args=[broker.pk]), {"roles": ["finance"]})

    assert response.status_code == 302
    assert roles_at(broker, council) == {Role.FINANCE}
    page = page_of(client.get(response.url))
    assert "roles are changed" in page
    assert "From Broker to Finance officer" in page


@pytest.mark.django_db
def test_the_last_administrator_is_told_why_they_cannot_drop_the_role(
    signed_in: Any, council: Organisation, council_admin: Any
) -> None:
    response = signed_in(council_admin).post(
        reverse("users:roles", args=[council_admin.pk]), {"roles": ["commissioner"]}
    )
    page = page_of(response)
    assert "You are the only user administrator here" in page
    assert Role.USER_ADMIN in roles_at(council_admin, council)


@pytest.mark.django_db
def test_a_switched_off_user_is_signed_out_and_cannot_sign_in_again(
    signed_in: Any, council_admin: Any, broker: Any
) -> None:
    brokers_browser = client_for(broker)
    assert brokers_browser.get(reverse("home")).status_code == 200
    admin = signed_in(council_admin)
    confirm = page_of(admin.get(reverse("users:switch-off", args=[broker.pk])))
    assert "signed out at once" in confirm

    response = admin.post(reverse("users:switch-off", args=[broker.pk]))

    assert response.status_code == 302
    assert "switched off" in page_of(admin.get(response.url))
    assert SESSION_KEY not in brokers_browser.session
    assert brokers_browser.get(reverse("home")).status_code == 302  # to sign in
    sign_in = Client().post(
        reverse("accounts:sign-in"), {"username": "broker", "password": PASSWORD}
    )
    assert sign_in.status_code == 200
    assert SESSION_KEY not in sign_in.wsgi_request.session

    admin.post(reverse("users:switch-on", args=[broker.pk]))
    assert Client().login(username="broker", password=PASSWORD)


@pytest.mark.django_db
def test_an_administrator_is_offered_no_way_to_switch_off_their_own_account(
    signed_in: Any, council_admin: Any
) -> None:
    client = signed_in(council_admin)
    page = page_of(client.get(reverse("users:user", args=[council_admin.pk])))
    assert "Switch off the account" not in page
    refused = page_of(client.post(reverse("users:switch-off", args=[council_admin.pk])))
    assert "You cannot switch off your own account" in refused
    council_admin.refresh_from_db()
    assert council_admin.is_active


# --- a provider's own administrator ----------------------------------------------------------


@pytest.mark.django_db
def test_a_providers_administrator_manages_only_that_providers_users(
    signed_in: Any, provider_a: Organisation, provider_a_user: Any, provider_b_user: Any
) -> None:
    admin = make_admin("alderbank_admin", provider_a, Role.PROVIDER)
    client = signed_in(admin)

    page = page_of(client.get(reverse("users:list")))
    assert "Provider A User" in page
    assert "Provider B User" not in page
    form = page_of(client.get(reverse("users:invite")))
    assert 'value="provider"' in form
    assert 'value="commissioner"' not in form
    assert client.get(reverse("users:user", args=[provider_b_user.pk])).status_code == 404


@pytest.mark.django_db
def test_the_list_says_who_has_set_up_a_second_factor(
    signed_in: Any, council_admin: Any, broker: Any
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=broker, name="Phone", confirmed=True)
    TOTPDevice.objects.create(user=council_admin, name="Phone", confirmed=False)

    page = page_of(signed_in(council_admin).get(reverse("users:list")))

    rows = {
        name: row
        for row in page.split('<tr class="govuk-table__row">')[2:]
        for name in ("Broker", "Council Admin")
        if f">{name}</a>" in row
    }
    assert '<td class="govuk-table__cell">Set up</td>' in rows["Broker"]
    assert "Not set up" in rows["Council Admin"]  # an unconfirmed device does not count


def test_someone_who_only_administers_users_reaches_home_and_the_users_but_no_care_records(
    council: Organisation,
) -> None:
    only_admin = actions.create_persona(
        "only_admin",
        password=PASSWORD,
        organisation=council,
        role=Role.USER_ADMIN,
        acting_user=None,
    )
    client = Client()
    client.force_login(only_admin)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("users:list")).status_code == 200
    # The role opens no care records: the pages every council member sees stay closed.
    assert client.get(reverse("glossary")).status_code == 403
    assert client.get(reverse("brokerage:waiting-list")).status_code == 403
