"""The demo's period run of every provider and a credit note, so a finance officer sees both:
the period before the latest reconciled for all of the council's providers in one run, and
a credit note on provider A's approved invoice for a visit its own phone logged twice.

Idempotent: a period already run, or an invoice already corrected, is left as it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model

from homecare.delivery.models import Invoice
from homecare.finance import adjustments, period_runs
from homecare.finance.models import PeriodRun

FINANCE_USER = "finance"


def load_period_work(council: Any, *, now: datetime, acting_user: Any = None) -> None:
    officer = get_user_model().objects.filter(username=FINANCE_USER).first() or acting_user
    approved = (
        Invoice.objects.filter(run__council=council, status=Invoice.Status.APPROVED)
        .select_related("run")
        .order_by("-run__period_start")
        .first()
    )
    if approved is None:
        return
    start = approved.run.period_start
    if not PeriodRun.objects.filter(council=council, period_start=start).exists():
        made = period_runs.start_period_run(
            council, start, now=now - timedelta(hours=2), acting_user=officer
        )
        period_runs.run_period(made.pk, now=now - timedelta(hours=2))
    if not approved.adjustments.exists():
        line = approved.lines.filter(amount_pence__gt=0).order_by("amount_pence", "position")
        first = line.first()
        if first is not None:
            adjustments.issue_credit_note(
                approved,
                [(first, first.amount_pence, "The carer's phone logged this visit twice")],
                "A visit paid twice: the provider told us and the line is credited in full",
                now=now - timedelta(hours=1),
                acting_user=officer,
            )
