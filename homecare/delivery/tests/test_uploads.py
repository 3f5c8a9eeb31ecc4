"""Uploading call-monitoring logs: checks naming row and column, idempotence, atomicity."""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

import pytest

from homecare.brokerage.testing import NOW
from homecare.delivery import actions
from homecare.delivery.models import LogUpload, VisitLog
from homecare.delivery.testing import at, csv_bytes, log_row


def upload(provider: Any, rows: list[dict[str, str]], name: str = "logs.csv") -> LogUpload:
    """Store the file and import it as the background task would."""
    created = actions.create_upload(provider, name, csv_bytes(rows), now=NOW, acting_user=None)
    return actions.import_upload(created.pk, now=NOW)


def test_an_upload_queues_its_import_when_the_upload_commits(
    prime_1: Any, placed: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = actions.create_upload(
            prime_1, "logs.csv", csv_bytes(good_rows(prime_1)), now=NOW, acting_user=None
        )
    assert len(callbacks) == 1
    created.refresh_from_db()
    assert created.status == LogUpload.Status.DONE
    assert created.sha256 == hashlib.sha256(csv_bytes(good_rows(prime_1))).hexdigest()


def good_rows(provider: Any) -> list[dict[str, str]]:
    return [
        log_row(provider, "P-0001", at(1, 8, 2), 31),
        log_row(provider, "P-0001", at(2, 8, 40), 28),
        log_row(provider, "P-0002", at(1, 8, 0), 30, method="manual"),
    ]


def test_a_good_file_is_imported_with_its_progress_complete(prime_1: Any, placed: Any) -> None:
    done = upload(prime_1, good_rows(prime_1))
    assert done.status == LogUpload.Status.DONE
    assert (done.rows_total, done.rows_done, done.logs_created) == (3, 3, 3)
    assert VisitLog.objects.filter(upload=done).count() == 3
    manual = VisitLog.objects.get(person__reference="P-0002")
    assert manual.approval == VisitLog.Approval.PENDING


def test_the_same_file_twice_never_makes_a_second_log(prime_1: Any, placed: Any) -> None:
    upload(prime_1, good_rows(prime_1))
    again = upload(prime_1, good_rows(prime_1))
    assert (again.logs_created, again.logs_existing) == (0, 3)
    assert VisitLog.objects.count() == 3


def test_an_overlapping_file_adds_only_its_new_logs(prime_1: Any, placed: Any) -> None:
    upload(prime_1, good_rows(prime_1)[:2])
    later = upload(prime_1, good_rows(prime_1))
    assert (later.logs_created, later.logs_existing) == (1, 2)
    assert VisitLog.objects.count() == 3


def test_a_repeated_row_in_one_file_counts_once(prime_1: Any, placed: Any) -> None:
    rows = good_rows(prime_1)
    done = upload(prime_1, [*rows, rows[0]])
    assert done.logs_created == 3


def test_a_bad_row_rejects_the_whole_file_naming_row_and_column(prime_1: Any, placed: Any) -> None:
    rows = good_rows(prime_1)
    rows[1]["check_out"] = "not a time"
    failed = upload(prime_1, rows)
    assert failed.status == LogUpload.Status.FAILED
    assert VisitLog.objects.count() == 0
    # Row 3: the header is row 1, so the second data row is row 3, as a spreadsheet shows.
    assert [(e["row"], e["column"]) for e in failed.errors] == [(3, "check_out")]


def test_under_the_hold_setting_good_rows_are_held_and_released_by_finance(
    prime_1: Any, placed: Any, settings: Any, finance: Any, council: Any
) -> None:
    settings.HOMECARE_ECM_BAD_ROWS = "hold"
    rows = good_rows(prime_1)
    rows[0]["method"] = "pigeon"
    held = upload(prime_1, rows)
    assert held.status == LogUpload.Status.HELD
    assert held.errors[0]["row"] == 2 and held.errors[0]["column"] == "method"
    assert list(VisitLog.objects.values_list("held", flat=True)) == [True, True]
    assert actions.release_upload(held, councils=[council], now=NOW, acting_user=finance) == 2
    assert not VisitLog.objects.filter(held=True).exists()
    held.refresh_from_db()
    assert held.status == LogUpload.Status.DONE


def test_another_council_s_finance_officer_cannot_release_a_held_upload(
    prime_1: Any, placed: Any, settings: Any, finance: Any, signed_in: Any
) -> None:
    from django.urls import reverse

    from carecore.errors import InputError
    from homecare.accounts.actions import create_organisation
    from homecare.conftest import _persona

    settings.HOMECARE_ECM_BAD_ROWS = "hold"
    rows = good_rows(prime_1)
    rows[0]["method"] = "pigeon"
    held = upload(prime_1, rows)
    other = create_organisation("Elsewhere Borough Council", kind="council", acting_user=None)
    stranger = _persona("elsewhere_finance", other, "finance")
    with pytest.raises(InputError, match="your council's to pay"):
        actions.release_upload(held, councils=[other], now=NOW, acting_user=stranger)
    # Through the page: no release button, and a forged post releases nothing.
    page = signed_in(stranger).post(reverse("delivery:upload", args=[held.pk]))
    assert page.status_code in (200, 302, 404)
    assert VisitLog.objects.filter(held=True).count() == 2
    held.refresh_from_db()
    assert held.status == LogUpload.Status.HELD


def test_a_provider_cannot_log_visits_to_another_providers_people(
    prime_1: Any, placed: Any
) -> None:
    rows = [*good_rows(prime_1), log_row(prime_1, "P-0003", at(1, 8), 30)]
    failed = upload(prime_1, rows)
    assert failed.status == LogUpload.Status.FAILED
    assert [(e["row"], e["column"]) for e in failed.errors] == [(5, "person_ref")]
    assert "no package placed with you" in failed.errors[0]["message"]


def test_a_row_naming_another_provider_is_an_error(prime_1: Any, prime_2: Any, placed: Any):
    rows = good_rows(prime_1)
    rows[2]["provider_ref"] = prime_2.organisation.slug
    failed = upload(prime_1, rows)
    assert [(e["row"], e["column"]) for e in failed.errors] == [(4, "provider_ref")]


def test_nothing_is_written_when_the_writer_fails_half_way(
    prime_1: Any, placed: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(actions, "CHUNK", 2)
    calls: list[int] = []
    real = actions.bulk_insert

    def failing(rows: Any) -> None:
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("the process died")
        real(rows)

    monkeypatch.setattr(actions, "bulk_insert", failing)
    with pytest.raises(RuntimeError):
        stored = LogUpload.objects.create(
            provider=prime_1,
            file_name="logs.csv",
            sha256="x",
            format="csv",
            content=csv_bytes(good_rows(prime_1)),
            uploaded_at=NOW,
        )
        actions.import_upload(stored.pk, now=NOW)
    assert calls == [2, 1]  # the first chunk was inserted before the failure...
    assert VisitLog.objects.count() == 0  # ...and rolled back with it
    stored.refresh_from_db()
    assert stored.status == LogUpload.Status.FAILED
    assert "nothing was saved" in stored.errors[-1]["message"]


def test_a_finance_return_becomes_one_log_per_carer(prime_1: Any, placed: Any) -> None:
    columns = (
        "ServiceUserRef",
        "VisitDate",
        "StartTimeClaimed",
        "DurationClaimed",
        "ActualStartTime",
        "ActualDuration",
        "NumberOfCarers",
    )
    rows = [
        dict(zip(columns, ("P-0001", "2026-03-09", "08:00", "30", "08:05", "29", "2"), strict=True))
    ]
    done = upload(prime_1, rows, name="return.csv")
    assert done.format == LogUpload.Format.RETURN
    assert VisitLog.objects.filter(upload=done).count() == 2
    assert set(VisitLog.objects.values_list("method", flat=True)) == {"manual"}


def _stored(provider: Any, content: bytes) -> LogUpload:
    return LogUpload.objects.create(
        provider=provider,
        file_name="logs.csv",
        sha256="x",
        format="csv",
        content=content,
        uploaded_at=NOW,
    )


def test_a_utf16_file_fails_with_reasons_a_database_can_store(prime_1: Any, placed: Any) -> None:
    utf16 = csv_bytes(good_rows(prime_1)).decode().encode("utf-16")
    stored = _stored(prime_1, utf16)
    # A reader may refuse the file outright (an error raised): it must still end failed.
    with contextlib.suppress(Exception):
        actions.import_upload(stored.pk, now=NOW)
    stored.refresh_from_db()
    assert stored.status == LogUpload.Status.FAILED and stored.finished_at is not None
    assert stored.errors and all("\x00" not in str(e) for e in stored.errors)


def test_a_panic_in_the_reader_ends_the_import_failed_not_importing(
    prime_1: Any, placed: Any, monkeypatch: Any
) -> None:
    class PanicException(BaseException):  # what Polars raises on a panic
        pass

    def panic(*args: Any, **kwargs: Any) -> None:
        raise PanicException("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(actions, "read_upload", panic)
    stored = _stored(prime_1, csv_bytes(good_rows(prime_1)))
    with pytest.raises(RuntimeError, match="stopped"):
        actions.import_upload(stored.pk, now=NOW)
    stored.refresh_from_db()
    assert stored.status == LogUpload.Status.FAILED
    assert "Option::unwrap()" in stored.errors[-1]["message"]
    assert VisitLog.objects.count() == 0
