"""The performance report in Chromium: a commissioner reaches it from the navigation,
changes the period by keyboard alone and downloads the CSV; a complaint is logged by
keyboard, past an error. axe-core checks every page."""

from __future__ import annotations

import csv
from typing import Any

import pytest

from carecore.reports.performance_report import KPIS
from homecare.insight.forms import first_of_month, quick_periods
from homecare.insight.report_views import today

pytestmark = pytest.mark.browser


def _type_date(page: Any, prefix: str, day: int, month: int, year: int) -> None:
    """Fill a date input from its day box by keyboard: select, type, Tab to the next."""
    page.focus(f"#{prefix}_day")
    for value in (day, month, year):
        page.keyboard.press("Control+A")
        page.keyboard.type(str(value))
        page.keyboard.press("Tab")


def test_the_commissioner_changes_the_period_by_keyboard_alone(visit: Any) -> None:
    page = visit.page
    visit.sign_in("commissioner")
    page.get_by_role("link", name="Performance report").click()
    page.wait_for_url("**/insight/report/")
    quarter = quick_periods(today())[1]
    page.get_by_text(f"{quarter.first.day} {quarter.first:%B %Y} to", exact=False).first.wait_for()
    assert page.locator("#kpi-table tbody tr").count() == len(KPIS)
    visit.check("performance report")

    # Last month, typed: day, month and year of each date, Tab on to the button, Enter.
    last_month = first_of_month(today(), 1)
    end = first_of_month(today())
    _type_date(page, "from", 1, last_month.month, last_month.year)
    _type_date(page, "to", (end - last_month).days, last_month.month, last_month.year)
    assert page.evaluate("document.activeElement.textContent.trim()") == "Show the report"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/insight/report/?from_day=1&from_month={last_month.month}**")
    period = page.locator("#period")
    assert period.inner_text().startswith(f"1 {last_month:%B %Y} to ")
    # One month has no trend to draw: the page says so and links to a longer period.
    assert page.locator("#no-trends").count() == 1
    assert page.locator("#trend-hours-title").count() == 0
    visit.check("performance report for last month")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the figures as CSV", exact=False).click()
    with open(download.value.path(), encoding="utf-8") as saved:
        rows = list(csv.reader(saved))
    assert rows[0][:3] == ["Key", "KPI", "Unit"]
    shown = page.locator('[data-kpi="people_at_end"] [data-column="this"]').inner_text()
    people = next(row for row in rows if row[0] == "people_at_end")[3]
    assert shown == f"{int(people):,}"


def test_a_bad_date_is_named_and_linked_from_the_error_summary(visit: Any) -> None:
    page = visit.page
    visit.sign_in("finance")
    visit.goto(
        "/insight/report/?from_day=31&from_month=2&from_year=2026&to_day=1&to_month=3&to_year=2026"
    )
    summary = page.locator(".govuk-error-summary")
    summary.get_by_role("link", name="From date must be a real date").wait_for()
    visit.check("performance report with a bad date")
    summary.get_by_role("link", name="From date must be a real date").click()
    assert page.evaluate("document.activeElement.id") == "from_day"


def test_a_commissioner_logs_a_complaint_by_keyboard(visit: Any) -> None:
    page = visit.page
    visit.sign_in("commissioner")
    visit.goto("/insight/complaints/")
    page.get_by_role("heading", name="Complaints", exact=True).wait_for()
    visit.check("complaints")
    page.get_by_role("link", name="Log a complaint").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/insight/complaints/new/")
    # Submit empty first: every missing answer is named.
    page.get_by_role("button", name="Log the complaint").focus()
    page.keyboard.press("Enter")
    page.locator(".govuk-error-summary").wait_for()
    assert page.get_by_text("Select the provider the complaint is about").count() >= 1
    visit.check("log a complaint with errors")

    day = today()
    _type_date(page, "received", day.day, day.month, day.year)
    page.focus("#provider")
    page.keyboard.press("ArrowDown")  # the first provider in the list
    page.focus("#category")
    page.keyboard.press("Space")
    page.focus("#summary")
    page.keyboard.type("The morning visit came two hours late.")
    page.get_by_role("button", name="Log the complaint").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/insight/complaints/*/")
    page.get_by_text("The morning visit came two hours late.").wait_for()
    visit.check("a complaint")
