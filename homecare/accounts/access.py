"""The one place that decides who may see what.

Every view asks here: the decorators decide whether a user may open a page at all, and the
``*_for(user, ...)`` functions return an object the user may see or raise ``Http404`` (so a
user cannot even learn that someone else's object exists).

The rules, in words (for users; the API asks the same of the organisation its token acts for):

- Anonymous users are sent to sign in.
- A signed-in user with no membership (the "outsider") is refused every page (403).
- Everyone with a membership sees the zones, the cost-of-care calculator and the rate cards:
  councils publish their zones and rates to the providers they pay.
- Only a council's commissioners run and see that council's tender evaluations, and only
  they uplift that council's rate cards or make new ones from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from homecare.accounts.models import Membership, Organisation

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from homecare.brokerage.models import BrokerageRequest, Offer, Placement
    from homecare.commissioning.models import (
        Framework,
        Provider,
        RateCard,
        TenderEvaluation,
        Zone,
    )

Role = Membership.Role
COUNCIL_ROLES = frozenset({Role.COMMISSIONER, Role.BROKER, Role.FINANCE})
PROVIDER_ROLES = frozenset({Role.PROVIDER})
ALL_ROLES = COUNCIL_ROLES | PROVIDER_ROLES

View = TypeVar("View", bound=Callable[..., HttpResponse])

_CACHE_ATTRIBUTE = "_homecare_memberships"


def memberships_of(user: Any) -> list[Membership]:
    """The user's memberships (none for anonymous users), cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organisation"))
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cast(list[Membership], cached)


def roles_of(user: Any) -> frozenset[str]:
    """Every role the user holds, at any organisation."""
    return frozenset(membership.role for membership in memberships_of(user))


def has_role(user: Any, roles: Iterable[str]) -> bool:
    """True when the user holds at least one of ``roles``."""
    return bool(roles_of(user) & set(roles))


def is_member(user: Any) -> bool:
    """True when the user belongs to any organisation in any role."""
    return has_role(user, ALL_ROLES)


def councils_of(user: Any, roles: Iterable[str] = COUNCIL_ROLES) -> list[Organisation]:
    """The councils where the user holds one of ``roles``."""
    wanted = set(roles)
    seen: dict[int, Organisation] = {}
    for membership in memberships_of(user):
        organisation = membership.organisation
        if membership.role in wanted and organisation.kind == Organisation.Kind.COUNCIL:
            seen.setdefault(organisation.pk, organisation)
    return list(seen.values())


def organisations_of(user: Any) -> list[Organisation]:
    """Every organisation the user belongs to, each once, in name order."""
    seen = {m.organisation.pk: m.organisation for m in memberships_of(user)}
    return sorted(seen.values(), key=lambda organisation: organisation.name)


def _refuse(request: HttpRequest) -> HttpResponse:
    """Anonymous users go to sign in; signed-in users without the role get a 403."""
    if not request.user.is_authenticated:
        if request.path != "/":  # the home page needs no explanation
            messages.info(request, "Sign in to see that page.")
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied("Your account does not give you access to this page.")


def require_role(*roles: str) -> Callable[[View], View]:
    """Decorate a view so that only users holding one of ``roles`` may open it."""
    unknown = set(roles) - ALL_ROLES
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


# --- objects ------------------------------------------------------------------------------


def zone_for(user: Any, code: str) -> Zone:
    """The zone with ``code``; every member may see every zone."""
    from homecare.commissioning.models import Zone

    if not is_member(user):
        raise Http404("No such zone")
    try:
        return Zone.objects.get(code=code)
    except Zone.DoesNotExist:
        raise Http404("No such zone") from None


def rate_cards_for(user: Any) -> QuerySet[RateCard]:
    """The rate cards the user may see: all of them for members (rates are published)."""
    from homecare.commissioning.models import RateCard

    cards = RateCard.objects.select_related("council")
    return cards if is_member(user) else cards.none()


def rate_card_for(user: Any, pk: int) -> RateCard:
    """One rate card the user may see, or Http404."""
    cards = rate_cards_for(user)
    try:
        return cards.get(pk=pk)
    except cards.model.DoesNotExist:
        raise Http404("No such rate card") from None


def rate_cards_to_change_for(user: Any) -> QuerySet[RateCard]:
    """The rate cards the user may uplift or make new cards from: those of the councils
    where the user is a commissioner (everyone else may only read cards)."""
    from homecare.commissioning.models import RateCard

    councils = councils_of(user, {Role.COMMISSIONER})
    return RateCard.objects.filter(council__in=councils).select_related("council")


