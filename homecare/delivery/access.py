"""Who may see what in delivery: call-monitoring uploads and logs, reconciliation runs and
invoices, and the provider league table.

Each rule takes a :class:`~homecare.accounts.access.Scope` (a user's or an API token's) and
serves pages and the API alike; the singular forms raise Http404 for a missing object and for
one that is not the scope's alike.

- A provider's users (and its token) see only their own provider's uploads, logs and runs.
- A council's finance officers and commissioners see every run of their council, the logs of
  their council's people and the uploads that hold them;
  only its finance officers run reconciliations, decide exceptions and approve invoices.
- Anyone else sees nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from homecare.accounts.access import DELIVERY_ROLES, FINANCE, PERFORMANCE_ROLES, Scope
from homecare.accounts.models import Organisation
from homecare.brokerage.models import Placement
from homecare.commissioning.models import Provider
from homecare.delivery.models import LogUpload, ReconciliationRun, VisitLog


def _providers_or_councils(scope: Scope, councils_field: str, provider_field: str) -> Q:
    """Rows of the scope's providers, or of its councils (finance, commissioners); else none."""
    wanted = Q(pk__in=[])
    if scope.provider_organisations:
        wanted |= Q(**{f"{provider_field}__organisation__in": scope.provider_organisations})
    councils = scope.councils(DELIVERY_ROLES)
    if councils:
        wanted |= Q(**{f"{councils_field}__in": councils})
    return wanted


def uploads_for(scope: Scope) -> QuerySet[LogUpload]:
    """The uploads of the scope's providers, or those holding logs of its councils' people.

    A provider serving two councils sends each its own file: a council never sees a file that
    holds only another council's people (a refused file, holding none, is the provider's).
    """
    wanted = _providers_or_councils(scope, "logs__person__council", "provider")
    ids = LogUpload.objects.filter(wanted).values("pk")
    return LogUpload.objects.filter(pk__in=ids).select_related("provider", "uploaded_by")


def upload_for(scope: Scope, pk: int) -> LogUpload:
    return get_object_or_404(uploads_for(scope), pk=pk)


def visit_logs_for(scope: Scope) -> QuerySet[VisitLog]:
    """Logs of the scope's providers, or of the scope's councils' people."""
    wanted = _providers_or_councils(scope, "person__council", "provider")
    ids = VisitLog.objects.filter(wanted).values("pk")
    return VisitLog.objects.filter(pk__in=ids).select_related("person", "provider", "upload")


def runs_for(scope: Scope) -> QuerySet[ReconciliationRun]:
    """Runs of the scope's providers, or of its councils (finance officers, commissioners)."""
    return ReconciliationRun.objects.filter(
        _providers_or_councils(scope, "council", "provider")
    ).select_related("provider", "council", "invoice", "ran_by")


def run_for(scope: Scope, pk: int) -> ReconciliationRun:
    return get_object_or_404(runs_for(scope), pk=pk)


def runs_to_manage_for(scope: Scope) -> QuerySet[ReconciliationRun]:
    """The runs of the councils where the scope is a finance officer (who decides them)."""
    return ReconciliationRun.objects.filter(council__in=scope.councils(FINANCE)).select_related(
        "provider", "council"
    )


def run_to_manage_for(scope: Scope, pk: int) -> ReconciliationRun:
    return get_object_or_404(runs_to_manage_for(scope), pk=pk)


def placed_providers_for(scope: Scope) -> QuerySet[Provider]:
    """The providers with packages placed through the frameworks of the councils where the
    scope is a finance officer: those whose periods it may reconcile."""
    ids = Provider.objects.filter(
        placements__request__framework__council__in=scope.councils(FINANCE)
    ).values("pk")
    return Provider.objects.filter(pk__in=ids).order_by("name")


def performance_scope_for(scope: Scope) -> tuple[Organisation, list[Provider] | None]:
    """The council whose provider performance the scope sees, and the providers whose rows
    it may see (None: every provider of that council).

    A council's commissioners and finance officers see every provider placed through their
    council; a provider's users only their own provider's row, at the first council by name
    that placed packages with it (404 when none has); anyone else is refused (403).
    """
    councils = scope.councils(PERFORMANCE_ROLES)
    if councils:
        return councils[0], None
    providers = list(Provider.objects.filter(organisation__in=scope.provider_organisations))
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
