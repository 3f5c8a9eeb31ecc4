"""Queries on invoice lines: the provider asks on its own invoice, the council's finance team
answers in a thread, and the outcome is recorded and audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from carecore.errors import InputError
from homecare.delivery import reconciliation
from homecare.delivery.testing import PERIOD_START
from homecare.delivery.tests.conftest import *  # noqa: F403 (the delivery tests' fixtures)
from homecare.finance import queries
from homecare.finance.models import InvoiceQuery
from homecare.finance.tests.period_data import (
    AFTER,
    approved_run,
    hand_checked_logs,
    run,
    use_immediate_tasks,
)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    use_immediate_tasks(settings)


@pytest.fixture
def provisional(council: Any, prime_1: Any, placed: Any, finance: Any) -> Any:
    hand_checked_logs(prime_1)
    return run(council, prime_1, finance).invoice


def first_line(invoice: Any) -> Any:
    return invoice.lines.select_related("person").order_by("position").first()


def ask(invoice: Any, user: Any, text: str = "The carer stayed 45 minutes, not 31") -> Any:
    return queries.raise_query(invoice, first_line(invoice), text, now=AFTER, acting_user=user)


def test_a_provider_queries_a_line_of_its_provisional_invoice(
    provisional: Any, prime_1_user: Any
) -> None:
    query = ask(provisional, prime_1_user)
    assert (query.status, query.outcome, query.raised_by) == ("open", "", prime_1_user)
    assert query.line == first_line(provisional)
    assert query.line_text == "Line 1, P-0001, Mon 9 Mar 2026 08:00, delivered, carer C1, " + (
        "31 minutes, £10.33"
    )
    [message] = query.messages.all()
    assert (message.from_council, message.author, message.text) == (
        False,
        prime_1_user,
        "The carer stayed 45 minutes, not 31",
    )
    assert query.history.get().history_user == prime_1_user


def test_only_the_invoice_s_own_provider_raises_a_query(
    provisional: Any, finance: Any, prime_2_user: Any, commissioner: Any
) -> None:
    for user in (finance, prime_2_user, commissioner):
        with pytest.raises(PermissionDenied):
            ask(provisional, user)
    assert not InvoiceQuery.objects.exists()


def test_a_query_needs_words_and_a_line_of_that_invoice(
    council: Any, provisional: Any, prime_1_user: Any, prime_1: Any, finance: Any
) -> None:
    with pytest.raises(InputError) as caught:
        ask(provisional, prime_1_user, text="   ")
    assert caught.value.key == "text"
    earlier = reconciliation.run_reconciliation(
        council, prime_1, PERIOD_START - timedelta(days=28), now=AFTER, acting_user=finance
    ).invoice  # Prime 1's previous period: another invoice
    with pytest.raises(InputError, match="not on this invoice"):
        queries.raise_query(
            earlier, first_line(provisional), "wrong", now=AFTER, acting_user=prime_1_user
        )


def test_a_line_has_one_open_query_at_a_time(provisional: Any, prime_1_user: Any) -> None:
    first = ask(provisional, prime_1_user)
    with pytest.raises(InputError, match="already has an open query"):
        ask(provisional, prime_1_user)
    queries.close_query(first, "withdrawn", "", now=AFTER, acting_user=prime_1_user)
    assert ask(provisional, prime_1_user).pk != first.pk


def test_finance_answers_the_provider_replies_and_finance_upholds_it(
    provisional: Any, prime_1_user: Any, finance: Any
) -> None:
    query = ask(provisional, prime_1_user)
    later = AFTER + timedelta(hours=1)
    query = queries.answer_query(query, "The log says 31 minutes.", now=later, acting_user=finance)
    assert query.status == "answered"
    with pytest.raises(PermissionDenied):
        queries.answer_query(query, "I answer myself", now=later, acting_user=prime_1_user)
    query = queries.reply_to_query(
        query, "The family's diary says 45.", now=later, acting_user=prime_1_user
    )
    assert query.status == "open"  # waiting for the council again
    query = queries.close_query(
        query, "upheld", "The diary agrees: we will pay 45 minutes.", now=later, acting_user=finance
    )
    assert (query.status, query.outcome, query.closed_by, query.closed_at) == (
        "closed",
        "upheld",
        finance,
        later,
    )
    thread = list(query.messages.values_list("from_council", "text"))
    assert thread == [
        (False, "The carer stayed 45 minutes, not 31"),
        (True, "The log says 31 minutes."),
        (False, "The family's diary says 45."),
        (True, "Upheld: the line is corrected. The diary agrees: we will pay 45 minutes."),
    ]
    # Every step is in the query's history, with who took it.
    steps = [
        (h.status, h.outcome, h.history_user) for h in query.history.order_by("history_date", "pk")
    ]
    assert steps == [
        ("open", "", prime_1_user),
        ("answered", "", finance),
        ("open", "", prime_1_user),
        ("closed", "upheld", finance),
    ]


def test_who_may_close_a_query_and_how(provisional: Any, prime_1_user: Any, finance: Any) -> None:
    query = ask(provisional, prime_1_user)
    with pytest.raises(InputError, match="only the provider withdraws"):
        queries.close_query(query, "withdrawn", "n/a", now=AFTER, acting_user=finance)
    with pytest.raises(InputError, match="decides whether a query is upheld"):
        queries.close_query(query, "upheld", "", now=AFTER, acting_user=prime_1_user)
    with pytest.raises(InputError) as caught:
        queries.close_query(query, "not_upheld", " ", now=AFTER, acting_user=finance)
    assert caught.value.key == "note"
    with pytest.raises(InputError) as caught:
        queries.close_query(query, "lost", "why", now=AFTER, acting_user=finance)
    assert caught.value.key == "outcome"
    closed = queries.close_query(query, "withdrawn", "", now=AFTER, acting_user=prime_1_user)
    assert (closed.outcome, closed.messages.last().text) == (
        "withdrawn",
        "Withdrawn by the provider.",
    )
    with pytest.raises(InputError, match="closed"):
        queries.reply_to_query(closed, "one more thing", now=AFTER, acting_user=prime_1_user)
    with pytest.raises(InputError, match="closed"):
        queries.close_query(closed, "upheld", "late", now=AFTER, acting_user=finance)


def test_a_provider_queries_an_approved_invoice_too(
    council: Any, prime_1: Any, placed: Any, finance: Any, prime_1_user: Any
) -> None:
    hand_checked_logs(prime_1)
    invoice = approved_run(council, prime_1, finance).invoice
    assert invoice.status == "approved"
    query = ask(invoice, prime_1_user)
    assert query.invoice == invoice and query.status == "open"


def test_a_query_on_the_whole_invoice_has_no_line(provisional: Any, prime_1_user: Any) -> None:
    query = queries.raise_query(
        provisional, None, "Where is the 16 March?", now=AFTER, acting_user=prime_1_user
    )
    assert (query.line, query.line_text) == (None, "The invoice as a whole")


def test_a_query_on_a_provisional_invoice_outlives_a_re_run(
    council: Any, prime_1: Any, provisional: Any, prime_1_user: Any, finance: Any
) -> None:
    query = ask(provisional, prime_1_user)
    run(council, prime_1, finance)
    kept = InvoiceQuery.objects.get(pk=query.pk)
    assert kept.line is None  # the line was replaced; the words stay
    assert kept.line_text.startswith("Line 1, P-0001")
