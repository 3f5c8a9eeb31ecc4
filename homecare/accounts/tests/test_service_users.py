"""Each API token acts as a service user of its own: named for the token, never signing in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from homecare.accounts import access, actions, tokens
from homecare.accounts.models import ApiToken, Membership, Organisation, SignInAttempt

SIGN_IN_REFUSED = "Enter a correct username and password"


@pytest.mark.django_db
def test_a_new_token_gets_a_service_user_named_for_its_organisation(
    provider_a: Organisation,
) -> None:
    first, _ = actions.issue_api_token(provider_a, "Rostering system", acting_user=None)
    second, _ = actions.issue_api_token(provider_a, "ECM sync", acting_user=None)
    assert provider_a.slug == "alderbank-care-test"
    assert first.user.username == "api-alderbank-care-test-1"
    assert second.user.username == "api-alderbank-care-test-2"
    assert first.user.is_active and not first.user.has_usable_password()
    assert not first.user.is_staff and not first.user.is_superuser
    assert (first.user.first_name, first.user.last_name) == ("API token", "Rostering system")
    assert tokens.is_service_user(first.user)


@pytest.mark.django_db
def test_a_providers_token_user_is_a_provider_member_and_a_councils_a_broker(
    provider_a: Organisation, council: Organisation
) -> None:
    provider_token, _ = actions.issue_api_token(provider_a, "Rostering", acting_user=None)
    council_token, _ = actions.issue_api_token(council, "Case management", acting_user=None)
    assert access.organisations_of(provider_token.user) == [provider_a]
    assert access.roles_of(provider_token.user) == {Membership.Role.PROVIDER}
    assert access.organisations_of(council_token.user) == [council]
    assert access.roles_of(council_token.user) == {Membership.Role.BROKER}


@pytest.mark.django_db
def test_a_taken_username_is_skipped_not_reused(provider_a: Organisation) -> None:
    get_user_model().objects.create(username="api-alderbank-care-test-1")
    token, _ = actions.issue_api_token(provider_a, "Rostering", acting_user=None)
    assert token.user.username == "api-alderbank-care-test-2"


@pytest.mark.django_db
def test_the_membership_history_says_who_issued_the_token(
    provider_a: Organisation, commissioner: Any
) -> None:
    token, _ = actions.issue_api_token(provider_a, "Rostering", acting_user=commissioner)
    row = Membership.history.get(user=token.user)
    assert row.history_user == commissioner


@pytest.mark.django_db
def test_revoking_a_token_switches_off_its_user_and_the_token(
    provider_a: Organisation, commissioner: Any
) -> None:
    token, plaintext = actions.issue_api_token(provider_a, "Rostering", acting_user=None)
    actions.revoke_api_token(token, acting_user=commissioner)
    token.user.refresh_from_db()
    assert not token.user.is_active
    assert tokens.find_token(plaintext) is None


@pytest.mark.django_db
def test_a_token_whose_user_was_switched_off_by_hand_works_no_more(
    provider_a: Organisation,
) -> None:
    token, plaintext = actions.issue_api_token(provider_a, "Rostering", acting_user=None)
    assert tokens.find_token(plaintext) == token
    get_user_model().objects.filter(pk=token.user_id).update(is_active=False)
    assert tokens.find_token(plaintext) is None


@pytest.mark.django_db
def test_people_are_not_service_users(commissioner: Any, provider_a_user: Any) -> None:
    assert not tokens.is_service_user(commissioner)
    assert not tokens.is_service_user(provider_a_user)


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["", "a-password-someone-set-later"])
def test_a_service_user_cannot_sign_in_on_the_sign_in_page(
    client: Client, provider_a: Organisation, password: str
) -> None:
    token, _ = actions.issue_api_token(provider_a, "Rostering", acting_user=None)
    if password:  # even a password set by hand (in the admin, say) does not let it in
        token.user.set_password(password)
        token.user.save()
    response = client.post(
        reverse("accounts:sign-in"),
        {"username": token.user.username, "password": password or "anything"},
    )
    assert response.status_code == 200
    assert SIGN_IN_REFUSED in response.content.decode()
    assert "_auth_user_id" not in client.session
    attempt = SignInAttempt.objects.get()
    assert attempt.outcome == SignInAttempt.Outcome.FAILED  # counted towards a lock


@pytest.mark.django_db
def test_a_person_still_signs_in_on_the_same_page(client: Client, broker: Any) -> None:
    from homecare.conftest import PASSWORD

    response = client.post(
        reverse("accounts:sign-in"), {"username": "broker", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(broker.pk)


# --- the data migration -------------------------------------------------------------------

BEFORE = [("accounts", "0002_security")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_tokens_issued_before_service_users_each_get_one_when_migrating() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = _migrate(BEFORE)
    try:
        organisation = old.get_model("accounts", "Organisation").objects.create(
            name="Alderbank Care (test)", slug="alderbank", kind="provider"
        )
        council = old.get_model("accounts", "Organisation").objects.create(
            name="Testshire County Council", slug="testshire", kind="council"
        )
        tokens_then = old.get_model("accounts", "ApiToken").objects
        at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        for owner, name, prefix, revoked_at in (
            (organisation, "Live", "0123456789", None),
            (organisation, "Gone", "abcdefabcd", at),
            (council, "Cases", "fedcba9876", None),
        ):
            tokens_then.create(
                organisation=owner,
                name=name,
                prefix=prefix,
                digest="0" * 64,
                created_at=at,
                revoked_at=revoked_at,
            )
    finally:
        _migrate(latest)
    live, gone, cases = (
        ApiToken.objects.get(prefix=p) for p in ("0123456789", "abcdefabcd", "fedcba9876")
    )
    assert (live.user.username, gone.user.username) == ("api-alderbank-1", "api-alderbank-2")
    assert live.user.is_active and not gone.user.is_active
    assert not live.user.has_usable_password() and not gone.user.has_usable_password()
    assert access.roles_of(live.user) == {Membership.Role.PROVIDER}
    assert cases.user.username == "api-testshire-1"
    assert access.roles_of(cases.user) == {Membership.Role.BROKER}


@pytest.mark.django_db
def test_the_command_says_which_user_the_token_acts_as(provider_a: Organisation) -> None:
    from io import StringIO

    from django.core.management import call_command

    err = StringIO()
    call_command("issue_api_token", provider_a.slug, "Rostering", stdout=StringIO(), stderr=err)
    assert "recorded as api-alderbank-care-test-1" in err.getvalue()
