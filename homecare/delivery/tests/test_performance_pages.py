"""The provider league table page, its CSV and who may see what.

March 2026: P-0001 and P-0002 with Prime 1, P-0003 with Prime 2, each a daily 08:00 visit
of 30 minutes from Monday 9 March, so 23 planned visits each in March. Rules:
rotherham-actual (late after 30 minutes, manual logs need approval). Logs, worked by hand:

Prime 1: P-0001 9 Mar 08:02 for 31 min (app, C1): delivered
         P-0001 10 Mar 08:40 for 28 min (app, C1): late
         P-0002 9 Mar 08:00 for 30 min (manual, C2): awaiting approval, not delivered
         P-0002 10 Mar 08:00 for 30 min (qr, C3): delivered
  visits delivered 3 of 46 = 6.5%; on time 2 of 3 = 66.7%;
  length of stay (30 + 28 + 30 capped) 88 of 90 min = 97.8%; continuity 3 of 3 = 100.0%;
  ECM 3 electronic of 4 logs = 75.0%: below the 85% target.
Prime 2: P-0003 9 Mar 08:00 for 30 min (app, D1): delivered 1 of 23 = 4.3%; ECM 1 of 1.
League: Prime 1 first (6.5% delivered), Prime 2 second, once the minimum for a rank is lowered
to 20 planned visits (the ``logged`` fixture does; at the real 100 neither is ranked).

95% Wilson intervals, rounded outwards: 3 of 46 2.2% to 17.6%; 2 of 3 20.7% to 93.9%;
3 of 3 43.8% to 100.0%; 3 of 4 30.0% to 95.5%; 1 of 23 0.7% to 21.0%; 1 of 1 20.6% to 100.0%.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from homecare.brokerage.testing import NOW
from homecare.commissioning.models import Provider
from homecare.delivery import actions, performance, performance_views
from homecare.delivery.testing import at, csv_bytes, log_row, place_package, provider_persona

MARCH = date(2026, 3, 1)
URL = reverse("delivery:performance")
CSV_URL = reverse("delivery:performance-csv")


def upload(provider: Any, rows: list[dict[str, str]]) -> None:
    created = actions.create_upload(
        provider, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None
    )
    actions.import_upload(created.pk, now=NOW)


@pytest.fixture
def logged(prime_1: Any, prime_2: Any, placed: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    upload(
        prime_1,
        [
            log_row(prime_1, "P-0001", at(1, 8, 2), 31),
            log_row(prime_1, "P-0001", at(2, 8, 40), 28),
            log_row(prime_1, "P-0002", at(1, 8, 0), 30, carer="C2", method="manual"),
            log_row(prime_1, "P-0002", at(2, 8, 0), 30, carer="C3", method="qr"),
        ],
    )
    upload(prime_2, [log_row(prime_2, "P-0003", at(1, 8, 0), 30, carer="D1")])
    # The pages' "today": 15 April 2026, so March is the last full month.
    monkeypatch.setattr(performance_views, "today", lambda: date(2026, 4, 15))
    # Rank providers from 20 planned visits, so this small market has a league.
    monkeypatch.setattr(performance, "MIN_RANKED_VISITS", 20)


class Cells(HTMLParser):
    """The text of each cell of the page's first table, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.tables = 0
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self.tables += 1
        elif self.tables == 1 and tag == "tr":
            self.rows.append([])
        elif self.tables == 1 and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table(html: str) -> dict[str, list[str]]:
    parser = Cells()
    parser.feed(html)
    header, *body = parser.rows
    ranked = header[0] == "Rank"
    return {row[1 if ranked else 0]: row for row in body}


def test_the_league_table_shows_the_hand_checked_figures_in_league_order(
    signed_in: Any, commissioner: Any, logged: None
) -> None:
    html = signed_in(commissioner).get(URL).content.decode()
    assert "League table, March 2026" in html  # the last full month by default
    rows = table(html)
    assert list(rows) == ["Prime 1 (test)", "Prime 2 (test)"]
    one = rows["Prime 1 (test)"]
    assert one[0] == "1"
    assert one[2:] == [
        "6.5% 3 of 46 visits 95% interval 2.2% to 17.6%",
        "66.7% 2 of 3 visits on time 95% interval 20.7% to 93.9%",
        "97.8% 88 of 90 minutes",  # minutes are not events: no interval
        "100.0% 3 of 3 carer visits 95% interval 43.8% to 100.0%",
        "75.0% 3 of 4 logs 95% interval 30.0% to 95.5% Below the 85% target",
    ]
    two = rows["Prime 2 (test)"]
    assert two[0] == "2"
    assert two[2] == "4.3% 1 of 23 visits 95% interval 0.7% to 21.0%"
    assert two[6] == "100.0% 1 of 1 logs 95% interval 20.6% to 100.0% Meets the 85% target"


