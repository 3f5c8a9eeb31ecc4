"""Which organisations own the record a page shows, for the page walk's check that no
council's persona opens another council's records.

A page whose URL names a record (``/brokerage/requests/12/``) is owned by the councils that
own the record: a request by its framework's council, a package by its person's council, a
run by its council... Pages of shared records (zones, providers, a provider's open
framework to apply to, a council's published rate card, which councils compare) and pages
without a record are owned by nobody: anyone allowed by role may open them; changing a
council's rates (the uplift page) is its own. Used by the page walk's test
(``homecare/accounts/tests/test_walk_every_page.py``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.urls import resolve
from django.urls.exceptions import Resolver404

from homecare.brokerage.models import (
    BrokerageRequest,
    Offer,
    Package,
    Person,
    Placement,
    ScheduleChange,
)
from homecare.commissioning.market_models import Framework, FrameworkApplication
from homecare.commissioning.models import RateCard, TenderEvaluation
from homecare.commissioning.travel_models import TravelCalibration
from homecare.delivery.models import Invoice, LogUpload, ReconciliationRun
from homecare.finance.models import Adjustment, InvoiceQuery, KeptDocument, PaymentBatch, PeriodRun
from homecare.insight.models import Complaint
from homecare.insight.simulation_models import SimulationRun

# URL name -> (model of the URL's ``pk``, the lookup from it to the owning organisation).
OWNERS: dict[str, tuple[type[Model], str]] = {
    "commissioning:rate-card-uplift": (RateCard, "council"),
    "commissioning:tender": (TenderEvaluation, "council"),
    "commissioning:tender-download": (TenderEvaluation, "council"),
    "commissioning:tender-appoint": (TenderEvaluation, "council"),
    "commissioning:travel-run": (TravelCalibration, "council"),
    "commissioning:framework": (Framework, "council"),
    "commissioning:application": (FrameworkApplication, "framework__council"),
    "commissioning:application-approve": (FrameworkApplication, "framework__council"),
    "commissioning:application-reject": (FrameworkApplication, "framework__council"),
    "brokerage:request": (BrokerageRequest, "framework__council"),
    "brokerage:offer": (Offer, "request__framework__council"),
    "brokerage:package": (Package, "person__council"),
    "brokerage:package-vary": (Package, "person__council"),
    "brokerage:package-review": (Package, "person__council"),
    "brokerage:package-suspend": (Package, "person__council"),
    "brokerage:package-end": (Package, "person__council"),
    "brokerage:package-change": (ScheduleChange, "package__person__council"),
    "insight:complaint": (Complaint, "council"),
    "insight:simulation": (SimulationRun, "council"),
    "insight:simulation-pdf": (SimulationRun, "council"),
    "delivery:upload": (LogUpload, "logs__person__council"),
    "governance:person": (Person, "council"),
    "governance:person-export": (Person, "council"),
    "users:user": (get_user_model(), "memberships__organisation"),
    "users:roles": (get_user_model(), "memberships__organisation"),
    "users:switch-off": (get_user_model(), "memberships__organisation"),
    "users:switch-on": (get_user_model(), "memberships__organisation"),
    "users:invite-again": (get_user_model(), "memberships__organisation"),
}
# The finance pages: each record is its council's (an invoice by its run's council).
OWNERS |= {
    "finance:batch": (PaymentBatch, "council"),
    "finance:batch-export": (PaymentBatch, "council"),
    "finance:batch-make-export": (PaymentBatch, "council"),
    "finance:period-run": (PeriodRun, "council"),
    "finance:query": (InvoiceQuery, "invoice__run__council"),
    "finance:query-reply": (InvoiceQuery, "invoice__run__council"),
    "finance:query-close": (InvoiceQuery, "invoice__run__council"),
    "finance:my-invoice": (Invoice, "run__council"),
    "finance:query-invoice": (Invoice, "run__council"),
    "finance:query-line": (Invoice, "run__council"),
    "finance:credit-note": (Invoice, "run__council"),
    "finance:re-invoice": (Invoice, "run__council"),
    "finance:adjustment": (Adjustment, "invoice__run__council"),
    "finance:document": (KeptDocument, "council"),
    "finance:document-file": (KeptDocument, "council"),
    "finance:uplifts": (Framework, "council"),
    "finance:uplift-withdraw": (Framework, "council"),
    "finance:purchase-order": (Placement, "request__framework__council"),
    "funding:request": (BrokerageRequest, "framework__council"),
    "funding:package": (Package, "person__council"),
}
# Every page of a reconciliation run (its lines, exceptions, files) is the run's council's.
RUN_PAGES = ("delivery:run", "delivery:rerun", "delivery:approve", "delivery:decide_all")
RUN_PAGES += ("delivery:decide", "delivery:lines", "delivery:line", "delivery:download")
OWNERS |= {name: (ReconciliationRun, "council") for name in RUN_PAGES}


def owners_of(path: str) -> frozenset[int]:
    """The ids of the organisations owning the record ``path`` shows; empty for a page of
    shared records or of none, and for a record that does not exist."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return frozenset()
    owner = OWNERS.get(match.view_name)
    if owner is None or "pk" not in match.kwargs:
        return frozenset()
    model, lookup = owner
    ids = model._default_manager.filter(pk=match.kwargs["pk"]).values_list(lookup, flat=True)
    return frozenset(i for i in ids if i is not None)


class Owners:
    """``owners_of`` for many paths, each looked up once."""

    def __init__(self) -> None:
        self._known: dict[str, frozenset[int]] = {}

    def __call__(self, path: str) -> frozenset[int]:
        if path not in self._known:
            self._known[path] = owners_of(path)
        return self._known[path]

    def foreign(self, path: str, organisations: Any) -> bool:
        """True when ``path`` shows a record owned, and owned only by others than
        ``organisations`` (ids)."""
        owners = self(path)
        return bool(owners) and not owners & set(organisations)
