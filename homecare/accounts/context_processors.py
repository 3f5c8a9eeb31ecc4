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
        items.append(("Travel and carbon", reverse("commissioning:travel")))
    if access.has_role(user, access.BROKERAGE_ROLES):
        items.append(("Waiting list", reverse("brokerage:waiting-list")))
    if access.has_role(user, access.DASHBOARD_ROLES):
        items.append(("Dashboard", reverse("insight:dashboard")))
    if access.has_role(user, access.REPORT_ROLES):
        items.append(("Performance report", reverse("insight:report")))
    if access.has_role(user, access.MARKET_ROLES):
        items.append(("Market", reverse("commissioning:frameworks")))
    if access.has_role(user, {access.Role.COMMISSIONER}):
        items.append(("Simulations", reverse("insight:simulations")))
    if access.has_role(user, {access.Role.PROVIDER}):
        items.append(("Offers", reverse("brokerage:offers")))
        items.append(("My packages", reverse("brokerage:packages")))
        items.append(("Capacity", reverse("brokerage:capacity")))
        items.append(("Frameworks", reverse("commissioning:open-frameworks")))
    if access.has_role(user, {access.Role.PROVIDER, *access.DELIVERY_ROLES}):
        items.append(("Visit logs", reverse("delivery:uploads")))
        items.append(("Payments", reverse("delivery:runs")))
    # The league table is the council's view of every provider, so the top navigation offers
    # it to those who see it whole; a provider reaches its own row from the Payments page.
    if access.has_role(user, access.PERFORMANCE_ROLES):
        items.append(("Provider performance", reverse("delivery:performance")))
    path = request.path
    # One item is current: the one whose address is the longest start of the page's (the
    # dashboard at /insight/ covers its sub-pages, but not /insight/report/, which has its
    # own item). The home link is current only on the home page.
    covering = [
        href for _, href in items if path == href or (href != "/" and path.startswith(href))
    ]
    current = max(covering, key=len, default=None)
    nav = [{"text": text, "href": href, "current": href == current} for text, href in items]
    return {
        "nav_items": nav,
        "user_roles": access.roles_of(user),
        "user_organisations": access.organisations_of(user),
    }