def rate_card_to_change_for(user: Any, pk: int) -> RateCard:
    """One rate card of a council where the user is a commissioner, or Http404 (another
    council's card, or any card for a broker or provider, is not found to change)."""
    cards = rate_cards_to_change_for(user)
    try:
        return cards.get(pk=pk)
    except cards.model.DoesNotExist:
        raise Http404("No such rate card") from None


def tender_evaluations_for(user: Any) -> QuerySet[TenderEvaluation]:
    """The tender evaluations of the councils where the user is a commissioner."""
    from homecare.commissioning.models import TenderEvaluation

    councils = councils_of(user, {Role.COMMISSIONER})
    return TenderEvaluation.objects.filter(council__in=councils).select_related(
        "council", "created_by"
    )


def tender_evaluation_for(user: Any, pk: int) -> TenderEvaluation:
    """One tender evaluation of the user's council, or Http404 (never another council's)."""
    evaluations = tender_evaluations_for(user)
    try:
        return evaluations.get(pk=pk)
    except evaluations.model.DoesNotExist:
        raise Http404("No such tender evaluation") from None


def first_council(user: Any, roles: Iterable[str], refusal: str) -> Organisation:
    """The first (by name) of the councils where the user holds one of ``roles``: the
    council a page acts for; PermissionDenied with ``refusal`` when there is none."""
    councils = sorted(councils_of(user, roles), key=lambda council: council.name)
    if not councils:
        raise PermissionDenied(refusal)
    return councils[0]


def council_for_commissioner(user: Any) -> Organisation:
    """The council a commissioner acts for (the first by name), or PermissionDenied."""
    return first_council(user, {Role.COMMISSIONER}, "Only a council's commissioners may do this.")


# --- organisations (API callers) ----------------------------------------------------------
# An API token acts for an organisation, not a user: the same rules, asked of the organisation.


def zones_for_organisation(organisation: Organisation | None) -> QuerySet[Zone]:
    """The zones an organisation's systems may read: all of them, for any organisation."""
    from homecare.commissioning.models import Zone

    zones = Zone.objects.all()
    return zones if organisation is not None else zones.none()


def rate_cards_for_organisation(organisation: Organisation | None) -> QuerySet[RateCard]:
    """The rate cards an organisation's systems may read: all (rates are published)."""
    from homecare.commissioning.models import RateCard

    cards = RateCard.objects.select_related("council")
    return cards if organisation is not None else cards.none()


# --- brokerage through the API (tokens of councils and providers) -------------------------
# A council's systems see the requests made through its own frameworks; a provider's systems
# see only their own offers and the packages placed with them, never another provider's.


def is_council_organisation(organisation: Organisation | None) -> bool:
    return organisation is not None and organisation.kind == Organisation.Kind.COUNCIL


def is_provider_organisation(organisation: Organisation | None) -> bool:
    return organisation is not None and organisation.kind == Organisation.Kind.PROVIDER


def provider_for_organisation(organisation: Organisation | None) -> Provider | None:
    """The market's provider row of a provider organisation (None when it has none)."""
    from homecare.commissioning.models import Provider

    if not is_provider_organisation(organisation):
        return None
    return Provider.objects.filter(organisation=organisation).first()


def frameworks_for_organisation(organisation: Organisation | None) -> QuerySet[Framework]:
    """A council's own frameworks; nothing for anyone else."""
    from homecare.commissioning.models import Framework

    frameworks = Framework.objects.all()
    if not is_council_organisation(organisation):
        return frameworks.none()
    return frameworks.filter(council=organisation)


def requests_for_organisation(organisation: Organisation | None) -> QuerySet[BrokerageRequest]:
    """The brokerage requests of a council's frameworks; nothing for providers or others."""
    from homecare.brokerage.models import BrokerageRequest

    requests = BrokerageRequest.objects.select_related(
        "package__person__area__zone", "package__person__area__band", "placed_provider"
    )
    if not is_council_organisation(organisation):
        return requests.none()
    return requests.filter(framework__council=organisation)


def request_for_organisation(organisation: Organisation | None, pk: int) -> BrokerageRequest:
    """One request of the council's, or Http404 (never another council's)."""
    requests = requests_for_organisation(organisation)
    try:
        return requests.get(pk=pk)
    except requests.model.DoesNotExist:
        raise Http404("No such request") from None


def offers_for_organisation(organisation: Organisation | None) -> QuerySet[Offer]:
    """Every offer made to the provider the organisation is; nothing for anyone else."""
    from homecare.brokerage.models import Offer

    offers = Offer.objects.select_related(
        "request__package__person__area__zone", "request__package__person__area__band"
    )
    if not is_provider_organisation(organisation):
        return offers.none()
    return offers.filter(provider__organisation=organisation)


def offer_for_organisation(organisation: Organisation | None, pk: int) -> Offer:
    """One of the provider's own offers, or Http404: another provider's offer is not found,
    so a provider cannot learn that it exists."""
    offers = offers_for_organisation(organisation)
    try:
        return offers.get(pk=pk)
    except offers.model.DoesNotExist:
        raise Http404("No such offer") from None


def placements_for_organisation(organisation: Organisation | None) -> QuerySet[Placement]:
    """The live placements (packages in its care) of the provider the organisation is."""
    from homecare.brokerage.models import Placement

    placements = Placement.objects.select_related(
        "package__person__area__zone", "package__person__area__band"
    )
    if not is_provider_organisation(organisation):
        return placements.none()
    return placements.filter(provider__organisation=organisation, ended_at__isnull=True)


# --- brokerage pages ----------------------------------------------------------------------
# Brokers and commissioners see their council's requests (through the framework's council);
# a provider's users see only the offers made to their provider and the packages placed with
# it; anyone else sees nothing. The person's reference is shown to a provider only once the
# package is placed with it (the templates follow the querysets below).

BROKERAGE_ROLES = frozenset({Role.BROKER, Role.COMMISSIONER})


def providers_of(user: Any) -> list[Any]:
    """The market providers whose organisation the user belongs to as a provider user."""
    from homecare.commissioning.models import Provider

    organisations = [m.organisation_id for m in memberships_of(user) if m.role == Role.PROVIDER]
    if not organisations:
        return []
    return list(Provider.objects.filter(organisation_id__in=organisations).order_by("name"))


def brokerage_requests_for(user: Any) -> QuerySet[Any]:
    """The requests of the councils where the user is a broker or commissioner."""
    from homecare.brokerage.models import BrokerageRequest

    councils = councils_of(user, BROKERAGE_ROLES)
    return BrokerageRequest.objects.filter(framework__council__in=councils).select_related(
        "package__person__area__zone", "package__person__area__band", "framework"
    )


def brokerage_request_for(user: Any, pk: int) -> Any:
    """One request of the user's council, or Http404 (never another council's)."""
    requests = brokerage_requests_for(user)
    try:
        return requests.get(pk=pk)
    except requests.model.DoesNotExist:
        raise Http404("No such request") from None


def offers_for(user: Any) -> QuerySet[Any]:
    """The offers made to the user's providers (none for anyone else)."""
    from homecare.brokerage.models import Offer

    return Offer.objects.filter(provider__in=providers_of(user)).select_related(
        "provider", "request__package__person__area__zone", "request__package__person__area__band"
    )


def offer_for(user: Any, pk: int) -> Any:
    """One offer made to the user's provider, or Http404 (never another provider's)."""
    offers = offers_for(user)
    try:
        return offers.get(pk=pk)
    except offers.model.DoesNotExist:
        raise Http404("No such offer") from None


def placements_for(user: Any, now: datetime | None = None) -> QuerySet[Any]:
    """The live placements with the user's providers: the only packages whose person a
    provider's user may see. A placement ending on a later day (a package ended from next
    week) is live until then."""
    from django.db.models import Q
    from django.utils import timezone

    from homecare.brokerage.models import Placement

    at = timezone.now() if now is None else now
    return Placement.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=at), provider__in=providers_of(user)
    ).select_related(
        "provider", "request", "package__person__area__zone", "package__person__area__band"
    )


# --- insight (commissioner dashboard) -----------------------------------------------------
# A council's commissioners and brokers see their own council's market figures; providers,
# finance officers and outsiders do not (the figures name every provider's refusals).

DASHBOARD_ROLES = frozenset({Role.COMMISSIONER, Role.BROKER})


def dashboard_council_for(user: Any) -> Organisation:
    """The council whose dashboard the user sees (the first by name), or PermissionDenied."""
    return first_council(
        user, DASHBOARD_ROLES, "Only a council's commissioners and brokers see its dashboard."
    )


