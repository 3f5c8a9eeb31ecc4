"""Corrections to an approved invoice: credit notes and re-invoices, never edits.

- ``issue_credit_note``: money back to the council, line by line: each amount more than
  nothing and no more than what is left of that line after earlier credit notes. A line
  split between the council and the NHS (joint funding) is credited in the same shares, the
  NHS's part rounded down and the remainder penny to the council, as the line was split.
- ``issue_reinvoice``: money owed to the provider that the invoice missed, each line with
  its description, amount and funding stream.

Numbers are "CN-<invoice number>-<n>" and "RI-<invoice number>-<n>", counted per invoice.
A provisional invoice is corrected by re-running its period (its lines are replaced), so
both are refused on one. When the correction answers a query still open, the query is
closed as upheld, naming the correction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum

from carecore.errors import InputError
from carecore.units import from_pence
from homecare.accounts.models import audited
from homecare.accounts.templatetags.govuk import pounds
from homecare.delivery.models import Invoice, InvoiceLine
from homecare.finance.invoice_access import COUNCIL, side_of
from homecare.finance.models import Adjustment, AdjustmentLine, InvoiceQuery, Stream
from homecare.finance.queries import close_query, line_words

PROVISIONAL_REFUSAL = (
    "this invoice is still provisional: correct it by deciding its exceptions and re-running "
    "the period, which replaces its lines; credit notes and re-invoices correct an approved "
    "invoice"
)
MAX_LINES = 200
MAX_PENCE = 10**11  # a billion pounds: more is a typing slip


def credited_pence(lines: Iterable[InvoiceLine]) -> dict[int, int]:
    """Pence already credited on each of ``lines`` (line id to pence), by credit notes."""
    ids = [line.pk for line in lines]
    rows = (
        AdjustmentLine.objects.filter(
            invoice_line_id__in=ids, adjustment__kind=Adjustment.Kind.CREDIT
        )
        .values("invoice_line_id")
        .annotate(pence=Sum("amount_pence"))
    )
    return {row["invoice_line_id"]: int(row["pence"] or 0) for row in rows}


def _approved_invoice(invoice: Invoice, acting_user: Any) -> Invoice:
    """The invoice's row, locked (numbers are counted under it); refused unless approved
    and unless the acting user is in the council's finance team."""
    locked = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("run__provider", "run__council")
        .get(pk=invoice.pk)
    )
    if side_of(acting_user, locked) != COUNCIL:
        raise PermissionDenied("Only the council's finance team corrects an invoice.")
    if locked.status != Invoice.Status.APPROVED:
        raise InputError(PROVISIONAL_REFUSAL, key="invoice")
    return locked


def _reason(reason: Any) -> str:
    cleaned = str(reason or "").strip()
    if not cleaned:
        raise InputError("give the reason for the correction", key="reason")
    if len(cleaned) > 4000:
        raise InputError("write the reason in at most 4,000 characters", key="reason")
    return cleaned


