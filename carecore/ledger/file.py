"""A payment batch's rows and file, written through a layout: the rows of each document add
up to its total to the penny, and every cell is formula-escaped."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from carecore.errors import InputError
from carecore.ledger.layout import MIXED, VALUES, Column, Layout, safe_name
from carecore.spreadsheets import csv_text

DOCUMENT_WORDS = {"invoice": "invoice", "credit": "credit note", "reinvoice": "re-invoice"}


@dataclass(frozen=True)
class Piece:
    """Part of a document: pence (signed) of one zone, funding stream and purchase order, and
    how many of the document's lines it covers."""

    zone: str
    stream: str
    purchase_order: str
    pence: int
    lines: int = 1


@dataclass(frozen=True)
class Document:
    """An invoice (``kind`` "invoice"), credit note ("credit") or re-invoice ("reinvoice")
    in a batch. ``total_pence`` is signed (a credit note's is negative) and equals the sum of
    its pieces."""

    kind: str
    number: str
    original_invoice: str
    day: date
    supplier_name: str
    supplier_cqc: str
    period_start: date
    period_end: date
    description: str
    total_pence: int
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Batch:
    number: str
    council: str
    council_code: str
    payment_date: date
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class LedgerFile:
    name: str
    content: bytes
    rows: int


def _one(values: set[str], otherwise: str = "") -> str:
    return next(iter(values)) if len(values) == 1 else otherwise


def ledger_rows(layout: Layout, batch: Batch) -> list[dict[str, Any]]:
    """Each row of the file as values by name (amounts in pence), before formatting."""
    rows: list[dict[str, Any]] = []
    for document in batch.documents:
        if sum(p.pence for p in document.pieces) != document.total_pence:
            raise InputError(
                f"{document.number}: its lines do not add up to its total", key="batch"
            )
        supplier = layout.supplier_code(document.supplier_name, document.supplier_cqc)
        groups: dict[tuple[str, ...], list[Piece]] = {}
        for piece in document.pieces:
            centre = layout.cost_centre(piece.zone, piece.stream)
            key: tuple[str, ...] = ()
            if layout.split != "invoice":
                key = (piece.stream, centre)
            if layout.split == "purchase_order":
                key += (piece.purchase_order,)
            groups.setdefault(key, []).append(piece)
        kept = {k: ps for k, ps in groups.items() if sum(p.pence for p in ps)}
        if not kept:  # a document of nothing still shows, once, as nothing
            kept = {(): list(document.pieces)}
        for key in sorted(kept):
            pieces = kept[key]
            centres = {layout.cost_centre(p.zone, p.stream) for p in pieces}
            rows.append(
                {
                    "batch_number": batch.number,
                    "payment_date": batch.payment_date,
                    "council": batch.council,
                    "supplier_code": supplier,
                    "supplier_name": document.supplier_name,
                    "document_type": DOCUMENT_WORDS.get(document.kind, document.kind),
                    "invoice_number": document.number,
                    "original_invoice": document.original_invoice,
                    "invoice_date": document.day,
                    "period_start": document.period_start,
                    "period_end": document.period_end,
                    "purchase_order": _one({p.purchase_order for p in pieces}),
                    "cost_centre": _one(centres, layout.default_cost_centre),
                    "zone": _one({p.zone for p in pieces}),
                    "funding_stream": _one({p.stream for p in pieces}, MIXED),
                    "amount": sum(p.pence for p in pieces),
                    "net": sum(p.pence for p in pieces),
                    "vat": 0,
                    "description": document.description,
                    "line_count": sum(p.lines for p in pieces),
                }
            )
    return rows


def format_amount(pence: int, fmt: str = "0.00") -> str:
    """Pence as the layout writes amounts: ``-123456`` -> ``-1234.56`` ("0.00")."""
    sign = "-" if pence < 0 else ("+" if fmt.startswith("+") else "")
    if fmt.lstrip("+") == "0":
        return f"{sign}{abs(pence)}"
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def format_value(column: Column, value: Any) -> str:
    """One cell's text (before formula escaping)."""
    kind = VALUES[column.value][0]
    if kind == "fixed":
        return column.text
    if kind == "date":
        return str(value.strftime(column.format or "%Y-%m-%d"))
    if kind == "amount":
        return format_amount(int(value), column.format or "0.00")
    return "" if value is None else str(value)


def file_name(layout: Layout, batch: Batch, *, exported_on: date, re_export: int = 0) -> str:
    """The file's name from the layout's pattern; the ``re_export``-th re-export is marked
    ``-re-export-<n>`` before the extension."""
    name = safe_name(
        layout.file.name.format(
            council=batch.council_code, batch=batch.number, date=f"{exported_on:%Y%m%d}"
        )
    )
    if re_export:
        stem, dot, extension = name.rpartition(".")
        mark = f"-re-export-{re_export}"
        name = f"{stem}{mark}.{extension}" if dot and stem else f"{name}{mark}"
    return name


def write_ledger(
    layout: Layout, batch: Batch, *, exported_on: date, re_export: int = 0
) -> LedgerFile:
    """The batch's payment file: its name, bytes (in the layout's encoding) and row count."""
    rows = ledger_rows(layout, batch)
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=layout.file.delimiter,
        lineterminator=layout.file.line_ending,
        quoting=csv.QUOTE_ALL if layout.file.quote_all else csv.QUOTE_MINIMAL,
    )
    if layout.file.header:
        writer.writerow([csv_text(c.header) for c in layout.columns])
    for row in rows:
        writer.writerow([csv_text(format_value(c, row.get(c.value))) for c in layout.columns])
    text = out.getvalue()
    try:
        content = text.encode(layout.file.encoding)
    except UnicodeEncodeError as exc:
        bad = text[exc.start : exc.end]
        raise InputError(
            f"{bad!r} cannot be written in the layout's encoding: choose utf-8 for it",
            key="file.encoding",
        ) from None
    name = file_name(layout, batch, exported_on=exported_on, re_export=re_export)
    return LedgerFile(name=name, content=content, rows=len(rows))
