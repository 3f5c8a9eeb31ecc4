"""Who may see what in commissioning: zones, rate cards, tenders, travel runs and the market.

Each rule takes a :class:`~homecare.accounts.access.Scope` (a user's or an API token's) and is
written once for pages and the API. ``*_for(scope)`` returns a scoped query set; the singular
form returns one object of it or raises Http404, whether the object is missing or another
council's (so nobody can learn that it exists).

- Zones and areas are a council's own: its officers see them, and so do the providers that
  serve it (a standing, an appointment or a placement); nobody else.
- Every member sees every rate card (councils publish their rates).
- Only a council's commissioners change its rate cards and see its tender evaluations and
  travel calibrations.
- A council's commissioners and brokers see its frameworks and the applications to them, and
  the providers that serve or applied to it (appointed on, applied to, offered or placed
  through its frameworks), never a provider that has nothing to do with it; only
  commissioners change them (the views ask with ``COMMISSIONERS``).
- A provider's users see the frameworks open to new providers and their own applications.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from homecare.accounts.access import COMMISSIONERS, MARKET_ROLES, Scope
from homecare.accounts.models import Organisation
from homecare.commissioning.market_models import ProviderStanding
from homecare.commissioning.models import (
    Framework,
    FrameworkApplication,
    Provider,
    RateCard,
    TenderEvaluation,
    TravelCalibration,
    Zone,
)

# --- a council's own zones, seen by its officers and the providers serving it --------------


def councils_of_providers(scope: Scope) -> QuerySet[Organisation]:
    """The councils the scope's providers serve: those that gave one a standing, appointed
    one on a framework, or placed a package with one."""
    providers = providers_of(scope)
    return Organisation.objects.filter(
        Q(pk__in=ProviderStanding.objects.filter(provider__in=providers).values("council"))
        | Q(pk__in=Framework.objects.filter(appointments__provider__in=providers).values("council"))
        | Q(
            pk__in=Framework.objects.filter(requests__placement__provider__in=providers).values(
                "council"
            )
        )
    )


def zones_for(scope: Scope) -> QuerySet[Zone]:
    """The zones of the scope's councils (any council role) and of the councils its providers
    serve; nothing for anyone else. Zones are a council's own: another council's are never
    listed nor found."""
    councils = Q(council__in=scope.councils())
    if scope.provider_organisations:
        councils |= Q(council__in=councils_of_providers(scope))
    return Zone.objects.filter(councils) if scope.is_member else Zone.objects.none()


def zone_for(scope: Scope, code: str) -> Zone:
    """The scope's zone with ``code`` (where two of its councils share a code, the first
    council's by id); Http404 when it has none."""
    zone = zones_for(scope).filter(code=code).order_by("council_id").first()
    if zone is None:
        raise Http404("No such zone")
    return zone


# --- published to every member ------------------------------------------------------------


def rate_cards_for(scope: Scope) -> QuerySet[RateCard]:
    """Every rate card, for any member (rates are published); nothing for anyone else."""
    cards = RateCard.objects.select_related("council")
    return cards if scope.is_member else cards.none()


def rate_card_for(scope: Scope, pk: int) -> RateCard:
    return get_object_or_404(rate_cards_for(scope), pk=pk)


# --- a council's commissioners ------------------------------------------------------------


def rate_cards_to_change_for(scope: Scope) -> QuerySet[RateCard]:
    """The rate cards of the councils where the scope is a commissioner (everyone else may
    only read cards)."""
    return RateCard.objects.filter(council__in=scope.councils(COMMISSIONERS)).select_related(
        "council"
    )


def rate_card_to_change_for(scope: Scope, pk: int) -> RateCard:
    return get_object_or_404(rate_cards_to_change_for(scope), pk=pk)


def tender_evaluations_for(scope: Scope) -> QuerySet[TenderEvaluation]:
    return TenderEvaluation.objects.filter(
        council__in=scope.councils(COMMISSIONERS)
    ).select_related("council", "created_by")


def tender_evaluation_for(scope: Scope, pk: int) -> TenderEvaluation:
    return get_object_or_404(tender_evaluations_for(scope), pk=pk)


def travel_calibrations_for(scope: Scope) -> QuerySet[TravelCalibration]:
    return TravelCalibration.objects.filter(
        council__in=scope.councils(COMMISSIONERS)
    ).select_related("council", "created_by")


def travel_calibration_for(scope: Scope, pk: int) -> TravelCalibration:
    return get_object_or_404(travel_calibrations_for(scope), pk=pk)


# --- the market ---------------------------------------------------------------------------


