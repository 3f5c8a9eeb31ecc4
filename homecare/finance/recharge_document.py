"""The NHS recharge as a document for the integrated care board (ICB): the NHS-funded share
of each visit on the council's approved invoices in a range of days, and the NHS stream's
credit notes and re-invoices (:func:`homecare.finance.exports.recharge_rows`, the same rows
as the recharge spreadsheet), grouped by person reference then visit day, with a total per
person, a first-page summary (by provider and by funding) and numbered pages.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet

from carecore.units import LONDON
from homecare.accounts.models import Organisation
from homecare.delivery.documents import pence
from homecare.delivery.models import Invoice, InvoiceLine
from homecare.delivery.paged_documents import (
    PORTRAIT_LINES,
    Column,
    PagedDocument,
    Progress,
    Section,
    closing_line,
    pdf_bytes,
)
from homecare.finance.exports import RechargeRow, recharge_rows

COLUMNS = (
    Column("Visit day", 11),
    Column("Time", 5),
    Column("Provider", 15),
    Column("Invoice or correction", 34),
    Column("Purchase order", 14),
    Column("Funding", 7),
    Column("NHS pays", 11, right=True),
)
NO_PERSON = "Corrections with no person"


def recharge_lines(council: Organisation, first: date, last: date) -> QuerySet[InvoiceLine]:
    """The NHS shares on the council's approved invoices for visits in the days."""
    start = datetime.combine(first, time(0), tzinfo=LONDON)
    after = datetime.combine(last + timedelta(days=1), time(0), tzinfo=LONDON)
    return InvoiceLine.objects.filter(
        run__council=council,
        invoice__status=Invoice.Status.APPROVED,
        visit_start__gte=start,
        visit_start__lt=after,
    ).exclude(nhs_pence=0)


def _funding(words: str) -> str:
    return "Joint" if words.startswith("Joint") else "NHS" if words else ""


def _count(rows: list[RechargeRow], word: str) -> str:
    visits = sum(1 for row in rows if not row.document.startswith(("Credit", "Re-invoice")))
    fixes = len(rows) - visits
    said = [f"{visits:,} visit{'' if visits == 1 else 's'}"] if visits else []
    if fixes:
        said.append(f"{fixes:,} correction{'' if fixes == 1 else 's'}")
    return f"{word} ({' and '.join(said) or 'nothing'})"


def _split(rows: list[RechargeRow], label: Any) -> list[dict[str, Any]]:
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"lines": 0, "pence": 0})
    for row in rows:
        totals[label(row)]["lines"] += 1
        totals[label(row)]["pence"] += row.nhs_pence
    return [{"label": key, **totals[key]} for key in sorted(totals)]


def recharge_document(council: Organisation, first: date, last: date) -> PagedDocument:
    recharge = recharge_rows(council, first, last)
    people: dict[str, list[RechargeRow]] = defaultdict(list)
    for row in recharge.rows:
        people[row.person_ref].append(row)
    sections = []
    for reference in sorted(people, key=lambda ref: (ref == "", ref)):
        rows = sorted(people[reference], key=lambda r: (r.visit_day, r.visit_time, r.document))
        section = Section(f"Person {reference}" if reference else NO_PERSON, COLUMNS)
        for row in rows:
            section.add(
                (
                    f"{row.visit_day:%d %b %Y}",
                    row.visit_time,
                    row.provider,
                    row.document,
                    row.purchase_order,
                    _funding(row.funding),
                    pence(row.nhs_pence),
                )
            )
        label = _count(rows, f"Total for {reference}" if reference else "Total")
        section.closing = [closing_line(COLUMNS, label, pence(sum(r.nhs_pence for r in rows)))]
        sections.append(section)
    named = sum(1 for reference in people if reference)
    everyone = Section(
        "Total to recharge",
        COLUMNS,
        empty=f"{named:,} {'person' if named == 1 else 'people'}, on approved invoices only.",
    )
    label = _count(recharge.rows, "Total to recharge")
    everyone.closing = [closing_line(COLUMNS, label, pence(recharge.total_pence))]
    sections.append(everyone)
    context = {
        "council": council,
        "first": first,
        "last": last,
        "people": named,
        "rows": len(recharge.rows),
        "total_pence": recharge.total_pence,
        "splits": [
            ("By provider", "Provider", _split(recharge.rows, lambda r: r.provider)),
            ("By funding", "Funding", _split(recharge.rows, lambda r: r.funding or "Correction")),
        ],
    }
    title = f"NHS recharge from {council.name}, {first:%d %b %Y} to {last:%d %b %Y}"
    return PagedDocument(
        "finance/recharge_pdf.html", title, context, sections, lines_per_page=PORTRAIT_LINES
    )


def recharge_pdf(
    council: Organisation, first: date, last: date, *, on_progress: Progress | None = None
) -> bytes:
    """The council's NHS recharge of the days (both included) as a PDF."""
    return pdf_bytes(recharge_document(council, first, last), on_progress=on_progress)