def test_every_figure_on_the_page_is_the_engines(
    signed_in: Any, finance: Any, council: Any, framework: Any, logged: None
) -> None:
    # A third provider with a package and no logs: most of its shares have no figure.
    place_package(framework, "P-0004", "Supplementary 1 (test)")
    html = signed_in(finance).get(URL, {"month": "2026-03"}).content.decode()
    rows = table(html)
    engine = performance.measure(council, date(2025, 10, 1), MARCH).rows(MARCH)
    assert (
        [r["name"] for r in engine]
        == [*rows]
        == [
            "Prime 1 (test)",
            "Prime 2 (test)",
            "Supplementary 1 (test)",
        ]
    )
    assert rows["Supplementary 1 (test)"][2:4] == [
        "0.0% 0 of 23 visits 95% interval 0.0% to 14.4%",
        "No figure: no visits delivered",
    ]
    for row in engine:
        cells = rows[row["name"]]
        assert cells[0] == str(row["rank"])
        for cell, measure in zip(cells[2:], performance_views.MEASURES, strict=True):
            share = row[measure.share]
            if share is None:
                assert cell == f"No figure: {measure.none}"
                continue
            assert cell.startswith(f"{share}% "), cell
            assert f"{row[measure.count]} of {row[measure.of]} {measure.unit}" in cell
            if measure.interval:
                low, high = row[measure.low], row[measure.high]
                assert f"95% interval {low}% to {high}%" in cell


def test_the_trend_charts_draw_each_provider_and_the_ecm_target(
    signed_in: Any, commissioner: Any, logged: None
) -> None:
    html = signed_in(commissioner).get(URL, {"month": "2026-03"}).content.decode()
    # Six months to March: one chart a measure, each an image named by its title.
    for title in ("Visits delivered", "Punctuality", "Length of stay", "Continuity of carer"):
        assert f"{title}, Oct 2025 to Mar 2026</title>" in html
    assert html.count('role="img"') == 5
    assert "Prime 1 (test): Oct 2025 no figure" in html  # packages start in March
    assert "Prime 1 (test): Mar 2026 75.0%" in html  # the ECM chart's point
    assert "Target (dashed line): 85.0%." in html
    assert html.count('data-target="true"') == 1


def test_a_provider_sees_only_its_own_row_and_trends(
    signed_in: Any, prime_1_user: Any, logged: None
) -> None:
    client = signed_in(prime_1_user)
    html = client.get(URL, {"month": "2026-03"}).content.decode()
    rows = table(html)
    assert list(rows) == ["Prime 1 (test)"]
    assert rows["Prime 1 (test)"][:2] == [
        "Prime 1 (test)",
        "6.5% 3 of 46 visits 95% interval 2.2% to 17.6%",
    ]  # no rank
    assert "Prime 2" not in html and "P-0003" not in html
    assert "Your figures, March 2026" in html
    data = list(csv.DictReader(io.StringIO(client.get(CSV_URL, {"month": "2026-03"}).text)))
    assert [r["provider"] for r in data] == ["Prime 1 (test)"]
    assert "rank" not in data[0] and "ranked" not in data[0]


def test_the_csv_gives_every_count_and_share_of_the_month(
    signed_in: Any, commissioner: Any, logged: None
) -> None:
    response = signed_in(commissioner).get(CSV_URL, {"month": "2026-03"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="provider-performance-2026-03.csv"' in response["Content-Disposition"]
    data = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["rank"], r["provider"]) for r in data] == [
        ("1", "Prime 1 (test)"),
        ("2", "Prime 2 (test)"),
    ]
    one = data[0]
    assert (one["planned_visits"], one["delivered_visits"], one["delivered_percent"]) == (
        "46",
        "3",
        "6.5",
    )
    # Length of stay: 31 + 28 + 30 = 89 minutes actually stayed, 88 once capped at planned.
    assert (one["actual_minutes"], one["actual_minutes_capped_at_planned"]) == ("89", "88")
    assert (one["counted_logs"], one["electronic_logs"], one["ecm_percent"]) == ("4", "3", "75.0")
    assert (one["meets_ecm_target"], data[1]["meets_ecm_target"]) == ("no", "yes")
    assert (one["ranked"], one["delivered_percent_95_low"], one["delivered_percent_95_high"]) == (
        "yes",
        "2.2",
        "17.6",
    )
    assert one["punctual_percent_95_low"] == "20.7" and "stay_percent_95_low" not in one
    assert one["month"] == "2026-03-01"