def frameworks_for(scope: Scope, roles: Iterable[str] = MARKET_ROLES) -> QuerySet[Framework]:
    """The frameworks of the councils where the scope holds one of ``roles``."""
    return Framework.objects.filter(council__in=scope.councils(roles)).select_related("council")


def framework_for(scope: Scope, pk: int, roles: Iterable[str] = MARKET_ROLES) -> Framework:
    return get_object_or_404(frameworks_for(scope, roles), pk=pk)


def serving(councils: Iterable[Organisation]) -> Q:
    """Providers that serve or applied to one of ``councils``: given a standing by one,
    appointed on, applied to, offered or placed through one of their frameworks."""
    councils = list(councils)
    return (
        Q(standings__council__in=councils)
        | Q(appointments__framework__council__in=councils)
        | Q(applications__framework__council__in=councils)
        | Q(offers__request__framework__council__in=councils)
        | Q(placements__request__framework__council__in=councils)
    )


def market_providers_for(scope: Scope, roles: Iterable[str] = MARKET_ROLES) -> QuerySet[Provider]:
    """The providers that serve or applied to the councils where the scope holds one of
    ``roles`` (a provider may serve several councils; one that serves none of the scope's is
    not found)."""
    councils = scope.councils(roles)
    ids = Provider.objects.filter(serving(councils)).values("pk") if councils else []
    return Provider.objects.filter(pk__in=ids).select_related("organisation")


def market_provider_for(scope: Scope, pk: int, roles: Iterable[str] = MARKET_ROLES) -> Provider:
    return get_object_or_404(market_providers_for(scope, roles), pk=pk)


def council_served_by(
    scope: Scope, provider: Provider, roles: Iterable[str] = COMMISSIONERS
) -> Organisation:
    """The council (the first by name) where the scope holds one of ``roles`` and which
    ``provider`` serves: the council whose standing of the provider a page changes. Http404
    when there is none."""
    for council in scope.councils(roles):
        if Provider.objects.filter(serving([council]), pk=provider.pk).exists():
            return council
    raise Http404("No such provider")


def placeable_providers_for(scope: Scope, council: Organisation) -> QuerySet[Provider]:
    """The active providers a broker of ``council`` may place a package with by hand: those
    with a live appointment (any tier, spot included) on one of the council's frameworks and
    not suspended or exited by the council. Nothing when the scope is not a broker or
    commissioner there."""
    if council not in scope.councils(MARKET_ROLES):
        return Provider.objects.none()
    appointed = Provider.objects.filter(
        appointments__framework__council=council, appointments__active=True
    ).values("pk")
    standings = ProviderStanding.objects.filter(council=council)
    stopped = standings.exclude(status=Provider.Status.ACTIVE).values("provider")
    # A provider the council has no standing for yet stands as the provider's default.
    standing_or_default = Q(pk__in=standings.values("provider")) | Q(status=Provider.Status.ACTIVE)
    return (
        Provider.objects.filter(standing_or_default, pk__in=appointed)
        .exclude(pk__in=stopped)
        .order_by("name")
    )


def applications_for(
    scope: Scope, roles: Iterable[str] = MARKET_ROLES
) -> QuerySet[FrameworkApplication]:
    """The applications to the frameworks of the scope's councils."""
    return FrameworkApplication.objects.filter(
        framework__council__in=scope.councils(roles)
    ).select_related("framework", "provider", "decided_by")


def application_for(
    scope: Scope, pk: int, roles: Iterable[str] = MARKET_ROLES
) -> FrameworkApplication:
    return get_object_or_404(applications_for(scope, roles), pk=pk)


# --- a provider's own ---------------------------------------------------------------------


def providers_of(scope: Scope) -> QuerySet[Provider]:
    """The market providers whose organisations the scope acts for as a provider."""
    return Provider.objects.filter(organisation__in=scope.provider_organisations).order_by("name")


def provider_of(scope: Scope) -> Provider | None:
    """The (first) provider the scope acts for; None for councils and outsiders."""
    return providers_of(scope).first()


def open_frameworks_for(scope: Scope) -> QuerySet[Framework]:
    """The frameworks open to new providers (a dynamic purchasing system is public to the
    market), for a provider's users; nothing for anyone else."""
    frameworks = Framework.objects.filter(open_to_new_providers=True).select_related("council")
    return frameworks if scope.provider_organisations else frameworks.none()


def open_framework_for(scope: Scope, pk: int) -> Framework:
    return get_object_or_404(open_frameworks_for(scope), pk=pk)


def own_applications_for(scope: Scope) -> QuerySet[FrameworkApplication]:
    """The applications made by the scope's own providers (never another provider's)."""
    return FrameworkApplication.objects.filter(
        provider__organisation__in=scope.provider_organisations
    ).select_related("framework", "provider")
