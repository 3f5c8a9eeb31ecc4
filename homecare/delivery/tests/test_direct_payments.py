"""A person on a direct payment buys their own care: a run never puts their visits on the
provider's invoice from the council, nor asks finance to decide them.

The period is the four weeks from Monday 9 March 2026. P-0001 and P-0002 (council-funded)
and P-0009 (direct payment) each have a daily 08:00 visit of 30 minutes with Prime 1 at
£20.00 an hour. One file from Prime 1 logs, worked by hand:

- P-0001 day 1, 08:02 for 31 min: delivered, 31 x 2000 / 60 = 1033.33 -> 1033p
- P-0001 day 2, 08:00 for 30 min: delivered, 1000p
- P-0009 day 1, 08:00 for 45 min and day 2, 08:40 for 28 min (late): left out

Invoice: 1033 + 1000 = 2033p, two lines, both P-0001's; 56 planned visits (P-0009's 28 are
not planned for the council).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from homecare.brokerage import actions as brokerage_actions
from homecare.brokerage import lifecycle
from homecare.brokerage.testing import NOW, make_request
from homecare.delivery import actions, reconciliation
from homecare.delivery.models import InvoiceLine, ReconciliationRun
from homecare.delivery.testing import PERIOD_START, RATE, at, csv_bytes, log_row


@pytest.fixture
def direct_payment(framework: Any, prime_1: Any) -> Any:
    """P-0009, on a direct payment, placed with Prime 1 and started."""
    request = make_request(framework, "P-0009", funding="direct_payment", visits="Daily 08:00 30m")
    brokerage_actions.place_manually(
        request, prime_1, reason="test", rate=RATE, now=NOW, acting_user=None
    )
    lifecycle.start_package(request.package, at=NOW, acting_user=None)
    return request.package.person


@pytest.fixture
def ran(council: Any, prime_1: Any, placed: Any, direct_payment: Any, finance: Any) -> Any:
    rows = [
        log_row(prime_1, "P-0001", at(1, 8, 2), 31),
        log_row(prime_1, "P-0009", at(1, 8, 0), 45),
        log_row(prime_1, "P-0001", at(2, 8, 0), 30),
        log_row(prime_1, "P-0009", at(2, 8, 40), 28),
    ]
    upload = actions.create_upload(prime_1, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None)
    actions.import_upload(upload.pk, now=NOW)
    return reconciliation.run_reconciliation(
        council, prime_1, PERIOD_START, now=NOW, acting_user=finance
    )


def test_the_invoice_holds_only_the_council_funded_persons_lines(
    ran: ReconciliationRun, direct_payment: Any
) -> None:
    lines = InvoiceLine.objects.filter(invoice=ran.invoice)
    assert sorted(lines.values_list("person__reference", "amount_pence")) == [
        ("P-0001", 1000),
        ("P-0001", 1033),
    ]
    assert not lines.filter(person=direct_payment).exists()
    assert ran.invoice.total_pence == 2033 == sum(line.amount_pence for line in lines)
    assert ran.invoice.checked
    assert ran.planned_visits == 56
    assert ran.log_counts["direct_payment"] == 2


def test_no_exception_is_raised_for_a_direct_payment_persons_visits(
    ran: ReconciliationRun,
) -> None:
    assert ran.exceptions.exists()  # P-0002's missed visits, say
    assert not ran.exceptions.filter(person_ref="P-0009").exists()


def test_the_run_page_says_how_many_visits_were_left_out(
    signed_in: Any, finance: Any, ran: ReconciliationRun
) -> None:
    page = signed_in(finance).get(reverse("delivery:run", args=[ran.pk])).content.decode()
    assert "2 visits for people who hold a direct payment" in page
