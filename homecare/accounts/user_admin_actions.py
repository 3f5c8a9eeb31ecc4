"""A user administrator's writes: invite, change roles, switch accounts off and on, reset an
authenticator app.

Each is ``verb_noun(..., acting_user=...)`` in one transaction, records an
:class:`~homecare.accounts.models.AccountEvent` (memberships keep their own history too) and
raises :class:`~carecore.errors.InputError` naming the field for anything a page should show.
Each locks the organisation's row first, so two administrators acting at once cannot leave it
without an active user administrator.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from carecore.errors import InputError
from homecare.accounts import two_factor
from homecare.accounts import user_admin_emails as emails
from homecare.accounts.models import AccountEvent, Membership, Organisation, audited
from homecare.accounts.user_admin_access import USER_ADMIN, role_words, roles_offered

Kind = AccountEvent.Kind
# Session stores whose sessions can be listed (and so ended one user at a time).
_LISTABLE_SESSIONS = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}


def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _record(
    organisation: Organisation,
    user: Any,
    kind: str,
    *,
    acting_user: Any,
    now: datetime | None,
    detail: str = "",
) -> AccountEvent:
    return AccountEvent.objects.create(
        organisation=organisation,
        user=user,
        kind=kind,
        detail=detail[:500],
        by=acting_user,
        at=now or timezone.now(),
    )


def _check_roles(organisation: Organisation, roles: Any) -> set[str]:
    chosen = set(roles)
    offered = roles_offered(organisation)
    if not chosen:
        raise InputError("Select at least one role", key="roles")
    if not chosen <= set(offered):
        raise InputError(f"Select roles from the list: {role_words(offered)}", key="roles")
    return chosen


def _held_here(user: Any, organisation: Organisation) -> set[str]:
    return set(
        Membership.objects.filter(user=user, organisation=organisation).values_list(
            "role", flat=True
        )
    )


def _grant(user: Any, organisation: Organisation, roles: set[str], acting_user: Any) -> None:
    # Not accounts.actions.add_membership: that keeps every role but the provider's at
    # councils, and the user administrator's role sits at providers and councils alike.
    for role in sorted(roles):
        membership = Membership(user=user, organisation=organisation, role=role)
        audited(membership, acting_user)
        membership.save()


def _revoke(user: Any, organisation: Organisation, roles: set[str], acting_user: Any) -> None:
    for membership in Membership.objects.filter(
        user=user, organisation=organisation, role__in=roles
    ):
        audited(membership, acting_user)  # the history's deletion row names who removed it
        membership.delete()


def _keeps_an_administrator(organisation: Organisation, losing: Any) -> bool:
    """Whether someone other than ``losing`` is an active user administrator there."""
    return (
        Membership.objects.filter(organisation=organisation, role=USER_ADMIN, user__is_active=True)
        .exclude(user=losing)
        .exists()
    )


def _last_administrator_error(user: Any, acting_user: Any) -> InputError:
    whose = "You are" if user == acting_user else "They are"
    return InputError(
        f"{whose} the only user administrator here. Give someone else the user administrator "
        "role first",
        key="roles",
    )


# --- inviting -----------------------------------------------------------------------------


@transaction.atomic
def invite_user(
    organisation: Organisation,
    *,
    email: str,
    first_name: str,
    last_name: str,
    roles: Any,
    acting_user: Any,
    now: datetime | None = None,
) -> tuple[Any, bool]:
    """Give the person with ``email`` the ``roles`` at ``organisation``, and e-mail them.

    Someone new gets an account with no usable password and a single-use link to choose one
    (their username is their e-mail address); someone who already has an account (matched by
    e-mail address or username, ignoring case) gets the roles on it and an e-mail saying so.
    Returns the user and whether the account is new.
    """
    _lock(organisation)
    chosen = _check_roles(organisation, roles)
    email = email.strip().lower()
    if not email:
        raise InputError("Enter an e-mail address", key="email")
    user_model = get_user_model()
    matches = list(
        user_model.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).filter(
            api_token__isnull=True
        )
    )
    if len(matches) > 1:
        raise InputError(
            "More than one account has this e-mail address. Ask the service's administrators "
            "to merge them first",
            key="email",
        )
    if matches:
        user = matches[0]
        if _held_here(user, organisation):
            raise InputError(
                f"{email} already has an account here. Change their roles on their page",
                key="email",
            )
        if not user.is_active:
            raise InputError(
                "The account with this e-mail address is switched off. Ask the service's "
                "administrators to switch it back on",
                key="email",
            )
        _grant(user, organisation, chosen, acting_user)
        _record(
            organisation,
            user,
            Kind.ADDED,
            acting_user=acting_user,
            now=now,
            detail=role_words(chosen),
        )
        # Invited elsewhere but no password chosen yet: "sign in as usual" would not help.
        write = emails.invitation_email if is_awaiting_password(user) else emails.added_email
        emails.send(email, *write(user, organisation, chosen, acting_user))
        return user, False
    user = user_model(
        username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip()
    )
    user.set_unusable_password()
    user.save()
    _grant(user, organisation, chosen, acting_user)
    _record(
        organisation,
        user,
        Kind.INVITED,
        acting_user=acting_user,
        now=now,
        detail=role_words(chosen),
    )
    emails.send(email, *emails.invitation_email(user, organisation, chosen, acting_user))
    return user, True


def is_awaiting_password(user: Any) -> bool:
    """Whether ``user`` was invited and has not yet chosen a password."""
    return user.last_login is None and not user.has_usable_password()


@transaction.atomic
def resend_invitation(
    user: Any, organisation: Organisation, *, acting_user: Any, now: datetime | None = None
) -> None:
    """Send ``user`` a new invitation link; the links sent before stop working."""
    _lock(organisation)
    if not is_awaiting_password(user):
        raise InputError("They have already chosen a password", key="email")
    if not user.is_active:
        raise InputError("Their account is switched off. Switch it back on first", key="email")
    user.set_unusable_password()  # a new unusable hash: the old links' tokens no longer match
    user.save(update_fields=["password"])
    _record(organisation, user, Kind.INVITED_AGAIN, acting_user=acting_user, now=now)
    roles = _held_here(user, organisation)
    emails.send(user.email, *emails.invitation_email(user, organisation, roles, acting_user))


@transaction.atomic
def accept_invitation(user: Any, password: str, *, now: datetime | None = None) -> Any:
    """The invitee's own action: set the password they chose (already checked against the
    password rules by the form). The invitation link stops working."""
    user.set_password(password)
    user.save(update_fields=["password"])
    for organisation in Organisation.objects.filter(memberships__user=user).distinct():
        _record(organisation, user, Kind.JOINED, acting_user=user, now=now)
    return user


# --- roles ----------------------------------------------------------------------------------


@transaction.atomic
def change_roles(
    user: Any,
    organisation: Organisation,
    roles: Any,
    *,
    acting_user: Any,
    now: datetime | None = None,
) -> bool:
    """Make ``roles`` the user's roles at ``organisation`` (roles elsewhere are untouched).

    At least one role is needed (to take away every role, switch the account off). The last
    active user administrator cannot lose that role. Returns whether anything changed.
    """
    _lock(organisation)
    chosen = _check_roles(organisation, roles)
    held = _held_here(user, organisation)
    if not held:
        raise ValueError("the user has no role at this organisation")
    if chosen == held:
        return False
    if USER_ADMIN in held - chosen and not _keeps_an_administrator(organisation, user):
        raise _last_administrator_error(user, acting_user)
    _revoke(user, organisation, held - chosen, acting_user)
    _grant(user, organisation, chosen - held, acting_user)
    detail = f"From {role_words(held)} to {role_words(chosen)}"
    _record(organisation, user, Kind.ROLES_CHANGED, acting_user=acting_user, now=now, detail=detail)
    return True


# --- switching off and on -------------------------------------------------------------------


@transaction.atomic
def deactivate_user(
    user: Any, organisation: Organisation, *, acting_user: Any, now: datetime | None = None
) -> str:
    """Switch off ``user``'s account: they cannot sign in and their sessions end at once.

    Their roles, records and history stay (switching back on restores them). Someone who
    also has roles at another organisation keeps their account for that one: they lose their
    roles here instead. Returns the :class:`AccountEvent.Kind` recorded (or ``""`` when the
    account was already off). Nobody switches off their own account, and the last active user
    administrator stays.
    """
    _lock(organisation)
    if user == acting_user:
        raise InputError("You cannot switch off your own account", key="user")
    held = _held_here(user, organisation)
    if not held:
        raise ValueError("the user has no role at this organisation")
    if not user.is_active:
        return ""
    if USER_ADMIN in held and not _keeps_an_administrator(organisation, user):
        raise _last_administrator_error(user, acting_user)
    elsewhere = Membership.objects.filter(user=user).exclude(organisation=organisation).exists()
    if elsewhere:
        _revoke(user, organisation, held, acting_user)
        _record(
            organisation,
            user,
            Kind.REMOVED,
            acting_user=acting_user,
            now=now,
            detail=role_words(held),
        )
        return Kind.REMOVED
    user.is_active = False
    user.save(update_fields=["is_active"])
    end_sessions(user)
    _record(organisation, user, Kind.SWITCHED_OFF, acting_user=acting_user, now=now)
    return Kind.SWITCHED_OFF


@transaction.atomic
def reactivate_user(
    user: Any, organisation: Organisation, *, acting_user: Any, now: datetime | None = None
) -> bool:
    """Switch ``user``'s account back on, with the roles it had; whether it was off."""
    _lock(organisation)
    if not _held_here(user, organisation):
        raise ValueError("the user has no role at this organisation")
    if user.is_active:
        return False
    user.is_active = True
    user.save(update_fields=["is_active"])
    _record(organisation, user, Kind.SWITCHED_ON, acting_user=acting_user, now=now)
    return True


