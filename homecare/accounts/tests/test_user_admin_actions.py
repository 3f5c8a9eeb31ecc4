"""A user administrator's actions: invite, change roles, switch accounts off and on."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from carecore.errors import InputError
from homecare.accounts import actions
from homecare.accounts import user_admin_actions as admin_actions
from homecare.accounts.models import AccountEvent, Membership, Organisation
from homecare.conftest import PASSWORD

Role = Membership.Role
Kind = AccountEvent.Kind


def roles_at(user: Any, organisation: Organisation) -> set[str]:
    return set(
        Membership.objects.filter(user=user, organisation=organisation).values_list(
            "role", flat=True
        )
    )


def make_admin(username: str, organisation: Organisation, role: str) -> Any:
    """A persona with a working role and the user administrator's role at ``organisation``."""
    user = actions.create_persona(
        username,
        password=PASSWORD,
        organisation=organisation,
        role=role,
        first_name=username.replace("_", " ").title(),
        email=f"{username}@example.org",
        acting_user=None,
    )
    admin_actions.change_roles(user, organisation, {role, Role.USER_ADMIN}, acting_user=None)
    return user


@pytest.fixture
def council_admin(council: Organisation) -> Any:
    return make_admin("council_admin", council, Role.COMMISSIONER)


@pytest.fixture
def second_council(db: Any) -> Organisation:
    return actions.create_organisation(
        "Otherby Borough Council", kind=Organisation.Kind.COUNCIL, acting_user=None
    )


def invite(organisation: Organisation, admin: Any, email: str, *roles: str) -> tuple[Any, bool]:
    return admin_actions.invite_user(
        organisation,
        email=email,
        first_name="Sam",
        last_name="Okafor",
        roles=set(roles),
        acting_user=admin,
    )


@pytest.mark.django_db
def test_inviting_someone_new_makes_an_account_without_a_password_and_emails_a_link(
    council: Organisation, council_admin: Any
) -> None:
    user, created = invite(council, council_admin, " Sam.Okafor@Example.org ", Role.BROKER)

    assert created
    assert (user.username, user.email) == ("sam.okafor@example.org", "sam.okafor@example.org")
    assert not user.has_usable_password()
    assert roles_at(user, council) == {Role.BROKER}
    [email] = mail.outbox
    assert email.to == ["sam.okafor@example.org"]
    assert "/users/invitation/" in email.body
    assert "as: Broker" in email.body
    event = AccountEvent.objects.get(user=user)
    assert (event.kind, event.by, event.organisation) == (Kind.INVITED, council_admin, council)
    assert Membership.history.filter(user=user, history_user=council_admin).exists()


@pytest.mark.django_db
def test_inviting_an_address_that_has_an_account_adds_roles_to_it_instead_of_a_second_one(
    council: Organisation, council_admin: Any, second_council: Organisation
) -> None:
    elsewhere = actions.create_persona(
        "finance_elsewhere",
        password=PASSWORD,
        organisation=second_council,
        role=Role.FINANCE,
        email="Pat.Finance@example.org",
        acting_user=None,
    )

    user, created = invite(council, council_admin, "pat.finance@EXAMPLE.org", Role.FINANCE)

    assert (user, created) == (elsewhere, False)
    assert get_user_model().objects.filter(email__iexact="pat.finance@example.org").count() == 1
    assert roles_at(user, council) == {Role.FINANCE}
    assert roles_at(user, second_council) == {Role.FINANCE}
    assert user.has_usable_password()  # their password is untouched
    [email] = mail.outbox
    assert "/users/invitation/" not in email.body
    assert "Sign in as usual" in email.body


@pytest.mark.django_db
def test_inviting_someone_who_already_has_a_role_here_is_refused_naming_the_address(
    council: Organisation, council_admin: Any
) -> None:
    invite(council, council_admin, "sam@example.org", Role.BROKER)
    with pytest.raises(InputError) as refused:
        invite(council, council_admin, "SAM@example.org", Role.FINANCE)
    assert refused.value.key == "email"
    assert "already has an account here" in refused.value.message


