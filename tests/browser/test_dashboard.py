"""The commissioner's market dashboard in Chromium: charts with their tables, axe, refusal."""

from __future__ import annotations

from typing import Any

import pytest

from homecare.commissioning.demo import PROVIDER_A

pytestmark = pytest.mark.browser

# Every chart on the dashboard sits just above the table giving the same figures.
TABLES = ("#tier-table", "#provider-table", "#refusal-table", "#zone-table")


def _charts(page: Any) -> list[dict[str, Any]]:
    """Each chart's accessible name, bar count and the tag of what follows its figure."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('main figure')].map((figure) => {
                const svg = figure.querySelector('svg[role=img]');
                const ids = (svg && svg.getAttribute('aria-labelledby') || '').split(' ');
                const title = ids[0] && document.getElementById(ids[0]);
                return {
                    title: title ? title.textContent : '',
                    bars: svg ? svg.querySelectorAll('rect title').length : 0,
                    // A wide table sits in its own scrolling region right after the figure.
                    next: (() => {
                        const after = figure.nextElementSibling;
                        const held = after && after.classList.contains('app-table-scroll');
                        const table = held ? after.firstElementChild : after;
                        return table && table.tagName;
                    })(),
                };
            })"""
        )
    )


def test_a_commissioner_opens_the_dashboard_and_sees_each_chart_with_its_table(
    visit: Any,
) -> None:
    page = visit.page
    visit.sign_in("commissioner")
    page.get_by_role("link", name="Market dashboard", exact=True).first.click()
    page.wait_for_url("**/insight/")
    assert page.locator("h1").inner_text() == "Market dashboard"
    # Hours, people, requests made, median, 90th percentile, longest open wait, two unplaced.
    assert page.locator("#headlines .govuk-summary-list__row").count() == 8

    # A year of the demo market has offers, refusals and live packages in every tier.
    page.select_option("#days", "365")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert page.url.endswith("/insight/?days=365")
    charts = _charts(page)
    assert len(charts) == 5, charts
    for chart in charts:
        assert chart["title"], charts
        assert chart["bars"] >= 1, charts
        assert chart["next"] == "TABLE", charts
    for table in TABLES:
        assert page.locator(f"{table} tbody tr").count() >= 1, table
    assert page.locator("#zone-table tbody tr").count() == 14
    assert PROVIDER_A in page.inner_text("#provider-table")
    visit.check("dashboard")


def test_a_provider_is_refused_the_dashboard_and_not_shown_the_link(visit: Any) -> None:
    page = visit.page
    visit.sign_in("provider-a")
    assert "Dashboard" not in page.inner_text("#navigation")
    response = visit.goto("/insight/")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "You do not have access to this page"
    assert page.locator("svg[role=img]").count() == 0
    visit.check("dashboard refused to a provider")
