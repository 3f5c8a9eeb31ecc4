"""The credit note and re-invoice forms on an approved invoice, and each adjustment's page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from homecare.delivery.tests.conftest import *  # noqa: F403 (the delivery tests' fixtures)
from homecare.finance import queries
from homecare.finance.forms_queries import pence_of
from homecare.finance.models import Adjustment
from homecare.finance.tests.period_data import (
    AFTER,
    approved_run,
    hand_checked_logs,
    run,
    use_immediate_tasks,
)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any, frozen_now: Any) -> None:
    use_immediate_tasks(settings)
    frozen_now(AFTER)


@pytest.fixture
def approved(council: Any, prime_1: Any, placed: Any, finance: Any) -> Any:
    hand_checked_logs(prime_1)
    return approved_run(council, prime_1, finance).invoice


def test_pounds_typed_become_pence() -> None:
    assert [pence_of(t) for t in ("12.50", "£1,234.56", "7", " 0.01 ")] == [1250, 123456, 700, 1]
    assert [pence_of(t) for t in ("0", "-3", "1.234", "ten", "", "1e3", "NaN")] == [None] * 7


def test_a_finance_officer_issues_a_credit_note_for_a_query(
    signed_in: Any, finance: Any, prime_1_user: Any, approved: Any
) -> None:
    line = approved.lines.get(position=1)
    query = queries.raise_query(approved, line, "21 minutes", now=AFTER, acting_user=prime_1_user)
    client = signed_in(finance)
    thread = client.get(reverse("finance:query", args=[query.pk])).content.decode()
    url = reverse("finance:credit-note", args=[approved.pk])
    assert f"{url}?query={query.pk}" in thread
    form = client.get(url, {"query": query.pk})
    assert form.status_code == 200
    assert 'name="line_1" type="text" value="1"' in form.content.decode()  # the queried line
    too_much = client.post(
        url,
        {"query": query.pk, "line_1": "1", "amount_1": "10.34", "reason": "Ten minutes less"},
    )
    assert too_much.status_code == 400
    html = too_much.content.decode()
    assert "Row 1: line 1: at most £10.33 is left to credit" in html
    assert 'href="#amount_1"' in html  # the error summary leads to the field
    issued = client.post(
        url,
        {
            "query": query.pk,
            "line_1": "1",
            "amount_1": "£3.33",
            "why_1": "Ten minutes less",
            "reason": "The family's diary",
        },
    )
    note = Adjustment.objects.get()
    assert issued.status_code == 302
    assert issued["Location"] == reverse("finance:adjustment", args=[note.pk])
    assert (note.total_pence, note.query, note.created_by) == (333, query, finance)
    query.refresh_from_db()
    assert query.outcome == "upheld"
    page = client.get(issued["Location"]).content.decode()
    assert note.number in page and "£3.33" in page and "The family&#x27;s diary" in page
    # The provider sees it too, from its invoice.
    provider = signed_in(prime_1_user)
    assert provider.get(reverse("finance:adjustment", args=[note.pk])).status_code == 200
    mine = provider.get(reverse("finance:my-invoice", args=[approved.pk])).content.decode()
    assert note.number in mine


def test_the_credit_note_form_names_each_bad_row(
    signed_in: Any, finance: Any, approved: Any
) -> None:
    url = reverse("finance:credit-note", args=[approved.pk])
    response = signed_in(finance).post(
        url, {"line_1": "99", "amount_1": "1.00", "line_2": "1", "amount_2": "ten", "reason": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Row 1: give the number of a line of this invoice" in html
    assert "Row 2: give an amount in pounds, like 12.50" in html
    assert "Give the reason for the correction" in html
    empty = signed_in(finance).post(url, {"reason": "Nothing"})
    assert empty.status_code == 400 and "Fill in at least one row" in empty.content.decode()
    assert not Adjustment.objects.exists()


def test_a_re_invoice_from_the_form(signed_in: Any, finance: Any, approved: Any) -> None:
    url = reverse("finance:re-invoice", args=[approved.pk])
    client = signed_in(finance)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "description_1": "Mileage, 9 March",
            "amount_1": "4.50",
            "stream_1": "council",
            "description_2": "Continuing healthcare visit",
            "amount_2": "20",
            "stream_2": "nhs_chc",
            "reason": "Left out of the run",
        },
    )
    made = Adjustment.objects.get()
    assert response.status_code == 302
    assert (made.kind, made.total_pence, made.number) == (
        "reinvoice",
        2450,
        f"RI-{approved.number}-1",
    )


def test_a_provisional_invoice_offers_no_correction_form(
    signed_in: Any, finance: Any, council: Any, prime_1: Any, placed: Any
) -> None:
    hand_checked_logs(prime_1)
    provisional = run(council, prime_1, finance).invoice
    client = signed_in(finance)
    url = reverse("finance:credit-note", args=[provisional.pk])
    page = client.get(url).content.decode()
    assert "still provisional" in page and 'name="amount_1"' not in page
    posted = client.post(url, {"line_1": "1", "amount_1": "1.00", "reason": "x"})
    assert posted.status_code == 400 and not Adjustment.objects.exists()


def test_only_the_council_s_finance_officers_correct_invoices(
    signed_in: Any,
    finance: Any,
    prime_1_user: Any,
    prime_2_user: Any,
    commissioner: Any,
    approved: Any,
) -> None:
    note = Adjustment.objects.create(
        invoice=approved,
        kind="credit",
        number=f"CN-{approved.number}-1",
        reason="x",
        total_pence=0,
        created_at=AFTER,
    )
    for user in (prime_1_user, commissioner):
        client = signed_in(user)
        for name in ("finance:credit-note", "finance:re-invoice"):
            assert client.get(reverse(name, args=[approved.pk])).status_code == 403
    assert (
        signed_in(commissioner).get(reverse("finance:adjustment", args=[note.pk])).status_code
        == 403
    )
    assert (
        signed_in(prime_2_user).get(reverse("finance:adjustment", args=[note.pk])).status_code
        == 404
    )
    assert signed_in(finance).get(reverse("finance:adjustment", args=[note.pk])).status_code == 200
