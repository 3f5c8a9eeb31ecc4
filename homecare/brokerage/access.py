"""Who may see what in brokerage: requests, offers, placements, packages and their changes.

Each rule takes a :class:`~homecare.accounts.access.Scope` (a user's or an API token's: a
council's token acts as a broker, a provider's as the provider) and serves pages and the API
alike. The singular forms return one object or raise Http404, whether it is missing or not
the scope's.

- A council's brokers and commissioners see the requests made through its frameworks, and
  their packages; never another council's.
- A provider's users see only the offers made to their provider, the packages ever placed
  with it and, among placements, only the live ones with it (the only packages whose person
  they may see).
- Anyone else sees nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from homecare.accounts.access import BROKERAGE_ROLES, Scope
from homecare.brokerage.models import (
    BrokerageRequest,
    Offer,
    Package,
    Placement,
    ScheduleChange,
)
from homecare.brokerage.package_pages import Viewer
from homecare.commissioning.models import Provider

WHERE = ("package__person__area__zone", "package__person__area__band")


def requests_for(scope: Scope) -> QuerySet[BrokerageRequest]:
    """The requests made through the frameworks of the scope's councils (brokers and
    commissioners)."""
    return BrokerageRequest.objects.filter(
        framework__council__in=scope.councils(BROKERAGE_ROLES)
    ).select_related(*WHERE, "framework", "placed_provider")


def request_for(scope: Scope, pk: int) -> BrokerageRequest:
    return get_object_or_404(requests_for(scope), pk=pk)


def offers_for(scope: Scope) -> QuerySet[Offer]:
    """The offers made to the scope's providers; nothing for anyone else."""
    return Offer.objects.filter(
        provider__organisation__in=scope.provider_organisations
    ).select_related("provider", *(f"request__{path}" for path in WHERE))


def offer_for(scope: Scope, pk: int) -> Offer:
    return get_object_or_404(offers_for(scope), pk=pk)


def live_placements_for(scope: Scope, now: datetime | None = None) -> QuerySet[Placement]:
    """The live placements with the scope's providers. A placement ending on a later day (a
    package ended from next week) is live until then."""
    at = timezone.now() if now is None else now
    return Placement.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=at),
        provider__organisation__in=scope.provider_organisations,
    ).select_related("provider", "request", *WHERE)


def packages_for(scope: Scope) -> QuerySet[Package]:
    """The council's packages (requested through its frameworks) for its brokers and
    commissioners; the packages ever placed with the scope's providers for their users."""
    councils = scope.councils(BROKERAGE_ROLES)
    providers = scope.provider_organisations
    wanted = Q(pk__in=[])
    if councils:
        wanted |= Q(requests__framework__council__in=councils)
    if providers:
        wanted |= Q(placements__provider__organisation__in=providers)
    ids = Package.objects.filter(wanted).values("pk")
    return Package.objects.filter(pk__in=ids).select_related(
        "person__area__zone", "person__area__band"
    )


def package_for(scope: Scope, pk: int) -> Package:
    return get_object_or_404(packages_for(scope), pk=pk)


def schedule_changes_for(scope: Scope) -> QuerySet[ScheduleChange]:
    """The changes (variations and reviews) of the packages the scope may see."""
    return ScheduleChange.objects.filter(
        package__in=packages_for(scope).values("pk")
    ).select_related("package__person", "provider")


def schedule_change_for(scope: Scope, pk: int) -> ScheduleChange:
    return get_object_or_404(schedule_changes_for(scope), pk=pk)


def viewer_for(scope: Scope) -> Viewer:
    """Who looks at a package: the councils whose packages the scope sees (as a broker or
    commissioner), or else the providers it acts for (who see only their own part)."""
    councils = tuple(scope.councils(BROKERAGE_ROLES))
    providers = tuple(Provider.objects.filter(organisation__in=scope.provider_organisations))
    return Viewer(councils=councils, providers=providers)
