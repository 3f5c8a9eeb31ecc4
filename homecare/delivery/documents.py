"""A run's invoice and remittance as XLSX (openpyxl) and PDF (WeasyPrint).

Every document is built from the stored invoice lines, so each shows the same pence as the
run's page; an invoice's total is the sum of the lines written above it. The PDFs are a
first-page summary (invoice number and date, period, provider, council, purchase orders,
totals by band and funding stream, VAT) and pages of fixed-width lines
(:mod:`homecare.delivery.paged_documents`), numbered "Page n of m", the total once at the end.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from carecore.spreadsheets import append_row, looks_like_formula
from carecore.units import as_london, from_pence
from homecare.accounts.templatetags.govuk import pounds
from homecare.delivery.paged_documents import (
    PORTRAIT_LINES,
    Column,
    PagedDocument,
    Progress,
    Section,
    closing_line,
    note_lines,
    pdf_bytes,
)

LINE_HEADERS = (
    "Line",
    "Visit",
    "Person",
    "Visit start",
    "Outcome",
    "Carer",
    "Check-in",
    "Check-out",
    "Method",
    "Payable minutes",
    "Billable minutes",
    "Rate per hour (£)",
    "Amount (£)",
    "Visit log",
    "Purchase order",
    "Band",
    "Funding",
    "Council (£)",
    "NHS (£)",
)
FUNDING_WORDS = {"": "Council", "council": "Council", "nhs_chc": "NHS", "joint": "Joint"}
COUNCIL_FUNDED = {"", "council", "joint"}
NHS_FUNDED = {"nhs_chc", "joint"}
# More purchase orders than this are not listed on the summary: each line shows its own.
LISTED_ORDERS = 6


def pence(value: int) -> str:
    """Integer pence as pounds with £ and separators: ``196600`` -> ``£1,966.00``."""
    return pounds(from_pence(int(value)))


def _when(moment: Any) -> str:
    return f"{as_london(moment):%Y-%m-%d %H:%M}" if moment else ""


def _person(line: Any) -> str:
    """The person's reference (a block-hours line has no person)."""
    return line.person.reference if line.person_id else ""


def council_pence(line: Any) -> int:
    """The council's share of a line: what the NHS does not pay (all of it when blank)."""
    return int(line.amount_pence) - int(line.nhs_pence)


def invoice_rows(run: Any) -> list[tuple[Any, ...]]:
    lines = run.lines.select_related("person").order_by("position")
    return [
        (
            line.position,
            line.planned_id or "unplanned",
            _person(line),
            _when(line.visit_start),
            line.outcome,
            line.carer_id,
            _when(line.check_in),
            _when(line.check_out),
            line.method,
            line.payable_minutes,
            line.billable_minutes,
            from_pence(line.rate_pence_per_hour),
            from_pence(line.amount_pence),
            line.log_id or "",
            line.purchase_order,
            line.band,
            FUNDING_WORDS.get(line.funding, line.funding),
            from_pence(council_pence(line)),
            from_pence(line.nhs_pence),
        )
        for line in lines
    ]


def remittance_rows(run: Any) -> list[dict[str, Any]]:
    """What is paid, per visit: carers paid, payable minutes and amount."""
    visits: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for line in run.lines.select_related("person").order_by("visit_start", "position"):
        key = line.planned_id or f"unplanned {line.carer_id} {_when(line.check_in)} {line.pk}"
        row = visits.setdefault(
            key,
            {
                "visit": line.planned_id or "unplanned",
                "person": _person(line),
                "start": _when(line.visit_start),
                "outcome": line.outcome,
                "carers": 0,
                "minutes": 0,
                "pence": 0,
            },
        )
        row["carers"] += 1
        row["minutes"] += line.payable_minutes
        row["pence"] += line.amount_pence
    for row in visits.values():
        row["amount"] = from_pence(row["pence"])
    return list(visits.values())


