"""What the shared layout needs on every page: the navigation the user may follow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from homecare.accounts import access

Role = access.Role
COMMISSIONER = frozenset({Role.COMMISSIONER})
BROKER = frozenset({Role.BROKER})
FINANCE = frozenset({Role.FINANCE})
PROVIDER = frozenset({Role.PROVIDER})

# (label, URL name, roles that see it; None: every member). Each label is the title of the
# page it opens, so a user finds under that name what the menu promised. Each role sees the
# pages of its own work first; a user with several roles sees the union, in this order.
NAVIGATION: tuple[tuple[str, str, frozenset[str] | None], ...] = (
    ("Home", "home", None),
    ("Waiting list", "brokerage:waiting-list", BROKER | COMMISSIONER),
    ("Packages", "brokerage:package-list", BROKER | COMMISSIONER),
    ("Offers", "brokerage:offers", PROVIDER),
    ("My packages", "brokerage:packages", PROVIDER),
    ("Capacity", "brokerage:capacity", PROVIDER),
    ("Reconciliation runs", "delivery:runs", FINANCE | PROVIDER),
    ("Reconcile every provider", "finance:period-runs", FINANCE),
    ("Your invoices", "finance:my-invoices", PROVIDER),
    ("Queries on invoices", "finance:queries", FINANCE),
    ("Payment batches", "finance:batches", FINANCE),
    ("Visit log uploads", "delivery:uploads", FINANCE | PROVIDER),
    ("Pay return", "finance:pay-return", PROVIDER),
    ("Market dashboard", "insight:dashboard", BROKER | COMMISSIONER),
    ("Frameworks", "commissioning:frameworks", BROKER | COMMISSIONER),
    ("Frameworks open to new providers", "commissioning:open-frameworks", PROVIDER),
    ("Providers", "commissioning:providers", BROKER | COMMISSIONER),
    ("Provider performance", "delivery:performance", FINANCE | COMMISSIONER),
    ("Performance report", "insight:report", FINANCE | COMMISSIONER),
    ("Commitments against budgets", "finance:commitments", FINANCE | COMMISSIONER),
    ("Purchase orders", "finance:purchase-orders", FINANCE | COMMISSIONER | PROVIDER),
    ("Pay-floor audit", "finance:pay-audit", FINANCE | COMMISSIONER),
    ("Complaints", "insight:complaints", COMMISSIONER),
    ("Market simulations", "insight:simulations", COMMISSIONER),
    ("Tender evaluation", "commissioning:tenders", COMMISSIONER),
    ("Travel and carbon", "commissioning:travel", COMMISSIONER),
    ("History of changes", "governance:audit", COMMISSIONER),
    ("Zones", "commissioning:zones", BROKER | COMMISSIONER | PROVIDER),
    ("Rate cards", "commissioning:rate-cards", None),
    ("Cost of care calculator", "commissioning:cost-of-care", COMMISSIONER | FINANCE),
    ("Users", "users:list", frozenset({Role.USER_ADMIN})),
    ("Glossary", "glossary", None),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not access.is_member(user):
        return {"nav_items": [], "user_roles": frozenset(), "user_organisations": []}
    roles = access.roles_of(user)
    items = [
        (text, reverse(name))
        for text, name, allowed in NAVIGATION
        if allowed is None or roles & allowed
    ]
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
