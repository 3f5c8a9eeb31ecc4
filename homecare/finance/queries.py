"""Queries on invoice lines: a provider asks, the council's finance team answers, in a thread.

- ``raise_query``: a provider's user, on its own invoice (provisional or approved), about
  one line or the invoice as a whole. The line is also kept in words (``line_text``), as the
  provider saw it: a re-run replaces a provisional invoice's lines.
- ``answer_query``: the council's finance team.
- ``reply_to_query``: either side; the query then waits for the other.
- ``close_query``: upheld or not upheld by the council, withdrawn by the provider.

Every step saves the query (its history names who did it) and adds a message to the thread,
so the thread reads as the whole story, outcome included. A closed query takes no more
messages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from carecore.errors import InputError
from carecore.units import as_london, from_pence
from homecare.accounts.models import audited
from homecare.accounts.templatetags.govuk import pounds
from homecare.delivery.models import Invoice, InvoiceLine
from homecare.finance.invoice_access import COUNCIL, PROVIDER, side_of
from homecare.finance.models import InvoiceQuery, QueryMessage

MAX_TEXT = 4000
Outcome = InvoiceQuery.Outcome
Status = InvoiceQuery.Status
COUNCIL_OUTCOMES = (Outcome.UPHELD, Outcome.NOT_UPHELD)


def line_words(line: InvoiceLine) -> str:
    """A line as its reader sees it: number, person, visit, outcome, carer, time, amount."""
    parts = [f"Line {line.position}"]
    if line.person is not None:
        parts.append(line.person.reference)
    parts.append(f"{as_london(line.visit_start):%a %-d %b %Y %H:%M}")
    parts.append(line.outcome.replace("_", " "))
    if line.carer_id:
        parts.append(f"carer {line.carer_id}")
    parts.append(f"{line.payable_minutes} minutes")
    parts.append(pounds(from_pence(line.amount_pence)))
    return ", ".join(parts)[:300]


def _text(text: Any, key: str = "text", what: str = "your message") -> str:
    cleaned = str(text or "").strip()
    if not cleaned:
        raise InputError(f"write {what}", key=key)
    if len(cleaned) > MAX_TEXT:
        raise InputError(f"write at most {MAX_TEXT:,} characters", key=key)
    return cleaned


def _side(invoice: Invoice, acting_user: Any) -> str:
    side = side_of(acting_user, invoice)
    if side is None:
        raise PermissionDenied("Only the provider and the council's finance team take part.")
    return side


def _locked(query: InvoiceQuery) -> InvoiceQuery:
    """The query's row, locked, with the invoice's sides read; refused once closed."""
    locked = (
        InvoiceQuery.objects.select_for_update(of=("self",))
        .select_related("invoice__run__provider")
        .get(pk=query.pk)
    )
    if locked.status == Status.CLOSED:
        raise InputError("the query is closed: raise a new one if something is still wrong")
    return locked


def _message(query: InvoiceQuery, text: str, side: str, now: datetime, user: Any) -> None:
    QueryMessage.objects.create(
        query=query, author=user, from_council=side == COUNCIL, text=text, at=now
    )


@transaction.atomic
def raise_query(
    invoice: Invoice, line: InvoiceLine | None, text: str, *, now: datetime, acting_user: Any
) -> InvoiceQuery:
    """A provider's question about a line of its own invoice (None: the whole invoice)."""
    if _side(invoice, acting_user) != PROVIDER:
        raise PermissionDenied("Only the provider's users raise a query on its invoice.")
    if line is not None and line.invoice_id != invoice.pk:
        raise InputError("that line is not on this invoice", key="line")
    message = _text(text, what="what is wrong with the line")
    if (
        line is not None
        and InvoiceQuery.objects.filter(line=line).exclude(status=Status.CLOSED).exists()
    ):
        raise InputError(
            "this line already has an open query: add to that query instead", key="line"
        )
    query = InvoiceQuery(
        invoice=invoice,
        line=line,
        line_text=line_words(line) if line is not None else "The invoice as a whole",
        status=Status.OPEN,
        raised_by=acting_user,
        raised_at=now,
    )
    audited(query, acting_user).save()
    _message(query, message, PROVIDER, now, acting_user)
    return query


@transaction.atomic
def answer_query(
    query: InvoiceQuery, text: str, *, now: datetime, acting_user: Any
) -> InvoiceQuery:
    """The council's finance team answers; the query waits for the provider."""
    query = _locked(query)
    if _side(query.invoice, acting_user) != COUNCIL:
        raise PermissionDenied("Only the council's finance team answers a query.")
    return _add(query, _text(text, what="your answer"), COUNCIL, now, acting_user)


@transaction.atomic
def reply_to_query(
    query: InvoiceQuery, text: str, *, now: datetime, acting_user: Any
) -> InvoiceQuery:
    """Either side adds to the thread; the query then waits for the other side."""
    query = _locked(query)
    side = _side(query.invoice, acting_user)
    return _add(query, _text(text), side, now, acting_user)


def _add(
    query: InvoiceQuery, text: str, side: str, now: datetime, acting_user: Any
) -> InvoiceQuery:
    query.status = Status.ANSWERED if side == COUNCIL else Status.OPEN
    audited(query, acting_user).save()
    _message(query, text, side, now, acting_user)
    return query


@transaction.atomic
def close_query(
    query: InvoiceQuery, outcome: str, note: str, *, now: datetime, acting_user: Any
) -> InvoiceQuery:
    """Close the query with its outcome: upheld or not upheld (the council, with a note
    saying why), or withdrawn (the provider, a note optional)."""
    query = _locked(query)
    side = _side(query.invoice, acting_user)
    if outcome not in (*COUNCIL_OUTCOMES, Outcome.WITHDRAWN):
        raise InputError("choose an outcome", key="outcome")
    if outcome == Outcome.WITHDRAWN and side != PROVIDER:
        raise InputError("only the provider withdraws its query", key="outcome")
    if outcome in COUNCIL_OUTCOMES and side != COUNCIL:
        raise InputError(
            "the council's finance team decides whether a query is upheld: withdraw it, or "
            "add to it",
            key="outcome",
        )
    label = Outcome(outcome).label
    if side == COUNCIL:
        note = _text(note, key="note", what="why, for the provider")
        words = f"{label}. {note}"
    else:
        extra = str(note or "").strip()
        if len(extra) > MAX_TEXT:
            raise InputError(f"write at most {MAX_TEXT:,} characters", key="note")
        words = f"{label}." + (f" {extra}" if extra else "")
    query.status, query.outcome = Status.CLOSED, outcome
    query.closed_by, query.closed_at = acting_user, now
    audited(query, acting_user).save()
    _message(query, words, side, now, acting_user)
    return query