# --- the second factor ----------------------------------------------------------------------


@transaction.atomic
def reset_authenticator(
    user: Any,
    organisation: Organisation | None,
    *,
    acting_user: Any,
    now: datetime | None = None,
) -> int:
    """Remove ``user``'s authenticator app and recovery codes (a lost or replaced phone): they
    are signed out at once, and their next password sign-in sets up a new app.

    ``organisation`` is where a user administrator acts (the reset is recorded there); None
    for the service's own administrators in the Django admin (recorded at every organisation
    the user belongs to). Nobody resets their own app here: they would be asked to set one up
    again mid-session. Returns how many devices were removed.
    """
    if organisation is not None:
        _lock(organisation)
        if not _held_here(user, organisation):
            raise ValueError("the user has no role at this organisation")
        organisations = [organisation]
    else:
        organisations = list(Organisation.objects.filter(memberships__user=user).distinct())
    if user == acting_user:
        raise InputError("You cannot reset your own authenticator app here", key="user")
    removed = two_factor.reset_second_factor(user, acting_user=acting_user)
    if not removed:
        raise InputError("They have not set up an authenticator app", key="user")
    end_sessions(user)
    for place in organisations:
        _record(place, user, Kind.SECOND_FACTOR_RESET, acting_user=acting_user, now=now)
    return removed


def end_sessions(user: Any) -> int:
    """End every session ``user`` is signed in with; how many were ended.

    Sessions kept in the database are deleted. Whatever the store, a switched-off account is
    also signed out on its next request, because Django's sign-in backend refuses inactive
    users when it loads the user of a session.
    """
    from importlib import import_module

    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE not in _LISTABLE_SESSIONS:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended
