"""A subject-access export: everything held about one person as one ZIP archive, recorded
(who exported whom, when), for the person's own council only."""

from __future__ import annotations

import csv
import io
import tracemalloc
import zipfile
from datetime import datetime
from typing import Any

from django.urls import reverse

from homecare.brokerage.testing import LONDON
from homecare.delivery.models import VisitLog
from homecare.governance import actions, subject_access
from homecare.governance.models import SubjectAccessExport

EXPORTED = datetime(2026, 5, 1, 10, 0, tzinfo=LONDON)


def _archive(response: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _table(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_the_archive_holds_everything_about_the_person_and_the_export_is_recorded(
    two_councils: Any, signed_in: Any, commissioner: Any, frozen_now: Any
) -> None:
    person = two_councils["person_a"]
    frozen_now(EXPORTED)
    response = signed_in(commissioner).post(reverse("governance:person-export", args=[person.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "Records of P-0001 2026-05-01.zip" in response["Content-Disposition"]
    archive = _archive(response)
    names = set(archive.namelist())
    assert {section.file_name for section in subject_access.SECTIONS} <= names
    assert {subject_access.SUMMARY_FILE, subject_access.HISTORY_FILE} <= names
    assert _table(archive, "person.csv")[1][:2] == ["P-0001", "Testshire County Council"]
    assert len(_table(archive, "packages.csv")) == 3  # the heading and two packages
    logs = _table(archive, "visit logs.csv")
    assert len(logs) == 1 + VisitLog.objects.filter(person=person).count() == 4
    # A carer id that a spreadsheet would run as a formula stays text.
    assert [row[1] for row in logs if "HYPERLINK" in row[1]] == ["'=HYPERLINK(1)"]
    assert len(_table(archive, "invoice lines.csv")) > 1
    assert len(_table(archive, "visit exceptions.csv")) > 1
    assert _table(archive, "complaints.csv")[1][4] == "Visits were late three days running"
    history = _table(archive, subject_access.HISTORY_FILE)
    assert any("Cohort: Older people → Mental health" in row[5] for row in history)
    summary = archive.read(subject_access.SUMMARY_FILE).decode("utf-8-sig")
    assert "Testshire County Council" in summary and "by Commissioner" in summary
    assert "visit logs.csv: Carers' arrivals and departures recorded at each visit (3 rows)" in (
        summary
    )
    # Nothing of the other council's person with a record of their own is in it.
    for name in names:
        assert "Otherford" not in archive.read(name).decode("utf-8-sig")
    export = SubjectAccessExport.objects.get(person=person)
    assert (export.exported_by, export.exported_at) == (commissioner, EXPORTED)
    assert export.records > 0 and len(export.sha256) == 64
    # The export is itself in the history of changes, by who made it.
    page = signed_in(commissioner).get(reverse("governance:person", args=[person.pk]))
    assert "1 May 2026 10:00 by Commissioner" in page.content.decode()


def test_another_councils_person_is_not_found(
    two_councils: Any, signed_in: Any, commissioner_b: Any
) -> None:
    person = two_councils["person_a"]
    client = signed_in(commissioner_b)
    assert client.get(reverse("governance:person", args=[person.pk])).status_code == 404
    assert client.post(reverse("governance:person-export", args=[person.pk])).status_code == 404
    assert not SubjectAccessExport.objects.exists()
    found = client.get(reverse("governance:people"), {"reference": "P-0001"})
    assert found.status_code == 400
    assert "Otherford Borough Council has no person P-0001" in found.content.decode()


def test_finding_a_person_by_reference_opens_their_records(
    two_councils: Any, signed_in: Any, commissioner: Any
) -> None:
    person = two_councils["person_a"]
    response = signed_in(commissioner).get(reverse("governance:people"), {"reference": "p-0001"})
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:person", args=[person.pk])


def test_an_export_is_only_made_by_a_post(
    two_councils: Any, signed_in: Any, commissioner: Any
) -> None:
    person = two_councils["person_a"]
    url = reverse("governance:person-export", args=[person.pk])
    assert signed_in(commissioner).get(url).status_code == 405


def test_a_person_with_many_logs_is_streamed_not_held_in_memory(
    two_councils: Any, commissioner: Any
) -> None:
    person = two_councils["person_a"]
    template = VisitLog.objects.filter(person=person).first()
    assert template is not None
    VisitLog.objects.bulk_create(
        VisitLog(
            provider_id=template.provider_id,
            person=person,
            carer_id=f"C{n}",
            check_in=template.check_in,
            check_out=template.check_out,
            method="app",
            created_at=template.created_at,
        )
        for n in range(20_000)
    )
    out = io.BytesIO()
    tracemalloc.start()
    try:
        actions.export_subject_access(person, out=out, now=EXPORTED, acting_user=commissioner)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rows = _table(zipfile.ZipFile(out), "visit logs.csv")
    assert len(rows) == 1 + 20_003
    # The compressed archive is held (in a BytesIO here, a file on disk in the view); the
    # rows never are: 20,000 logs as Python objects would take tens of megabytes.
    assert peak < 15_000_000
