"""Each persona's home page shows its worklists, and its main pages fit a phone: at 390
pixels wide nothing makes the page scroll sideways (wide tables and charts scroll inside
their own regions). The home pages are photographed and checked with axe-core at desktop
and phone widths."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PHONE = 390
DESKTOP = 1280


def _first(queryset: Any, name: str, *args: Callable[[Any], Any]) -> list[str]:
    from django.urls import reverse

    item = queryset.first()
    if item is None:
        return []
    return [reverse(name, args=[get(item) for get in args] or [item.pk])]


def _pages(username: str) -> list[str]:
    """The pages a persona works in, with one record of each kind it may open."""
    from django.contrib.auth import get_user_model

    from homecare.accounts import access
    from homecare.brokerage import access as brokerage_access
    from homecare.commissioning import access as commissioning_access
    from homecare.commissioning.models import RateCard, Zone
    from homecare.delivery import access as delivery_access

    user = get_user_model().objects.get(username=username)
    scope = access.scope_of_user(user)
    common = [
        "/",
        "/glossary/",
        "/zones/",
        *_first(Zone.objects.order_by("position"), "commissioning:zone", lambda z: z.code),
        "/rate-cards/",
        *_first(RateCard.objects.order_by("name"), "commissioning:rate-card"),
    ]
    runs = delivery_access.runs_for(scope)
    delivery = [
        "/delivery/runs/",
        *_first(runs, "delivery:run"),
        *_first(runs, "delivery:lines"),
        "/delivery/uploads/",
        *_first(delivery_access.uploads_for(scope), "delivery:upload"),
    ]
    requests = brokerage_access.requests_for(scope).order_by("-pk")
    pages = {
        "commissioner": [
            "/brokerage/",
            *_first(requests, "brokerage:request"),
            "/insight/",
            "/frameworks/",
            *_first(commissioning_access.frameworks_for(scope), "commissioning:framework"),
            "/providers/",
            "/delivery/performance/",
            "/insight/report/",
            "/insight/complaints/",
            "/insight/simulations/",
            "/travel/",
            "/cost-of-care/",
        ],
        "broker": ["/brokerage/", *_first(requests, "brokerage:request"), "/insight/"],
        "finance": [*delivery, "/delivery/performance/", "/insight/report/"],
        "provider-a": [
            "/brokerage/offers/",
            *_first(brokerage_access.offers_for(scope).order_by("-pk"), "brokerage:offer"),
            "/brokerage/my-packages/",
            "/brokerage/capacity/",
            "/open-frameworks/",
            *delivery,
        ],
    }
    return common + pages[username]


def _wide(page: Any, width: int) -> list[str]:
    """What sticks out past ``width`` without a scrolling region of its own to hold it."""
    return page.evaluate(
        """(width) => {
          const held = (el) => {
            for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
              if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) {
                return true;
              }
            }
            return false;
          };
          const out = [];
          for (const el of document.querySelectorAll('body *')) {
            if (el.getBoundingClientRect().right > width + 1 && !held(el)) {
              out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''));
            }
          }
          return out.slice(0, 5);
        }""",
        width,
    )


@pytest.mark.parametrize("username", ["commissioner", "broker", "finance", "provider-a"])
def test_the_home_page_shows_the_worklists_and_every_main_page_fits_a_phone(
    visit: Any, username: str
) -> None:
    page = visit.page
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    visit.sign_in(username)
    assert page.locator("h1").inner_text() == "Home"
    worklists = page.locator(".app-worklist")
    assert worklists.count() in (2, 3)
    for index in range(worklists.count()):
        count = worklists.nth(index).locator(".app-worklist__count").inner_text()
        assert count.strip().split()[-1].isdigit(), count
    visit.check(f"home {username} {DESKTOP}")
    # The menu's words are the titles of the pages they open.
    first = page.locator("#navigation a").nth(1)
    label = first.inner_text().strip()
    first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == label

    page.set_viewport_size({"width": PHONE, "height": 844})
    visit.goto("/")
    visit.check(f"home {username} {PHONE}")
    too_wide = {}
    for path in _pages(username):
        response = visit.goto(path)
        assert response is not None and response.status == 200, (username, path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE:
            too_wide[path] = (width, _wide(page, PHONE))
    assert too_wide == {}, too_wide
