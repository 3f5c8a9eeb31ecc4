"""Journeys through the pages in Chromium, by keyboard where it matters, with axe on each page."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from homecare.commissioning.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "tests" / "data" / "procurement"
OWN = REPO_ROOT / "homecare" / "commissioning" / "tests" / "data"


def _tender_files() -> tuple[Path, Path]:
    """The example tender from tests/data/procurement/ when present, else the app tests' own."""
    bids, rules = EXAMPLES / "leicestershire_bids.csv", EXAMPLES / "leicestershire_rules.toml"
    if bids.is_file() and rules.is_file():
        return bids, rules
    return OWN / "bids.csv", OWN / "rules.toml"


def _price(page: Any, band: str) -> Decimal:
    text = page.locator(f'[data-band="{band}"]').inner_text()
    return Decimal(text.replace("£", "").replace(",", ""))


def _sign_in_by_keyboard(visit: Any, username: str) -> None:
    page = visit.page
    visit.goto("/")
    assert "/accounts/sign-in/" in page.url
    visit.check("01 sign in")
    visit.tab_to("#username", limit=30)
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{visit.base_url}/")


def test_a_commissioner_works_through_every_page_by_keyboard_and_signs_out(visit: Any) -> None:
    page = visit.page
    _sign_in_by_keyboard(visit, "commissioner")
    assert "Signed in as" in page.inner_text(".app-account-bar")
    assert "govuk-frontend-supported" in (page.get_attribute("body", "class") or "")
    assert (
        "arial"
        in page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily").lower()
    )
    visit.check("02 home")

    page.get_by_role("link", name="Zones", exact=True).first.click()
    page.wait_for_url("**/zones/")
    assert page.locator("svg[role=img]").count() >= 1
    assert page.locator("#zones-caption ~ tbody tr, table tbody tr").count() >= 14
    visit.check("03 zones")
    page.get_by_role("link", name="Charnwood North").click()
    page.wait_for_url("**/zones/charnwood-north/")
    assert page.locator("h1").inner_text() == "Charnwood North"
    visit.check("04 zone")

    page.get_by_role("link", name="Cost of care").first.click()
    page.wait_for_url("**/cost-of-care/")
    before = _price(page, "URBAN")
    assert before == Decimal("20.68")
    visit.check("05 cost of care")
    page.fill("#hourly_wage", "10.50")
    with page.expect_navigation():
        page.get_by_role("button", name="Calculate").click()
    assert _price(page, "URBAN") > before
    assert _price(page, "ISOLATED") > before
    visit.check("06 cost of care with a higher wage")

    page.get_by_role("link", name="Rate cards").first.click()
    page.wait_for_url("**/rate-cards/")
    visit.check("07 rate cards")
    page.get_by_role("link", name="Leicestershire 2020-21", exact=True).click()
    page.select_option("#band", "RURAL")
    page.fill("#minutes", "45")
    page.select_option("#carers", "2")
    page.fill("#day", "7")
    page.fill("#month", "6")
    page.fill("#year", "2021")
    page.fill("#start_time", "08:00")
    page.get_by_role("button", name="Price the visit").click()
    page.wait_for_selector("#visit-total")
    assert page.inner_text("#visit-total") == "£34.42"
    visit.check("08 rate card with a priced visit")

    bids, rules = _tender_files()
    page.get_by_role("link", name="Tender evaluation").first.click()
    page.wait_for_url("**/tenders/")
    visit.check("09 tender evaluation")
    page.set_input_files("#bids", str(bids))
    page.set_input_files("#rules", str(rules))
    page.get_by_role("button", name="Evaluate the tender").click()
    page.wait_for_url(re.compile(r".*/tenders/\d+/$"))
    assert "The tender has been evaluated." in page.inner_text("main")
    assert page.locator("table").count() >= 3
    visit.check("10 tender result")
    with page.expect_download() as download_info:
        page.click("#download-xlsx")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert book.sheetnames[0] == "Awards" and "Excluded" in book.sheetnames

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/sign-in/")
    assert "You have signed out." in page.inner_text("main")
    visit.check("11 signed out")


def test_a_provider_sees_zones_and_rates_but_not_tender_evaluation(visit: Any) -> None:
    page = visit.page
    _sign_in_by_keyboard(visit, "provider-a")
    navigation = page.inner_text("#navigation")
    assert "Rate cards" in navigation and "Tender evaluation" not in navigation
    response = visit.goto("/tenders/")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "You do not have access to this page"
    visit.check("12 provider refused tender evaluation")


def test_errors_are_summarised_focused_and_accessible(visit: Any) -> None:
    page = visit.page
    visit.goto("/accounts/sign-in/")
    page.fill("#username", "commissioner")
    page.fill("#password", "not the password")
    page.get_by_role("button", name="Sign in").click()
    # GOV.UK Frontend moves focus to the summary once its script has started.
    # (A locator, not a script evaluated in the page: the page's policy refuses eval.)
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    visit.check("13 sign in error")
    page.fill("#password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{visit.base_url}/")

    visit.goto("/cost-of-care/")
    page.fill("#hourly_wage", "eight pounds")
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_selector(".govuk-error-summary")
    page.click(".govuk-error-summary a[href='#hourly_wage']")
    assert page.evaluate("document.activeElement.id") == "hourly_wage"
    visit.check("14 cost of care error")

    visit.goto("/tenders/")
    page.get_by_role("button", name="Evaluate the tender").click()
    page.wait_for_selector(".govuk-error-summary")
    visit.check("15 tender error")


def test_the_pages_reflow_on_a_phone_without_sideways_scrolling(browser: Any, visit: Any) -> None:
    page = visit.page
    page.set_viewport_size({"width": 360, "height": 740})
    _sign_in_by_keyboard(visit, "broker")
    for path, name in (
        ("/zones/", "16 zones on a phone"),
        ("/cost-of-care/", "17 cost of care on a phone"),
        ("/rate-cards/", "18 rate cards on a phone"),
    ):
        visit.goto(path)
        # Wide tables scroll inside their own region; the page itself must not.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} is {overflow}px too wide"
        visit.check(name)
