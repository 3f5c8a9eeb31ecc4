"""Addresses of the finance pages (included at ``finance/`` by ``config/urls.py``): each part
keeps its own list, gathered here under the one ``finance`` namespace. URLs carry only
numbers: nothing about a person appears in them."""

from __future__ import annotations

from homecare.finance import (
    commitment_urls,
    document_urls,
    ledger_urls,
    pay_audit_urls,
    period_urls,
    query_urls,
)

app_name = "finance"

urlpatterns = [
    *commitment_urls.urlpatterns,
    *document_urls.urlpatterns,
    *ledger_urls.urlpatterns,
    *pay_audit_urls.urlpatterns,
    *period_urls.urlpatterns,
    *query_urls.urlpatterns,
]
