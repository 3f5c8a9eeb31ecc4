"""The writes of a single sign-on: match or create the user, re-sync their roles, record it.

:func:`sign_in_by_single_sign_on` takes the claims the council's identity provider gave
(already checked by :class:`homecare.accounts.sso.CouncilSignOn`) and, in one transaction:

1. finds the user by the provider's subject (``SingleSignOnIdentity``), else by an e-mail
   address the provider confirmed (``email_verified``, or ``HOMECARE_OIDC_TRUST_EMAIL=1`` for
   a provider that only gives its own staff's addresses), else creates them;
2. makes their roles at every council named in ``HOMECARE_OIDC_GROUP_ROLES`` exactly those
   their groups map to (a group removed at the provider removes the role here), recording an
   ``AccountEvent`` for each change;
3. records the try as a ``SignInAttempt``, as a password sign-in is.

Someone whose groups map to no role is refused, with words telling them whom to ask.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from homecare.accounts import actions
from homecare.accounts.models import AccountEvent, Membership, Organisation, SignInAttempt
from homecare.accounts.sso_models import SingleSignOnIdentity
from homecare.accounts.user_admin_access import role_words
from homecare.accounts.user_admin_actions import _grant, _record, _revoke

log = logging.getLogger("homecare.accounts")

# The roles single sign-on may give: a council's working roles and its user administrator.
SSO_ROLES = frozenset(
    {
        Membership.Role.COMMISSIONER,
        Membership.Role.BROKER,
        Membership.Role.FINANCE,
        Membership.Role.USER_ADMIN,
    }
)
ASK = "Ask your council's administrator"
NO_ROLE = (
    "Your council account does not give you a role in this service. "
    f"{ASK} to give you access, then sign in again."
)
SWITCHED_OFF = f"Your account in this service has been switched off. {ASK} if you need it back."
SEVERAL_ACCOUNTS = (
    f"More than one account in this service has your e-mail address. {ASK} to sort this out."
)
ADDRESS_NOT_CONFIRMED = (
    "An account in this service already has your e-mail address, but your council's sign-in "
    f"service did not confirm that the address is yours. {ASK} to link your accounts."
)


@dataclass(frozen=True)
class Outcome:
    """The user signed in, or the plain-English reason they were refused."""

    user: Any = None
    refusal: str = ""


def _groups(claims: dict[str, Any]) -> list[str]:
    value = claims.get(settings.HOMECARE_OIDC_GROUPS_CLAIM) or []
    values = [value] if isinstance(value, str) else value
    return [str(group) for group in values] if isinstance(values, list) else []


def mapped_roles(claims: dict[str, Any]) -> tuple[list[Organisation], dict[int, set[str]]]:
    """The councils single sign-on manages, and the roles the claims' groups give at each."""
    mapping: dict[str, tuple[str, str]] = settings.HOMECARE_OIDC_GROUP_ROLES
    councils = {
        council.slug: council
        for council in Organisation.objects.filter(
            slug__in={slug for slug, _ in mapping.values()}, kind=Organisation.Kind.COUNCIL
        )
    }
    for group, (slug, role) in mapping.items():
        if slug not in councils or role not in SSO_ROLES:
            log.warning(
                "single sign-on: group %r maps to no council role (%s, %s)", group, slug, role
            )
    wanted: dict[int, set[str]] = defaultdict(set)
    for group in _groups(claims):
        slug, role = mapping.get(group, ("", ""))
        if slug in councils and role in SSO_ROLES:
            wanted[councils[slug].pk].add(role)
    return sorted(councils.values(), key=lambda council: council.name), dict(wanted)


def _address_confirmed(claims: dict[str, Any]) -> bool:
    verified = claims.get("email_verified")
    return verified is True or str(verified).lower() == "true" or settings.HOMECARE_OIDC_TRUST_EMAIL


def _email(claims: dict[str, Any]) -> str:
    email = claims.get("email")
    return email.strip().lower()[:254] if isinstance(email, str) else ""