def not_paid_entries(run: Any) -> list[dict[str, Any]]:
    """What the remittance lists besides the lines paid: what was withheld and why, and the
    invoice's credit notes and re-invoices (``homecare.finance.remittance``). A platform
    without the finance app lists the lines paid only."""
    try:
        from homecare.finance.remittance import remittance_entries
    except ImportError:
        return []
    return [entry for entry in remittance_entries(run) if entry["section"] != "paid"]


def _workbook(title: str, headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    _sheet_rows(sheet, headers, rows)
    return book


def _sheet_rows(sheet: Any, headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    append_row(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    add_rows(sheet, rows)


def add_rows(sheet: Any, rows: list[Any]) -> None:
    """Rows appended with every formula-like text kept as text (carer ids, references and
    names come from providers' files). ``append_row`` finds its row through ``max_row``,
    which reads every cell: a 3,600-line invoice took a minute; this takes a second."""
    number = sheet.max_row
    for values in rows:
        number += 1
        sheet.append(list(values))
        for column, value in enumerate(values, start=1):
            if looks_like_formula(value):
                sheet.cell(row=number, column=column).data_type = "s"


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def invoice_xlsx(run: Any) -> bytes:
    """The invoice's lines and a total row (the sum of the lines, in pounds)."""
    rows = invoice_rows(run)
    book = _workbook("Invoice", LINE_HEADERS, rows)
    sheet = book.active
    total = from_pence(sum(line.amount_pence for line in run.lines.all()))
    add_rows(sheet, [["Total", *[""] * 11, total]])
    info = book.create_sheet("About")
    invoice = run.invoice
    for label, value in (
        ("Invoice", invoice.number),
        ("Provider", run.provider.name),
        ("Council", run.council.name),
        ("Period", f"{run.period_start} to {run.period_end}"),
        ("Rules", run.rules_name),
        ("Status", invoice.get_status_display()),
        ("Total (£)", from_pence(invoice.total_pence)),
        ("Withheld (£)", from_pence(run.withheld_pence)),
    ):
        append_row(info, [label, value])
    return _bytes(book)


def remittance_xlsx(run: Any) -> bytes:
    headers = ("Visit", "Person", "Visit start", "Outcome", "Carers paid", "Minutes", "Amount (£)")
    rows = [
        (r["visit"], r["person"], r["start"], r["outcome"], r["carers"], r["minutes"], r["amount"])
        for r in remittance_rows(run)
    ]
    book = _workbook("Remittance", headers, rows)
    others = not_paid_entries(run)
    if others:
        _sheet_rows(
            book.create_sheet("Not paid"),
            ("What", "Number", "Visit", "Person", "When", "Amount (£)", "Reason"),
            [
                (
                    e["description"],
                    e["number"],
                    e["visit"],
                    e["person"],
                    _when(e["when"]),
                    from_pence(e["pence"]) if e["pence"] is not None else "",
                    e["reason"],
                )
                for e in others
            ],
        )
    return _bytes(book)


# The PDFs ------------------------------------------------------------------------------


def _lines(run: Any) -> list[Any]:
    return list(run.lines.select_related("person__area__band").order_by("position"))


def _band_of(lines: list[Any]) -> Callable[[Any], str]:
    """A line's band in words: the stored band's name (its people's band when blank)."""
    names = {
        line.person.area.band.code: line.person.area.band.name for line in lines if line.person_id
    }

    def band(line: Any) -> str:
        if line.band:
            return names.get(line.band, line.band)
        return line.person.area.band.name if line.person_id else "No band"

    return band


def _totals_by(lines: list[Any], label: Callable[[Any], str]) -> list[dict[str, Any]]:
    """Lines and pence per label, in label order; they add up to the whole."""
    totals: dict[str, dict[str, Any]] = {}
    for line in lines:
        row = totals.setdefault(label(line), {"lines": 0, "pence": 0})
        row["lines"] += 1
        row["pence"] += line.amount_pence
    return [{"label": key, **totals[key]} for key in sorted(totals)]


def stream_totals(lines: list[Any]) -> list[dict[str, Any]]:
    """Lines and pence per funding stream: the council's shares, then the NHS's."""
    council = [ln for ln in lines if ln.funding in COUNCIL_FUNDED or council_pence(ln) != 0]
    nhs = [ln for ln in lines if ln.funding in NHS_FUNDED or ln.nhs_pence != 0]
    rows = [
        ("Council", len(council), sum(council_pence(ln) for ln in council)),
        ("NHS continuing healthcare", len(nhs), sum(ln.nhs_pence for ln in nhs)),
    ]
    return [{"label": label, "lines": n, "pence": p} for label, n, p in rows if n]


def summary(run: Any, lines: list[Any]) -> dict[str, Any]:
    """What the first page of either document says: who, when, and totals by band and stream."""
    invoice = run.invoice
    approved = invoice.status == invoice.Status.APPROVED and invoice.approved_at
    orders = sorted({line.purchase_order for line in lines if line.purchase_order})
    if not orders:
        orders_text = "None on these lines"
    elif len(orders) <= LISTED_ORDERS:
        orders_text = ", ".join(orders)
    else:
        orders_text = f"{len(orders):,} purchase orders: see the lines"
    return {
        "run": run,
        "invoice": invoice,
        "invoice_date": as_london(invoice.approved_at).date() if approved else None,
        "purchase_orders": orders,
        "purchase_orders_text": orders_text,
        "splits": [
            ("Totals by band", "Band", _totals_by(lines, _band_of(lines))),
            ("Totals by funding stream", "Funding stream", stream_totals(lines)),
        ],
        "joint_lines": sum(1 for line in lines if line.funding == "joint"),
        "total_pence": sum(line.amount_pence for line in lines),
        "total_label": "Total due",
        "extra_rows": [],
    }


INVOICE_COLUMNS = (
    Column("Line", 5, right=True),
    Column("Purchase order", 14),
    Column("Visit", 24),
    Column("Person", 10),
    Column("Visit start", 17),
    Column("Outcome", 14),
    Column("Carer", 10),
    Column("Band", 8),
    Column("Funding", 7),
    Column("Minutes", 7, right=True),
    Column("Per hour", 9, right=True),
    Column("Amount", 11, right=True),
)


def _start(moment: Any) -> str:
    return f"{as_london(moment):%d %b %Y %H:%M}" if moment else ""


SHORT_WORDS = {"block_hours": "block hours"}


def _words(value: str) -> str:
    """An engine word in words (``no_access``: "no access"), short enough for a column."""
    return SHORT_WORDS.get(value, str(value or "").replace("_", " "))


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def invoice_document(run: Any) -> PagedDocument:
    lines = _lines(run)
    context = summary(run, lines)
    band = _band_of(lines)
    section = Section("Lines", INVOICE_COLUMNS, empty="The invoice has no lines.")
    for line in lines:
        section.add(
            (
                line.position,
                line.purchase_order,
                line.planned_id or "unplanned",
                _person(line),
                _start(line.visit_start),
                _words(line.outcome),
                line.carer_id,
                band(line),
                FUNDING_WORDS.get(line.funding, line.funding),
                f"{line.billable_minutes:,}",
                pence(line.rate_pence_per_hour),
                pence(line.amount_pence),
            )
        )
    label = f"Total of {_plural(len(lines), 'line')}, exempt from VAT"
    section.closing = [closing_line(INVOICE_COLUMNS, label, pence(context["total_pence"]))]
    title = f"Invoice {run.invoice.number}: {run.provider.name} to {run.council.name}"
    return PagedDocument("delivery/invoice_pdf.html", title, context, [section])


PAID_COLUMNS = (
    Column("Visit", 24),
    Column("Person", 10),
    Column("Visit start", 17),
    Column("Outcome", 14),
    Column("Carers", 6, right=True),
    Column("Minutes", 7, right=True),
    Column("Amount", 11, right=True),
)
OTHER_COLUMNS = (
    Column("When", 17),
    Column("Person", 10),
    Column("Visit", 24),
    Column("What", 34),
    Column("Amount", 11, right=True),
)


def _other_section(heading: str, entries: list[dict[str, Any]]) -> Section:
    """Entries not paid as lines, each with its reason under it; a credit note's amount is
    shown as money back to the council (negative)."""
    section = Section(heading, OTHER_COLUMNS)
    for e in entries:
        sign = -1 if e["section"] == "credit_note" else 1
        amount = pence(sign * e["pence"]) if e["pence"] is not None else "not priced"
        when = _start(e["when"]) if e["section"] == "withheld" else _day(e["when"])
        reason = note_lines(OTHER_COLUMNS, "Reason: ", e["reason"]) if e["reason"] else []
        section.add((when, e["person"], e["visit"], e["description"], amount), *reason)
    return section


def _day(moment: Any) -> str:
    return f"{as_london(moment):%d %b %Y}" if moment else ""


def _signed(entries: list[dict[str, Any]]) -> int:
    return sum((-1 if e["section"] == "credit_note" else 1) * (e["pence"] or 0) for e in entries)


def remittance_document(run: Any) -> PagedDocument:
    lines = _lines(run)
    context = summary(run, lines)
    rows = remittance_rows(run)
    paid = Section("Visits paid", PAID_COLUMNS, empty="No visit was paid.")
    for r in rows:
        paid.add(
            (
                r["visit"],
                r["person"],
                _start_text(r["start"]),
                _words(r["outcome"]),
                r["carers"],
                f"{r['minutes']:,}",
                pence(r["pence"]),
            )
        )
    label = f"Total of {_plural(len(rows), 'visit')}, exempt from VAT"
    paid.closing = [closing_line(PAID_COLUMNS, label, pence(context["total_pence"]))]
    sections = [paid]
    others = not_paid_entries(run)
    withheld = [e for e in others if e["section"] == "withheld"]
    adjustments = [e for e in others if e["section"] in ("credit_note", "reinvoice")]
    if withheld:
        section = _other_section("Withheld: not paid, and why", withheld)
        known = _signed(withheld)
        section.closing = [closing_line(OTHER_COLUMNS, "Total withheld", pence(known))]
        sections.append(section)
        context["extra_rows"].append(("Withheld", known))
    if adjustments:
        section = _other_section("Credit notes and re-invoices", adjustments)
        net = _signed(adjustments)
        section.closing = [closing_line(OTHER_COLUMNS, "Net of the adjustments", pence(net))]
        sections.append(section)
        context["extra_rows"].append(("Credit notes and re-invoices, net", net))
    context.update(
        total_label="Paid for the lines", has_withheld=bool(withheld), adjustments=adjustments
    )
    title = (
        f"Remittance for invoice {run.invoice.number}: {run.council.name} to {run.provider.name}"
    )
    return PagedDocument(
        "delivery/remittance_pdf.html", title, context, sections, lines_per_page=PORTRAIT_LINES
    )


def _start_text(text: str) -> str:
    """A stored ``YYYY-MM-DD HH:MM`` time as the lines show it (``09 Mar 2026 08:00``)."""
    from datetime import datetime

    return f"{datetime.strptime(text, '%Y-%m-%d %H:%M'):%d %b %Y %H:%M}" if text else ""


def invoice_pdf(run: Any, *, on_progress: Progress | None = None) -> bytes:
    return pdf_bytes(invoice_document(run), on_progress=on_progress)


def remittance_pdf(run: Any, *, on_progress: Progress | None = None) -> bytes:
    return pdf_bytes(remittance_document(run), on_progress=on_progress)
