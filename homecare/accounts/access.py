"""Who is asking, what they may open, and the one scope every object rule is asked with.

The design (docs/adr/0005-one-access-design.md), after Zulip's ``access_*_by_id`` helpers and
data-hub's per-app permissions:

- A :class:`Scope` is built once per request, from a signed-in user (:func:`scope_of_user`)
  or from an API token (:func:`scope_of_token`: the memberships of the token's service user
  at the token's organisation). :func:`scope_of` picks the right one for a request.
- Each app's object rules live in that app's ``access.py`` (brokerage, commissioning,
  delivery, insight) and take a scope: ``*_for(scope)`` returns a scoped query set and
  ``*_for(scope, pk)`` an object from it through ``get_object_or_404``, so a missing object
  and another council's or provider's look alike (404). Pages and the API ask the same rules.
- This module keeps the roles, the scope and the view decorators. Every view carries an
  ``access_rule`` (set by :func:`require_role`, :func:`require_council_role`,
  :data:`require_member` or :func:`public`); a test walks the URL resolver and fails on any
  view without one.

The rules, in words:

- Anonymous users are sent to sign in.
- A signed-in user with no membership (the "outsider") is refused every page (403).
- Everyone with a membership sees the zones, the cost-of-care calculator and the rate cards:
  councils publish their zones and rates to the providers they pay.
- Everything a council owns (requests, packages, frameworks, runs, complaints, simulations,
  tender evaluations) is seen by that council's staff in the roles each rule names, never by
  another council's; a provider's users see only their own provider's offers, packages,
  uploads and runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from homecare.accounts.models import ApiToken, Membership, Organisation

Role = Membership.Role
COUNCIL_ROLES = frozenset({Role.COMMISSIONER, Role.BROKER, Role.FINANCE})
PROVIDER_ROLES = frozenset({Role.PROVIDER})
ALL_ROLES = COUNCIL_ROLES | PROVIDER_ROLES
# Managing an organisation's accounts opens no care records: it is not in ALL_ROLES, so
# ``require_member`` pages stay closed to someone who only administers users.
ADMIN_ROLES = frozenset({Role.USER_ADMIN})

# The council roles each area's rules ask for (the rules themselves are in each app).
BROKERAGE_ROLES = frozenset({Role.BROKER, Role.COMMISSIONER})
MARKET_ROLES = frozenset({Role.COMMISSIONER, Role.BROKER})
DASHBOARD_ROLES = frozenset({Role.COMMISSIONER, Role.BROKER})
DELIVERY_ROLES = frozenset({Role.FINANCE, Role.COMMISSIONER})
PERFORMANCE_ROLES = frozenset({Role.COMMISSIONER, Role.FINANCE})
REPORT_ROLES = frozenset({Role.COMMISSIONER, Role.FINANCE})
COMMISSIONERS = frozenset({Role.COMMISSIONER})
FINANCE = frozenset({Role.FINANCE})

View = TypeVar("View", bound=Callable[..., HttpResponse])

_MEMBERSHIPS = "_homecare_memberships"
_SCOPE = "_homecare_scope"


# --- the scope ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Who is asking: a user (or an API token's service user) and the memberships that count.

    Every object rule takes a scope, so one rule serves pages and the API alike. A token's
    scope holds only the memberships at the token's organisation.
    """

    user: Any = None
    memberships: tuple[Membership, ...] = ()
    token: ApiToken | None = field(default=None, compare=False)

    @property
    def roles(self) -> frozenset[str]:
        """Every role held, at any organisation."""
        return frozenset(membership.role for membership in self.memberships)

    def has_role(self, roles: Iterable[str]) -> bool:
        """True when one of ``roles`` is held."""
        return bool(self.roles & set(roles))

    @property
    def is_member(self) -> bool:
        """True for anyone belonging to an organisation in any role."""
        return self.has_role(ALL_ROLES)

    def councils(self, roles: Iterable[str] = COUNCIL_ROLES) -> list[Organisation]:
        """The councils where one of ``roles`` is held, each once, in name order."""
        wanted = set(roles)
        seen: dict[int, Organisation] = {}
        for membership in self.memberships:
            organisation = membership.organisation
            if membership.role in wanted and organisation.kind == Organisation.Kind.COUNCIL:
                seen.setdefault(organisation.pk, organisation)
        return sorted(seen.values(), key=lambda council: council.name)

    @property
    def provider_organisations(self) -> list[Organisation]:
        """The provider organisations where the provider role is held, in name order."""
        seen = {
            m.organisation.pk: m.organisation
            for m in self.memberships
            if m.role == Role.PROVIDER and m.organisation.kind == Organisation.Kind.PROVIDER
        }
        return sorted(seen.values(), key=lambda organisation: organisation.name)

    @property
    def organisations(self) -> list[Organisation]:
        """Every organisation belonged to, each once, in name order."""
        seen = {m.organisation.pk: m.organisation for m in self.memberships}
        return sorted(seen.values(), key=lambda organisation: organisation.name)

    def first_council(self, roles: Iterable[str], refusal: str) -> Organisation:
        """The first (by name) council where one of ``roles`` is held: the council a page
        acts for; PermissionDenied with ``refusal`` when there is none."""
        councils = self.councils(roles)
        if not councils:
            raise PermissionDenied(refusal)
        return councils[0]


