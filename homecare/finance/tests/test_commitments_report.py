"""The committee performance report's spend and budget lines: spend in the period by funding
stream from approved invoices, and the financial year's budget, commitments and spend to date,
on the page, in the PDF's context and in their own CSV.

The market is the commitments tests' (see test_commitments.py): in March 2026 Prime 1's
approved invoice pays P-0001's two visits, 1033p and 1000p. By hand, one line made joint
(600p council, 433p NHS) and one NHS (1000p): March's spend is council £6.00 and NHS £14.33,
£20.33 in all; February's nothing. The period ends in 2025-26, whose council commitment is
84335p (£843.35), spent to date 600p and still to invoice 38335p.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import pytest
from django.urls import reverse

from homecare.brokerage.testing import LONDON
from homecare.commissioning.models import Zone
from homecare.delivery.models import InvoiceLine
from homecare.delivery.tests.conftest import *  # noqa: F403 (the delivery tests' fixtures)
from homecare.delivery.tests.conftest import _immediate_tasks  # noqa: F401 (autouse)
from homecare.finance import commitments
from homecare.finance.models import Stream
from homecare.finance.tests.test_commitments import approved, market  # noqa: F401 (fixtures)
from homecare.finance.tests.test_commitments_wiring import URLS
from homecare.insight import report_views

pytestmark = pytest.mark.urls(URLS)
MARCH = {"from_day": 1, "from_month": 3, "from_year": 2026}
SET = datetime(2026, 3, 1, 9, tzinfo=LONDON)
MARCH |= {"to_day": 31, "to_month": 3, "to_year": 2026}


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_views, "today", lambda: date(2026, 7, 15))
    monkeypatch.setattr(report_views, "now", lambda: datetime(2026, 7, 15, 12, tzinfo=LONDON))


@pytest.fixture
def streams(council: Any, approved: Any) -> None:  # noqa: F811
    first, second = InvoiceLine.objects.filter(run=approved).order_by("visit_start")
    InvoiceLine.objects.filter(pk=first.pk).update(
        zone_code="west-leicester", funding="joint", council_pence=600, nhs_pence=433
    )
    InvoiceLine.objects.filter(pk=second.pk).update(
        zone_code="west-leicester", funding="nhs_chc", council_pence=0, nhs_pence=1000
    )
    zone = Zone.objects.get(council=council, code="west-leicester")
    commitments.set_budget(council, zone, Stream.COUNCIL, 2025, 100000, now=SET, acting_user=None)


def cell(html: str, attribute: str, key: str, column: str) -> str:
    row = html.split(f'{attribute}="{key}"')[1].split("</tr>")[0]
    return row.split(f'data-column="{column}">')[1].split("<")[0]


def test_the_report_shows_spend_by_stream_and_the_years_budget(
    streams: None, commissioner: Any, signed_in: Any
) -> None:
    response = signed_in(commissioner).get(reverse("insight:report"), MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert cell(html, "data-spend", "council", "this") == "£6.00"
    assert cell(html, "data-spend", "joint-nhs", "this") == "£4.33"
    assert cell(html, "data-spend", "nhs", "this") == "£14.33"
    assert cell(html, "data-spend", "total", "this") == "£20.33"
    assert cell(html, "data-spend", "total", "previous") == "£0.00"
    assert "Budget, commitments and spend, April 2025 to March 2026" in html
    assert cell(html, "data-budget", "council", "budget") == "£1,000.00"
    assert cell(html, "data-budget", "council", "committed") == "£843.35"
    assert cell(html, "data-budget", "council", "spent") == "£6.00"
    assert cell(html, "data-budget", "council", "to-invoice") == "£383.35"
    # 100000 - 600 - 38335
    assert cell(html, "data-budget", "council", "remaining") == "£610.65"
    assert cell(html, "data-budget", "nhs", "budget") == "Not set"
    assert "figures=spend" in html


def test_the_spend_csv_has_a_row_a_figure(streams: None, commissioner: Any, signed_in: Any) -> None:
    response = signed_in(commissioner).get(
        reverse("insight:report-csv"), {**MARCH, "figures": "spend"}
    )
    assert response.status_code == 200
    assert "spend-and-budget-2026-03-01-to-2026-03-31.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Figure", "Funding stream", "Period or financial year", "Amount (£)"]
    assert ["Spend", "Council", "2026-03-01 to 2026-03-31", "6.00"] in rows
    assert ["Spend", "Council", "2026-02-01 to 2026-02-28", "0.00"] in rows
    assert [
        "Spend, joint-funded part",
        "NHS continuing healthcare",
        "2026-03-01 to 2026-03-31",
        "4.33",
    ] in rows
    assert ["Remaining", "Council", "2025-26", "610.65"] in rows
    assert ["Budget", "NHS continuing healthcare", "2025-26", ""] in rows
    # The figures' own CSV is as it was: a row a KPI.
    plain = signed_in(commissioner).get(reverse("insight:report-csv"), MARCH)
    assert "performance-report-2026-03-01" in plain["Content-Disposition"]
    assert not any(r[0] == "Spend" for r in csv.reader(io.StringIO(plain.content.decode())))


def test_the_pdf_has_the_spend_and_budget_sections(
    streams: None, commissioner: Any, signed_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.template import loader

    seen: dict[str, Any] = {}
    real = loader.render_to_string

    def keep(name: str, context: Any = None, *args: Any, **kwargs: Any) -> str:
        seen.update(context or {})
        html = real(name, context, *args, **kwargs)
        seen["html"] = html
        return html

    monkeypatch.setattr(report_views, "render_to_string", keep)
    response = signed_in(commissioner).get(reverse("insight:report-pdf"), MARCH)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "Spend by funding stream" in seen["html"] and "£20.33" in seen["html"]
    assert "£843.35" in seen["html"]
