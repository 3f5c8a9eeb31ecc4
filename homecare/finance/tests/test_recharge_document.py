"""The NHS recharge document for the integrated care board: the NHS share of each visit on
the council's approved invoices in the days, grouped by person then day, a total for each
person and in all (the same rows and total as the recharge spreadsheet), numbered pages, and
the finance officer's page that makes it."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import NoReverseMatch, include, path, reverse

from homecare.conftest import _persona
from homecare.delivery.models import InvoiceLine
from homecare.delivery.paged_documents import lay_out
from homecare.finance import exports
from homecare.finance.models import Adjustment, KeptDocument
from homecare.finance.recharge_document import recharge_document, recharge_pdf
from homecare.finance.tests.ledger_data import approved_invoices, correction, fund_jointly

FIRST, LAST = date(2026, 3, 9), date(2026, 4, 5)


def _site_with_documents() -> list[Any]:
    from config.urls import urlpatterns as site

    return [*site, path("finance/", include("homecare.finance.document_urls"))]


urlpatterns = _site_with_documents()  # used only while the site does not include the pages


@pytest.fixture(autouse=True)
def _pages(settings: Any, frozen_now: Any) -> None:
    from homecare.finance.tests.ledger_data import EXPORTED_AT

    settings.HOMECARE_ECM_RULES = "rotherham-actual"
    settings.HOMECARE_ECM_BAD_ROWS = "reject"
    try:
        reverse("finance:recharge-document")
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__
    frozen_now(EXPORTED_AT)


@pytest.fixture
def finance(council: Any) -> Any:
    return _persona("finance", council, "finance")


@pytest.fixture
def invoices(council: Any, finance: Any) -> dict[str, Any]:
    """Prime 1 (P-0001 council-funded, P-0002 NHS-funded) and Prime 2 (P-0003, whose lines
    are made joint-funded, 40% NHS), both approved."""
    made = approved_invoices(council, finance)
    for line in InvoiceLine.objects.filter(person__reference="P-0002", nhs_pence=0):
        line.funding, line.nhs_pence, line.council_pence = "nhs_chc", line.amount_pence, 0
        line.save()  # the run fills these; set here if a run left the line the council's
    fund_jointly(made["Prime 2 (test)"], nhs_percent=40)
    return made


def texts(council: Any, first: date = FIRST, last: date = LAST) -> list[str]:
    pages = []
    for page in lay_out(recharge_document(council, first, last)).pages:
        words = [box.text for box in page._page_box.descendants() if hasattr(box, "text")]
        pages.append(" ".join(" ".join(words).split()))
    return pages


def pounds(pence: int) -> str:
    sign = "−" if pence < 0 else ""
    return f"{sign}£{Decimal(abs(pence)) / 100:,.2f}"


def test_grouped_by_person_then_day_with_totals_that_match_the_spreadsheet(
    council: Any, invoices: Any
) -> None:
    recharge = exports.recharge_rows(council, FIRST, LAST)
    nhs = {ref: [r for r in recharge.rows if r.person_ref == ref] for ref in ("P-0002", "P-0003")}
    assert len(nhs["P-0002"]) == 2 and len(nhs["P-0003"]) == 1
    assert not any(r.person_ref == "P-0001" for r in recharge.rows)  # the council's alone
    pages = texts(council)
    whole = " ".join(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
    first = pages[0]
    assert "NHS continuing healthcare recharge" in first
    assert f"From {council.name}" in first and "To The integrated care board (ICB)" in first
    assert "Visits 9 March 2026 to 5 April 2026" in first and "People 2" in first
    assert f"Total to recharge {pounds(recharge.total_pence)}" in first
    # P-0002's visits in day order, then its total; then P-0003's.
    p2 = whole.index("Person P-0002")
    days = [
        m.group(1)
        for m in re.finditer(r"(\d\d) Mar 2026 08:00", whole[p2 : whole.index("Total for P-0002")])
    ]
    assert days == ["09", "11"]  # at(1) and at(3): Monday and Wednesday
    p2_total = sum(r.nhs_pence for r in nhs["P-0002"])
    assert f"Total for P-0002 (2 visits) {pounds(p2_total)}" in whole
    assert whole.index("Person P-0003") > whole.index("Total for P-0002")
    assert "Joint" in whole[whole.index("Person P-0003") :]
    assert f"Total to recharge (3 visits) {pounds(recharge.total_pence)}" in pages[-1]
    assert recharge.total_pence == sum(r.nhs_pence for rows in nhs.values() for r in rows) > 0


def test_only_the_days_asked_for(council: Any, invoices: Any) -> None:
    whole = " ".join(texts(council, date(2026, 3, 9), date(2026, 3, 9)))
    assert "Person P-0002" in whole and "11 Mar 2026" not in whole
    assert "Person P-0003" not in whole and "Total to recharge (1 visit)" in whole


def test_a_credit_note_of_the_nhs_stream_is_taken_off(council: Any, invoices: Any) -> None:
    line = InvoiceLine.objects.filter(person__reference="P-0002").order_by("visit_start")[0]
    before = exports.recharge_rows(council, FIRST, LAST).total_pence
    credit = correction(
        invoices["Prime 1 (test)"],
        Adjustment.Kind.CREDIT,
        [(line, "nhs_chc", 250)],
        invoices["Prime 1 (test)"].approved_at,
    )
    whole = " ".join(texts(council))
    assert f"Credit note {credit.number} " in whole and pounds(-250) in whole
    assert f"Total to recharge (3 visits and 1 correction) {pounds(before - 250)}" in whole


def test_the_page_makes_the_document_and_hands_it_over(
    council: Any, invoices: Any, finance: Any, signed_in: Any, commissioner: Any
) -> None:
    client = signed_in(finance)
    url = reverse("finance:recharge-document")
    page = client.get(url)
    assert page.status_code == 200 and "Make the recharge document" in page.content.decode()
    bad = client.post(url, {"from_day": "31", "from_month": "2", "from_year": "2026"})
    assert bad.status_code == 400
    assert "From date must be a real date" in bad.content.decode()
    assert "Enter the to date" in bad.content.decode()
    dates = {
        "from_day": "9",
        "from_month": "3",
        "from_year": "2026",
        "to_day": "5",
        "to_month": "4",
        "to_year": "2026",
    }
    made = client.post(url, dates)
    kept = KeptDocument.objects.get(kind=KeptDocument.Kind.RECHARGE)
    assert made.status_code == 302
    assert made["Location"] == reverse("finance:document", args=[kept.pk])
    shown = client.get(made["Location"]).content.decode()
    assert "NHS recharge, 9 March 2026 to 5 April 2026" in shown and "Download the" in shown
    file = client.get(reverse("finance:document-file", args=[kept.pk]))
    assert (
        file.content.startswith(b"%PDF")
        and "nhs-recharge-2026-03-09" in file["Content-Disposition"]
    )
    assert client.post(url, dates)["Location"] == made["Location"]  # the kept copy again
    assert "NHS recharge, 9 March 2026" in client.get(url).content.decode()  # listed
    assert signed_in(commissioner).get(url).status_code == 403
    assert signed_in(commissioner).get(made["Location"]).status_code == 404


def test_the_pdf_is_a_pdf_even_with_nothing_to_recharge(council: Any, invoices: Any) -> None:
    content = recharge_pdf(council, date(2026, 1, 1), date(2026, 1, 31))
    assert content.startswith(b"%PDF")
    whole = " ".join(texts(council, date(2026, 1, 1), date(2026, 1, 31)))
    assert (
        "Nothing to recharge in these days" in whole
        and "Total to recharge (nothing) £0.00" in whole
    )
