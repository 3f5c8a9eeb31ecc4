"""Paying providers through the council's ledger: payment batches, their export as the
creditor payment file, and the council's file layout.

Named verb_noun, each in a transaction, each taking ``acting_user``:

- :func:`make_payment_batch` puts approved invoices and corrections (credit notes and
  re-invoices) in a batch. A document is in one batch at most, ever: one already in a batch
  is refused here, and the database's one-to-one refuses it too.
- :func:`export_batch` writes the batch's file through the council's layout (its own, else
  the shipped default) and keeps it. A batch already exported is not exported again unless
  asked, with a reason; the re-export is marked in its file name and its record.
- :func:`save_ledger_layout` checks a layout before keeping it as the council's.

Amounts: an invoice's file rows add up to its total, per funding stream, to the penny; credit
notes are negative, invoices and re-invoices positive. A line whose funding is blank (a run
made before funding streams) is the council's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet, Sum

from carecore.errors import InputError
from carecore.ledger import Batch, Document, Piece, write_ledger
from carecore.units import as_london
from homecare.accounts.models import Organisation
from homecare.delivery.models import Invoice, InvoiceLine
from homecare.finance.ledger_layout import MAX_LAYOUT_CHARACTERS, check_layout, layout_for
from homecare.finance.models import (
    Adjustment,
    AdjustmentLine,
    BatchItem,
    LedgerExport,
    LedgerLayout,
    PaymentBatch,
    Stream,
)

MAX_REASON = 1000
FUNDING_STREAMS = {"council": (True, False), "nhs_chc": (False, True), "joint": (True, True)}


def unbatched_invoices(council: Any) -> QuerySet[Invoice]:
    """The council's approved invoices not yet in a payment batch, oldest period first."""
    return (
        Invoice.objects.filter(
            run__council=council, status=Invoice.Status.APPROVED, batch_item__isnull=True
        )
        .select_related("run__provider")
        .order_by("run__period_start", "run__provider__name", "number")
    )


def unbatched_adjustments(council: Any) -> QuerySet[Adjustment]:
    """The council's credit notes and re-invoices not yet in a payment batch."""
    return (
        Adjustment.objects.filter(invoice__run__council=council, batch_item__isnull=True)
        .select_related("invoice__run__provider")
        .order_by("created_at", "pk")
    )


def signed_pence(adjustment: Adjustment) -> int:
    """What a correction pays: a credit note's amount is paid back (negative)."""
    return (
        -adjustment.total_pence
        if adjustment.kind == Adjustment.Kind.CREDIT
        else (adjustment.total_pence)
    )


def _ids(chosen: Iterable[Any], key: str) -> list[int]:
    ids = []
    for item in chosen:
        pk = getattr(item, "pk", item)
        if isinstance(pk, bool) or not isinstance(pk, int):
            raise InputError("choose from the list", key=key)
        ids.append(pk)
    return sorted(set(ids))


@transaction.atomic
def make_payment_batch(
    council: Any,
    invoices: Iterable[Any],
    adjustments: Iterable[Any],
    *,
    now: datetime,
    acting_user: Any,
) -> PaymentBatch:
    """A batch of the council's approved ``invoices`` and ``adjustments`` (objects or ids),
    none already in a batch."""
    invoice_ids, adjustment_ids = _ids(invoices, "invoices"), _ids(adjustments, "adjustments")
    if not invoice_ids and not adjustment_ids:
        raise InputError("choose at least one invoice or correction to pay", key="items")
    # One batch at a time for a council: its batch numbers follow on.
    Organisation.objects.select_for_update().filter(pk=council.pk).first()
    chosen = list(
        Invoice.objects.select_for_update(of=("self",))
        .filter(pk__in=invoice_ids, run__council=council)
        .select_related("run")
        .order_by("run__period_start", "number")
    )
    if len(chosen) != len(invoice_ids):
        raise InputError("an invoice chosen is not one of the council's", key="invoices")
    for invoice in chosen:
        if invoice.status != Invoice.Status.APPROVED:
            raise InputError(
                f"invoice {invoice.number} is provisional: approve it before paying it",
                key="invoices",
            )
    corrections = list(
        Adjustment.objects.select_for_update(of=("self",))
        .filter(pk__in=adjustment_ids, invoice__run__council=council)
        .order_by("created_at", "pk")
    )
    if len(corrections) != len(adjustment_ids):
        raise InputError("a correction chosen is not one of the council's", key="adjustments")
    _refuse_batched(invoice_ids, adjustment_ids)
    items = [BatchItem(invoice=i, amount_pence=i.total_pence) for i in chosen] + [
        BatchItem(adjustment=a, amount_pence=signed_pence(a)) for a in corrections
    ]
    batch = PaymentBatch(
        council=council,
        number=_next_number(council),
        total_pence=sum(item.amount_pence for item in items),
        created_by=acting_user,
        created_at=now,
    )
    batch._history_user = acting_user  # type: ignore[attr-defined]
    batch.save()
    for item in items:
        item.batch = batch
    try:
        with transaction.atomic():
            BatchItem.objects.bulk_create(items)
    except IntegrityError:
        raise InputError(
            "another officer put one of these in a payment batch while you were choosing: "
            "no batch was made",
            key="items",
        ) from None
    return batch


