"""The broker's waiting list in Chromium: filters by keyboard, refreshes itself through htmx
when another broker adds a request, and stops refreshing when live updates are turned off."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def _add_request(reference: str) -> int:
    """Another broker's new community request, straight through the action."""
    from django.utils import timezone

    from homecare.brokerage import actions
    from homecare.brokerage.models import BrokerageRequest
    from homecare.commissioning.models import Framework

    framework = Framework.objects.order_by("pk").first()
    request = actions.create_request(
        reference,
        BrokerageRequest.objects.order_by("pk").first().package.person.area.code,
        "Mon-Fri 08:00 30m",
        framework=framework,
        funding="council",
        cohort="older_people",
        source="community",
        start_date=timezone.now().date(),
        now=timezone.now(),
        acting_user=None,
    )
    return int(request.pk)


def test_the_waiting_list_filters_and_refreshes_itself_until_paused(
    visit: Any, settings: Any
) -> None:
    settings.HOMECARE_WAITING_LIST_REFRESH_SECONDS = 1
    page = visit.page
    visit.sign_in("broker")
    visit.goto("/brokerage/")
    toggle = page.locator("#live-updates")
    assert toggle.is_visible() and toggle.is_checked()  # shown only when the script runs
    visit.check("waiting list live")

    first = _add_request("P-LIVE-1")
    link = page.get_by_role("link", name=f"Request {first}", exact=True)
    link.wait_for(timeout=10_000)  # arrived without a reload

    # Filters by keyboard: choosing "A spot purchase" swaps the list in place and the URL
    # keeps the filter, so a reload or a shared link shows the same list.
    page.focus("#waiting_for")
    page.keyboard.press("End")  # the last option, "A spot purchase"
    page.wait_for_url("**/brokerage/?*waiting_for=spot*")
    assert page.locator(f"text=Request {first}").count() == 0
    visit.check("waiting list filtered")
    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_url(f"{visit.base_url}/brokerage/")

    page.get_by_label("Update the list every 1 second").uncheck()
    second = _add_request("P-LIVE-2")
    page.wait_for_timeout(3_000)  # three refresh periods pass
    assert page.get_by_role("link", name=f"Request {second}", exact=True).count() == 0
    page.get_by_label("Update the list every 1 second").check()
    page.get_by_role("link", name=f"Request {second}", exact=True).wait_for(timeout=10_000)
