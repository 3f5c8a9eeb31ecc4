"""Documents built once and kept: an invoice's or remittance's PDF, and NHS recharges.

``request_document(invoice, kind, *, now, acting_user)`` hands back the kept copy while what
it was built from still stands (its ``source_version``: the run's times run, the invoice's
status and its number of credit notes and re-invoices; for a remittance also the last
decision on the run's exceptions, whose reasons it lists). Otherwise it makes a new one:
at once for a small invoice (under ``INLINE_LINES`` lines, about a second), else queued for
the background task, ``build_document``, which saves its progress page by page, keeps the
file and records any failure on the document. ``request_recharge`` does the same for the
council's NHS recharge of a range of days.
"""

from __future__ import annotations

import traceback
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from carecore.errors import InputError
from homecare.accounts.access import FINANCE, Scope
from homecare.accounts.models import Organisation, update_now
from homecare.delivery import access as delivery_access
from homecare.delivery import documents
from homecare.delivery.models import Invoice
from homecare.finance.models import AdjustmentLine, KeptDocument, Stream

Kind = KeptDocument.Kind
Status = KeptDocument.Status
INLINE_LINES = 400
# A build whose task has said nothing for this long has died (its worker was stopped): the
# next request fails it and builds again.
STALLED_AFTER = timedelta(minutes=10)
BUILDERS = {Kind.INVOICE: documents.invoice_pdf, Kind.REMITTANCE: documents.remittance_pdf}


def source_version(invoice: Invoice, kind: str) -> str:
    """What a copy of ``invoice``'s document was built from; a change makes a new copy."""
    run = invoice.run
    version = f"run {run.times_run}; {invoice.status}; adjustments {invoice.adjustments.count()}"
    if kind == Kind.REMITTANCE:
        decided = run.exceptions.aggregate(last=Max("decided_at"))["last"]
        version += f"; decided {decided.isoformat() if decided else 'none'}"
    return version


def documents_for(scope: Scope) -> QuerySet[KeptDocument]:
    """The kept documents the scope sees: an invoice's to whoever sees its run (its
    provider, its council's finance officers and commissioners); a recharge to the council's
    finance officers."""
    runs = delivery_access.runs_for(scope).values("pk")
    wanted = Q(kind__in=list(BUILDERS), invoice__run__in=runs)
    councils = scope.councils(FINANCE)
    if councils:
        wanted |= Q(kind=Kind.RECHARGE, council__in=councils)
    return KeptDocument.objects.filter(wanted).select_related(
        "council", "created_by", "invoice__run__provider", "invoice__run__council"
    )


def _current(kept: QuerySet[KeptDocument], now: datetime) -> KeptDocument | None:
    """The newest copy that is built or still being built; a stalled build is failed."""
    for copy in kept.exclude(status=Status.FAILED).order_by("-created_at", "-pk")[:1]:
        heard = copy.heartbeat_at or copy.started_at
        if copy.status == Status.RUNNING and heard and heard < now - STALLED_AFTER:
            update_now(
                copy,
                status=Status.FAILED,
                error="The build stopped without finishing.",
                finished_at=now,
            )
            return None
        return copy
    return None


def _start(kept: KeptDocument, *, small: bool, now: datetime) -> KeptDocument:
    kept.save()
    if small:
        build_document(kept.pk, now=now)
        kept.refresh_from_db()
    else:
        from homecare.finance.document_tasks import build_document_task

        transaction.on_commit(lambda: build_document_task.enqueue(kept.pk))
    return kept


@transaction.atomic
def request_document(
    invoice: Invoice, kind: str, *, now: datetime, acting_user: Any
) -> KeptDocument:
    """The kept PDF of ``invoice`` (``kind`` invoice or remittance), built if need be."""
    if kind not in BUILDERS:
        raise InputError(f"there is no {kind} document of an invoice", key="kind")
    version = source_version(invoice, kind)
    same = KeptDocument.objects.filter(invoice=invoice, kind=kind, source_version=version)
    kept = _current(same, now)
    if kept is not None:
        return kept
    kept = KeptDocument(
        council_id=invoice.run.council_id,
        kind=kind,
        invoice=invoice,
        source_version=version,
        file_name=f"{invoice.number}-{kind}.pdf",
        created_by=acting_user,
        created_at=now,
    )
    return _start(kept, small=invoice.lines_count < INLINE_LINES, now=now)


