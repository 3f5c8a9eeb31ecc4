"""Uploads that cannot break, hang or double-pay: files larger than the limits are refused
before they are read, an import whose worker died is failed and can be tried again, the
repeated autumn hour is counted true, and a carer id in another case is the same carer.

Files are sent through the upload page by the provider's user; the import runs as the task
backend runs it (the immediate backend here, ``db_worker`` in use)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import polars as pl
import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from homecare.brokerage.testing import LONDON, NOW
from homecare.delivery import actions
from homecare.delivery.models import LogUpload, VisitLog
from homecare.delivery.testing import at, csv_bytes, log_row


def send(client: Any, name: str, content: bytes, capture: Any) -> LogUpload:
    """Upload ``content`` through the upload page, running the import it queues."""
    sent = io.BytesIO(content)
    sent.name = name
    with capture(execute=True):
        response = client.post(reverse("delivery:uploads"), {"file": sent})
    assert response.status_code == 302, response.content.decode()[:500]
    return LogUpload.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def good_rows(provider: Any) -> list[dict[str, str]]:
    return [
        log_row(provider, "P-0001", at(1, 8, 2), 31),
        log_row(provider, "P-0001", at(2, 8, 40), 28),
        log_row(provider, "P-0002", at(1, 8, 0), 30),
    ]


@pytest.fixture
def provider_client(signed_in: Any, prime_1_user: Any, placed: Any) -> Any:
    return signed_in(prime_1_user)


# --- bombs and row limits -----------------------------------------------------------------


def test_a_parquet_file_of_more_rows_than_the_limit_is_refused_naming_the_limit(
    settings: Any, provider_client: Any, prime_1: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.HOMECARE_UPLOAD_MAX_ROWS = 1_000
    rows = pl.DataFrame(good_rows(prime_1)[:1] * 1_001)
    out = io.BytesIO()
    rows.write_parquet(out)
    upload = send(
        provider_client, "export.parquet", out.getvalue(), django_capture_on_commit_callbacks
    )
    assert upload.status == LogUpload.Status.FAILED
    assert upload.rows_total == 0  # refused before a row was read
    assert upload.errors[0]["message"].startswith("The file has more than 1,000 rows")
    page = provider_client.get(reverse("delivery:upload", args=[upload.pk])).content.decode()
    assert "The file has more than 1,000 rows" in page
    assert VisitLog.objects.count() == 0


def test_a_parquet_file_that_unpacks_too_large_is_refused(
    settings: Any, provider_client: Any, prime_1: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.HOMECARE_UPLOAD_MAX_UNPACKED_BYTES = 100_000
    row = good_rows(prime_1)[0]
    frame = pl.DataFrame(
        [{**row, "method": "app", "note": f"{i:05d}" + "x" * 500} for i in range(300)]
    )
    out = io.BytesIO()
    frame.write_parquet(out, compression="zstd")
    assert len(out.getvalue()) < 100_000
    upload = send(
        provider_client, "export.parquet", out.getvalue(), django_capture_on_commit_callbacks
    )
    assert upload.status == LogUpload.Status.FAILED
    assert "unpacks to more than" in upload.errors[0]["message"]


def test_a_csv_file_over_the_row_limit_is_refused_and_one_at_the_limit_imported(
    settings: Any, provider_client: Any, prime_1: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.HOMECARE_UPLOAD_MAX_ROWS = 3
    over = send(
        provider_client,
        "logs.csv",
        csv_bytes([*good_rows(prime_1), log_row(prime_1, "P-0002", at(2, 8, 0), 30)]),
        django_capture_on_commit_callbacks,
    )
    assert over.status == LogUpload.Status.FAILED
    assert over.errors[0]["message"].startswith("The file has more than 3 rows")
    at_limit = send(
        provider_client,
        "logs.csv",
        csv_bytes(good_rows(prime_1)),
        django_capture_on_commit_callbacks,
    )
    assert (at_limit.status, at_limit.logs_created) == (LogUpload.Status.DONE, 3)


# --- an import whose worker died ----------------------------------------------------------


def _killed_mid_import(monkeypatch: pytest.MonkeyPatch, upload_id: int) -> None:
    """What a worker killed while writing leaves: the upload importing, nothing written, and
    no handler run (a killed process runs none)."""
    monkeypatch.setattr(actions, "_fail", lambda upload, exc: None)

    def killed(upload: Any, rows: Any) -> Any:
        raise KeyboardInterrupt  # the signal; the transaction is never committed

    monkeypatch.setattr(actions, "_write_all", killed)
    with pytest.raises(KeyboardInterrupt):
        actions.import_upload(upload_id, now=NOW)
    monkeypatch.undo()


def _stored(provider: Any, frozen_now: Any) -> LogUpload:
    frozen_now(datetime(2026, 4, 7, 10, 0, tzinfo=LONDON))
    return actions.create_upload(
        provider, "week.csv", csv_bytes(good_rows(provider)), now=NOW, acting_user=None
    )


def test_an_import_whose_worker_died_is_failed_after_the_stated_time_and_tried_again(
    monkeypatch: pytest.MonkeyPatch,
    frozen_now: Any,
    provider_client: Any,
    prime_1: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    upload = _stored(prime_1, frozen_now)
    _killed_mid_import(monkeypatch, upload.pk)
    upload.refresh_from_db()
    assert upload.status == LogUpload.Status.RUNNING
    assert upload.heartbeat_at == datetime(2026, 4, 7, 10, 0, tzinfo=LONDON)

    frozen_now(datetime(2026, 4, 7, 10, 14, tzinfo=LONDON))  # within 15 minutes: left alone
    call_command("recover_stale_work", stdout=io.StringIO())
    upload.refresh_from_db()
    assert upload.status == LogUpload.Status.RUNNING

    frozen_now(datetime(2026, 4, 7, 10, 16, tzinfo=LONDON))
    out = io.StringIO()
    call_command("recover_stale_work", stdout=out)
    assert out.getvalue().startswith("1 import(s)")
    upload.refresh_from_db()
    assert (upload.status, upload.stopped) == (LogUpload.Status.FAILED, True)
    assert upload.errors[-1]["message"] == (
        "the import stopped: the worker importing it last reported at 10:00 on 7 April 2026 "
        "and had not reported for more than 15 minutes; nothing was saved: try this file again"
    )
    assert VisitLog.objects.count() == 0

    page = provider_client.get(reverse("delivery:upload", args=[upload.pk]))
    shown = render_to_string(
        "delivery/_upload_failed.html", {"upload": upload}, request=page.wsgi_request
    )
    assert "The import stopped before it finished" in shown
    assert "Try this file again" in shown
    with django_capture_on_commit_callbacks(execute=True):
        response = provider_client.post(reverse("delivery:upload-again", args=[upload.pk]))
    again = LogUpload.objects.exclude(pk=upload.pk).get()
    assert response.url == reverse("delivery:upload", args=[again.pk])
    assert (again.status, again.logs_created, again.file_name) == ("done", 3, "week.csv")
    assert VisitLog.objects.count() == 3


def test_the_next_import_task_fails_what_a_dead_worker_left_importing(
    monkeypatch: pytest.MonkeyPatch,
    frozen_now: Any,
    prime_1: Any,
    placed: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    stuck = _stored(prime_1, frozen_now)
    _killed_mid_import(monkeypatch, stuck.pk)
    frozen_now(datetime(2026, 4, 7, 11, 0, tzinfo=LONDON))
    with django_capture_on_commit_callbacks(execute=True):
        later = actions.create_upload(
            prime_1, "next.csv", csv_bytes(good_rows(prime_1)[:1]), now=NOW, acting_user=None
        )
    stuck.refresh_from_db()
    later.refresh_from_db()
    assert (stuck.status, later.status) == (LogUpload.Status.FAILED, LogUpload.Status.DONE)


def test_an_import_overtaken_by_recovery_writes_nothing_and_stays_failed(
    monkeypatch: pytest.MonkeyPatch, frozen_now: Any, prime_1: Any, placed: Any
) -> None:
    # A worker too slow, not dead: recovery failed it meanwhile and the provider was told
    # nothing was saved, so the late worker must not save it after all.
    upload = _stored(prime_1, frozen_now)
    write_all = actions._write_all

    def overtaken(upload: Any, rows: Any) -> Any:
        frozen_now(datetime(2026, 4, 7, 10, 30, tzinfo=LONDON))
        assert actions.fail_stale_imports(now=datetime(2026, 4, 7, 10, 30, tzinfo=LONDON))
        return write_all(upload, rows)

    monkeypatch.setattr(actions, "_write_all", overtaken)
    finished = actions.import_upload(upload.pk, now=NOW)
    assert (finished.status, finished.stopped, finished.logs_created) == ("failed", True, 0)
    assert VisitLog.objects.count() == 0


def test_only_a_stopped_import_is_offered_again(
    provider_client: Any, prime_1: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rows = good_rows(prime_1)
    rows[0]["check_out"] = "not a time"
    rejected = send(
        provider_client, "logs.csv", csv_bytes(rows), django_capture_on_commit_callbacks
    )
    request = RequestFactory().get("/")
    request.user = rejected.uploaded_by
    shown = render_to_string("delivery/_upload_failed.html", {"upload": rejected}, request=request)
    assert "Try this file again" not in shown and "Correct the rows" in shown
    response = provider_client.post(reverse("delivery:upload-again", args=[rejected.pk]))
    assert response.status_code == 302
    assert LogUpload.objects.count() == 1


def test_another_provider_cannot_try_a_file_again(
    monkeypatch: pytest.MonkeyPatch,
    frozen_now: Any,
    signed_in: Any,
    prime_1: Any,
    prime_2_user: Any,
    placed: Any,
) -> None:
    upload = _stored(prime_1, frozen_now)
    _killed_mid_import(monkeypatch, upload.pk)
    actions.fail_stale_imports(now=datetime(2026, 4, 7, 12, 0, tzinfo=LONDON))
    response = signed_in(prime_2_user).post(reverse("delivery:upload-again", args=[upload.pk]))
    assert response.status_code == 404
    assert LogUpload.objects.count() == 1


# --- the repeated autumn hour -------------------------------------------------------------

# Sunday 25 October 2026: London's clocks go back at 02:00 BST, so 01:00-02:00 happens twice.
FIRST_HOUR, SECOND_HOUR = "+01:00", "+00:00"


def _autumn_rows(provider: Any) -> list[dict[str, str]]:
    rows = []
    for offset in (FIRST_HOUR, SECOND_HOUR):
        for minute in range(0, 60, 6):  # ten visits in each of the two 01:00 hours
            rows.append(
                {
                    **log_row(provider, "P-0001", at(1, 8), 30),
                    "check_in": f"2026-10-25T01:{minute:02d}:00{offset}",
                    "check_out": f"2026-10-25T01:{minute + 5:02d}:00{offset}",
                }
            )
    return rows


def test_the_repeated_autumn_hour_is_stored_once_and_counted_true_when_sent_again(
    provider_client: Any, prime_1: Any, django_capture_on_commit_callbacks: Any
) -> None:
    content = csv_bytes(_autumn_rows(prime_1))
    first = send(provider_client, "autumn.csv", content, django_capture_on_commit_callbacks)
    assert (first.status, first.logs_created, first.logs_existing) == ("done", 20, 0)
    assert VisitLog.objects.count() == 20
    again = send(provider_client, "autumn.csv", content, django_capture_on_commit_callbacks)
    assert (again.logs_created, again.logs_existing) == (0, 20)
    assert VisitLog.objects.count() == 20
    page = provider_client.get(reverse("delivery:upload", args=[again.pk])).content.decode()
    assert "0 new logs stored; 20 already received before" in page


def test_after_a_crash_a_resent_autumn_file_reports_only_what_it_stored(
    monkeypatch: pytest.MonkeyPatch,
    frozen_now: Any,
    provider_client: Any,
    prime_1: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    rows = _autumn_rows(prime_1)
    send(provider_client, "half.csv", csv_bytes(rows[5:15]), django_capture_on_commit_callbacks)
    crashed = _stored(prime_1, frozen_now)
    _killed_mid_import(monkeypatch, crashed.pk)
    frozen_now(datetime(2026, 10, 26, 9, 0, tzinfo=LONDON))
    resent = send(
        provider_client, "autumn.csv", csv_bytes(rows), django_capture_on_commit_callbacks
    )
    assert (resent.logs_created, resent.logs_existing) == (10, 10)
    assert VisitLog.objects.filter(upload=resent).count() == 10


# --- carer ids ----------------------------------------------------------------------------


def test_a_carer_id_in_another_case_or_with_spaces_is_the_same_carer(
    provider_client: Any, prime_1: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = log_row(prime_1, "P-0001", at(1, 8, 2), 31, carer="cr-0012")
    second = log_row(prime_1, "P-0001", at(1, 8, 2), 31, carer=" CR-0012 ")
    upload = send(
        provider_client, "logs.csv", csv_bytes([first, second]), django_capture_on_commit_callbacks
    )
    assert upload.logs_created == 1
    assert list(VisitLog.objects.values_list("carer_id", flat=True)) == ["CR-0012"]
    again = send(
        provider_client,
        "logs.csv",
        csv_bytes([log_row(prime_1, "P-0001", at(1, 8, 2), 31, carer="Cr-0012")]),
        django_capture_on_commit_callbacks,
    )
    assert (again.logs_created, again.logs_existing) == (0, 1)


def test_the_worker_s_own_record_of_a_dead_import_is_failed_too(
    monkeypatch: pytest.MonkeyPatch, frozen_now: Any, prime_1: Any, placed: Any
) -> None:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from homecare.delivery.tasks import import_upload_task

    upload = _stored(prime_1, frozen_now)
    # What the database backend's worker wrote when it took the task, before it was killed.
    record = DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [upload.pk], "kwargs": {}},
        task_path=f"{import_upload_task.module_path}",
        backend_name="default",
        queue_name="default",
        run_after=datetime(2026, 4, 7, 10, 0, tzinfo=LONDON),
        started_at=datetime(2026, 4, 7, 10, 0, tzinfo=LONDON),
    )
    other = DBTaskResult.objects.create(  # another upload's task, still alive: left alone
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [upload.pk + 1000], "kwargs": {}},
        task_path=f"{import_upload_task.module_path}",
        backend_name="default",
        queue_name="default",
        run_after=datetime(2026, 4, 7, 10, 0, tzinfo=LONDON),
    )
    _killed_mid_import(monkeypatch, upload.pk)
    frozen_now(datetime(2026, 4, 7, 10, 16, tzinfo=LONDON))
    call_command("recover_stale_work", stdout=io.StringIO())
    record.refresh_from_db()
    other.refresh_from_db()
    assert record.status == TaskResultStatus.FAILED
    assert "stopped reporting" in record.traceback
    assert other.status == TaskResultStatus.RUNNING
