"""The charging export (per person, what the council paid) and the NHS recharge (each NHS
share of an approved line, with totals), their CSV with every cell escaped, and their pages."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from homecare.brokerage.models import Person
from homecare.brokerage.testing import LONDON
from homecare.commissioning.models import Provider
from homecare.conftest import _persona
from homecare.delivery.models import Invoice, InvoiceLine
from homecare.finance import exports
from homecare.finance.models import Adjustment
from homecare.finance.tests.ledger_data import approved_invoices, correction, fund_jointly

FIRST, LAST = date(2026, 3, 9), date(2026, 4, 5)
NOW = datetime(2026, 4, 20, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _setup(settings: Any, frozen_now: Any) -> None:
    settings.HOMECARE_ECM_RULES = "rotherham-actual"
    settings.HOMECARE_ECM_BAD_ROWS = "reject"
    try:
        reverse("finance:charging-export")
    except NoReverseMatch:
        settings.ROOT_URLCONF = "homecare.finance.tests.test_ledger_pages"
    frozen_now(NOW)


@pytest.fixture
def finance(council: Any) -> Any:
    return _persona("finance", council, "finance")


@pytest.fixture
def invoices(council: Any, finance: Any) -> dict[str, Invoice]:
    made = approved_invoices(council, finance)
    # P-0002 is NHS-funded: its lines are the NHS's (the run fills this; it is set here
    # where the run left a line the council's).
    for line in InvoiceLine.objects.filter(person__reference="P-0002", nhs_pence=0):
        line.funding, line.nhs_pence, line.council_pence = "nhs_chc", line.amount_pence, 0
        line.save()
    return made


def _lines(reference: str) -> list[InvoiceLine]:
    return list(InvoiceLine.objects.filter(person__reference=reference).order_by("visit_start"))


def test_charging_counts_what_the_council_paid_per_person_and_period(
    council: Any, invoices: Any
) -> None:
    rows = exports.charging_rows(council, FIRST, LAST)
    assert [r.person_ref for r in rows] == ["P-0001", "P-0003"]  # P-0002 is the NHS's
    first = rows[0]
    lines = _lines("P-0001")
    assert (first.period_start, first.period_end, first.funding) == (FIRST, LAST, "Council")
    assert first.visits == 2
    assert first.carer_minutes == sum(line.billable_minutes for line in lines)
    assert first.council_pence == sum(line.amount_pence for line in lines) > 0
    assert first.total_pence == first.council_pence


def test_charging_takes_only_the_councils_share_and_its_corrections(
    council: Any, invoices: Any
) -> None:
    fund_jointly(invoices["Prime 2 (test)"], nhs_percent=40)
    line = _lines("P-0001")[0]
    correction(invoices["Prime 1 (test)"], Adjustment.Kind.CREDIT, [(line, "council", 150)], NOW)
    rows = {r.person_ref: r for r in exports.charging_rows(council, FIRST, LAST)}
    joint = _lines("P-0003")[0]
    assert rows["P-0003"].council_pence == joint.amount_pence - joint.amount_pence * 40 // 100
    assert rows["P-0003"].funding == "Joint-funded (council and NHS)"
    assert rows["P-0001"].corrections_pence == -150
    assert rows["P-0001"].total_pence == rows["P-0001"].council_pence - 150


def test_only_approved_invoices_and_visits_in_the_days_count(council: Any, invoices: Any) -> None:
    Invoice.objects.filter(pk=invoices["Prime 2 (test)"].pk).update(status="draft")
    day_one = exports.charging_rows(council, FIRST, FIRST)
    assert [(r.person_ref, r.visits) for r in day_one] == [("P-0001", 1)]
    assert exports.recharge_rows(council, date(2026, 3, 12), LAST).rows == []


def test_the_recharge_lists_each_nhs_share_with_totals(council: Any, invoices: Any) -> None:
    fund_jointly(invoices["Prime 2 (test)"], nhs_percent=40)
    nhs_line = _lines("P-0002")[0]
    correction(invoices["Prime 1 (test)"], Adjustment.Kind.CREDIT, [(nhs_line, "nhs_chc", 99)], NOW)
    recharge = exports.recharge_rows(council, FIRST, LAST)
    nhs = _lines("P-0002")
    joint = _lines("P-0003")[0]
    assert [(r.person_ref, r.visit_day, r.nhs_pence) for r in recharge.rows] == [
        ("P-0002", date(2026, 3, 9), nhs[0].nhs_pence),
        ("P-0002", date(2026, 3, 9), -99),
        ("P-0002", date(2026, 3, 11), nhs[1].nhs_pence),
        ("P-0003", date(2026, 3, 12), joint.amount_pence * 40 // 100),
    ]
    assert recharge.rows[0].provider == "Prime 1 (test)"
    assert recharge.rows[0].purchase_order == nhs[0].purchase_order
    assert recharge.rows[1].document.startswith("Credit note CN-")
    assert recharge.by_provider == {
        "Prime 1 (test)": sum(line.nhs_pence for line in nhs) - 99,
        "Prime 2 (test)": joint.amount_pence * 40 // 100,
    }
    table = list(csv.reader(io.StringIO(exports.recharge_csv(recharge))))
    assert table[0][0] == "Person reference" and table[-1][0] == "Total"
    assert table[-1][-1] == f"{recharge.total_pence / 100:.2f}"


def test_every_cell_of_both_exports_is_formula_escaped(council: Any, invoices: Any) -> None:
    Person.objects.filter(reference="P-0001").update(reference="@P-0001")
    Provider.objects.filter(name="Prime 1 (test)").update(name="=HYPERLINK(1)")
    charging = list(
        csv.reader(io.StringIO(exports.charging_csv(exports.charging_rows(council, FIRST, LAST))))
    )
    assert charging[1][0] == "'@P-0001"
    recharge = list(
        csv.reader(io.StringIO(exports.recharge_csv(exports.recharge_rows(council, FIRST, LAST))))
    )
    assert recharge[1][4] == "'=HYPERLINK(1)"
    cells = [cell for table in (charging, recharge) for row in table for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]


def _query(first: date, last: date) -> dict[str, int]:
    return {
        "from_day": first.day,
        "from_month": first.month,
        "from_year": first.year,
        "to_day": last.day,
        "to_month": last.month,
        "to_year": last.year,
    }


@pytest.mark.parametrize("name", ["finance:charging-export", "finance:recharge-export"])
def test_the_export_pages_show_a_summary_and_download_the_csv(
    signed_in: Any, finance: Any, invoices: Any, name: str
) -> None:
    client = signed_in(finance)
    assert client.get(reverse(name)).status_code == 200
    page = client.get(reverse(name), _query(FIRST, LAST))
    assert page.status_code == 200 and 'id="summary"' in page.content.decode()
    download = client.get(reverse(name), {**_query(FIRST, LAST), "download": "csv"})
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert "2026-03-09-to-2026-04-05.csv" in download["Content-Disposition"]
    bad = client.get(reverse(name), {**_query(FIRST, LAST), "to_month": "13", "download": "csv"})
    assert bad.status_code == 400 and "govuk-error-summary" in bad.content.decode()


def test_only_finance_officers_take_the_exports(
    signed_in: Any, council: Any, invoices: Any
) -> None:
    commissioner = signed_in(_persona("commissioner", council, "commissioner"))
    for name in ("finance:charging-export", "finance:recharge-export"):
        assert commissioner.get(reverse(name), _query(FIRST, LAST)).status_code == 403