# --- the market (frameworks, providers, applications) -------------------------------------
# A council's commissioners and brokers see its frameworks, their appointments and
# applications, and the providers on the market (a provider is not any one council's: it may
# serve several); only commissioners change them (the views ask with ``roles``). A provider's
# users see the frameworks open to new providers and their own applications, nothing else.

MARKET_ROLES = frozenset({Role.COMMISSIONER, Role.BROKER})


def market_frameworks_for(user: Any, roles: Iterable[str] = MARKET_ROLES) -> QuerySet[Framework]:
    """The frameworks of the councils where the user holds one of ``roles``."""
    from homecare.commissioning.models import Framework

    return Framework.objects.filter(council__in=councils_of(user, roles)).select_related("council")


def market_framework_for(user: Any, pk: int, roles: Iterable[str] = MARKET_ROLES) -> Framework:
    """One framework of the user's council, or Http404 (never another council's)."""
    frameworks = market_frameworks_for(user, roles)
    try:
        return frameworks.get(pk=pk)
    except frameworks.model.DoesNotExist:
        raise Http404("No such framework") from None


def market_providers_for(user: Any, roles: Iterable[str] = MARKET_ROLES) -> QuerySet[Provider]:
    """Every provider on the market for council staff holding one of ``roles``; else none."""
    from homecare.commissioning.models import Provider

    providers = Provider.objects.select_related("organisation")
    return providers if councils_of(user, roles) else providers.none()


def market_provider_for(user: Any, pk: int, roles: Iterable[str] = MARKET_ROLES) -> Provider:
    """One provider, for council staff holding one of ``roles``, or Http404."""
    providers = market_providers_for(user, roles)
    try:
        return providers.get(pk=pk)
    except providers.model.DoesNotExist:
        raise Http404("No such provider") from None


def framework_applications_for(user: Any, roles: Iterable[str] = MARKET_ROLES) -> QuerySet[Any]:
    """The applications to the frameworks of the user's councils."""
    from homecare.commissioning.models import FrameworkApplication

    return FrameworkApplication.objects.filter(
        framework__council__in=councils_of(user, roles)
    ).select_related("framework", "provider", "decided_by")


def framework_application_for(user: Any, pk: int, roles: Iterable[str] = MARKET_ROLES) -> Any:
    """One application to a framework of the user's council, or Http404."""
    applications = framework_applications_for(user, roles)
    try:
        return applications.get(pk=pk)
    except applications.model.DoesNotExist:
        raise Http404("No such application") from None


def open_frameworks_for(user: Any) -> QuerySet[Framework]:
    """The frameworks open to new providers (a dynamic purchasing system is public to the
    market), for a provider's users; nothing for anyone else."""
    from homecare.commissioning.models import Framework

    frameworks = Framework.objects.filter(open_to_new_providers=True).select_related("council")
    return frameworks if providers_of(user) else frameworks.none()


def open_framework_for(user: Any, pk: int) -> Framework:
    """One open framework a provider's user may apply to, or Http404."""
    frameworks = open_frameworks_for(user)
    try:
        return frameworks.get(pk=pk)
    except frameworks.model.DoesNotExist:
        raise Http404("No such framework") from None


def own_applications_for(user: Any) -> QuerySet[Any]:
    """The applications made by the user's own providers (never another provider's)."""
    from homecare.commissioning.models import FrameworkApplication

    return FrameworkApplication.objects.filter(provider__in=providers_of(user)).select_related(
        "framework", "provider"
    )


# --- delivery: call-monitoring uploads and logs, reconciliation runs, invoices -------------
# A provider's users see only their own provider's uploads, logs, runs and invoices. A
# council's finance officers and commissioners see every run of their council, and the
# uploads and logs of providers with packages placed through their council's frameworks;
# only finance officers run reconciliations, decide exceptions and approve invoices.
# Anyone else sees nothing. API tokens: a provider's own runs only.

DELIVERY_ROLES = frozenset({Role.FINANCE, Role.COMMISSIONER})


def _delivery_councils(user: Any) -> list[Organisation]:
    return councils_of(user, DELIVERY_ROLES)


def _provider_scope(user: Any, councils_field: str, provider_field: str) -> Any:
    """A Q object: rows of the user's providers, or of the user's councils; else nothing."""
    from django.db.models import Q

    providers = providers_of(user)
    councils = _delivery_councils(user)
    query = Q(pk__in=[])
    if providers:
        query |= Q(**{f"{provider_field}__in": providers})
    if councils:
        query |= Q(**{f"{councils_field}__in": councils})
    return query


