"""Writes for call-monitoring logs: uploads, their import, release of held rows, API pushes.

Named verb_noun, each in a transaction, each taking ``acting_user`` (``None``: the system).
Runs, exceptions and invoices are in :mod:`homecare.delivery.reconciliation`.

Idempotence: a log's key (provider, person, carer, check-in) is unique in the database, and
every write checks the keys already stored and inserts with ``ignore_conflicts`` as the last
guard, so the same or overlapping logs sent again (by file or API) never make a second row.

Atomicity: an import writes every log of the file in one transaction, so a file is either
wholly imported or not at all, even if the process dies half-way. Progress (``rows_done``)
counts rows checked and made ready before that transaction, each step committed on its own
so the status page can show it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from carecore.ecm import dedupe_logs, validate_logs
from carecore.ecm.validation import InputErrors
from carecore.errors import InputError
from homecare.accounts.models import update_now
from homecare.brokerage.tenancy import ProviderPeople
from homecare.delivery.engine import provider_ref
from homecare.delivery.models import LogUpload, VisitLog
from homecare.delivery.reading import read_upload

CHUNK = 500  # logs per progress step and per INSERT
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
BAD_ROW_POLICIES = ("reject", "hold")


def bad_rows_policy() -> str:
    """The council's setting: reject a file with bad rows whole, or hold its good rows."""
    policy = getattr(settings, "HOMECARE_ECM_BAD_ROWS", "reject")
    if policy not in BAD_ROW_POLICIES:
        raise InputError(
            f"expected one of {', '.join(BAD_ROW_POLICIES)}, got {policy!r}",
            key="HOMECARE_ECM_BAD_ROWS",
        )
    return str(policy)


def detect_format(file_name: str, content: bytes) -> str:
    """``parquet`` by suffix; a CSV whose header has ``ServiceUserRef`` is a finance return."""
    name = file_name.lower()
    if name.endswith((".parquet", ".pq")):
        return LogUpload.Format.PARQUET
    if not name.endswith((".csv", ".txt")):
        raise InputError("expected a .csv or .parquet file", key="file")
    header = content[:4096].split(b"\n", 1)[0]
    return LogUpload.Format.RETURN if b"ServiceUserRef" in header else LogUpload.Format.CSV


@transaction.atomic
def create_upload(
    provider: Any, file_name: str, content: bytes, *, now: datetime, acting_user: Any
) -> LogUpload:
    """Store a provider's file and queue its import (run after this transaction commits)."""
    if not content:
        raise InputError("the file is empty", key="file")
    if len(content) > MAX_UPLOAD_BYTES:
        raise InputError("the file is over 50 MB: send a period at a time", key="file")
    upload = LogUpload.objects.create(
        provider=provider,
        file_name=file_name[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        format=detect_format(file_name, content),
        content=content,
        uploaded_by=acting_user,
        uploaded_at=now,
    )
    from homecare.delivery.tasks import import_upload_task

    transaction.on_commit(lambda: import_upload_task.enqueue(upload.pk))
    return upload


def import_upload(upload_id: int, *, now: datetime | None = None) -> LogUpload:
    """Read, check and write an upload's logs (the background task; the system acts).

    Bad rows reject the file whole, or under the ``hold`` policy the good rows are written
    held (not paid until released). Nothing is written if anything fails part-way, and the
    upload always ends done, held or failed with the reason: never left importing.
    """
    upload = LogUpload.objects.select_related("provider__organisation").get(pk=upload_id)
    if upload.finished:
        return upload
    started = timezone.now()
    update_now(
        upload,
        status=LogUpload.Status.RUNNING,
        rows_done=0,
        started_at=now or started,  # the import's clock; the heartbeat is the worker's own
        heartbeat_at=started,
    )
    try:
        return _import(upload, now=now)
    except ImportOvertaken:
        upload.refresh_from_db()
        return upload
    except Exception as exc:
        _fail(upload, exc)
        raise
    except BaseException as exc:  # a Polars panic (PanicException) is not an Exception
        _fail(upload, exc)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise RuntimeError(f"the import of upload {upload.pk} stopped: {exc}") from exc


def _import(upload: LogUpload, *, now: datetime | None) -> LogUpload:
    provider = upload.provider
    result = read_upload(
        bytes(upload.content), upload.format, provider=provider, provider_ref=provider_ref(provider)
    )
    update_now(
        upload,
        rows_total=result.rows_total,
        errors=printable_errors(result.errors),
        errors_total=result.errors_total,
        heartbeat_at=timezone.now(),
    )
    hold = bool(result.errors_total) and bad_rows_policy() == "hold"
    if result.logs is None or (result.errors_total and not hold):
        update_now(upload, status=LogUpload.Status.FAILED, finished_at=now or timezone.now())
        return upload
    rows = _prepare(upload, result.logs, held=hold, now=now or timezone.now())
    update_now(upload, heartbeat_at=timezone.now())
    created, existing = _write_all(upload, rows)
    update_now(
        upload,
        status=LogUpload.Status.HELD if hold else LogUpload.Status.DONE,
        rows_done=upload.rows_total,
        logs_created=created,
        logs_existing=existing,
        finished_at=now or timezone.now(),
    )
    return upload


def printable(text: object) -> str:
    """Text that any database stores: a NUL from a file (UTF-16 read as UTF-8, say) shown
    as ␀, which PostgreSQL's text and JSON would refuse."""
    return str(text).replace("\x00", "\u2400")


def printable_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {key: printable(value) if isinstance(value, str) else value for key, value in e.items()}
        for e in errors
    ]


