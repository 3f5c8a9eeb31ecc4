"""Honest waits on the performance report and the dashboard: requests still waiting count.

June 2026, today 15 July 2026 at noon (Prime 1 is the prime):

    person  requested       then
    P-0001  1 Jun 09:00     placed with Prime 1 at 21:00 (0.5 days)
    P-0002  3 Jun 09:00     placed with Prime 1 at 21:00 (0.5 days)
    P-0003  1 Jun 10:00     still waiting (44.1 days by today)
    P-0004  8 Jun 09:00     still waiting (37.1 days)
    P-0005  2 Jun 09:00     withdrawn on 4 Jun 09:00 (2 days)
    P-0006  17 Jan 12:00    still waiting (179.0 days: made before the period)

Placed requests alone would say "median 0.5 days". Counting everyone made in June, three of
five are still unplaced after 0.5 days (S = 1 - 2/5 = 0.6), and no other placement follows:
the median is not reached. The longest wait of any request still waiting is 179 days.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import pytest

from carecore.units import LONDON
from homecare.brokerage import actions as brokerage
from homecare.brokerage import lifecycle
from homecare.brokerage.testing import make_market, make_request
from homecare.commissioning.market_models import Provider
from homecare.insight import report_views

NOW = datetime(2026, 7, 15, 12, tzinfo=LONDON)
JUNE = {"from_day": 1, "from_month": 6, "from_year": 2026}
JUNE |= {"to_day": 30, "to_month": 6, "to_year": 2026}
REPORT, CSV, DASHBOARD = "/insight/report/", "/insight/report/csv/", "/insight/"


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=LONDON)


def _ask(framework: Any, ref: str, asked: datetime) -> Any:
    return make_request(framework, ref, visits="Mon 10:00 60m", now=asked, start_date=asked.date())


@pytest.fixture
def waits(db: Any, geography: Any, council: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_views, "today", lambda: date(2026, 7, 15))
    monkeypatch.setattr(report_views, "now", lambda: NOW)
    framework = make_market(council, primes=1, supplementary=1)
    prime = Provider.objects.get(name="Prime 1 (test)")
    for ref, day in (("P-0001", 1), ("P-0002", 3)):
        request = _ask(framework, ref, at(6, day, 9))
        brokerage.place_manually(
            request, prime, reason="test", now=at(6, day, 21), acting_user=None
        )
    _ask(framework, "P-0003", at(6, 1, 10))
    _ask(framework, "P-0004", at(6, 8, 9))
    withdrawn = _ask(framework, "P-0005", at(6, 2, 9))
    lifecycle.withdraw_request(
        withdrawn, reason="no longer needed", now=at(6, 4, 9), acting_user=None
    )
    _ask(framework, "P-0006", at(1, 17, 12))


def _cell(html: str, key: str, column: str) -> str:
    row = html.split(f'data-kpi="{key}"')[1].split("</tr>")[0]
    return row.split(f'data-column="{column}">')[1].split("<")[0]


def test_the_report_counts_requests_still_waiting_and_says_how(
    waits: None, signed_in: Any, commissioner: Any
) -> None:
    html = signed_in(commissioner).get(REPORT, JUNE).content.decode()
    assert _cell(html, "arrange_requests", "this") == "5"
    assert _cell(html, "arrange_placed", "this") == "2"
    assert _cell(html, "arrange_waiting", "this") == "2"
    assert _cell(html, "arrange_median_days", "this") == "Not reached"  # not "0.5"
    assert _cell(html, "arrange_p90_days", "this") == "Not reached"
    assert _cell(html, "arrange_longest_open_days", "this") == "44.1"
    assert "Requests still waiting are counted up to today, so long waits are not hidden." in html
    assert (
        "Of the 5 requests for care made in the period, 2 have been placed and 2 are still "
        "waiting (1 withdrawn)." in html
    )
    assert "the median time to arrange care is not reached" in html
    # The request from January is outside June's requests but not hidden.
    assert "Today 3 requests for care are waiting, whenever made; the longest has waited " in html
    assert "179.0 days." in html


def test_the_csv_says_not_reached_rather_than_leaving_it_blank(
    waits: None, signed_in: Any, commissioner: Any
) -> None:
    text = signed_in(commissioner).get(CSV, JUNE).content.decode()
    rows = {row[0]: row for row in csv.reader(io.StringIO(text))}
    assert rows["arrange_median_days"][3] == "not reached"
    assert rows["arrange_requests"][3:5] == ["5", "0"]
    assert rows["arrange_median_days"][4] == ""  # no requests in May: no figure


def test_the_report_states_the_rule_for_percentage_changes(
    waits: None, signed_in: Any, commissioner: Any
) -> None:
    html = signed_in(commissioner).get(REPORT, JUNE).content.decode()
    assert 'id="base-rule"' in html and "not a meaningful percentage" in html
    assert "at least 20 for a count" in html


def test_the_dashboard_counts_requests_still_waiting_and_the_longest_wait(
    waits: None, signed_in: Any, commissioner: Any, frozen_now: Any
) -> None:
    frozen_now(NOW)
    html = signed_in(commissioner).get(DASHBOARD, {"days": "91"}).content.decode()
    median = html.split('id="ttp-median"')[1].split("</div>")[0]
    assert "Not reached" in median
    assert "5: 2 placed, 2 still waiting, 1 withdrawn" in html
    longest = html.split('id="longest-open"')[1].split("</div>")[0]
    assert "179.0 days" in longest and "3 waiting today" in longest
    assert "Requests still waiting are counted up to today, so long waits are not hidden" in html


def test_with_everyone_placed_the_dashboard_gives_the_median_and_its_interval(
    db: Any, geography: Any, council: Any, signed_in: Any, commissioner: Any, frozen_now: Any
) -> None:
    framework = make_market(council, primes=1, supplementary=1)
    prime = Provider.objects.get(name="Prime 1 (test)")
    for index, hours in enumerate((12, 24, 36)):
        asked = at(6, 1 + index, 9)
        request = _ask(framework, f"P-00{index + 10}", asked)
        placed = asked.replace(day=asked.day + hours // 24, hour=9 + hours % 24)
        brokerage.place_manually(request, prime, reason="test", now=placed, acting_user=None)
    frozen_now(NOW)
    html = signed_in(commissioner).get(DASHBOARD, {"days": "91"}).content.decode()
    median = html.split('id="ttp-median"')[1].split("</div>")[0]
    # Waits of 0.5, 1 and 1.5 days: the median is 1 day.
    assert "1.0 days" in median and "95% confidence interval" in median
    assert "None waiting" in html.split('id="longest-open"')[1].split("</div>")[0]
