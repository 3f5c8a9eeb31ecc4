"""Paying providers in Chromium, on the demo with an approved and paid period: the finance
officer opens every provider's period, the payment batches and a provider's query, and
answers the query by keyboard alone; provider A opens its invoices and its pay return, and
the commissioner the commitments, purchase orders and pay-floor audit. axe-core checks every
page."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _two_periods(settings: Any) -> None:
    # Before the demo loads: the earlier period is approved, paid, queried and corrected.
    settings.HOMECARE_DEMO_LOG_PERIODS = 2


def test_the_finance_officer_answers_a_query_by_keyboard(visit: Any) -> None:
    from homecare.finance.models import InvoiceQuery

    waiting = InvoiceQuery.objects.filter(status=InvoiceQuery.Status.OPEN).first()
    assert waiting is not None, "the demo has a query waiting for the council"
    page = visit.page
    visit.sign_in("finance")
    for path, name in (
        ("/finance/period-runs/", "reconcile every provider"),
        ("/finance/batches/", "payment batches"),
        ("/finance/queries/", "queries on invoices"),
    ):
        visit.goto(path)
        visit.check(name)
    visit.goto("/finance/batches/")
    page.locator("table a").first.click()
    page.wait_for_url("**/finance/batches/*/")
    visit.check("a payment batch")
    visit.goto(f"/finance/queries/{waiting.pk}/")
    visit.check("a query thread")
    reply = f"form[action$='/queries/{waiting.pk}/reply/']"
    visit.type_into(f"{reply} textarea", "We have checked the rota: the second carer is paid.")
    visit.tab_to(f"{reply} button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    waiting.refresh_from_db()
    assert waiting.messages.filter(from_council=True).exists()
    visit.check("a query answered")


def test_a_provider_and_a_commissioner_see_their_finance_pages(visit: Any, browser: Any) -> None:
    visit.sign_in("provider-a")
    for path, name in (
        ("/finance/my-invoices/", "your invoices"),
        ("/finance/pay-return/", "pay return"),
        ("/finance/purchase-orders/", "provider purchase orders"),
    ):
        visit.goto(path)
        visit.check(name)
    visit.page.locator("table a").first.click()
    visit.check("a provider purchase order")
    commissioner = visit.in_new_context(browser)
    commissioner.sign_in("commissioner")
    for path, name in (
        ("/finance/commitments/", "commitments against budgets"),
        ("/finance/pay-audit/", "pay-floor audit"),
    ):
        commissioner.goto(path)
        commissioner.check(name)
