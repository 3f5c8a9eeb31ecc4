"""The performance report and complaints pages, on a small hand-made database.

The market (one zone's lot; Prime 1 is the prime, Supplementary 1 supplementary):

    person  schedule            hours  requested     placed with, at                ended
    P-0001  Mon-Fri 09:00 60m   5      1 May 10:00   Prime 1, £20.00, 3 May 10:00   -
    P-0002  Daily 08:00 30m x2  7      5 Jun 09:00   Supp. 1, £22.00, 6 Jun 21:00   -
    P-0003  Mon 10:00 60m       1      10 Jun 00:00  Prime 1, £20.00, 14 Jun 00:00  20 Jun 12:00

Hours are carer hours a week.

Complaints: 31 May (not upheld), 2 June (upheld), 15 June (open), 30 June (partly upheld).
June 2026 (30 days, no change of the clocks) is compared with May.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from carecore.reports import performance_report as pr
from carecore.reports.brokerage_kpis import RequestRecord
from carecore.units import LONDON
from homecare.brokerage import actions as brokerage
from homecare.brokerage import lifecycle
from homecare.brokerage.testing import make_market, make_request
from homecare.commissioning.market_models import Provider
from homecare.insight import actions, report_views
from homecare.insight import report as presenter
from homecare.insight.models import Complaint

URL = "/insight/report/"
JUNE = {"from_day": 1, "from_month": 6, "from_year": 2026}
JUNE |= {"to_day": 30, "to_month": 6, "to_year": 2026}
PRIME, SUPPLEMENTARY = "Prime 1 (test)", "Supplementary 1 (test)"


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=LONDON)


NOW = datetime(2026, 7, 15, 12, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_views, "today", lambda: date(2026, 7, 15))
    monkeypatch.setattr(report_views, "now", lambda: NOW)


def _place(
    framework: Any, ref: str, visits: str, asked: datetime, placed: datetime, **kw: Any
) -> Any:
    request = make_request(framework, ref, visits=visits, now=asked, start_date=asked.date())
    provider = Provider.objects.get(name=kw.pop("provider"))
    brokerage.place_manually(request, provider, reason="test", now=placed, acting_user=None, **kw)
    return request


@pytest.fixture
def market(geography: Any, council: Any, commissioner: Any) -> dict[str, Any]:
    framework = make_market(council, primes=1, supplementary=1)
    _place(framework, "P-0001", "Mon-Fri 09:00 60m", at(5, 1, 10), at(5, 3, 10), provider=PRIME)
    _place(
        framework,
        "P-0002",
        "Daily 08:00 30m x2",
        at(6, 5, 9),
        at(6, 6, 21),
        provider=SUPPLEMENTARY,
        rate=Decimal("22.00"),
    )
    third = _place(framework, "P-0003", "Mon 10:00 60m", at(6, 10), at(6, 14), provider=PRIME)
    lifecycle.start_package(third.package, at=at(6, 15), acting_user=None)
    lifecycle.end_package(third.package, reason="moved away", at=at(6, 20, 12), acting_user=None)
    for day, outcome, name in (
        (date(2026, 5, 31), "not_upheld", PRIME),
        (date(2026, 6, 2), "upheld", PRIME),
        (date(2026, 6, 15), "open", SUPPLEMENTARY),
        (date(2026, 6, 30), "partly_upheld", PRIME),
    ):
        actions.record_complaint(
            council=council,
            received_on=day,
            provider=Provider.objects.get(name=name),
            category="missed_or_late",
            summary="A visit was missed.",
            outcome=outcome,
            now=at(7, 1),
            acting_user=commissioner,
        )
    return {"framework": framework}


def _hand_made_records() -> pr.LiveData:
    """The same market written out by hand, for the engine to compute on."""
    rows = (
        ("P-0001", PRIME, "prime", "5", "20.00", at(5, 1, 10), at(5, 3, 10), None),
        ("P-0002", SUPPLEMENTARY, "supplementary", "7", "22.00", at(6, 5, 9), at(6, 6, 21), None),
        ("P-0003", PRIME, "prime", "1", "20.00", at(6, 10), at(6, 14), at(6, 20, 12)),
    )
    placements = [
        pr.PlacementRecord(ref, ref, name, tier, Decimal(hours), Decimal(rate), placed, ended)
        for ref, name, tier, hours, rate, _, placed, ended in rows
    ]
    requests = [
        RequestRecord(ref, ref, "started", "community", "z", Decimal(hours), asked, placed)
        for ref, _, _, hours, _, asked, placed, _ in rows
    ]
    complaints = [
        pr.ComplaintRecord(date(2026, 5, 31), PRIME, "missed_or_late", "not_upheld"),
        pr.ComplaintRecord(date(2026, 6, 2), PRIME, "missed_or_late", "upheld"),
        pr.ComplaintRecord(date(2026, 6, 15), SUPPLEMENTARY, "missed_or_late", "open"),
        pr.ComplaintRecord(date(2026, 6, 30), PRIME, "missed_or_late", "partly_upheld"),
    ]
    return pr.LiveData(placements, requests, complaints)


def test_the_report_lives_at_insight_report() -> None:
    assert reverse("insight:report") == URL


def test_the_page_shows_the_engines_figures_for_the_hand_made_market(
    market: dict[str, Any], signed_in: Any, commissioner: Any
) -> None:
    response = signed_in(commissioner).get(URL, JUNE)
    assert response.status_code == 200
    expected = pr.performance_report(_hand_made_records(), start=at(6, 1), end=at(7, 1), now=NOW)
    shown = response.context["report"]
    assert [(r.kpi.key, r.this, r.previous, r.trend) for r in shown.rows] == [
        (r.kpi.key, r.this, r.previous, r.trend) for r in expected.rows
    ]
    # And by hand: at midnight on 1 July P-0001 (5 h, prime) and P-0002 (7 h) are placed.
    figures = {row.kpi.key: row.this for row in shown.rows}
    assert figures["hours_at_end"] == Decimal("12.0")
    assert figures["people_at_end"] == Decimal(2)
    assert figures["lead_share"] == Decimal("50.0")
    assert figures["new_packages"] == Decimal(2)  # P-0002 and P-0003
    # Requests made in June waited 1.5 and 4 days, both placed: the share still unplaced
    # is a half from 1.5 to 4 days, so the median is 2.75 (half up to 2.8); nine in ten by 4.
    assert figures["arrange_median_days"] == Decimal("2.8")
    assert figures["arrange_p90_days"] == Decimal("4.0")
    assert (figures["complaints"], figures["complaints_upheld"]) == (Decimal(3), Decimal(2))
    html = response.content.decode()
    row = html.split('data-kpi="hours_at_end"')[1].split("</tr>")[0]
    assert '"this">12.0<' in row and '"previous">5.0<' in row
    assert "+7.0 (not a meaningful percentage)" in row  # 12 on 5 hours: too small a base
    assert (
        "12.0 carer hours a week were commissioned, up 7.0 on the previous period, for 2 "
        "people: 6.00 hours a week each on average." in html
    )
    assert 'role="img"' not in html and 'id="no-trends"' in html  # one month: no trend


def test_two_months_trend_in_a_chart_and_a_table_per_kpi(
    market: dict[str, Any], signed_in: Any, commissioner: Any
) -> None:
    response = signed_in(commissioner).get(URL, {**JUNE, "from_month": 5})
    html = response.content.decode()
    assert html.count('role="img"') == len(presenter.CHARTS)
    # Hours at the end of May 5.0 and of June 12.0, in the chart's table and its description.
    table = html.split('id="trend-hours-table"')[1].split("</table>")[0]
    assert '<th scope="row" class="govuk-table__header app-nowrap">May 2026</th>' in table
    assert ">5.0<" in table and ">12.0<" in table
    assert "At the end of the month: May 2026 5.0, Jun 2026 12.0." in html
    assert response.context["report"].previous.first_day == date(2026, 3, 1)  # two months back


def test_the_average_rate_is_weighted_by_hours_and_days_placed(
    market: dict[str, Any], signed_in: Any, commissioner: Any
) -> None:
    # June: P-0001 5 h all 30 days at £20; P-0002 7 h for 24 days 3 hours at £22; P-0003
    # 1 h for 6.5 days at £20. Hour-days: 150 + 168.875 + 6.5 = 325.375;
    # pounds: 3000 + 3715.25 + 130 = 6845.25; 6845.25 / 325.375 = 21.0380...
    response = signed_in(commissioner).get(URL, JUNE)
    assert response.context["report"].row("average_rate").this == Decimal("21.04")
    assert "£21.04" in response.content.decode()


def test_the_pdf_is_a_pdf_named_for_its_period(
    market: dict[str, Any], signed_in: Any, commissioner: Any
) -> None:
    response = signed_in(commissioner).get(reverse("insight:report-pdf"), JUNE)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "performance-report-2026-06-01-to-2026-06-30.pdf" in response["Content-Disposition"]


def test_the_csv_has_a_row_a_kpi_with_the_period_the_one_before_and_each_month(
    market: dict[str, Any], signed_in: Any, commissioner: Any
) -> None:
    response = signed_in(commissioner).get(reverse("insight:report-csv"), JUNE)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Key",
        "KPI",
        "Unit",
        "This period (2026-06-01 to 2026-06-30)",
        "Previous period (2026-05-01 to 2026-05-31)",
        "Change",
        "Change (%)",
        "Change (%) given from",
        "Month from 2026-06-01",
        "Definition",
    ]
    by_key = {row[0]: row for row in rows[1:]}
    assert list(by_key) == [kpi.key for kpi in pr.KPIS]
    assert by_key["hours_at_end"][3:9] == [
        "12.0",
        "5.0",
        "7.0",
        "not a meaningful percentage",
        "100",
        "12.0",
    ]
    assert by_key["lead_share"][6] == ""  # a share changes in points, not percent


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"from_month": "13"}, "from_day", "From date must be a real date"),
        ({"to_day": ""}, "to_day", "To date must include a day"),
        ({"to_month": "5"}, "to_day", "To date must be the same as or after the from date"),
        ({"to_month": "8"}, "to_day", "To date must be today or in the past"),
        ({"from_year": "26"}, "from_day", "From date must have a year with 4 numbers"),
        ({"from_year": "2022"}, "to_day", "To date must be within 3 years of the from date"),
    ],
)
def test_bad_dates_are_an_error_naming_the_field(
    market: dict[str, Any],
    signed_in: Any,
    commissioner: Any,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = signed_in(commissioner).get(URL, {**JUNE, **changes})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'href="#{field}"' in html  # the error summary links to the field
    assert f'id="{field}-error"' in html


def test_a_download_with_bad_dates_shows_the_errors_instead(
    market: dict[str, Any], signed_in: Any, commissioner: Any
) -> None:
    response = signed_in(commissioner).get(reverse("insight:report-csv"), {**JUNE, "to_day": "31"})
    assert response.status_code == 400
    assert b"To date must be a real date" in response.content


def test_without_dates_the_report_is_for_the_last_quarter(
    market: dict[str, Any], signed_in: Any, commissioner: Any
) -> None:
    response = signed_in(commissioner).get(URL)
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.period.first_day, report.period.last_day) == (
        date(2026, 4, 1),
        date(2026, 6, 30),
    )
    assert (report.previous.first_day, report.previous.last_day) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
    )
    html = response.content.decode()
    assert "from_day=1&amp;from_month=6&amp;from_year=2026&amp;to_day=30" in html  # last month


def test_a_finance_officer_reads_the_report(
    market: dict[str, Any], council: Any, signed_in: Any
) -> None:
    from homecare.accounts import actions as accounts

    finance = accounts.create_persona(
        "finance", password="x", organisation=council, role="finance", acting_user=None
    )
    response = signed_in(finance).get(URL, JUNE)
    assert response.status_code == 200
    assert b"complaints page" not in response.content  # only commissioners log them


@pytest.mark.parametrize("persona", ["broker", "provider_a_user", "provider_b_user", "outsider"])
@pytest.mark.parametrize("name", ["insight:report", "insight:report-pdf", "insight:report-csv"])
def test_brokers_providers_and_the_outsider_are_refused_the_report(
    persona: str, name: str, personas: dict[str, Any], signed_in: Any
) -> None:
    assert signed_in(personas[persona]).get(reverse(name), JUNE).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client: Any, db: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/" in response["Location"]


# --- complaints ---------------------------------------------------------------------------


def _complaint_form(**changes: Any) -> dict[str, Any]:
    form = {
        "received_day": "3",
        "received_month": "7",
        "received_year": "2026",
        "provider": str(Provider.objects.get(name=PRIME).pk),
        "person": "P-0001",
        "category": "quality_of_care",
        "summary": "Medication was not prompted at lunchtime.",
        "outcome": "open",
    }
    form.update(changes)
    return form


def test_a_commissioner_logs_a_complaint_and_its_history_names_them(
    market: dict[str, Any], signed_in: Any, commissioner: Any
) -> None:
    client = signed_in(commissioner)
    response = client.post(reverse("insight:new-complaint"), _complaint_form())
    complaint = Complaint.objects.get(summary="Medication was not prompted at lunchtime.")
    assert response.status_code == 302
    assert response["Location"] == reverse("insight:complaint", args=[complaint.pk])
    assert (complaint.received_on, complaint.person.reference) == (date(2026, 7, 3), "P-0001")
    assert complaint.history.get().history_user == commissioner
    client.post(reverse("insight:complaint", args=[complaint.pk]), {"outcome": "upheld"})
    complaint.refresh_from_db()
    assert complaint.outcome == "upheld"
    assert [v.outcome for v in complaint.history.order_by("history_date")] == ["open", "upheld"]
    listing = client.get(reverse("insight:complaints")).content.decode()
    assert "Quality of care" in listing and PRIME in listing


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"received_day": "32"}, "received_day", "Date received must be a real date"),
        ({"received_month": "12"}, "received_day", "must be today or in the past"),
        ({"provider": ""}, "provider", "Select the provider the complaint is about"),
        ({"person": "P-9999"}, "person", "No person with the reference P-9999"),
        ({"category": ""}, "category", "Select what the complaint is about"),
        ({"summary": "  "}, "summary", "Enter a summary of the complaint"),
        ({"summary": "x" * 2001}, "summary", "Summary must be 2,000 characters or fewer"),
    ],
)
def test_a_bad_complaint_is_an_error_naming_the_field(
    market: dict[str, Any],
    signed_in: Any,
    commissioner: Any,
    frozen_now: Any,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    # Today is 15 November 2026, so 3 December 2026 is in the future whatever the real date.
    frozen_now(datetime(2026, 11, 15, 12, 0, tzinfo=LONDON))
    count = Complaint.objects.count()
    response = signed_in(commissioner).post(
        reverse("insight:new-complaint"), _complaint_form(**changes)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'href="#{field}"' in html
    assert Complaint.objects.count() == count


def test_a_provider_from_another_council_is_refused(
    market: dict[str, Any], council: Any, commissioner: Any
) -> None:
    from django.core.exceptions import ValidationError

    from homecare.commissioning import market_actions

    stranger = market_actions.create_provider("Elsewhere Care (test)", acting_user=None)
    with pytest.raises(ValidationError) as raised:
        actions.record_complaint(
            council=council,
            received_on=date(2026, 7, 1),
            provider=stranger,
            category="other",
            summary="Not ours.",
            now=at(7, 2),
            acting_user=commissioner,
        )
    assert "provider" in raised.value.message_dict


@pytest.mark.parametrize("persona", ["broker", "provider_a_user", "provider_b_user", "outsider"])
def test_only_commissioners_see_and_log_complaints(
    persona: str, personas: dict[str, Any], signed_in: Any, market: dict[str, Any]
) -> None:
    client = signed_in(personas[persona])
    complaint = Complaint.objects.first()
    assert client.get(reverse("insight:complaints")).status_code == 403
    assert client.get(reverse("insight:new-complaint")).status_code == 403
    assert client.get(reverse("insight:complaint", args=[complaint.pk])).status_code == 403


def test_another_councils_complaint_is_not_found(
    market: dict[str, Any], signed_in: Any, commissioner: Any
) -> None:
    from homecare.accounts import actions as accounts
    from homecare.accounts.models import Organisation

    other = accounts.create_organisation(
        "Otherton Council (test)", kind=Organisation.Kind.COUNCIL, acting_user=None
    )
    theirs = accounts.create_persona(
        "their_commissioner",
        password="x",
        organisation=other,
        role="commissioner",
        acting_user=None,
    )
    client = signed_in(theirs)
    complaint = Complaint.objects.first()
    assert client.get(reverse("insight:complaint", args=[complaint.pk])).status_code == 404
    assert b"A visit was missed" not in client.get(reverse("insight:complaints")).content


def test_the_demo_logs_a_handful_of_complaints_a_month_once(db: Any, settings: Any) -> None:
    from homecare.commissioning.demo import load_demo

    settings.HOMECARE_DEMO_PACKAGES = 24
    load_demo()
    complaints = list(Complaint.objects.all())
    councils = {c.council_id for c in complaints}
    assert len(councils) == 2  # both demo councils hear complaints
    for council in councils:
        # At most four a month for each council over the demo's 14 months.
        theirs = [c for c in complaints if c.council_id == council]
        assert 3 <= len(theirs) <= 4 * 14
        months = {c.received_on.replace(day=1) for c in theirs}
        assert all(sum(c.received_on.replace(day=1) == m for c in theirs) <= 4 for m in months)
    assert {c.outcome for c in complaints} <= set(pr.OUTCOMES)
    load_demo()
    assert Complaint.objects.count() == len(complaints)  # idempotent


def test_a_council_with_nothing_placed_gets_no_figures_rather_than_zeros(
    council: Any, signed_in: Any, commissioner: Any
) -> None:
    html = signed_in(commissioner).get(URL, JUNE).content.decode()
    row = html.split('data-kpi="arrange_median_days"')[1].split("</tr>")[0]
    assert '"this">No figure<' in row
    assert "No requests for care were made in the period, so there is no time to arrange" in html
    assert "0.0 carer hours a week were commissioned, the same as in the previous period" in html
