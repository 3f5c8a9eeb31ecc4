"""Retention: a dry run reports what each rule would do; applying it anonymises people six
years after their last service (keeping the numbers), removes carers' ids from old visit
logs and empties old uploaded files, in records and in their history."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from homecare.brokerage import lifecycle
from homecare.brokerage.models import Person, Placement
from homecare.brokerage.testing import LONDON
from homecare.delivery.models import InvoiceLine, LogUpload, VisitException, VisitLog
from homecare.governance.models import AnonymisedPerson, RetentionRun
from homecare.governance.retention import REMOVED_TEXT
from homecare.governance.tests.conftest import LATER
from homecare.insight.models import Complaint

# A's P-0001 had their last service on Sunday 5 April 2026 (care ended from the 6th).
SIX_YEARS_ON = "2032-04-07T03:00"
A_DAY_SHORT = "2032-04-05T03:00"


@pytest.fixture
def ended(two_councils: Any) -> Person:
    """A's P-0001 with both packages over: one ended, one withdrawn before placement."""
    person = two_councils["person_a"]
    for package in person.packages.order_by("pk"):
        if package.status == "started":
            lifecycle.end_package(package, reason="moved away", at=LATER, acting_user=None)
        else:
            lifecycle.withdraw_request(
                lifecycle.current_request(package), reason="not needed", now=LATER, acting_user=None
            )
    return person


def _retention(*args: str) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_reports_and_changes_nothing(ended: Person) -> None:
    report = _retention("--now", SIX_YEARS_ON)
    assert "Would do: People's details anonymised, kept for 6 years after their last service " in (
        report
    )
    assert "(before 7 April 2026): 1, the oldest from 6 April 2026" in report
    assert "Would do: Carers' ids removed from visit logs, kept for 6 years after the visit" in (
        report
    )
    assert "Nothing was changed" in report
    ended.refresh_from_db()
    assert ended.reference == "P-0001"
    assert not RetentionRun.objects.exists()


def test_a_day_short_of_six_years_nobody_is_due(ended: Person) -> None:
    report = _retention("--now", A_DAY_SHORT)
    assert "People's details anonymised, kept for 6 years after their last service ended" in (
        report
    )
    assert "(before 5 April 2026): 0" in report


def test_applying_anonymises_the_person_everywhere_and_keeps_the_numbers(
    ended: Person, two_councils: Any
) -> None:
    lines_before = list(InvoiceLine.objects.values_list("amount_pence", "payable_minutes"))
    area, funding = ended.area_id, ended.funding
    report = _retention("--apply", "--now", SIX_YEARS_ON)
    assert "Done: People's details anonymised" in report
    ended.refresh_from_db()
    new = f"Anonymised-{ended.pk}"
    assert ended.reference == new
    assert (ended.area_id, ended.funding) == (area, funding)
    assert set(Person.history.filter(id=ended.pk).values_list("reference", flat=True)) == {new}
    assert not VisitException.objects.filter(person_ref="P-0001").exists()
    assert not VisitException.history.filter(person_ref="P-0001").exists()
    assert VisitException.objects.filter(person_ref=new).exists()
    complaint = Complaint.objects.get(person=ended)
    assert complaint.summary == REMOVED_TEXT
    assert set(Complaint.history.filter(id=complaint.pk).values_list("summary", flat=True)) == {
        REMOVED_TEXT
    }
    reasons = Placement.objects.filter(package__person=ended).values_list("reason", flat=True)
    assert set(reasons) == {REMOVED_TEXT}
    # The numbers stay: every invoice line, its minutes and amount.
    assert list(InvoiceLine.objects.values_list("amount_pence", "payable_minutes")) == lines_before
    # B's person and complaint are untouched.
    person_b = two_councils["person_b"]
    person_b.refresh_from_db()
    assert person_b.reference == "P-0002"
    assert Complaint.objects.get(person=person_b).summary == "Otherford's own complaint"
    # Recorded, and done once.
    run = RetentionRun.objects.get()
    assert AnonymisedPerson.objects.get(person=ended).run == run
    assert {item["rule"]: item["count"] for item in run.report}["people"] == 1
    assert "(before 7 April 2026): 0" in _retention("--now", SIX_YEARS_ON)


def test_old_visit_logs_lose_carers_ids_and_old_files_are_emptied(two_councils: Any) -> None:
    _retention("--apply", "--now", SIX_YEARS_ON)
    carers = set(VisitLog.objects.values_list("carer_id", flat=True))
    assert carers and all(carer.startswith("removed-") for carer in carers)
    assert not VisitLog.history.filter(carer_id="=HYPERLINK(1)").exists()
    assert not InvoiceLine.objects.filter(carer_id="=HYPERLINK(1)").exists()
    upload = LogUpload.objects.get(pk=two_councils["upload"].pk)
    assert (bytes(upload.content), upload.errors, upload.rows_total) == (b"", [], 3)
    # P-0001 still has live care, so their details stay.
    assert Person.objects.filter(reference="P-0001").exists()


def test_the_years_are_settings(ended: Person, settings: Any) -> None:
    settings.HOMECARE_RETENTION_PERSON_YEARS = 10
    assert "kept for 10 years after their last service ended (before 7 April 2022): 0" in (
        _retention("--now", SIX_YEARS_ON)
    )
    settings.HOMECARE_RETENTION_PERSON_YEARS = "six"
    with pytest.raises(CommandError, match="HOMECARE_RETENTION_PERSON_YEARS must be a whole"):
        _retention("--now", SIX_YEARS_ON)


def test_a_bad_now_is_refused(db: Any) -> None:
    with pytest.raises(CommandError, match="--now must be a date and time"):
        _retention("--now", "next tuesday")


def test_the_retention_page_shows_each_council_its_own_report(
    ended: Person, signed_in: Any, commissioner: Any, commissioner_b: Any, frozen_now: Any
) -> None:
    frozen_now(datetime(2032, 4, 7, 9, 0, tzinfo=LONDON))
    page_a = signed_in(commissioner).get(reverse("governance:retention")).content.decode()
    assert "People&#x27;s details anonymised" in page_a
    assert "6 April 2026" in page_a  # the oldest last service due
    assert "Sign-in attempts" not in page_a  # they belong to no council
    page_b = signed_in(commissioner_b).get(reverse("governance:retention")).content.decode()
    assert "6 April 2026" not in page_b
    _retention("--apply", "--now", SIX_YEARS_ON)
    page_a = signed_in(commissioner).get(reverse("governance:retention")).content.decode()
    assert "1 of your council's people anonymised" in page_a
    page_b = signed_in(commissioner_b).get(reverse("governance:retention")).content.decode()
    assert "0 of your council's people anonymised" in page_b
