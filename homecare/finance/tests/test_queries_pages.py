"""The provider's invoice pages and the query threads: a provider finds a line, queries it,
the council's finance officer answers and closes it; each side sees only its own."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from homecare.delivery.tests.conftest import *  # noqa: F403 (the delivery tests' fixtures)
from homecare.finance import queries
from homecare.finance.models import InvoiceQuery
from homecare.finance.tests.period_data import AFTER, hand_checked_logs, run, use_immediate_tasks


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any, frozen_now: Any) -> None:
    use_immediate_tasks(settings)
    frozen_now(AFTER)


@pytest.fixture
def invoices(council: Any, prime_1: Any, prime_2: Any, placed: Any, finance: Any) -> Any:
    hand_checked_logs(prime_1)
    return run(council, prime_1, finance).invoice, run(council, prime_2, finance).invoice


def test_a_provider_finds_a_line_of_its_invoice_and_queries_it(
    signed_in: Any, prime_1_user: Any, invoices: Any
) -> None:
    own, other = invoices
    client = signed_in(prime_1_user)
    listing = client.get(reverse("finance:my-invoices")).content.decode()
    assert own.number in listing and other.number not in listing
    assert "Provisional" in listing and "£19.66" in listing
    page_url = reverse("finance:my-invoice", args=[own.pk])
    page = client.get(page_url).content.decode()
    assert "2 lines." in page
    found = client.get(page_url, {"person": "p-0001", "day": "2026-03-10", "visit": ""})
    assert found.status_code == 200
    html = found.content.decode()
    assert "1 line found." in html and "£9.33" in html and "£10.33" not in html
    line = own.lines.get(amount_pence=933)
    ask_url = reverse("finance:query-line", args=[own.pk, line.pk])
    assert f'href="{ask_url}"' in html
    form = client.get(ask_url)
    assert form.status_code == 200 and "Line 2, P-0001" in form.content.decode()
    empty = client.post(ask_url, {"text": "  "})
    assert empty.status_code == 400 and "Say what is wrong with the line" in empty.content.decode()
    sent = client.post(ask_url, {"text": "The carer arrived on time: the call system was down"})
    query = InvoiceQuery.objects.get()
    assert sent.status_code == 302 and sent["Location"] == reverse("finance:query", args=[query.pk])
    thread = client.get(sent["Location"]).content.decode()
    assert "the call system was down" in thread and "Waiting for the council" in thread
    again = client.get(page_url).content.decode()
    assert f'href="{reverse("finance:query", args=[query.pk])}"' in again


def test_a_bad_search_says_so_and_lists_nothing(
    signed_in: Any, prime_1_user: Any, invoices: Any
) -> None:
    own, _other = invoices
    url = reverse("finance:my-invoice", args=[own.pk])
    response = signed_in(prime_1_user).get(url, {"day": "2030-01-01", "person": "x" * 41})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()


def test_finance_answers_and_closes_the_query_in_the_thread(
    signed_in: Any, prime_1_user: Any, finance: Any, invoices: Any
) -> None:
    own, _other = invoices
    line = own.lines.get(amount_pence=933)
    query = queries.raise_query(own, line, "On time", now=AFTER, acting_user=prime_1_user)
    client = signed_in(finance)
    listing = client.get(reverse("finance:queries")).content.decode()
    assert "Waiting for the council: 1" in listing and "Prime 1 (test)" in listing
    thread_url = reverse("finance:query", args=[query.pk])
    page = client.get(thread_url).content.decode()
    assert "The invoice is provisional" in page  # corrected by a re-run, not a credit note
    assert "Issue a credit note" not in page
    answered = client.post(
        reverse("finance:query-reply", args=[query.pk]), {"reply-text": "We will check the log"}
    )
    assert answered.status_code == 302
    query.refresh_from_db()
    assert query.status == "answered"
    no_reason = client.post(
        reverse("finance:query-close", args=[query.pk]), {"close-outcome": "not_upheld"}
    )
    assert no_reason.status_code == 400
    assert "Say why, for the provider" in no_reason.content.decode()
    withdrawn = client.post(
        reverse("finance:query-close", args=[query.pk]),
        {"close-outcome": "withdrawn", "close-note": "x"},
    )
    assert withdrawn.status_code == 400  # not a choice the council has
    closed = client.post(
        reverse("finance:query-close", args=[query.pk]),
        {"close-outcome": "not_upheld", "close-note": "The log shows 08:40"},
    )
    assert closed.status_code == 302
    query.refresh_from_db()
    assert (query.status, query.outcome, query.closed_by) == ("closed", "not_upheld", finance)
    provider_view = signed_in(prime_1_user).get(thread_url).content.decode()
    assert "Not upheld: the line stands. The log shows 08:40" in provider_view
    assert "Close the query" not in provider_view  # closed: no more forms


def test_the_provider_withdraws_its_query(signed_in: Any, prime_1_user: Any, invoices: Any) -> None:
    own, _other = invoices
    query = queries.raise_query(
        own, None, "Where is 16 March?", now=AFTER, acting_user=prime_1_user
    )
    client = signed_in(prime_1_user)
    upheld = client.post(
        reverse("finance:query-close", args=[query.pk]),
        {"close-outcome": "upheld", "close-note": "yes"},
    )
    assert upheld.status_code == 400
    response = client.post(
        reverse("finance:query-close", args=[query.pk]), {"close-outcome": "withdrawn"}
    )
    assert response.status_code == 302
    query.refresh_from_db()
    assert (query.status, query.outcome) == ("closed", "withdrawn")


def test_each_side_sees_only_its_own_invoices_and_queries(
    signed_in: Any,
    prime_1_user: Any,
    prime_2_user: Any,
    finance: Any,
    commissioner: Any,
    outsider: Any,
    invoices: Any,
) -> None:
    own, _other = invoices
    line = own.lines.first()
    query = queries.raise_query(own, line, "Check", now=AFTER, acting_user=prime_1_user)
    client = signed_in(prime_2_user)
    for url in (
        reverse("finance:my-invoice", args=[own.pk]),
        reverse("finance:query-line", args=[own.pk, line.pk]),
        reverse("finance:query-invoice", args=[own.pk]),
        reverse("finance:query", args=[query.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("finance:query-reply", args=[query.pk]), {}).status_code == 404
    assert "Check" not in client.get(reverse("finance:queries")).content.decode()
    for user in (finance, commissioner, outsider):
        client = signed_in(user)
        assert client.get(reverse("finance:my-invoices")).status_code == 403
        assert client.get(reverse("finance:my-invoice", args=[own.pk])).status_code == 403
    for user in (commissioner, outsider):
        client = signed_in(user)
        assert client.get(reverse("finance:queries")).status_code == 403
        assert client.get(reverse("finance:query", args=[query.pk])).status_code == 403
