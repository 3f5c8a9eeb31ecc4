"""What the shared layout needs on every page: the navigation the user may follow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from homecare.accounts import access


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not access.is_member(user):
        return {"nav_items": [], "user_roles": frozenset(), "user_organisations": []}
    items = [
        ("Home", reverse("home")),
        ("Zones", reverse("commissioning:zones")),
        ("Cost of care", reverse("commissioning:cost-of-care")),
        ("Rate cards", reverse("commissioning:rate-cards")),
    ]
    if access.has_role(user, {access.Role.COMMISSIONER}):
        items.append(("Tender evaluation", reverse("commissioning:tenders")))
    if access.has_role(user, access.BROKERAGE_ROLES):
        items.append(("Waiting list", reverse("brokerage:waiting-list")))
    if access.has_role(user, access.DASHBOARD_ROLES):
        items.append(("Dashboard", reverse("insight:dashboard")))
    if access.has_role(user, access.MARKET_ROLES):
        items.append(("Market", reverse("commissioning:frameworks")))
    if access.has_role(user, {access.Role.PROVIDER}):
        items.append(("Offers", reverse("brokerage:offers")))
        items.append(("My packages", reverse("brokerage:packages")))
        items.append(("Capacity", reverse("brokerage:capacity")))
        items.append(("Frameworks", reverse("commissioning:open-frameworks")))
    if access.has_role(user, {access.Role.PROVIDER, *access.DELIVERY_ROLES}):
        items.append(("Visit logs", reverse("delivery:uploads")))
        items.append(("Payments", reverse("delivery:runs")))
    path = request.path
    nav = [
        {
            "text": text,
            "href": href,
            # The home link is current only on the home page; others cover their sub-pages.
            "current": path == href if href == "/" else path.startswith(href),
        }
        for text, href in items
    ]
    return {
        "nav_items": nav,
        "user_roles": access.roles_of(user),
        "user_organisations": access.organisations_of(user),
    }
