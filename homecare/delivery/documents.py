"""A run's invoice and remittance as XLSX (openpyxl) and PDF (WeasyPrint from HTML).

Every document is built from the stored invoice lines, so each shows the same pence as the
run's page; an invoice's total row is the sum of the lines written above it.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from typing import Any

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Font

from carecore.spreadsheets import append_row
from carecore.units import as_london, from_pence

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
)


def _when(moment: Any) -> str:
    return f"{as_london(moment):%Y-%m-%d %H:%M}" if moment else ""


def invoice_rows(run: Any) -> list[tuple[Any, ...]]:
    lines = run.lines.select_related("person").order_by("position")
    return [
        (
            line.position,
            line.planned_id or "unplanned",
            line.person.reference,
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
        )
        for line in lines
    ]


def remittance_rows(run: Any) -> list[dict[str, Any]]:
    """What is paid, per visit: carers paid, payable minutes and amount."""
    visits: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for line in run.lines.select_related("person").order_by("visit_start", "position"):
        key = line.planned_id or f"unplanned {line.carer_id} {_when(line.check_in)}"
        row = visits.setdefault(
            key,
            {
                "visit": line.planned_id or "unplanned",
                "person": line.person.reference,
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


def _workbook(title: str, headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    append_row(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # Carer ids, references and names come from providers' files: text, never formulas.
        append_row(sheet, row)
    return book


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
    append_row(sheet, ["Total", *[""] * (len(LINE_HEADERS) - 3), total, ""])
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
    return _bytes(_workbook("Remittance", headers, rows))


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    return bytes(pdf_document(template, context).write_pdf())


def pdf_document(template: str, context: dict[str, Any]) -> Any:
    """The laid-out WeasyPrint document (its pages hold the text a reader sees)."""
    from weasyprint import HTML

    return HTML(string=render_to_string(template, context)).render()


def _totals_by(lines: list[Any], label: Any) -> list[dict[str, Any]]:
    """Lines, visits and pence per label, in label order; they add up to the whole."""
    totals: dict[str, dict[str, Any]] = {}
    for line in lines:
        row = totals.setdefault(label(line), {"lines": 0, "pence": 0})
        row["lines"] += 1
        row["pence"] += line.amount_pence
    return [{"label": key, **totals[key]} for key in sorted(totals)]


def _summary(run: Any, lines: list[Any]) -> dict[str, Any]:
    """What the first page of either document says: who, when, and totals by band and stream."""
    invoice = run.invoice
    return {
        "run": run,
        "invoice": invoice,
        "invoice_date": as_london(invoice.approved_at or run.ran_at).date(),
        "splits": [
            ("Totals by band", "Band", _totals_by(lines, lambda line: line.person.area.band.name)),
            (
                "Totals by funding stream",
                "Funding stream",
                _totals_by(lines, lambda line: line.person.get_funding_display()),
            ),
        ],
        "total_pence": sum(line.amount_pence for line in lines),
    }


def _priced_lines(run: Any) -> list[Any]:
    return list(run.lines.select_related("person__area__band").order_by("position"))


def invoice_context(run: Any) -> dict[str, Any]:
    lines = _priced_lines(run)
    return {**_summary(run, lines), "lines": lines}


def remittance_context(run: Any) -> dict[str, Any]:
    rows = remittance_rows(run)
    return {**_summary(run, _priced_lines(run)), "rows": rows}


def invoice_pdf(run: Any) -> bytes:
    return _pdf("delivery/invoice_pdf.html", invoice_context(run))


def remittance_pdf(run: Any) -> bytes:
    return _pdf("delivery/remittance_pdf.html", remittance_context(run))
