"""Who may administer an organisation's user accounts, and which accounts they may see.

A user administrator (the ``user_admin`` membership role) manages the accounts of the
organisation where they hold that role: a council's staff, or a provider's own users. They
see the people with a role there (never an API token's service user), and only the roles
held there; another organisation's people are not found (404). Anyone else is refused (403).
Someone who administers several organisations acts for the first by name, as the other pages
act for a user's first council.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from homecare.accounts import access
from homecare.accounts.models import Membership, Organisation

Role = Membership.Role
USER_ADMIN = Role.USER_ADMIN
REFUSAL = "Only an organisation's user administrators manage its users."

# The roles a user administrator may give at each kind of organisation, in the order shown.
ROLES_AT = {
    Organisation.Kind.COUNCIL: (Role.COMMISSIONER, Role.BROKER, Role.FINANCE, USER_ADMIN),
    Organisation.Kind.PROVIDER: (Role.PROVIDER, USER_ADMIN),
}


def roles_offered(organisation: Organisation) -> tuple[str, ...]:
    """The roles a user may hold at ``organisation``, in the order pages list them."""
    return ROLES_AT[Organisation.Kind(organisation.kind)]


def role_words(roles: Any) -> str:
    """Roles for a page or an e-mail, in the usual order: "Commissioner, Finance officer"."""
    held = set(roles)
    return ", ".join(str(role.label) for role in Role if role in held)


def administered_organisation(user: Any) -> Organisation:
    """The organisation whose users ``user`` manages (the first by name), or PermissionDenied."""
    organisations = sorted(
        (m.organisation for m in access.memberships_of(user) if m.role == USER_ADMIN),
        key=lambda organisation: organisation.name,
    )
    if not organisations:
        raise PermissionDenied(REFUSAL)
    return organisations[0]


def require_user_admin(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view for user administrators; the view gets the organisation they manage.

    Members without the role are refused (403) and anonymous users sent to sign in.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        organisation = administered_organisation(request.user)
        return view(request, organisation, *args, **kwargs)

    return access.require_role(USER_ADMIN)(wrapped)


def users_of(organisation: Organisation) -> QuerySet[Any]:
    """The people with a role at ``organisation`` (not API tokens' service users), each with
    ``roles_here``: their memberships there."""
    here = Membership.objects.filter(organisation=organisation)
    return (
        get_user_model()
        .objects.filter(memberships__organisation=organisation, api_token__isnull=True)
        .distinct()
        .prefetch_related(Prefetch("memberships", queryset=here, to_attr="roles_here"))
        .order_by("first_name", "last_name", "username")
    )


def user_for(organisation: Organisation, pk: int) -> Any:
    """One person with a role at ``organisation``, or Http404 (missing, or only elsewhere)."""
    return get_object_or_404(users_of(organisation), pk=pk)


def roles_here(user: Any) -> list[str]:
    """The roles of a user from :func:`users_of`, in the usual order."""
    held = {membership.role for membership in user.roles_here}
    return [role for role in Role if role in held]


def second_factor_of(user: Any) -> bool | None:
    """Whether ``user`` has a confirmed second factor; None when two-factor sign-in is not
    installed (the pages then leave the column out)."""
    if not apps.is_installed("django_otp"):
        return None
    from django_otp import user_has_device

    return cast(bool, user_has_device(user, confirmed=True))


@dataclass(frozen=True)
class UserRow:
    """One line of the users page."""

    user: Any
    roles: str
    second_factor: bool | None

    @property
    def status(self) -> str:
        if not self.user.is_active:
            return "Switched off"
        if self.user.last_login is None and not self.user.has_usable_password():
            return "Invited"
        return "Active"


def user_rows(organisation: Organisation) -> list[UserRow]:
    """The users page's lines, in name order."""
    return [
        UserRow(user, role_words(roles_here(user)), second_factor_of(user))
        for user in users_of(organisation)
    ]
