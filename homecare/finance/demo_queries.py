"""The demo's queries on invoice lines, so the query pages show both kinds of thread: provider
A queried a line of its approved invoice, the council answered and did not uphold it; and
provider A has a query waiting for the council on its latest, provisional invoice.

Idempotent: an invoice that already has a query is left as it is. Nothing happens when the
personas or provider A's invoices are missing. Every step is taken before ``now``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model

from homecare.delivery.models import Invoice
from homecare.finance import queries
from homecare.finance.models import InvoiceQuery

PROVIDER_USER = "provider-a"
FINANCE_USER = "finance"


def load_queries(council: Any, *, now: datetime, acting_user: Any = None) -> list[InvoiceQuery]:
    """Provider A's demo queries at ``council``; returns those made now (none on a reload).
    The personas act (``acting_user`` is not needed: each step is one side's)."""
    users = get_user_model().objects
    provider_user = users.filter(username=PROVIDER_USER).first()
    finance_user = users.filter(username=FINANCE_USER).first()
    if provider_user is None or finance_user is None:
        return []
    invoices = (
        Invoice.objects.filter(
            run__council=council, run__provider__organisation__memberships__user=provider_user
        )
        .distinct()
        .order_by("-run__period_start")
    )
    made = []
    approved = invoices.filter(status=Invoice.Status.APPROVED).first()
    if approved is not None and not approved.queries.exists():
        made += _answered(approved, provider_user, finance_user, now)
    provisional = invoices.filter(status=Invoice.Status.DRAFT).first()
    if provisional is not None and not provisional.queries.exists():
        line = provisional.lines.select_related("person").order_by("position").first()
        if line is not None:
            made.append(
                queries.raise_query(
                    provisional,
                    line,
                    "Two carers went to this visit, as the care plan says, but only one is "
                    "paid: the second carer's phone logged the call under another person.",
                    now=now - timedelta(hours=20),
                    acting_user=provider_user,
                )
            )
    return made


def _answered(invoice: Invoice, provider_user: Any, finance_user: Any, now: datetime) -> list[Any]:
    line = invoice.lines.select_related("person").order_by("-billable_minutes", "position").first()
    if line is None:
        return []
    query = queries.raise_query(
        invoice,
        line,
        "Our rota shows this visit lasted longer than the log says: the carer's phone had no "
        "signal when she left.",
        now=now - timedelta(days=3),
        acting_user=provider_user,
    )
    queries.answer_query(
        query,
        "The call-monitoring log has both the check-in and the check-out from the carer's own "
        "phone, and the person's family confirm the time. Can you send the rota entry?",
        now=now - timedelta(days=2, hours=20),
        acting_user=finance_user,
    )
    queries.reply_to_query(
        query,
        "The rota entry is the planned time, not a record of the visit. We have nothing else.",
        now=now - timedelta(days=2),
        acting_user=provider_user,
    )
    query = queries.close_query(
        query,
        InvoiceQuery.Outcome.NOT_UPHELD,
        "We pay the time the carer's phone logged; a planned time on a rota is not evidence "
        "of a longer visit.",
        now=now - timedelta(days=1, hours=22),
        acting_user=finance_user,
    )
    return [query]
