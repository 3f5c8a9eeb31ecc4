"""Every write to accounts goes through here: named verb_noun, in a transaction, with the actor.

``acting_user`` is who asked for the change, for the audit history; ``None`` means the system
itself (the ``load_demo`` command). The functions are idempotent so the demo can be loaded
again and again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from homecare.accounts import lockout, tokens
from homecare.accounts.models import (
    ApiToken,
    Membership,
    Organisation,
    SignInAttempt,
    SignInCounter,
    audited,
)

COUNCIL_ONLY_ROLES = {Membership.Role.COMMISSIONER, Membership.Role.BROKER, Membership.Role.FINANCE}
# The role a token's service user holds: what the API lets each kind of organisation do
# (a council's systems make and read requests, as its brokers do; a provider's answer offers).
SERVICE_ROLES = {
    Organisation.Kind.COUNCIL: Membership.Role.BROKER,
    Organisation.Kind.PROVIDER: Membership.Role.PROVIDER,
}


@transaction.atomic
def create_organisation(
    name: str, *, kind: str, slug: str | None = None, acting_user: Any
) -> Organisation:
    """The organisation with ``slug`` (from the name when not given), created or updated."""
    if kind not in Organisation.Kind.values:
        raise ValueError(f"unknown organisation kind {kind!r}")
    slug = slug or slugify(name)
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation and (organisation.name, organisation.kind) == (name, kind):
        return organisation
    organisation = organisation or Organisation(slug=slug)
    organisation.name, organisation.kind = name, kind
    audited(organisation, acting_user)
    organisation.save()
    return organisation


@transaction.atomic
def set_person_reference_format(
    council: Organisation, *, pattern: str, description: str, example: str, acting_user: Any
) -> Organisation:
    """Set the council's format for people's references (an empty pattern accepts any).

    InputError names the field when the pattern is not a regular expression or the example
    does not match it.
    """
    from homecare.accounts.references import check_pattern

    pattern, description, example = pattern.strip(), description.strip(), example.strip()
    check_pattern(pattern, example)
    current = (
        council.person_reference_pattern,
        council.person_reference_format,
        council.person_reference_example,
    )
    if current == (pattern, description, example):
        return council
    council.person_reference_pattern = pattern
    council.person_reference_format = description
    council.person_reference_example = example
    audited(council, acting_user)
    council.save()
    return council


@transaction.atomic
def add_membership(
    user: Any, organisation: Organisation, role: str, *, acting_user: Any
) -> Membership:
    """Give ``user`` the ``role`` at ``organisation`` (once); the role must fit the organisation."""
    if role not in Membership.Role.values:
        raise ValueError(f"unknown role {role!r}")
    is_council = organisation.kind == Organisation.Kind.COUNCIL
    # A user administrator manages accounts at a council or a provider alike; the care roles
    # each belong at one kind of organisation.
    if role != Membership.Role.USER_ADMIN and (role in COUNCIL_ONLY_ROLES) != is_council:
        raise ValueError(f"the role {role!r} does not belong at a {organisation.kind}")
    membership = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    if membership:
        return membership
    membership = Membership(user=user, organisation=organisation, role=role)
    audited(membership, acting_user)
    membership.save()
    return membership


@transaction.atomic
def create_persona(
    username: str,
    *,
    password: str,
    organisation: Organisation | None,
    role: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    second_factor_key: str | None = None,
    acting_user: Any,
) -> Any:
    """A user with ``password`` and, unless ``organisation`` is None, a membership in ``role``.

    Running it again resets the password, names and email and keeps exactly that one
    membership, so a demo persona always signs in the way the demo says. With
    ``second_factor_key`` (40 hex digits) the persona also gets an authenticator app with
    that known secret, so it can sign in where a second factor is required.
    """
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first() or user_model(username=username)
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.set_password(password)
    user.save()
    wanted = None
    if organisation is not None and role is not None:
        wanted = add_membership(user, organisation, role, acting_user=acting_user)
    for stale in Membership.objects.filter(user=user).exclude(pk=getattr(wanted, "pk", None)):
        audited(stale, acting_user)
        stale.delete()
    if second_factor_key is not None:
        from homecare.accounts.two_factor import give_known_app

        give_known_app(user, second_factor_key, acting_user=acting_user)
    return user


# --- sign-in attempts ---------------------------------------------------------------------


@transaction.atomic
def begin_sign_in(username: str, address: str | None, *, now: datetime) -> SignInAttempt | None:
    """Let one try through the lockout and count it, in one transaction; None when locked.

    Holds the row locks of the username's and the address's counters (in a fixed order) while
    it checks the lock and writes the try as ``checking``, which counts as a failure until
    :func:`finish_sign_in` says how it went. Simultaneous tries queue on the counters for that
    moment only (not while a password is hashed), so at most the limit of them are let
    through. While locked, a ``refused`` row is written and None returned.

    No ``acting_user``: the person trying to sign in is not yet anyone.
    """
    keys = lockout.counter_keys(username, address)
    SignInCounter.objects.bulk_create(
        [SignInCounter(key=key, touched_at=now) for key in keys], ignore_conflicts=True
    )
    locked = list(SignInCounter.objects.select_for_update().filter(key__in=keys).order_by("key"))
    SignInCounter.objects.filter(pk__in=[row.pk for row in locked]).update(touched_at=now)
    if lockout.locked_until(username, address, now=now) is not None:
        record_sign_in_attempt(username, address, SignInAttempt.Outcome.REFUSED, now=now)
        return None
    return record_sign_in_attempt(username, address, SignInAttempt.Outcome.CHECKING, now=now)


def finish_sign_in(attempt: SignInAttempt, *, succeeded: bool) -> None:
    """Say how a try let through by :func:`begin_sign_in` went (one UPDATE, atomic alone)."""
    outcome = SignInAttempt.Outcome.SUCCEEDED if succeeded else SignInAttempt.Outcome.FAILED
    SignInAttempt.objects.filter(pk=attempt.pk).update(outcome=outcome)
    attempt.outcome = outcome


@transaction.atomic
def record_sign_in_attempt(
    username: str, address: str | None, outcome: str, *, now: datetime
) -> SignInAttempt:
    """Keep one sign-in attempt (never its password) and forget attempts past their keep time.

    No ``acting_user``: the person trying to sign in is not yet anyone.
    """
    if outcome not in SignInAttempt.Outcome.values:
        raise ValueError(f"unknown outcome {outcome!r}")
    prune_sign_in_attempts(now=now)
    return SignInAttempt.objects.create(
        username=lockout.username_key(username), ip_address=address, outcome=outcome, at=now
    )


@transaction.atomic
def prune_sign_in_attempts(*, now: datetime, policy: lockout.LockoutPolicy = lockout.POLICY) -> int:
    """Delete attempts (and idle counters) older than the policy keeps them; attempts deleted."""
    cutoff = now - policy.keep_attempts_for
    deleted, _ = SignInAttempt.objects.filter(at__lt=cutoff).delete()
    SignInCounter.objects.filter(touched_at__lt=cutoff).delete()
    return deleted


def unlock_sign_in(
    *, username: str = "", address: str | None = None, acting_user: Any, now: datetime
) -> SignInAttempt:
    """Lift a lock on ``username`` or on ``address`` (one of them) before it runs out.

    One row written, so atomic on its own: the unlock is a row, not a deletion, so the
    record of the failures stays.
    """
    if bool(lockout.username_key(username)) == bool(address):
        raise ValueError("unlock either a username or an address")
    return SignInAttempt.objects.create(
        username=lockout.username_key(username),
        ip_address=address or None,
        outcome=SignInAttempt.Outcome.UNLOCKED,
        at=now,
        unlocked_by=acting_user,
    )


# --- API tokens ---------------------------------------------------------------------------


@transaction.atomic
def issue_api_token(
    organisation: Organisation, name: str, *, acting_user: Any, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``organisation``: the row and the plaintext, which is never kept."""
    name = name.strip()
    if not name:
        raise ValueError("name: give the token a name saying what it is for")
    if len(name) > ApiToken.NAME_MAX_LENGTH:
        raise ValueError(f"name: use {ApiToken.NAME_MAX_LENGTH} characters or fewer")
    prefix, plaintext = tokens.new_token()
    token = ApiToken(
        organisation=organisation,
        name=name,
        prefix=prefix,
        digest=tokens.digest_of(plaintext),
        created_by=acting_user,
        created_at=now or timezone.now(),
        user=_create_service_user(organisation, name, acting_user=acting_user),
    )
    audited(token, acting_user)
    token.save()
    return token, plaintext