def log_uploads_for(user: Any) -> QuerySet[Any]:
    """The uploads of the user's providers, or of the providers placed with its council."""
    from homecare.delivery.models import LogUpload

    scope = _provider_scope(user, "provider__placements__request__framework__council", "provider")
    ids = LogUpload.objects.filter(scope).values("pk")
    return LogUpload.objects.filter(pk__in=ids).select_related("provider", "uploaded_by")


def log_upload_for(user: Any, pk: int) -> Any:
    """One upload the user may see, or Http404."""
    uploads = log_uploads_for(user)
    try:
        return uploads.get(pk=pk)
    except uploads.model.DoesNotExist:
        raise Http404("No such upload") from None


def visit_logs_for(user: Any) -> QuerySet[Any]:
    """Visit logs of the user's providers, or of people placed through the user's council."""
    from homecare.delivery.models import VisitLog

    scope = _provider_scope(user, "person__packages__requests__framework__council", "provider")
    ids = VisitLog.objects.filter(scope).values("pk")
    return VisitLog.objects.filter(pk__in=ids).select_related("person", "provider", "upload")


def reconciliation_runs_for(user: Any) -> QuerySet[Any]:
    """Runs of the user's providers, or of the user's councils (finance, commissioners)."""
    from homecare.delivery.models import ReconciliationRun

    return ReconciliationRun.objects.filter(
        _provider_scope(user, "council", "provider")
    ).select_related("provider", "council", "invoice", "ran_by")


def reconciliation_run_for(user: Any, pk: int) -> Any:
    """One run the user may see, or Http404 (never another provider's or council's)."""
    runs = reconciliation_runs_for(user)
    try:
        return runs.get(pk=pk)
    except runs.model.DoesNotExist:
        raise Http404("No such reconciliation run") from None


def finance_councils_of(user: Any) -> list[Organisation]:
    """The councils where the user is a finance officer (who runs and decides)."""
    return sorted(councils_of(user, {Role.FINANCE}), key=lambda council: council.name)


def run_to_manage_for(user: Any, pk: int) -> Any:
    """A run of a council where the user is a finance officer, or Http404."""
    from homecare.delivery.models import ReconciliationRun

    runs = ReconciliationRun.objects.filter(council__in=finance_councils_of(user))
    try:
        return runs.select_related("provider", "council").get(pk=pk)
    except ReconciliationRun.DoesNotExist:
        raise Http404("No such reconciliation run") from None


def runs_for_organisation(organisation: Organisation | None) -> QuerySet[Any]:
    """A provider organisation's own runs; nothing for anyone else."""
    from homecare.delivery.models import ReconciliationRun

    runs = ReconciliationRun.objects.select_related("provider", "council", "invoice")
    if not is_provider_organisation(organisation):
        return runs.none()
    return runs.filter(provider__organisation=organisation)


# Provider performance (the monthly league table): a council's commissioners and finance
# officers see every provider placed through their council; a provider's users see only
# their own provider's row and trends (never another provider's, nor its rank among them),
# at the first council by name that placed packages with it (404 when none has); brokers
# and anyone else are refused (403).

PERFORMANCE_ROLES = frozenset({Role.COMMISSIONER, Role.FINANCE})


def performance_scope_for(user: Any) -> tuple[Organisation, list[Provider] | None]:
    """The council whose provider performance the user sees, and the providers whose rows
    they may see (None: every provider of that council). PermissionDenied for anyone else."""
    from homecare.brokerage.models import Placement

    councils = sorted(councils_of(user, PERFORMANCE_ROLES), key=lambda council: council.name)
    if councils:
        return councils[0], None
    providers = providers_of(user)
    if not providers:
        raise PermissionDenied("Only commissioners, finance officers and providers may see this.")
    council_ids = Placement.objects.filter(provider__in=providers).values(
        "request__framework__council"
    )
    council = (
        Organisation.objects.filter(pk__in=council_ids, kind=Organisation.Kind.COUNCIL)
        .order_by("name")
        .first()
    )
    if council is None:
        raise Http404("No council has placed packages with your provider yet")
    return council, providers


# --- insight: the performance report and complaints ---------------------------------------
# A council's commissioners and finance officers read its performance report (hours, rates,
# complaints: what goes to committee); only its commissioners log and decide complaints.
# Brokers, providers and outsiders are refused (403); another council's complaint is 404.