NOBODY = Scope()


def memberships_of(user: Any) -> list[Membership]:
    """The user's memberships (none for anonymous users), cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _MEMBERSHIPS, None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organisation"))
        setattr(user, _MEMBERSHIPS, cached)
    return cast(list[Membership], cached)


def scope_of_user(user: Any) -> Scope:
    """The scope of a signed-in user (empty for anonymous users), cached on the user."""
    if not getattr(user, "is_authenticated", False):
        return NOBODY
    cached = getattr(user, _SCOPE, None)
    if cached is None:
        cached = Scope(user=user, memberships=tuple(memberships_of(user)))
        setattr(user, _SCOPE, cached)
    return cast(Scope, cached)


def scope_of_token(token: ApiToken) -> Scope:
    """The scope of an API token: its service user's memberships at the token's organisation
    (a council's token acts as a broker, a provider's as the provider)."""
    memberships = tuple(
        m for m in memberships_of(token.user) if m.organisation_id == token.organisation_id
    )
    return Scope(user=token.user, memberships=memberships, token=token)


def scope_of(request: HttpRequest) -> Scope:
    """The scope of a request: its API token's when the API authenticated one, else its
    user's."""
    token = getattr(request, "auth", None)
    if isinstance(token, ApiToken):
        return scope_of_token(token)
    return scope_of_user(getattr(request, "user", None))


def as_scope(who: Any) -> Scope:
    """A scope from a scope, a request, an API token or a user: the helpers below take any
    of them."""
    if isinstance(who, Scope):
        return who
    if isinstance(who, HttpRequest):
        return scope_of(who)
    if isinstance(who, ApiToken):
        return scope_of_token(who)
    if who is None:
        return NOBODY
    return scope_of_user(who)


# --- roles (of a user, a request or a scope) ----------------------------------------------


def roles_of(who: Any) -> frozenset[str]:
    """Every role held, at any organisation."""
    return as_scope(who).roles


def has_role(who: Any, roles: Iterable[str]) -> bool:
    """True when at least one of ``roles`` is held."""
    return as_scope(who).has_role(roles)


def is_member(who: Any) -> bool:
    """True when belonging to any organisation in any role."""
    return as_scope(who).is_member


def councils_of(who: Any, roles: Iterable[str] = COUNCIL_ROLES) -> list[Organisation]:
    """The councils where one of ``roles`` is held, in name order."""
    return as_scope(who).councils(roles)


def organisations_of(who: Any) -> list[Organisation]:
    """Every organisation belonged to, each once, in name order."""
    return as_scope(who).organisations


def first_council(who: Any, roles: Iterable[str], refusal: str) -> Organisation:
    """The first (by name) council where one of ``roles`` is held, or PermissionDenied."""
    return as_scope(who).first_council(roles, refusal)


def council_for_commissioner(who: Any) -> Organisation:
    """The council a commissioner acts for (the first by name), or PermissionDenied."""
    return first_council(who, COMMISSIONERS, "Only a council's commissioners may do this.")


def finance_councils_of(who: Any) -> list[Organisation]:
    """The councils where the user is a finance officer (who runs and decides), by name."""
    return councils_of(who, FINANCE)


def is_council_organisation(organisation: Organisation | None) -> bool:
    return organisation is not None and organisation.kind == Organisation.Kind.COUNCIL


def is_provider_organisation(organisation: Organisation | None) -> bool:
    return organisation is not None and organisation.kind == Organisation.Kind.PROVIDER


# --- view decorators ----------------------------------------------------------------------


def _refuse(request: HttpRequest) -> HttpResponse:
    """Anonymous users go to sign in; signed-in users without the role get a 403."""
    if not request.user.is_authenticated:
        if request.path != "/":  # the home page needs no explanation
            messages.info(request, "Sign in to see that page.")
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied("Your account does not give you access to this page.")


def require_role(*roles: str) -> Callable[[View], View]:
    """Decorate a view so that only users holding one of ``roles`` may open it."""
    unknown = set(roles) - ALL_ROLES - ADMIN_ROLES
    if not roles or unknown:
        raise ValueError(f"unknown roles: {sorted(unknown) or 'none given'}")

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, roles):
                return _refuse(request)
            return view(request, *args, **kwargs)

        wrapped.access_rule = f"roles: {', '.join(sorted(roles))}"  # type: ignore[attr-defined]
        return cast(View, wrapped)

    return decorate


def public(reason: str) -> Callable[[View], View]:
    """Mark a view that anyone may open (signing in, the single sign-on return), with why.

    Every view carries an ``access_rule``; the resolver test fails on any view without one.
    """
    if not reason.strip():
        raise ValueError("a public view needs a reason")

    def decorate(view: View) -> View:
        view.access_rule = f"public: {reason}"  # type: ignore[attr-defined]
        return view

    return decorate


def require_council_role(*roles: str) -> Callable[[View], View]:
    """Like :func:`require_role`, limited to council roles (commissioner, broker, finance)."""
    if not set(roles) <= COUNCIL_ROLES:
        raise ValueError(f"not council roles: {sorted(set(roles) - COUNCIL_ROLES)}")
    return require_role(*roles)


require_member = require_role(*ALL_ROLES)
"""Decorate a view that every member (council staff and providers) may open."""
