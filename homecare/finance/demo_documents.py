"""The demo's kept documents: each council's NHS recharge for the period of its latest
approved run, and the invoice PDF of its smallest run, made as a finance officer's request
makes them (built at once here, as a worker would, so the demo shows them finished)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from carecore.units import as_london
from homecare.accounts.models import Organisation
from homecare.delivery.models import Invoice
from homecare.finance import documents_kept
from homecare.finance.models import KeptDocument


def load_documents(
    council: Organisation, *, now: datetime, acting_user: Any = None
) -> list[KeptDocument]:
    invoices = Invoice.objects.filter(run__council=council).select_related("run")
    approved = invoices.filter(status=Invoice.Status.APPROVED).order_by("-run__period_start")
    latest = approved.first()
    if latest is not None:
        first, last = latest.run.period_start, latest.run.period_end
    else:
        last = as_london(now).date()
        first = last - timedelta(days=27)
    made = [documents_kept.request_recharge(council, first, last, now=now, acting_user=acting_user)]
    smallest = invoices.filter(lines_count__gt=0).order_by("lines_count", "pk").first()
    if smallest is not None:
        made.append(
            documents_kept.request_document(
                smallest, KeptDocument.Kind.INVOICE, now=now, acting_user=acting_user
            )
        )
    for kept in made:
        if kept.status == KeptDocument.Status.QUEUED:
            documents_kept.build_document(kept.pk, now=now)
            kept.refresh_from_db()
    return made
