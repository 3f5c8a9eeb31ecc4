"""Who may see what in insight: the dashboard, the performance report, complaints and market
simulations.

Each rule takes a :class:`~homecare.accounts.access.Scope`. A page acts for the first council
(by name) where the scope holds the rule's roles; anyone without them is refused (403), and
another council's complaint or simulation run is not found (404).

- A council's commissioners and brokers see its dashboard (providers, finance officers and
  outsiders do not: the figures name every provider's refusals).
- Its commissioners and finance officers read its performance report (what goes to
  committee); only its commissioners log and decide complaints and run simulations.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from homecare.accounts.access import COMMISSIONERS, DASHBOARD_ROLES, REPORT_ROLES, Scope
from homecare.accounts.models import Organisation
from homecare.insight.models import Complaint, SimulationRun


def dashboard_council_for(scope: Scope) -> Organisation:
    return scope.first_council(
        DASHBOARD_ROLES, "Only a council's commissioners and brokers see its dashboard."
    )


def report_council_for(scope: Scope) -> Organisation:
    return scope.first_council(
        REPORT_ROLES, "Only a council's commissioners and finance officers see this."
    )


def complaints_for(scope: Scope) -> QuerySet[Complaint]:
    """The complaints of the councils where the scope is a commissioner."""
    return Complaint.objects.filter(council__in=scope.councils(COMMISSIONERS)).select_related(
        "provider", "person", "council"
    )


def complaint_for(scope: Scope, pk: int) -> Complaint:
    return get_object_or_404(complaints_for(scope), pk=pk)


def simulation_council_for(scope: Scope) -> Organisation:
    return scope.first_council(
        COMMISSIONERS, "Only a council's commissioners run market simulations."
    )


def simulation_runs_for(scope: Scope) -> QuerySet[SimulationRun]:
    """The simulation runs of the councils where the scope is a commissioner."""
    return SimulationRun.objects.filter(council__in=scope.councils(COMMISSIONERS)).select_related(
        "council", "created_by"
    )


def simulation_run_for(scope: Scope, pk: int) -> SimulationRun:
    return get_object_or_404(simulation_runs_for(scope), pk=pk)