def _create_service_user(organisation: Organisation, name: str, *, acting_user: Any) -> Any:
    """The user a new token acts as: ``api-<slug>-<n>``, no usable password, one membership.

    With no usable password no sign-in form can accept it (and the forms refuse service users
    outright, in case someone sets one later); it exists so that the audit trail names the
    token that did something.
    """
    user_model = get_user_model()
    n = ApiToken.objects.filter(organisation=organisation).count() + 1
    while user_model.objects.filter(username=f"api-{organisation.slug}-{n}").exists():
        n += 1  # a revoked token's user keeps its name, and a person may have taken one
    user = user_model(
        username=f"api-{organisation.slug}-{n}", first_name="API token", last_name=name[:150]
    )
    user.set_unusable_password()
    user.save()
    add_membership(user, organisation, SERVICE_ROLES[organisation.kind], acting_user=acting_user)
    return user


@transaction.atomic
def revoke_api_token(token: ApiToken, *, acting_user: Any, now: datetime | None = None) -> ApiToken:
    """Stop ``token`` working, for good, and switch off its service user. Revoking it again
    changes nothing."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = now or timezone.now(), acting_user
        audited(token, acting_user)
        token.save()
    if token.user.is_active:
        token.user.is_active = False
        token.user.save(update_fields=["is_active"])
    return token


def record_api_token_use(token: ApiToken, *, now: datetime) -> None:
    """Note when ``token`` was last used; at most once a minute, and outside the audit trail.

    One UPDATE statement, so no transaction is needed and concurrent requests cannot clash;
    the history would only fill with timestamps.
    """
    if tokens.is_due_for_touch(token, now):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
