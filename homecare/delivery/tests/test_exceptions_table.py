"""The exceptions of a run as one table a finance officer can work: 50 a page, filtered by
kind, person, day and decision, sorted, several chosen and decided with one reason (a stale
choice refused), one decided alone on its own page, and a heading that counts only what is
left to decide.

Prime 1's period: P-0001 checks in 40 minutes late every day (28 late calls) and P-0002's
visits are all logged by hand (28 manual logs): 56 exceptions wait for a decision."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from homecare.brokerage.testing import NOW
from homecare.delivery import actions, reconciliation
from homecare.delivery.models import ReconciliationRun, VisitException
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row

ROW = re.compile(r'<tr class="govuk-table__row" id="exception-(\d+)">')


@pytest.fixture
def run(council: Any, prime_1: Any, placed: Any, finance: Any) -> ReconciliationRun:
    rows = [log_row(prime_1, "P-0001", _on(day, 8, 40), 28) for day in range(1, 29)]
    rows += [
        log_row(prime_1, "P-0002", _on(day, 8, 0), 30, method="manual") for day in range(1, 29)
    ]
    upload = actions.create_upload(prime_1, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None)
    actions.import_upload(upload.pk, now=NOW)
    return reconciliation.run_reconciliation(
        council, prime_1, PERIOD_START, now=NOW, acting_user=finance
    )


def _on(day: int, hour: int, minute: int) -> datetime:
    """London wall time on day ``day`` (1 to 28) of the period (aware arithmetic keeps it)."""
    return at(1, hour, minute) + timedelta(days=day - 1)


def _rows(html: str) -> list[int]:
    return [int(pk) for pk in ROW.findall(html)]


def _page(client: Any, run: ReconciliationRun, **query: str) -> tuple[int, str]:
    response = client.get(reverse("delivery:run", args=[run.pk]), query)
    return response.status_code, response.content.decode()


def _pending(run: ReconciliationRun) -> int:
    return run.exceptions.filter(status=VisitException.Status.PENDING).count()


def test_the_table_shows_fifty_a_page_and_the_pages_keep_the_filter(
    signed_in: Any, run: ReconciliationRun, finance: Any
) -> None:
    client = signed_in(finance)
    status, html = _page(client, run)
    assert status == 200
    assert "Exceptions to decide (56)" in html
    assert len(_rows(html)) == 50
    assert html.count('type="checkbox"') == 50  # one per row, no more forms than one
    assert html.count('name="chosen-decision"') == 2  # approve and reject, once
    assert "e1-version" not in html  # the single decisions are on their own page
    assert len(_rows(_page(client, run, page="2")[1])) == 6
    _status, late = _page(client, run, kind="pending_approval", sort="person")
    assert "28 exceptions found" in late
    assert "kind=pending_approval&amp;sort=person&amp;page=" not in late  # one page only
    _status, both = _page(client, run, sort="person")
    assert "?sort=person&amp;page=2" in both


def test_each_filter_narrows_the_table(
    signed_in: Any, run: ReconciliationRun, finance: Any
) -> None:
    client = signed_in(finance)
    late = _rows(_page(client, run, kind="late")[1])
    assert set(late) == set(run.exceptions.filter(kind="late").values_list("pk", flat=True))
    manual = _rows(_page(client, run, person="p-0002")[1])
    decidable = run.exceptions.exclude(status="noted")
    assert len(manual) == 28
    assert set(manual) == set(decidable.filter(person_ref="P-0002").values_list("pk", flat=True))
    tuesday = _rows(_page(client, run, day="2026-03-10")[1])
    assert len(tuesday) == 2
    assert {e.planned_start.date().isoformat() for e in run.exceptions.filter(pk__in=tuesday)} == {
        "2026-03-10"
    }
    one = run.exceptions.filter(kind="late").first()
    reconciliation.decide_exception(
        one, approve=True, reason="roadworks", now=NOW, acting_user=finance
    )
    assert _rows(_page(client, run, decision="approved")[1]) == [one.pk]
    assert len(_rows(_page(client, run, decision="pending", page="2")[1])) == 5
    _status, none = _page(client, run, person="P-9999")
    assert "No exceptions match." in none


def test_the_table_sorts_by_day_person_or_kind(
    signed_in: Any, run: ReconciliationRun, finance: Any
) -> None:
    client = signed_in(finance)
    by_day = _rows(_page(client, run)[1])
    rows = run.exceptions.exclude(status="noted")
    assert by_day == list(
        rows.order_by("planned_start", "check_in", "pk").values_list("pk", flat=True)[:50]
    )
    by_person = _rows(_page(client, run, sort="person", page="2")[1])
    assert {e.person_ref for e in rows.filter(pk__in=by_person)} == {"P-0002"}
    by_kind = _rows(_page(client, run, sort="kind")[1])
    assert [e.kind for e in rows.filter(pk__in=by_kind[:28])] == ["late"] * 28
    assert by_day != by_kind


def test_two_chosen_rows_are_decided_with_one_reason(
    signed_in: Any, run: ReconciliationRun, finance: Any
) -> None:
    client = signed_in(finance)
    first, second = run.exceptions.filter(kind="late").order_by("planned_start")[:2]
    post = reverse("delivery:decide_all", args=[run.pk])
    chosen = [f"{first.pk}.{first.version}", f"{second.pk}.{second.version}"]
    missing = client.post(post, {"chosen-chosen": chosen, "chosen-decision": "reject"}, follow=True)
    assert "Give a reason for the decision" in missing.content.decode()
    none = client.post(post, {"chosen-decision": "reject", "chosen-reason": "no rota"}, follow=True)
    assert "Choose at least one exception" in none.content.decode()
    assert _pending(run) == 56
    done = client.post(
        post,
        {
            "chosen-chosen": chosen,
            "chosen-decision": "reject",
            "chosen-reason": "no rota",
            "query": "kind=late",
        },
        follow=True,
    )
    html = done.content.decode()
    assert done.redirect_chain[-1][0].endswith("?kind=late#exceptions")
    assert "2 exceptions rejected" in html
    assert "Exceptions to decide (54)" in html
    for exception in (first, second):
        exception.refresh_from_db()
        assert (exception.status, exception.reason, exception.decided_by) == (
            "rejected",
            "no rota",
            finance,
        )
        assert exception.history.count() == 2


def test_a_chosen_row_decided_since_the_page_was_loaded_is_refused(
    signed_in: Any, run: ReconciliationRun, finance: Any
) -> None:
    client = signed_in(finance)
    first, second = run.exceptions.filter(kind="late").order_by("planned_start")[:2]
    chosen = [f"{first.pk}.{first.version}", f"{second.pk}.{second.version}"]
    reconciliation.decide_exception(
        first, approve=True, reason="traffic", now=NOW, acting_user=finance
    )
    refused = client.post(
        reverse("delivery:decide_all", args=[run.pk]),
        {"chosen-chosen": chosen, "chosen-decision": "reject", "chosen-reason": "no rota"},
        follow=True,
    )
    assert "decided this exception" in refused.content.decode()
    assert "Your decision was not recorded" in refused.content.decode()
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, second.status) == ("approved", "pending")
    forged = client.post(
        reverse("delivery:decide_all", args=[run.pk]),
        {"chosen-chosen": ["12x.0"], "chosen-decision": "reject", "chosen-reason": "x"},
        follow=True,
    )
    assert "Choose exceptions from the table" in forged.content.decode()


def test_one_exception_is_decided_alone_on_its_own_page(
    signed_in: Any, run: ReconciliationRun, finance: Any
) -> None:
    client = signed_in(finance)
    late = run.exceptions.filter(kind="late").order_by("planned_start").first()
    url = reverse("delivery:decide", args=[run.pk, late.pk])
    assert url in _page(client, run)[1]
    html = client.get(url).content.decode()
    assert f'name="e{late.pk}-version" value="0"' in html
    reconciliation.decide_exception(
        late, approve=False, reason="no rota", now=NOW, acting_user=finance
    )
    stale = client.post(
        url,
        {
            f"e{late.pk}-decision": "approve",
            f"e{late.pk}-reason": "traffic",
            f"e{late.pk}-version": "0",
        },
        follow=True,
    )
    assert "Your decision was not recorded" in stale.content.decode()
    late.refresh_from_db()
    assert late.status == "rejected"
    noted = run.exceptions.filter(status="noted").first()  # an early check-out, say
    assert noted is not None
    assert client.get(reverse("delivery:decide", args=[run.pk, noted.pk])).status_code == 404


def test_the_heading_counts_what_is_left_and_says_so_after_approval(
    signed_in: Any, run: ReconciliationRun, finance: Any
) -> None:
    client = signed_in(finance)
    for kind in ("late", "pending_approval"):
        reconciliation.decide_exceptions(
            run, kind=kind, approve=True, reason="checked", now=NOW, acting_user=finance
        )
    html = _page(client, run)[1]
    assert "Exceptions to decide" not in html
    assert "Nothing is left to decide" in html
    rerun = reconciliation.run_reconciliation(
        run.council, run.provider, PERIOD_START, now=NOW, acting_user=finance
    )
    reconciliation.approve_invoice(rerun, now=NOW, acting_user=finance)
    html = _page(client, rerun)[1]
    assert "Exceptions to decide" not in html
    assert "The invoice is approved, so nothing is left to decide." in html
    assert 'type="checkbox"' not in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"day": "2026-13-45"}, "Day"),
        ({"kind": "cancelled"}, "Kind"),
        ({"decision": "maybe"}, "Decision"),
        ({"sort": "amount"}, "Sort by"),
        ({"person": "P" * 500}, "Person reference"),
    ],
)
def test_a_bad_filter_names_its_field(
    signed_in: Any, run: ReconciliationRun, finance: Any, query: dict[str, str], field: str
) -> None:
    status, html = _page(signed_in(finance), run, **query)
    assert status == 400
    assert "govuk-error-summary" in html
    assert f'for="{next(iter(query))}"' in html
    assert field in html
    assert _rows(html) == []


def test_the_page_reads_the_same_number_of_times_for_two_rows_or_fifty(
    signed_in: Any, run: ReconciliationRun, finance: Any, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(finance)
    reconciliation.decide_exceptions(
        run, kind="late", approve=True, reason="checked", now=NOW, acting_user=finance
    )
    client.get(reverse("delivery:run", args=[run.pk]))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        _page(client, run, day="2026-03-10")
    with CaptureQueriesContext(connection) as many:
        assert len(_rows(_page(client, run)[1])) == 50
    assert len(many) == len(few)
    with django_assert_max_num_queries(len(few)):
        _page(client, run, decision="approved")
