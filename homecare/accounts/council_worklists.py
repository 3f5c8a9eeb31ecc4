"""The home page's worklists of a council's finance officers and commissioners.

A finance officer sees the periods to reconcile, the exceptions to decide and the invoices
to approve; a commissioner the zones short of capacity this week and the providers below the
call-monitoring target last month. Built from :mod:`homecare.accounts.worklists`' pieces,
through the apps' access rules asked with the user's scope.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from homecare.accounts import access
from homecare.accounts.plain_words import plural
from homecare.accounts.worklists import (
    SHORT,
    Item,
    Role,
    RoleWork,
    Worklist,
    ended_periods,
    period_words,
)
from homecare.brokerage import access as brokerage_access
from homecare.delivery import access as delivery_access

# --- finance officers -----------------------------------------------------------------------


def finance_work(user: Any, now: datetime) -> RoleWork:
    from homecare.delivery.models import Invoice, ReconciliationRun, VisitException

    scope = access.scope_of_user(user)
    councils = scope.councils(access.FINANCE)
    runs = delivery_access.runs_for(scope).filter(council__in=councils)
    to_decide = (
        runs.filter(status=ReconciliationRun.Status.DRAFT)
        .annotate(
            pending=Count("exceptions", filter=Q(exceptions__status=VisitException.Status.PENDING))
        )
        .filter(pending__gt=0)
        .order_by("period_start", "provider__name")
    )
    invoices = runs.filter(invoice__status=Invoice.Status.DRAFT).order_by(
        "period_start", "provider__name"
    )
    unreconciled = _periods_to_reconcile(user, councils, timezone.localdate(now))
    runs_page = reverse("delivery:runs")
    return RoleWork(
        Role.FINANCE,
        "Finance",
        [
            Worklist(
                "reconcile",
                "Periods to reconcile",
                len(unreconciled),
                unreconciled[:SHORT],
                "Every ended period with visit logs has been reconciled.",
                runs_page,
                "Reconcile a period",
            ),
            Worklist(
                "exceptions",
                "Exceptions to decide",
                sum(run.pending for run in to_decide),
                [
                    Item(
                        text=(
                            f"{run.provider.name}, {period_words(run.period_start, run.period_end)}"
                        ),
                        href=reverse("delivery:run", args=[run.pk]),
                        detail=f"{plural(run.pending, 'exception')} to decide",
                    )
                    for run in to_decide[:SHORT]
                ],
                "No exceptions are waiting for a decision.",
                runs_page,
                "See the reconciliation runs",
                rows=len(to_decide),
            ),
            Worklist(
                "invoices",
                "Invoices to approve",
                invoices.count(),
                [
                    Item(
                        text=f"Invoice {run.invoice.number}: {run.provider.name}",
                        href=reverse("delivery:run", args=[run.pk]),
                        detail=(
                            f"{period_words(run.period_start, run.period_end)}, "
                            f"£{Decimal(run.invoice.total_pence) / 100:,.2f}"
                        ),
                    )
                    for run in invoices[:SHORT]
                ],
                "No invoices are waiting for approval.",
                runs_page,
                "See the reconciliation runs",
            ),
        ],
    )


def _periods_to_reconcile(user: Any, councils: list[Any], today: date) -> list[Item]:
    """Ended periods in which a provider placed through the officer's council sent visit
    logs, with no reconciliation run yet."""
    from homecare.commissioning.models import Provider

    scope = access.scope_of_user(user)
    runs = delivery_access.runs_for(scope)
    logs = delivery_access.visit_logs_for(scope)
    items = []
    for council in councils:
        providers = (
            Provider.objects.filter(placements__request__framework__council=council)
            .distinct()
            .order_by("name")
        )
        done = set(
            runs.filter(council=council).values_list("provider_id", "period_start").distinct()
        )
        for start, end in ended_periods(today):
            first = timezone.make_aware(datetime.combine(start, datetime.min.time()))
            after = timezone.make_aware(
                datetime.combine(end + timedelta(days=1), datetime.min.time())
            )
            sent = set(
                logs.filter(check_in__gte=first, check_in__lt=after)
                .values_list("provider_id", flat=True)
                .distinct()
            )
            for provider in providers:
                if provider.pk in sent and (provider.pk, start) not in done:
                    items.append(
                        Item(
                            text=f"{provider.name}, {period_words(start, end)}",
                            href=reverse("delivery:runs"),
                            detail="visit logs sent, not yet reconciled",
                        )
                    )
    return items


# --- commissioners --------------------------------------------------------------------------


def commissioner_work(user: Any, now: datetime) -> RoleWork:
    councils = sorted(
        access.councils_of(user, {Role.COMMISSIONER}), key=lambda council: council.name
    )
    short = [item for council in councils for item in _zones_short(user, council, now)]
    below, month = [], None
    for council in councils:
        rows, month = _below_target(council, timezone.localdate(now))
        below += rows
    performance_page = reverse("delivery:performance")
    if month is not None:
        performance_page += f"?month={month:%Y-%m}"
    return RoleWork(
        Role.COMMISSIONER,
        "Commissioning",
        [
            Worklist(
                "capacity",
                "Zones short of capacity this week",
                len(short),
                short[:SHORT],
                "Every zone has enough free hours declared for the care waiting in it.",
                reverse("insight:dashboard") + "#zone-table",
                "See capacity against demand on the dashboard",
            ),
            Worklist(
                "ecm",
                "Providers below the call-monitoring target",
                len(below),
                below[:SHORT],
                "Every provider met the 85% call-monitoring target last month.",
                performance_page,
                "See provider performance",
            ),
        ],
    )


def _zones_short(user: Any, council: Any, now: datetime) -> list[Item]:
    """Zones where the carer hours waiting are more than the free hours providers declared
    for this week, most short first."""
    from homecare.brokerage.models import WAITING_STATES
    from homecare.commissioning.models import Zone
    from homecare.insight.records import capacity_records

    free: dict[str, Decimal] = defaultdict(Decimal)
    for record in capacity_records(council, now=now):
        free[record.zone] += record.free_hours
    waiting: dict[str, Decimal] = defaultdict(Decimal)
    for code, hours in (
        brokerage_access.requests_for(access.scope_of_user(user))
        .filter(framework__council=council, state__in=WAITING_STATES)
        .values_list("package__person__area__zone__code", "package__carer_hours_per_week")
    ):
        waiting[code] += hours
    names = dict(Zone.objects.filter(council=council).values_list("code", "name"))
    short = sorted(
        ((waiting[code] - free[code], code) for code in waiting if waiting[code] > free[code]),
        key=lambda pair: (-pair[0], names.get(pair[1], pair[1])),
    )
    waiting_list = reverse("brokerage:waiting-list")
    return [
        Item(
            text=f"{names.get(code, code)}: {plural(gap, 'carer hour')} a week short",
            href=f"{waiting_list}?zone={code}",
            detail=(
                f"{plural(waiting[code], 'carer hour')} waiting, "
                f"{plural(free[code], 'hour')} free this week"
            ),
        )
        for gap, code in short
    ]


def _below_target(council: Any, today: date) -> tuple[list[Item], date]:
    """Providers whose share of visits logged electronically was below the target in the
    last full month, lowest first."""
    from carecore.ecm import ECM_TARGET_PERCENT
    from homecare.delivery import performance

    month = performance.last_full_month(today)
    rows = performance.measure(council, month, month).rows(month)
    below = sorted(
        (row for row in rows if row["meets_target"] is False),
        key=lambda row: (row["ecm_percent"], row["name"]),
    )
    href = reverse("delivery:performance") + f"?month={month:%Y-%m}"
    return [
        Item(
            text=f"{row['name']}: {row['ecm_percent']}% in {month:%B %Y}",
            href=href,
            detail=f"the target is {ECM_TARGET_PERCENT}%",
        )
        for row in below
    ], month
