"""Writes to accounts: personas and memberships."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate

from homecare.accounts import access, actions
from homecare.accounts.models import Membership, Organisation


@pytest.mark.django_db
def test_creating_a_persona_twice_keeps_one_user_and_one_membership(council: Organisation) -> None:
    for _ in range(2):
        actions.create_persona(
            "ada", password="first-password", organisation=council, role="broker", acting_user=None
        )
    assert Membership.objects.filter(user__username="ada").count() == 1


@pytest.mark.django_db
def test_creating_a_persona_again_resets_its_password(council: Organisation) -> None:
    actions.create_persona(
        "ada", password="first-password", organisation=council, role="broker", acting_user=None
    )
    actions.create_persona(
        "ada", password="second-password", organisation=council, role="broker", acting_user=None
    )
    assert authenticate(username="ada", password="second-password") is not None
    assert authenticate(username="ada", password="first-password") is None


@pytest.mark.django_db
def test_a_persona_moved_to_another_role_loses_the_old_one(council: Organisation) -> None:
    actions.create_persona(
        "ada", password="p" * 12, organisation=council, role="broker", acting_user=None
    )
    user = actions.create_persona(
        "ada", password="p" * 12, organisation=council, role="finance", acting_user=None
    )
    assert access.roles_of(user) == {"finance"}


@pytest.mark.django_db
def test_a_provider_role_cannot_be_given_at_a_council(council: Organisation) -> None:
    with pytest.raises(ValueError, match="does not belong at a council"):
        actions.create_persona(
            "ada", password="p" * 12, organisation=council, role="provider", acting_user=None
        )


@pytest.mark.django_db
def test_a_council_role_cannot_be_given_at_a_provider(provider_a: Organisation) -> None:
    with pytest.raises(ValueError, match="does not belong at a provider"):
        actions.create_persona(
            "ada", password="p" * 12, organisation=provider_a, role="commissioner", acting_user=None
        )


@pytest.mark.django_db
def test_the_membership_history_records_who_granted_it(
    commissioner: Any, council: Organisation
) -> None:
    user = actions.create_persona(
        "ada", password="p" * 12, organisation=None, role=None, acting_user=None
    )
    actions.add_membership(user, council, "broker", acting_user=commissioner)
    history = Membership.history.filter(user=user).latest("history_date")
    assert history.history_user == commissioner


@pytest.mark.django_db
def test_the_outsider_holds_no_role(outsider: Any) -> None:
    assert access.roles_of(outsider) == frozenset()
    assert not access.is_member(outsider)


def test_an_unknown_role_cannot_guard_a_view() -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        access.require_role("superhero")
    with pytest.raises(ValueError, match="not council roles"):
        access.require_council_role("provider")
