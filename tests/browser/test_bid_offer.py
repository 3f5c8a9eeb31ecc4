"""A mini-competition's bid offer in Chromium: a provider bids an hourly rate by keyboard only.

The demo market is a prime cascade, so the test adds a small dynamic purchasing system
(mini-competition) for the demo council with the two demo providers, and asks it for a
package. axe-core checks the bid offer page, with and without errors, and the inbox after.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from homecare.commissioning.demo import COUNCIL, PROVIDER_A, PROVIDER_B

pytestmark = pytest.mark.browser

AREA = "GN2657268"  # Anstey
REFERENCE = "P-BROWSER-BID-1"


def _bid_offer() -> Any:
    """A request on a new mini-competition framework; provider A's open bid offer."""
    from homecare.accounts.models import Organisation
    from homecare.brokerage import actions
    from homecare.commissioning import market_actions
    from homecare.commissioning.models import Area, Provider

    zone = Area.objects.select_related("zone").get(code=AREA).zone
    framework = market_actions.create_framework(
        council=Organisation.objects.get(name=COUNCIL),
        name="Home care DPS (browser test)",
        policy_kind="mini_competition",
        policy_settings={"bid_window_hours": 2, "respect_capacity": False},
        start_date=date(2026, 1, 5),
        lots=[{"code": "DPS", "name": "Dynamic purchasing system", "zones": [zone.code]}],
        acting_user=None,
    )
    lot = framework.lots.get()
    for tier, name in (("prime", PROVIDER_A), ("supplementary", PROVIDER_B)):
        provider = Provider.objects.get(name=name)
        market_actions.appoint_provider(
            framework=framework,
            lot=lot,
            provider=provider,
            tier=tier,
            hourly_rate=20,
            acting_user=None,
        )
    now = timezone.now()
    request = actions.create_request(
        REFERENCE,
        AREA,
        "Mon-Fri 08:00 30m",
        framework=framework,
        funding="council",
        cohort="older_people",
        source="community",
        start_date=date(2026, 4, 13),
        now=now,
        acting_user=None,
    )
    offers = actions.send_next_round(request, now=now, acting_user=None)
    # Both are invited (capacity aside), so provider A's bid waits for B's, or the window.
    assert sorted(offer.provider.name for offer in offers) == sorted([PROVIDER_A, PROVIDER_B])
    return request.offers.get(provider__name=PROVIDER_A)


def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def test_a_provider_bids_an_hourly_rate_by_keyboard_only(visit: Any) -> None:
    offer = _bid_offer()
    assert offer.kind == "bid"
    page = visit.page
    visit.sign_in("provider-a")
    visit.goto("/brokerage/offers/")

    # Tab to the offer's link, Enter opens it.
    visit.tab_to(f"#offer-{offer.pk}-link")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/brokerage/offers/{offer.pk}/")
    assert REFERENCE not in page.inner_text("main")
    visit.check("bid offer 01 page")

    # Space picks "Accept and bid"; sending it without a rate is an error naming the rate.
    visit.tab_to("#answer")
    page.keyboard.press("Space")
    assert page.locator("#answer").is_checked()
    visit.tab_to("#send-answer", limit=10)
    page.keyboard.press("Enter")
    page.wait_for_selector(".govuk-error-summary")
    summary = page.locator(".govuk-error-summary")
    assert "Enter your hourly rate, like 21.50" in summary.inner_text()
    assert page.title().startswith("Error:")
    visit.check("bid offer 02 rate missing")

    # The error summary has the focus; Tab reaches its link, Enter takes the focus to the rate.
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#bid_rate"
    page.keyboard.press("Enter")
    assert _focused(page) == "bid_rate"
    assert page.locator("#answer").is_checked()  # the answer chosen is kept
    page.keyboard.type("21.50")
    visit.tab_to("#send-answer", limit=10)
    page.keyboard.press("Enter")
    page.wait_for_url("**/brokerage/offers/")
    banner = page.inner_text(".govuk-notification-banner")
    assert "Your bid of £21.50 an hour is recorded" in banner
    visit.check("bid offer 03 inbox after bidding")

    offer.refresh_from_db()
    assert (offer.status, str(offer.bid_rate)) == ("accepted", "21.50")
    assert offer.answered_by.username == "provider-a"
