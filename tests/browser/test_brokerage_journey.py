"""The brokerage journey in Chromium: a broker asks, a provider accepts by keyboard, the broker
sees the placement. axe-core checks every brokerage page on the way."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from homecare.commissioning.demo import PROVIDER_A

pytestmark = pytest.mark.browser

AREA = "GN2657268"  # Anstey, in a zone where provider A (the demo's "provider-a") is prime
REFERENCE = "P-700001"  # the demo council's format: P- and digits


def _date(page: Any, day: date) -> None:
    page.fill("#start_day", str(day.day))
    page.fill("#start_month", str(day.month))
    page.fill("#start_year", str(day.year))


def _fill_request(page: Any, reference: str, minutes: str, start: date) -> None:
    page.fill("#person_ref", reference)
    page.select_option("#area", AREA)
    page.select_option("#funding", "council")
    page.select_option("#cohort", "older_people")
    page.select_option("#source", "hospital_discharge")
    page.select_option("#priority", "high")
    _date(page, start)
    page.fill("#needs", "medication")
    page.check("#days_quick-1-weekdays")  # a quick choice: no day boxes to tick
    page.fill("#call-1-1-time", "08:00")
    page.fill("#call-1-1-minutes", minutes)
    page.select_option("#call-1-1-carers", "2")
    page.fill("#call-1-2-time", "18:00")
    page.fill("#call-1-2-minutes", "30")


def _fits_a_phone(visit: Any, name: str) -> None:
    """At 390 pixels wide nothing makes the page scroll sideways (wide tables scroll alone)."""
    page = visit.page
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    visit.check(name)
    page.set_viewport_size({"width": 1100, "height": 900})
    assert width <= 390, f"the page is {width} pixels wide at 390"


def test_a_broker_places_a_package_that_the_provider_accepts_by_keyboard(
    browser: Any, visit: Any
) -> None:
    from homecare.brokerage.models import BrokerageRequest

    today = timezone.localdate()
    broker = visit
    page = broker.page
    broker.sign_in("broker")
    page.get_by_role("link", name="Waiting list").click()
    page.wait_for_url("**/brokerage/")
    broker.check("brokerage 01 waiting list")

    page.get_by_role("link", name="New request").click()
    page.wait_for_url("**/brokerage/requests/new/")
    broker.check("brokerage 02 new request")
    _fits_a_phone(broker, "brokerage 02 new request on a phone")
    page.get_by_role("button", name="Add another call").click()
    page.wait_for_selector("#call-1-5-time")

    # A name for a reference, no visit length and a start a month ago: Enter in a box only
    # checks, and every problem is listed at once.
    _fill_request(page, "Mrs Jane Smith, 4 High Street", minutes="0", start=today - timedelta(30))
    page.focus("#needs")
    page.keyboard.press("Enter")
    page.wait_for_selector(".govuk-error-summary")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "in the council's format, for example P-004512" in summary
    assert "enter the reason for the late start" in summary
    assert "Call 1: minutes of care must be at least 1" in summary
    assert page.title().startswith("Error:")
    assert not BrokerageRequest.objects.filter(package__person__reference=REFERENCE).exists()
    broker.check("brokerage 03 new request errors")

    page.fill("#person_ref", REFERENCE)
    page.fill("#call-1-1-minutes", "45")
    _date(page, today + timedelta(days=7))
    page.focus("#call-1-2-minutes")
    page.keyboard.press("Enter")  # "Continue", the form's first button: still nothing sent
    page.wait_for_url("**/brokerage/requests/new/?check=*")
    assert "Check your answers" in page.locator("h1").inner_text()
    assert "10 visits a week" in page.inner_text("main")  # two calls on five weekdays
    assert not BrokerageRequest.objects.filter(package__person__reference=REFERENCE).exists()
    broker.check("brokerage 03 check your answers")
    _fits_a_phone(broker, "brokerage 03 check your answers on a phone")

    page.get_by_role("button", name="Send offers").click()
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
