"""The brokerage journey in Chromium: a broker asks, a provider accepts by keyboard, the broker
sees the placement. axe-core checks every brokerage page on the way."""

from __future__ import annotations

from typing import Any

import pytest

from homecare.commissioning.demo import PROVIDER_A

pytestmark = pytest.mark.browser

AREA = "GN2657268"  # Anstey, in a zone where provider A (the demo's "provider-a") is prime
REFERENCE = "P-BROWSER-1"


def _fill_request(page: Any, minutes: str) -> None:
    page.fill("#person_ref", REFERENCE)
    page.select_option("#area", AREA)
    page.select_option("#funding", "council")
    page.select_option("#cohort", "older_people")
    page.select_option("#source", "hospital_discharge")
    page.select_option("#priority", "high")
    page.fill("#start_day", "13")
    page.fill("#start_month", "4")
    page.fill("#start_year", "2026")
    page.fill("#needs", "medication")
    page.select_option("#visit-1-day", "0")
    page.fill("#visit-1-window_start", "08:00")
    page.fill("#visit-1-minutes", minutes)
    page.select_option("#visit-1-carers", "2")
    page.select_option("#visit-2-day", "2")
    page.fill("#visit-2-window_start", "18:00")
    page.fill("#visit-2-minutes", "30")


def test_a_broker_places_a_package_that_the_provider_accepts_by_keyboard(
    browser: Any, visit: Any
) -> None:
    broker = visit
    page = broker.page
    broker.sign_in("broker")
    page.get_by_role("link", name="Waiting list").click()
    page.wait_for_url("**/brokerage/")
    broker.check("brokerage 01 waiting list")

    page.get_by_role("link", name="New request").click()
    page.wait_for_url("**/brokerage/requests/new/")
    broker.check("brokerage 02 new request")
    page.get_by_role("button", name="Add another visit").click()
    page.wait_for_selector("#visit-5-day")

    _fill_request(page, minutes="0")
    page.get_by_role("button", name="Create the request and send offers").click()
    summary = page.locator(".govuk-error-summary")
    assert "Visit 1: minutes must be more than 0" in summary.inner_text()
    assert page.title().startswith("Error:")
    broker.check("brokerage 03 new request errors")

    page.fill("#visit-1-minutes", "45")
    page.get_by_role("button", name="Create the request and send offers").click()
    page.wait_for_url("**/brokerage/requests/*/")
    assert "offered" in page.locator("h1").inner_text()
    assert PROVIDER_A in page.locator("table").first.inner_text() or PROVIDER_A in (
        page.inner_text("main")
    )
    request_url = page.url
    broker.check("brokerage 04 request offered")

    provider = visit.in_new_context(browser)
    ppage = provider.page
    provider.sign_in("provider-a")
    ppage.get_by_role("link", name="Offers").click()
    ppage.wait_for_url("**/brokerage/offers/")
    main = ppage.inner_text("main")
    assert REFERENCE not in main  # not revealed before placement
    from homecare.brokerage.models import Offer

    offer = Offer.objects.get(request__package__person__reference=REFERENCE)
    provider.check("brokerage 05 offers inbox")

    # Keyboard only: Tab to the offer's link and Enter; Tab to the radios, Space picks Accept,
    # Tab on to the button, Enter sends.
    provider.tab_to(f"#offer-{offer.pk}-link")
    ppage.keyboard.press("Enter")
    ppage.wait_for_url(f"**/brokerage/offers/{offer.pk}/")
    assert REFERENCE not in ppage.inner_text("main")
    provider.check("brokerage 06 offer")
    provider.tab_to("#answer")
    ppage.keyboard.press("Space")
    assert ppage.locator("#answer").is_checked()
    provider.tab_to("#send-answer", limit=5)
    ppage.keyboard.press("Enter")
    ppage.wait_for_url("**/brokerage/my-packages/")
    assert "placed with you" in ppage.inner_text(".govuk-notification-banner")
    assert REFERENCE in ppage.inner_text("main")
    provider.check("brokerage 07 my packages")

    ppage.get_by_role("link", name="Capacity").click()
    ppage.wait_for_url("**/brokerage/capacity/")
    first_input = ppage.locator("tbody input").first
    first_input.fill("40")
    ppage.get_by_role("button", name="Declare capacity").click()
    assert "Capacity declared for 1 zone" in ppage.inner_text(".govuk-notification-banner")
    provider.check("brokerage 08 capacity")
    ppage.context.close()

    page.goto(request_url)
    assert "placed" in page.locator("h1").inner_text()
    assert PROVIDER_A in page.inner_text("#placed-with")
    broker.check("brokerage 09 request placed")