@pytest.mark.django_db
def test_a_provider_role_cannot_be_given_at_a_council_nor_no_role_at_all(
    council: Organisation, council_admin: Any
) -> None:
    for roles in ((Role.PROVIDER,), ()):
        with pytest.raises(InputError) as refused:
            invite(council, council_admin, "sam@example.org", *roles)
        assert refused.value.key == "roles"
    assert not get_user_model().objects.filter(email="sam@example.org").exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_failing_mail_server_undoes_the_invitation(
    council: Organisation, council_admin: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "homecare.accounts.tests.test_user_admin_actions.BrokenMail"
    with pytest.raises(InputError, match="could not be sent"):
        invite(council, council_admin, "sam@example.org", Role.BROKER)
    assert not get_user_model().objects.filter(email="sam@example.org").exists()


class BrokenMail:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("no mail server")


@pytest.mark.django_db
def test_changing_roles_changes_only_the_roles_at_this_council(
    council: Organisation, council_admin: Any, second_council: Organisation
) -> None:
    user, _ = invite(council, council_admin, "sam@example.org", Role.BROKER)
    actions.add_membership(user, second_council, Role.COMMISSIONER, acting_user=None)

    changed = admin_actions.change_roles(
        user, council, {Role.FINANCE, Role.COMMISSIONER}, acting_user=council_admin
    )

    assert changed
    assert roles_at(user, council) == {Role.FINANCE, Role.COMMISSIONER}
    assert roles_at(user, second_council) == {Role.COMMISSIONER}
    event = AccountEvent.objects.get(user=user, kind=Kind.ROLES_CHANGED)
    assert event.detail == "From Broker to Commissioner, Finance officer"
    removed = Membership.history.get(user=user, role=Role.BROKER, history_type="-")
    assert removed.history_user == council_admin
    assert not admin_actions.change_roles(
        user, council, {Role.FINANCE, Role.COMMISSIONER}, acting_user=council_admin
    )


@pytest.mark.django_db
def test_the_last_user_administrator_cannot_give_up_the_role(
    council: Organisation, council_admin: Any
) -> None:
    with pytest.raises(InputError) as refused:
        admin_actions.change_roles(
            council_admin, council, {Role.COMMISSIONER}, acting_user=council_admin
        )
    assert refused.value.message.startswith("You are the only user administrator here")
    assert Role.USER_ADMIN in roles_at(council_admin, council)

    other = make_admin("second_admin", council, Role.BROKER)
    admin_actions.change_roles(
        council_admin, council, {Role.COMMISSIONER}, acting_user=council_admin
    )
    assert roles_at(council_admin, council) == {Role.COMMISSIONER}
    with pytest.raises(InputError):  # now the other is the last
        admin_actions.deactivate_user(other, council, acting_user=council_admin)


@pytest.mark.django_db
def test_a_switched_off_administrator_does_not_count_as_the_one_that_stays(
    council: Organisation, council_admin: Any
) -> None:
    other = make_admin("second_admin", council, Role.BROKER)
    admin_actions.deactivate_user(other, council, acting_user=council_admin)
    with pytest.raises(InputError):
        admin_actions.change_roles(
            council_admin, council, {Role.COMMISSIONER}, acting_user=council_admin
        )


@pytest.mark.django_db
def test_switching_off_keeps_the_roles_and_switching_on_restores_the_account(
    council: Organisation, council_admin: Any, broker: Any
) -> None:
    done = admin_actions.deactivate_user(broker, council, acting_user=council_admin)

    broker.refresh_from_db()
    assert done == Kind.SWITCHED_OFF
    assert not broker.is_active
    assert roles_at(broker, council) == {Role.BROKER}  # the record of their work stays
    assert admin_actions.deactivate_user(broker, council, acting_user=council_admin) == ""

    assert admin_actions.reactivate_user(broker, council, acting_user=council_admin)
    broker.refresh_from_db()
    assert broker.is_active
    kinds = list(AccountEvent.objects.filter(user=broker).values_list("kind", flat=True))
    assert sorted(kinds) == sorted([Kind.SWITCHED_OFF, Kind.SWITCHED_ON])


@pytest.mark.django_db
def test_nobody_switches_off_their_own_account(council: Organisation, council_admin: Any) -> None:
    with pytest.raises(InputError, match="your own account"):
        admin_actions.deactivate_user(council_admin, council, acting_user=council_admin)


@pytest.mark.django_db
def test_someone_who_works_elsewhere_too_loses_only_the_roles_here(
    council: Organisation, council_admin: Any, broker: Any, second_council: Organisation
) -> None:
    actions.add_membership(broker, second_council, Role.BROKER, acting_user=None)

    done = admin_actions.deactivate_user(broker, council, acting_user=council_admin)

    broker.refresh_from_db()
    assert done == Kind.REMOVED
    assert broker.is_active
    assert roles_at(broker, council) == set()
    assert roles_at(broker, second_council) == {Role.BROKER}


@pytest.mark.django_db
def test_a_new_invitation_is_refused_once_a_password_is_chosen(
    council: Organisation, council_admin: Any
) -> None:
    user, _ = invite(council, council_admin, "sam@example.org", Role.BROKER)
    admin_actions.resend_invitation(user, council, acting_user=council_admin)
    assert len(mail.outbox) == 2

    admin_actions.accept_invitation(user, "a long enough passphrase")
    with pytest.raises(InputError, match="already chosen a password"):
        admin_actions.resend_invitation(user, council, acting_user=council_admin)
    assert AccountEvent.objects.filter(user=user, kind=Kind.JOINED, by=user).exists()


@pytest.mark.django_db
def test_someone_invited_elsewhere_who_has_no_password_yet_gets_a_link_not_a_sign_in(
    council: Organisation, council_admin: Any, second_council: Organisation
) -> None:
    other_admin = make_admin("otherby_admin", second_council, Role.BROKER)
    first, _ = invite(second_council, other_admin, "sam@example.org", Role.BROKER)

    again, created = invite(council, council_admin, "sam@example.org", Role.FINANCE)

    assert (again, created) == (first, False)
    assert "/users/invitation/" in mail.outbox[-1].body
    assert f"for {council.name}, as: Finance officer" in mail.outbox[-1].body