def recharge_version(council: Organisation, first: date, last: date) -> str:
    """What the council's recharge of the days would be built from: the days, then the
    approved NHS shares in them (how many, how much, the last approval) and the NHS stream's
    corrections (how many, the last made). Days come first: ``build_document`` reads them."""
    from homecare.finance.recharge_document import recharge_lines

    lines = recharge_lines(council, first, last).aggregate(
        n=Count("pk"), pence=Sum("nhs_pence"), last=Max("invoice__approved_at")
    )
    fixes = AdjustmentLine.objects.filter(
        adjustment__invoice__run__council=council, stream=Stream.NHS_CHC
    ).aggregate(n=Count("pk"), last=Max("adjustment__created_at"))
    return (
        f"{first.isoformat()} {last.isoformat()}; lines {lines['n'] or 0} "
        f"{lines['pence'] or 0}p {lines['last']}; corrections {fixes['n'] or 0} {fixes['last']}"
    )


@transaction.atomic
def request_recharge(
    council: Organisation, first: date, last: date, *, now: datetime, acting_user: Any
) -> KeptDocument:
    """The kept NHS recharge PDF of the council's approved visits from ``first`` to
    ``last`` (both included), built if need be."""
    if last < first:
        raise InputError("the last day must be the same as or after the first", key="last")
    version = recharge_version(council, first, last)
    same = KeptDocument.objects.filter(council=council, kind=Kind.RECHARGE, source_version=version)
    kept = _current(same, now)
    if kept is not None:
        return kept
    kept = KeptDocument(
        council=council,
        kind=Kind.RECHARGE,
        source_version=version,
        file_name=f"nhs-recharge-{first.isoformat()}-to-{last.isoformat()}.pdf",
        created_by=acting_user,
        created_at=now,
    )
    from homecare.finance.recharge_document import recharge_lines

    small = recharge_lines(council, first, last).count() < INLINE_LINES
    return _start(kept, small=small, now=now)


def recharge_days(kept: KeptDocument) -> tuple[date, date]:
    """The first and last day a recharge copy covers (the start of its source version)."""
    first, last = kept.source_version.split(";", 1)[0].split()
    return date.fromisoformat(first), date.fromisoformat(last)


def _build(kept: KeptDocument, progress: Any) -> bytes:
    if kept.kind == Kind.RECHARGE:
        from homecare.finance.recharge_document import recharge_pdf

        first, last = recharge_days(kept)
        return recharge_pdf(kept.council, first, last, on_progress=progress)
    assert kept.invoice is not None
    return BUILDERS[kept.kind](kept.invoice.run, on_progress=progress)


def build_document(kept_id: int, *, now: datetime | None = None) -> KeptDocument:
    """Build a queued document (the background task, or the request for a small one).
    Progress is saved after each few pages; any failure is recorded on the document."""
    kept = KeptDocument.objects.select_related("council", "invoice__run").get(pk=kept_id)
    if kept.status != Status.QUEUED:
        return kept
    started = now or timezone.now()
    update_now(kept, status=Status.RUNNING, started_at=started, heartbeat_at=started)

    def progress(done: int, total: int) -> None:
        update_now(kept, progress_done=done, progress_total=total, heartbeat_at=timezone.now())

    try:
        content = _build(kept, progress)
    except Exception as exc:  # the document's page must say it failed, whatever went wrong
        detail = traceback.format_exception_only(exc)[-1].strip()
        update_now(kept, status=Status.FAILED, error=detail, finished_at=now or timezone.now())
        return kept
    update_now(
        kept,
        status=Status.DONE,
        content=content,
        pages=kept.progress_total,
        progress_done=kept.progress_total,
        finished_at=now or timezone.now(),
    )
    return kept