def _refuse_batched(invoice_ids: list[int], adjustment_ids: list[int]) -> None:
    taken = (
        BatchItem.objects.filter(invoice_id__in=invoice_ids)
        .select_related("invoice", "batch")
        .first()
    )
    if taken is not None and taken.invoice is not None:
        raise InputError(
            f"invoice {taken.invoice.number} is already in payment batch {taken.batch.number}",
            key="invoices",
        )
    taken = (
        BatchItem.objects.filter(adjustment_id__in=adjustment_ids)
        .select_related("adjustment", "batch")
        .first()
    )
    if taken is not None and taken.adjustment is not None:
        raise InputError(
            f"{taken.adjustment.number} is already in payment batch {taken.batch.number}",
            key="adjustments",
        )


def _next_number(council: Any) -> str:
    count = PaymentBatch.objects.filter(council=council).count()
    while True:
        count += 1
        number = f"PB-{council.pk}-{count:04d}"
        if not PaymentBatch.objects.filter(number=number).exists():
            return number


@transaction.atomic
def export_batch(
    batch: PaymentBatch,
    *,
    again: bool = False,
    reason: str = "",
    now: datetime,
    acting_user: Any,
) -> LedgerExport:
    """Write the batch's payment file through the council's layout and keep it.

    A batch already exported is refused unless ``again`` with a reason: the re-export is then
    marked, in its file name and its record."""
    batch = PaymentBatch.objects.select_for_update().select_related("council").get(pk=batch.pk)
    earlier = list(batch.exports.select_related("exported_by").order_by("exported_at", "pk"))
    reason = (reason or "").strip()
    if earlier and not again:
        last = earlier[-1]
        raise InputError(
            f"already exported on {as_london(last.exported_at):%-d %B %Y} by "
            f"{_who(last.exported_by)}: ask for a re-export with a reason",
            key="again",
        )
    if earlier and not reason:
        raise InputError("give the reason for exporting the batch again", key="reason")
    if len(reason) > MAX_REASON:
        raise InputError(f"keep the reason to {MAX_REASON} characters", key="reason")
    layout, text = layout_for(batch.council)
    made = write_ledger(
        layout, ledger_batch(batch), exported_on=as_london(now).date(), re_export=len(earlier)
    )
    export = LedgerExport(
        batch=batch,
        re_export=bool(earlier),
        reason=reason if earlier else "",
        layout_text=text,
        file_name=made.name,
        content=made.content,
        sha256=hashlib.sha256(made.content).hexdigest(),
        rows=made.rows,
        exported_by=acting_user,
        exported_at=now,
    )
    export._history_user = acting_user  # type: ignore[attr-defined]
    export.save()
    return export


def _who(user: Any) -> str:
    if user is None:
        return "the system"
    return str(user.get_full_name() or user.username)


@transaction.atomic
def save_ledger_layout(council: Any, text: str, *, now: datetime, acting_user: Any) -> LedgerLayout:
    """Keep ``text`` as the council's layout, once every key in it is checked."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError("write the layout, or copy the shipped one", key="text")
    if len(text) > MAX_LAYOUT_CHARACTERS:
        raise InputError(
            f"the layout is too long: at most {MAX_LAYOUT_CHARACTERS:,} characters", key="text"
        )
    check_layout(council, text)
    layout = LedgerLayout.objects.select_for_update().filter(council=council).first()
    if layout is None:
        layout = LedgerLayout(council=council)
    layout.text, layout.updated_by, layout.updated_at = text, acting_user, now
    layout._history_user = acting_user  # type: ignore[attr-defined]
    layout.save()
    return layout


# --- the batch as the engine's documents ---------------------------------------------------


def ledger_batch(batch: PaymentBatch) -> Batch:
    """The batch's documents in the order they were put in it, with their pieces."""
    items = list(
        batch.items.select_related(
            "invoice__run__provider", "adjustment__invoice__run__provider"
        ).order_by("pk")
    )
    invoice_ids = [item.invoice_id for item in items if item.invoice_id]
    adjustment_ids = [item.adjustment_id for item in items if item.adjustment_id]
    invoice_pieces = _invoice_pieces(invoice_ids)
    adjustment_pieces = _adjustment_pieces(adjustment_ids)
    documents = []
    for item in items:
        if item.invoice is not None:
            documents.append(_invoice_document(item.invoice, invoice_pieces.get(item.invoice.pk)))
        elif item.adjustment is not None:
            adjustment = item.adjustment
            documents.append(
                _adjustment_document(adjustment, adjustment_pieces.get(adjustment.pk, []))
            )
    return Batch(
        number=batch.number,
        council=batch.council.name,
        council_code=batch.council.slug,
        payment_date=as_london(batch.created_at).date(),
        documents=tuple(documents),
    )