def _fail(upload: LogUpload, exc: BaseException) -> None:
    """Mark the upload failed with the reason, whatever stopped it; nothing was saved."""
    _stop(upload, f"the import stopped ({str(exc) or type(exc).__name__})", now=timezone.now())


def _stop(upload: LogUpload, why: str, *, now: datetime) -> None:
    """The upload failed because its import stopped (``why``), not for its rows: the same
    file may be tried again."""
    failure = {
        "row": None,
        "column": "",
        "message": printable(f"{why}; nothing was saved: try this file again"),
    }
    errors = printable_errors(list(upload.errors or []))
    update_now(
        upload,
        status=LogUpload.Status.FAILED,
        stopped=True,
        errors=[*errors, failure],
        errors_total=(upload.errors_total or 0) + 1,
        finished_at=now,
    )


class ImportOvertaken(Exception):
    """The upload stopped being this import's while it ran (recovery failed it as stale)."""


def _prepare(upload: LogUpload, logs: pl.DataFrame, *, held: bool, now: datetime) -> list[VisitLog]:
    """Unsaved log rows, one per key (repeats in the file count once), with progress and a
    heartbeat after each chunk of rows.

    A reference naming people of two councils the provider serves stops the import (nothing
    is saved): a visit is never put down to another council's person.
    """
    people = ProviderPeople(upload.provider)
    unique = dedupe_logs(logs.lazy()).collect().sort("check_in", "person_ref", "carer_id")
    rows: list[VisitLog] = []
    total = max(unique.height, 1)
    for start in range(0, unique.height, CHUNK):
        for item in unique.slice(start, CHUNK).iter_rows(named=True):
            person_id = people.person_id(item["person_ref"])
            rows.append(_log(upload.provider, person_id, item, now=now))
            rows[-1].upload, rows[-1].held = upload, held
            rows[-1].created_by = upload.uploaded_by
        # Each step reports the worker alive, so a slow import is never failed as stale.
        update_now(
            upload,
            rows_done=upload.rows_total * len(rows) // total,
            heartbeat_at=timezone.now(),
        )
    return rows


def _log(provider: Any, person_id: int, item: dict[str, Any], *, now: datetime) -> VisitLog:
    manual = item["method"] == VisitLog.Method.MANUAL
    return VisitLog(
        provider=provider,
        person_id=person_id,
        carer_id=item["carer_id"],
        check_in=item["check_in"],
        check_out=item["check_out"],
        method=item["method"],
        exception_code=item["exception_code"] or "",
        approval=VisitLog.Approval.PENDING if manual else VisitLog.Approval.NOT_NEEDED,
        created_at=now,
    )


Key = tuple[int, str, datetime]


def _existing_keys(provider: Any, rows: Sequence[VisitLog]) -> set[Key]:
    if not rows:
        return set()
    found = VisitLog.objects.filter(
        provider=provider,
        person_id__in={row.person_id for row in rows},
        check_in__gte=min(row.check_in for row in rows),
        check_in__lte=max(row.check_in for row in rows),
    ).values_list("person_id", "carer_id", "check_in")
    return set(found)


def bulk_insert(rows: Sequence[VisitLog]) -> None:
    """One INSERT of new logs; a key another import stored meanwhile is skipped."""
    VisitLog.objects.bulk_create(rows, ignore_conflicts=True)


def _utc(key: Key) -> Key:
    # A London time in the repeated autumn hour (fold=1) hashes as the first 01:30 but equals
    # the second: compared in UTC, each key is the one moment it names.
    person_id, carer_id, check_in = key
    return person_id, carer_id, check_in.astimezone(UTC)


