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
    from weasyprint import HTML

    html = render_to_string(template, context)
    return bytes(HTML(string=html).write_pdf())


def invoice_pdf(run: Any) -> bytes:
    lines = list(run.lines.select_related("person").order_by("position"))
    return _pdf(
        "delivery/invoice_pdf.html",
        {
            "run": run,
            "invoice": run.invoice,
            "lines": lines,
            "total": from_pence(sum(line.amount_pence for line in lines)),
        },
    )


def remittance_pdf(run: Any) -> bytes:
    rows = remittance_rows(run)
    return _pdf(
        "delivery/remittance_pdf.html",
        {"run": run, "rows": rows, "total": from_pence(sum(r["pence"] for r in rows))},
    )