def _invoice_pieces(invoice_ids: list[int]) -> dict[int, list[Piece]]:
    """Each invoice's lines as pieces by zone, stream and purchase order (pence signed)."""
    pieces: dict[int, list[Piece]] = {}
    groups = (
        InvoiceLine.objects.filter(invoice_id__in=invoice_ids)
        .values("invoice_id", "invoice__number", "zone_code", "funding", "purchase_order")
        .annotate(
            lines=Count("pk"),
            amount=Sum("amount_pence"),
            council=Sum("council_pence"),
            nhs=Sum("nhs_pence"),
        )
        .order_by("invoice_id", "zone_code", "funding", "purchase_order")
    )
    for group in groups:
        found = pieces.setdefault(group["invoice_id"], [])
        zone, order, lines = group["zone_code"], group["purchase_order"], group["lines"]
        funding = group["funding"] or ""
        if not funding:  # a line from before funding streams: the council's
            found.append(Piece(zone, Stream.COUNCIL, order, group["amount"], lines))
            continue
        if funding not in FUNDING_STREAMS:
            raise InputError(
                f"invoice {group['invoice__number']} has lines funded by {funding}, "
                "which no council pays a provider for",
                key="batch",
            )
        if group["council"] + group["nhs"] != group["amount"]:
            raise InputError(
                f"invoice {group['invoice__number']}: its lines' council and NHS shares do "
                "not add up to their amounts",
                key="batch",
            )
        council_part, nhs_part = FUNDING_STREAMS[funding]
        if council_part or group["council"]:
            found.append(Piece(zone, Stream.COUNCIL, order, group["council"], lines))
        if nhs_part or group["nhs"]:
            found.append(Piece(zone, Stream.NHS_CHC, order, group["nhs"], lines))
    return pieces


def _invoice_document(invoice: Invoice, pieces: list[Piece] | None) -> Document:
    run = invoice.run
    day = as_london(invoice.approved_at).date() if invoice.approved_at else run.period_end
    return Document(
        kind="invoice",
        number=invoice.number,
        original_invoice=invoice.number,
        day=day,
        supplier_name=run.provider.name,
        supplier_cqc=run.provider.cqc_location_id,
        period_start=run.period_start,
        period_end=run.period_end,
        description=f"Home care {run.period_start:%-d %b %Y} to {run.period_end:%-d %b %Y}",
        total_pence=invoice.total_pence,
        pieces=tuple(pieces or [Piece("", Stream.COUNCIL, "", 0, 0)]),
    )


def _adjustment_pieces(adjustment_ids: list[int]) -> dict[int, list[Piece]]:
    pieces: dict[int, list[Piece]] = {}
    lines = (
        AdjustmentLine.objects.filter(adjustment_id__in=adjustment_ids)
        .select_related("invoice_line")
        .order_by("adjustment_id", "pk")
    )
    for line in lines:
        source = line.invoice_line
        pieces.setdefault(line.adjustment_id, []).append(
            Piece(
                source.zone_code if source else "",
                line.stream or Stream.COUNCIL,
                source.purchase_order if source else "",
                line.amount_pence,
            )
        )
    return pieces


def _adjustment_document(adjustment: Adjustment, lines: list[Piece]) -> Document:
    """A credit note (negative) or re-invoice (positive). Its lines' amounts are stored as
    positive sums; they are signed with the document."""
    total = signed_pence(adjustment)
    summed = sum(p.pence for p in lines)
    if not lines:
        pieces = [Piece("", Stream.COUNCIL, "", total, 0)]
    elif summed == abs(total):
        sign = -1 if total < 0 else 1
        pieces = [Piece(p.zone, p.stream, p.purchase_order, sign * p.pence) for p in lines]
    elif summed == total:
        pieces = lines
    else:
        raise InputError(f"{adjustment.number}: its lines do not add up to its total", key="batch")
    invoice = adjustment.invoice
    run = invoice.run
    kind = "credit" if adjustment.kind == Adjustment.Kind.CREDIT else "reinvoice"
    return Document(
        kind=kind,
        number=adjustment.number,
        original_invoice=invoice.number,
        day=as_london(adjustment.created_at).date(),
        supplier_name=run.provider.name,
        supplier_cqc=run.provider.cqc_location_id,
        period_start=run.period_start,
        period_end=run.period_end,
        description=f"{adjustment.get_kind_display()} on invoice {invoice.number}",
        total_pence=total,
        pieces=tuple(pieces),
    )