def _find(claims: dict[str, Any], issuer: str, subject: str) -> tuple[Any, str]:
    """The user the claims belong to (None: someone new), or a refusal."""
    identity = (
        SingleSignOnIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is not None:
        return identity.user, ""
    email = _email(claims)
    if not email:
        return None, ""
    matches = list(
        get_user_model()
        .objects.filter(email__iexact=email, api_token__isnull=True)
        .exclude(sso_identities__issuer=issuer)
    )
    if not matches:
        return None, ""
    if not _address_confirmed(claims):
        return None, ADDRESS_NOT_CONFIRMED
    if len(matches) > 1:
        return None, SEVERAL_ACCOUNTS
    return matches[0], ""


def _new_username(email: str, issuer: str, subject: str) -> str:
    user_model = get_user_model()
    if email and not user_model.objects.filter(username__iexact=email).exists():
        return email[:150]
    return "sso-" + hashlib.sha256(f"{issuer} {subject}".encode()).hexdigest()[:16]


def _create_user(claims: dict[str, Any], issuer: str, subject: str) -> Any:
    email = _email(claims)
    user = get_user_model()(
        username=_new_username(email, issuer, subject),
        email=email,
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
    )
    user.set_unusable_password()  # signs in through the council only, until given a password
    user.save()
    return user


def sync_roles(
    user: Any, councils: list[Organisation], wanted: dict[int, set[str]], *, now: datetime
) -> None:
    """Make the user's roles at each of ``councils`` exactly ``wanted``; record each change."""
    for council in councils:
        held = set(
            Membership.objects.filter(user=user, organisation=council).values_list(
                "role", flat=True
            )
        )
        want = wanted.get(council.pk, set())
        if held == want:
            continue
        _grant(user, council, want - held, None)
        _revoke(user, council, held - want, None)
        detail = (
            f"From the council's sign-in service: {role_words(want) or 'no roles'} "
            f"(before: {role_words(held) or 'none'})"
        )
        _record(
            council, user, AccountEvent.Kind.ROLES_CHANGED, acting_user=None, now=now, detail=detail
        )


def _refuse(name: str, address: str | None, refusal: str, now: datetime) -> Outcome:
    actions.record_sign_in_attempt(name, address, SignInAttempt.Outcome.FAILED, now=now)
    return Outcome(refusal=refusal)


@transaction.atomic
def sign_in_by_single_sign_on(
    claims: dict[str, Any], *, address: str | None, now: datetime
) -> Outcome:
    """Match or create the user the checked ``claims`` describe and re-sync their roles.

    No ``acting_user``: the person signing in is not yet anyone; the role changes are
    recorded as made by the council's sign-in service (``by`` empty).
    """
    issuer, subject = str(claims.get("iss") or ""), str(claims.get("sub") or "")
    if not issuer or not subject:
        raise ValueError("the claims need an issuer and a subject")
    user, refusal = _find(claims, issuer, subject)
    name = user.username if user is not None else (_email(claims) or f"sso {subject}"[:150])
    if refusal:
        return _refuse(name, address, refusal, now)
    if user is not None and not user.is_active:
        return _refuse(name, address, SWITCHED_OFF, now)
    councils, wanted = mapped_roles(claims)
    if user is None:
        if not wanted:  # nobody new is made only to be refused
            return _refuse(name, address, NO_ROLE, now)
        user = _create_user(claims, issuer, subject)
    sync_roles(user, councils, wanted, now=now)
    if not wanted:
        return _refuse(user.username, address, NO_ROLE, now)
    identity, made = SingleSignOnIdentity.objects.get_or_create(
        issuer=issuer,
        subject=subject,
        defaults={"user": user, "first_signed_in_at": now, "last_signed_in_at": now},
    )
    if not made:
        SingleSignOnIdentity.objects.filter(pk=identity.pk).update(last_signed_in_at=now)
    actions.record_sign_in_attempt(user.username, address, SignInAttempt.Outcome.SUCCEEDED, now=now)
    log.info("single sign-on: user %s signed in", user.pk)
    return Outcome(user=user)
