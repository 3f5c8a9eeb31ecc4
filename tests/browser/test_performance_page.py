"""The provider league table in Chromium: the commissioner changes the month by keyboard
alone and reads the table and trends; provider A sees only its own row. axe-core checks
every page."""

from __future__ import annotations

from typing import Any

import pytest

from homecare.commissioning.demo import PROVIDER_B

pytestmark = pytest.mark.browser


def _providers_with_live_packages() -> list[str]:
    """The providers with a package of the first council live today: each has visits planned
    this month (the second council's providers are on its own table)."""
    from homecare.brokerage.models import Placement
    from homecare.commissioning.demo import COUNCIL

    live = Placement.objects.filter(
        ended_at__isnull=True, request__framework__council__name=COUNCIL
    ).values_list("provider__name", flat=True)
    names = sorted(set(live))
    assert names, "the demo has no live packages"
    return names


def test_the_commissioner_changes_the_month_by_keyboard_alone(visit: Any) -> None:
    from homecare.delivery import performance
    from homecare.delivery.performance_views import today

    this_month = performance.first_of(today())
    last_month = performance.last_full_month(today())
    page = visit.page
    visit.sign_in("commissioner")
    visit.goto("/delivery/runs/")
    # The Payments page's own link (the top navigation has one too).
    page.locator("#main-content").get_by_role("link", name="Provider performance").click()
    page.wait_for_url("**/delivery/performance/")
    page.get_by_role("heading", name=f"League table, {last_month:%B %Y}").wait_for()
    visit.check("provider performance")

    # Keyboard only: focus the month list, move up one month (the list is newest first, so
    # to this month, whose logs the demo holds), Tab to the button and press Enter.
    page.focus("#month")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Show this month"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/delivery/performance/?month={this_month:%Y-%m}")
    page.get_by_role("heading", name=f"League table, {this_month:%B %Y}").wait_for()
    # Ranked or listed as too few visits to rank (a month still running may be short).
    table = page.locator("#league")
    for name in _providers_with_live_packages():
        assert table.get_by_role("rowheader", name=name).count() == 1, name
    since = performance.add_months(this_month, -5)
    trend = f"ECM compliance, {since:%b %Y} to {this_month:%b %Y}"
    assert page.get_by_role("img", name=trend).count() == 1
    visit.check("provider performance this month")


def test_a_provider_sees_only_its_own_figures(visit: Any) -> None:
    page = visit.page
    visit.sign_in("provider-a")
    visit.goto("/delivery/performance/")
    page.get_by_role("heading", name="Your figures", exact=False).wait_for()
    assert page.get_by_text(PROVIDER_B).count() == 0
    visit.check("provider performance for a provider")