def _pence(value: Any, where: str, row: int) -> int:
    """Whole pence above nothing; ``row`` (1-based) is the entry's place in ``lines``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{where}: give the amount in whole pence", key="lines", row=row)
    if value <= 0:
        raise InputError(f"{where}: the amount must be more than £0.00", key="lines", row=row)
    if value > MAX_PENCE:
        raise InputError(f"{where}: the amount is too large", key="lines", row=row)
    return value


def _check_query(query: InvoiceQuery | None, invoice: Invoice) -> None:
    if query is not None and query.invoice_id != invoice.pk:
        raise InputError("that query is about another invoice", key="query")


def _number(invoice: Invoice, kind: str) -> str:
    prefix = "CN" if kind == Adjustment.Kind.CREDIT else "RI"
    count = Adjustment.objects.filter(invoice=invoice, kind=kind).count()
    return f"{prefix}-{invoice.number}-{count + 1}"


def _save(
    invoice: Invoice,
    kind: str,
    rows: list[AdjustmentLine],
    reason: str,
    query: InvoiceQuery | None,
    now: datetime,
    acting_user: Any,
) -> Adjustment:
    adjustment = Adjustment(
        invoice=invoice,
        kind=kind,
        number=_number(invoice, kind),
        reason=reason,
        query=query,
        total_pence=sum(row.amount_pence for row in rows),
        created_by=acting_user,
        created_at=now,
    )
    audited(adjustment, acting_user).save()
    for row in rows:
        row.adjustment = adjustment
    AdjustmentLine.objects.bulk_create(rows)
    if query is not None and query.status != InvoiceQuery.Status.CLOSED:
        close_query(
            query,
            InvoiceQuery.Outcome.UPHELD,
            f"{adjustment.get_kind_display()} {adjustment.number} for "
            f"{pounds(from_pence(adjustment.total_pence))}: {reason}",
            now=now,
            acting_user=acting_user,
        )
    return adjustment


def _split(line: InvoiceLine, amount: int) -> list[tuple[str, int]]:
    """``amount`` of ``line`` by funding stream, in the line's own shares (the NHS's part
    rounded down, the remainder penny to the council)."""
    nhs = 0
    if line.nhs_pence > 0 and line.amount_pence > 0:
        nhs = amount * min(line.nhs_pence, line.amount_pence) // line.amount_pence
    parts = [(Stream.COUNCIL.value, amount - nhs), (Stream.NHS_CHC.value, nhs)]
    return [(stream, pence) for stream, pence in parts if pence > 0]


@transaction.atomic
def issue_credit_note(
    invoice: Invoice,
    lines: Sequence[tuple[InvoiceLine, int, str]],
    reason: str,
    query: InvoiceQuery | None = None,
    *,
    now: datetime,
    acting_user: Any,
) -> Adjustment:
    """Credit ``amount_pence`` of each line back to the council, each with its reason."""
    invoice = _approved_invoice(invoice, acting_user)
    reason = _reason(reason)
    _check_query(query, invoice)
    if not lines:
        raise InputError("choose at least one line to credit", key="lines")
    if len(lines) > MAX_LINES:
        raise InputError(f"credit at most {MAX_LINES} lines in one credit note", key="lines")
    ids = {line.pk for line, _amount, _why in lines}
    stored = {line.pk: line for line in InvoiceLine.objects.filter(pk__in=ids, invoice=invoice)}
    credited = defaultdict(int, credited_pence(stored.values()))
    rows: list[AdjustmentLine] = []
    for row, (given, amount, why) in enumerate(lines, start=1):
        line = stored.get(given.pk)
        if line is None:
            raise InputError("that line is not on this invoice", key="lines", row=row)
        where = f"line {line.position}"
        amount = _pence(amount, where, row)
        left = line.amount_pence - credited[line.pk]
        if amount > left:
            raise InputError(
                f"{where}: at most {pounds(from_pence(max(left, 0)))} is left to credit "
                f"(the line was {pounds(from_pence(line.amount_pence))})",
                key="lines",
                row=row,
            )
        credited[line.pk] += amount
        note = str(why or "").strip() or reason
        description = f"{line_words(line)}: {note}"[:300]
        rows += [
            AdjustmentLine(
                invoice_line=line, description=description, stream=stream, amount_pence=pence
            )
            for stream, pence in _split(line, amount)
        ]
    return _save(invoice, Adjustment.Kind.CREDIT, rows, reason, query, now, acting_user)


@transaction.atomic
def issue_reinvoice(
    invoice: Invoice,
    lines: Sequence[tuple[str, int, str]],
    reason: str,
    query: InvoiceQuery | None = None,
    *,
    now: datetime,
    acting_user: Any,
) -> Adjustment:
    """Invoice the provider's missed money: each line a description, pence and stream."""
    invoice = _approved_invoice(invoice, acting_user)
    reason = _reason(reason)
    _check_query(query, invoice)
    if not lines:
        raise InputError("add at least one line to the re-invoice", key="lines")
    if len(lines) > MAX_LINES:
        raise InputError(f"add at most {MAX_LINES} lines to one re-invoice", key="lines")
    streams = {value for value, _label in Stream.choices}
    rows = []
    for number, (description, amount, stream) in enumerate(lines, start=1):
        where = f"line {number}"
        text = str(description or "").strip()
        if not text:
            raise InputError(f"{where}: describe what is invoiced", key="lines", row=number)
        if len(text) > 300:
            raise InputError(
                f"{where}: describe it in at most 300 characters", key="lines", row=number
            )
        if stream not in streams:
            raise InputError(
                f"{where}: choose who pays (the funding stream)", key="lines", row=number
            )
        pence = _pence(amount, where, number)
        rows.append(AdjustmentLine(description=text, stream=stream, amount_pence=pence))
    return _save(invoice, Adjustment.Kind.REINVOICE, rows, reason, query, now, acting_user)