def test_a_month_with_no_planned_visits_says_so(
    signed_in: Any, commissioner: Any, logged: None
) -> None:
    response = signed_in(commissioner).get(URL, {"month": "2026-01"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "No visits were planned in January 2026" in html
    assert "Download this table" not in html
    data = list(
        csv.reader(io.StringIO(signed_in(commissioner).get(CSV_URL, {"month": "2026-01"}).text))
    )
    assert len(data) == 1  # the header only


def test_a_month_not_in_the_list_is_an_error_naming_the_field(
    signed_in: Any, commissioner: Any, logged: None
) -> None:
    html = signed_in(commissioner).get(URL, {"month": "1999-13"}).content.decode()
    assert "<title>Error: Provider performance" in html
    assert 'href="#month"' in html and "Choose a month from the list" in html
    assert "League table, March 2026" in html  # the last full month is shown meanwhile


@pytest.mark.parametrize("persona", ["broker", "outsider"])
def test_brokers_and_outsiders_are_refused(
    signed_in: Any, personas: dict[str, Any], persona: str, logged: None
) -> None:
    client = signed_in(personas[persona])
    assert client.get(URL).status_code == 403
    assert client.get(CSV_URL).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client: Any, db: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


def test_a_provider_no_council_has_placed_with_gets_a_404(
    signed_in: Any, framework: Any, logged: None
) -> None:
    # On the framework, but nothing placed with it yet.
    spare = provider_persona(Provider.objects.get(name="Supplementary 1 (test)"), "spare")
    assert signed_in(spare).get(URL).status_code == 404


def test_the_number_of_queries_does_not_grow_with_the_logs(
    signed_in: Any, commissioner: Any, prime_1: Any, logged: None
) -> None:
    client = signed_in(commissioner)
    client.get(URL)  # warm the session and memberships
    with CaptureQueriesContext(connection) as before:
        client.get(URL, {"month": "2026-03"})
    upload(
        prime_1,
        [log_row(prime_1, "P-0001", at(day, 8, 0), 30, carer="C9") for day in range(3, 20)],
    )
    with CaptureQueriesContext(connection) as after:
        html = client.get(URL, {"month": "2026-03"}).content.decode()
    assert "20 of 46 visits" in html  # the 17 new logs are counted...
    assert len(after) == len(before)  # ...without a query more
    assert len(after) < 30, [q["sql"][:80] for q in after.captured_queries]


def test_the_runs_page_and_the_commissioners_home_link_to_the_table(
    signed_in: Any, commissioner: Any, logged: None
) -> None:
    client = signed_in(commissioner)
    for page in (reverse("delivery:runs"), reverse("home")):
        assert re.search(rf'href="{URL}"', client.get(page).content.decode()), page


def test_a_month_still_running_counts_only_the_visits_planned_so_far(
    council: Any, prime_1: Any, logged: Any
) -> None:
    # Measured on 11 March (until the 10th): Prime 1 had 2 days x 2 people = 4 planned
    # visits, of which 3 delivered (75.0%), not 3 of the month's 46.
    result = performance.measure(council, MARCH, MARCH, until=date(2026, 3, 10))
    row = next(r for r in result.rows(MARCH) if r["name"] == prime_1.name)
    assert (row["planned_visits"], row["delivered_visits"]) == (4, 3)
    assert str(row["delivered_percent"]) == "75.0"
    # Before the month began there is nothing to measure yet.
    early = performance.measure(council, MARCH, MARCH, until=date(2026, 2, 28))
    assert early.rows(MARCH) == []


def test_providers_with_too_few_visits_are_listed_apart_not_ranked(
    signed_in: Any, commissioner: Any, logged: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At 30 visits Prime 1 (46 planned) is ranked and Prime 2 (23) is not.
    monkeypatch.setattr(performance, "MIN_RANKED_VISITS", 30)
    client = signed_in(commissioner)
    html = client.get(URL, {"month": "2026-03"}).content.decode()
    assert list(table(html)) == ["Prime 1 (test)"]
    unranked = html.split('id="unranked"')[1]
    assert "Too few visits to rank" in html and "Prime 2 (test)" in unranked
    assert "Only providers with at least 30 planned visits in the month are ranked" in html
    data = list(csv.DictReader(io.StringIO(client.get(CSV_URL, {"month": "2026-03"}).text)))
    assert [(r["rank"], r["ranked"], r["provider"]) for r in data] == [
        ("1", "yes", "Prime 1 (test)"),
        ("", "no", "Prime 2 (test)"),
    ]


def test_at_the_real_minimum_a_small_market_has_no_ranks_and_says_why(
    signed_in: Any, commissioner: Any, logged: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carecore.ecm.performance import MIN_RANKED_VISITS

    monkeypatch.setattr(performance, "MIN_RANKED_VISITS", MIN_RANKED_VISITS)
    html = signed_in(commissioner).get(URL, {"month": "2026-03"}).content.decode()
    assert 'id="ranked-table"' not in html
    assert "No provider had 100 planned visits or more in March 2026, so none is ranked." in html
    assert "Only providers with at least 100 planned visits in the month are ranked" in html
    # Why 100: the 95% interval of a 90% share at 20 visits and at 100.
    assert "from 69.8% to 97.3%; at 100, with 82.5% to 94.5%" in html  # rounded outwards
    rows = table(html)  # the first table is now the unranked one
    assert list(rows) == ["Prime 1 (test)", "Prime 2 (test)"]