@transaction.atomic
def _write_all(upload: LogUpload, rows: list[VisitLog]) -> tuple[int, int]:
    """Write the new logs, all or nothing: (logs created, logs already stored).

    The counts are what the database holds afterwards, so they are true even when another
    import stored some of the same logs meanwhile. If the upload was failed as stale while
    this ran (its worker looked dead), nothing is written: the provider was told so.
    """
    existing = {_utc(key) for key in _existing_keys(upload.provider, rows)}
    new = [r for r in rows if _utc((r.person_id, r.carer_id, r.check_in)) not in existing]
    for start in range(0, len(new), CHUNK):
        bulk_insert(new[start : start + CHUNK])
    current = LogUpload.objects.select_for_update().only("status").get(pk=upload.pk)
    if current.status != LogUpload.Status.RUNNING:
        raise ImportOvertaken(upload.pk)
    created = VisitLog.objects.filter(upload=upload).count()
    return created, len(rows) - created


@transaction.atomic
def release_upload(
    upload: LogUpload, *, councils: list[Any], now: datetime, acting_user: Any
) -> int:
    """A finance officer releases the held logs of an upload that are ``councils``' to pay
    (people placed through them); returns how many. The upload is released once none is held.
    """
    upload = LogUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.status != LogUpload.Status.HELD:
        raise InputError("only an upload held for review can be released", key="upload")
    held = upload.logs.filter(held=True)
    theirs = held.filter(person__council__in=councils)
    count = held.filter(pk__in=theirs.values("pk")).update(held=False)
    if count == 0:
        raise InputError("none of this upload's held logs is your council's to pay", key="upload")
    if not upload.logs.filter(held=True).exists():
        upload.status, upload.released_by = LogUpload.Status.DONE, acting_user
        upload.released_at = now
        upload.save(update_fields=["status", "released_by", "released_at"])
    return count


LOG_FIELDS = ("person_ref", "carer_id", "check_in", "check_out", "method", "exception_code")


@transaction.atomic
def record_visit_log(
    provider: Any, values: dict[str, Any], *, now: datetime, acting_user: Any
) -> tuple[VisitLog, bool]:
    """One log pushed by a provider's system: (the stored log, whether it is new).

    The engine checks the values as it checks a file's row; an error names the field. The
    same key again returns the stored log and ``False``, and changes nothing.
    """
    ref = provider_ref(provider)
    row = {name: values.get(name) for name in LOG_FIELDS}
    frame = pl.DataFrame(
        [{"provider_ref": ref, **{k: None if v is None else str(v) for k, v in row.items()}}],
        schema=dict.fromkeys(("provider_ref", *LOG_FIELDS), pl.String),
    )
    try:
        checked = validate_logs(frame, source="log")
    except InputErrors as exc:
        first = exc.errors[0]
        raise InputError(first.message, key=first.key) from None
    item = checked.row(0, named=True)
    person_id = ProviderPeople(provider).person_id(item["person_ref"])
    stored = VisitLog.objects.filter(
        provider=provider, person_id=person_id, carer_id=item["carer_id"], check_in=item["check_in"]
    ).first()
    if stored is not None:
        return stored, False
    log = _log(provider, person_id, item, now=now)
    log.created_by = acting_user
    log._history_user = acting_user  # type: ignore[attr-defined]
    log.save()
    return log, True


DEFAULT_STALE_MINUTES = 15


def stale_minutes() -> int:
    """How long a running import's worker may go without reporting before it is taken for
    dead (``HOMECARE_IMPORT_STALE_MINUTES``): longer than its longest step, the writing of
    a whole file in one transaction."""
    return int(getattr(settings, "HOMECARE_IMPORT_STALE_MINUTES", DEFAULT_STALE_MINUTES))


@transaction.atomic
def fail_stale_imports(*, now: datetime, acting_user: Any = None) -> list[LogUpload]:
    """Fail every import whose worker has not reported for :func:`stale_minutes`, with the
    reason, so that its file can be tried again; returns them. An import still writing
    holds its upload's row, and is left to finish."""
    minutes = stale_minutes()
    cutoff = now - timedelta(minutes=minutes)
    stale = list(
        LogUpload.objects.select_for_update(skip_locked=True)
        .filter(status=LogUpload.Status.RUNNING)
        .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, uploaded_at__lt=cutoff))
        .defer("content")
    )
    for upload in stale:
        last = timezone.localtime(upload.heartbeat_at or upload.uploaded_at)
        _stop(
            upload,
            f"the import stopped: the worker importing it last reported at {last:%H:%M} on "
            f"{last:%-d %B %Y} and had not reported for more than {minutes} minutes",
            now=now,
        )
    return stale


def retry_upload(upload: LogUpload, *, now: datetime, acting_user: Any) -> LogUpload:
    """Send again the file of an upload whose import stopped: a new upload of the same bytes,
    queued as any upload is (logs already stored are never stored twice)."""
    if not (upload.status == LogUpload.Status.FAILED and upload.stopped):
        raise InputError(
            "only a file whose import stopped can be tried again as it is: correct the rows "
            "named and upload the corrected file",
            key="upload",
        )
    return create_upload(
        upload.provider, upload.file_name, bytes(upload.content), now=now, acting_user=acting_user
    )