REPORT_ROLES = frozenset({Role.COMMISSIONER, Role.FINANCE})


def report_council_for(user: Any) -> Organisation:
    """The council whose performance report the user reads (the first by name), or 403."""
    return first_council(
        user, REPORT_ROLES, "Only a council's commissioners and finance officers see this."
    )


def complaint_for(user: Any, pk: int) -> Any:
    """One complaint of a council where the user is a commissioner, or Http404."""
    from homecare.insight.models import Complaint

    complaints = Complaint.objects.filter(council__in=councils_of(user, {Role.COMMISSIONER}))
    try:
        return complaints.select_related("provider", "person", "council").get(pk=pk)
    except Complaint.DoesNotExist:
        raise Http404("No such complaint") from None


# Simulations of delivery models on the live market: a council's commissioners only (they
# choose the model); everyone else is refused (403) and another council's run is 404.


def simulation_council_for(user: Any) -> Organisation:
    """The council whose simulations the user runs (the first by name), or 403."""
    return first_council(
        user, {Role.COMMISSIONER}, "Only a council's commissioners run market simulations."
    )


def simulation_run_for(user: Any, pk: int) -> Any:
    """One simulation run of a council where the user is a commissioner, or Http404."""
    from homecare.insight.models import SimulationRun

    runs = SimulationRun.objects.filter(council__in=councils_of(user, {Role.COMMISSIONER}))
    try:
        return runs.select_related("council", "created_by").get(pk=pk)
    except SimulationRun.DoesNotExist:
        raise Http404("No such simulation run") from None


# --- a person's package after placement (brokerage) ---------------------------------------
# A council's brokers and commissioners see the packages requested through its frameworks;
# a provider's users see the packages ever placed with their provider (and, on them, only
# their own placements, visits and payments); anyone else sees nothing. Only the provider the
# package is placed with now proposes reviews and answers variations.


def packages_for(user: Any) -> QuerySet[Any]:
    """The packages the user may see (the council's, or those placed with the provider)."""
    from django.db.models import Q

    from homecare.brokerage.models import Package

    councils = councils_of(user, BROKERAGE_ROLES)
    providers = providers_of(user)
    scope = Q(pk__in=[])
    if councils:
        scope |= Q(requests__framework__council__in=councils)
    if providers:
        scope |= Q(placements__provider__in=providers)
    ids = Package.objects.filter(scope).values("pk")
    return Package.objects.filter(pk__in=ids).select_related(
        "person__area__zone", "person__area__band"
    )


def package_for(user: Any, pk: int) -> Any:
    """One package the user may see, or Http404."""
    packages = packages_for(user)
    try:
        return packages.get(pk=pk)
    except packages.model.DoesNotExist:
        raise Http404("No such package") from None


def schedule_change_for(user: Any, pk: int) -> Any:
    """One change (variation or review) of a package the user may see, or Http404."""
    from homecare.brokerage.models import ScheduleChange

    changes = ScheduleChange.objects.filter(package__in=packages_for(user).values("pk"))
    try:
        return changes.select_related("package__person", "provider").get(pk=pk)
    except ScheduleChange.DoesNotExist:
        raise Http404("No such change") from None


def packages_for_organisation(organisation: Organisation | None) -> QuerySet[Any]:
    """A council's packages (through its frameworks), or a provider's (ever placed with it)."""
    from homecare.brokerage.models import Package

    packages = Package.objects.select_related("person__area__zone", "person__area__band")
    if is_council_organisation(organisation):
        ids = Package.objects.filter(requests__framework__council=organisation).values("pk")
    elif is_provider_organisation(organisation):
        ids = Package.objects.filter(placements__provider__organisation=organisation).values("pk")
    else:
        return packages.none()
    return packages.filter(pk__in=ids)


def package_for_organisation(organisation: Organisation | None, pk: int) -> Any:
    """One package of the organisation's, or Http404."""
    packages = packages_for_organisation(organisation)
    try:
        return packages.get(pk=pk)
    except packages.model.DoesNotExist:
        raise Http404("No such package") from None


def schedule_change_for_organisation(organisation: Organisation | None, pk: int) -> Any:
    """One change of a package of the organisation's, or Http404."""
    from homecare.brokerage.models import ScheduleChange

    ids = packages_for_organisation(organisation).values("pk")
    try:
        return ScheduleChange.objects.filter(package__in=ids).get(pk=pk)
    except ScheduleChange.DoesNotExist:
        raise Http404("No such change") from None
