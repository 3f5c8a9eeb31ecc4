"""The performance report's KPIs against a small hand-made market, worked out by hand.

The market (carer hours a week, pounds an hour, UK dates, all at midnight):

    package  person  provider  tier           hours  rate    placed        ended
    P1       p1      Alder     prime          10     20.00   1 Jan 2026    -
    P2       p2      Birch     supplementary  14     22.00   15 Feb 2026   -
    P3       p3      Alder     prime           7     19.00   10 Jan 2026   8 Feb 2026
    P4       p1      Cedar     spot            4     25.00   20 Jan 2026   22 Feb 2026
    P4       p1      Alder     prime           4     20.00   22 Feb 2026   -   (a transfer)

February 2026 has 28 days and no change of the clocks, so shares of it are plain fractions.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carecore.reports import performance_report as pr
from carecore.reports.brokerage_kpis import RequestRecord
from carecore.units import LONDON


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def placement(
    package: str,
    person: str,
    provider: str,
    tier: str,
    hours: str,
    rate: str,
    start: date,
    end: date | None = None,
) -> pr.PlacementRecord:
    return pr.PlacementRecord(
        package=package,
        person=person,
        provider=provider,
        tier=tier,
        carer_hours_per_week=Decimal(hours),
        rate_per_hour=Decimal(rate),
        start=at(start),
        end=None if end is None else at(end),
    )


def request(
    ref: str, created: datetime, placed: datetime, *, by_transfer: bool = False
) -> RequestRecord:
    return RequestRecord(
        ref=ref,
        person=ref,
        state="started",
        source="community",
        zone="z1",
        carer_hours_per_week=Decimal(1),
        created_at=created,
        placed_at=placed,
        by_transfer=by_transfer,
    )


def complaint(day: date, outcome: str) -> pr.ComplaintRecord:
    return pr.ComplaintRecord(received_on=day, provider="Alder", category="missed", outcome=outcome)


PLACEMENTS = (
    placement("P1", "p1", "Alder", "prime", "10", "20.00", date(2026, 1, 1)),
    placement("P2", "p2", "Birch", "supplementary", "14", "22.00", date(2026, 2, 15)),
    placement("P3", "p3", "Alder", "prime", "7", "19.00", date(2026, 1, 10), date(2026, 2, 8)),
    placement("P4", "p1", "Cedar", "spot", "4", "25.00", date(2026, 1, 20), date(2026, 2, 22)),
    placement("P4", "p1", "Alder", "prime", "4", "20.00", date(2026, 2, 22)),
)
REQUESTS = (
    # January: waits of 4, 0.5 and 10 days.
    request("P1", at(date(2025, 12, 28)), at(date(2026, 1, 1))),
    request("P3", at(date(2026, 1, 9), 12), at(date(2026, 1, 10))),
    request("P4a", at(date(2026, 1, 10)), at(date(2026, 1, 20))),
    # February: waits of 5, 0.5 and 8.25 days; the transfer is left out.
    request("P2", at(date(2026, 2, 10)), at(date(2026, 2, 15))),
    request("R5", at(date(2026, 2, 1), 12), at(date(2026, 2, 2))),
    request("R6", at(date(2026, 2, 20)), at(date(2026, 2, 28), 6)),
    request("P4b", at(date(2026, 2, 22)), at(date(2026, 2, 22)), by_transfer=True),
)
COMPLAINTS = (
    complaint(date(2026, 1, 31), "upheld"),
    complaint(date(2026, 2, 3), "upheld"),
    complaint(date(2026, 2, 14), "not_upheld"),
    complaint(date(2026, 2, 27), "open"),
    complaint(date(2026, 2, 28), "partly_upheld"),
    complaint(date(2026, 3, 1), "upheld"),  # the day after February
)
DATA = pr.LiveData(PLACEMENTS, REQUESTS, COMPLAINTS)
FEBRUARY = pr.Period(at(date(2026, 2, 1)), at(date(2026, 3, 1)))
JANUARY = pr.Period(at(date(2026, 1, 1)), at(date(2026, 2, 1)))


@pytest.fixture(scope="module")
def february() -> pr.PerformanceReport:
    return pr.performance_report(DATA, start=FEBRUARY.start, end=FEBRUARY.end)


def test_hours_and_people_at_the_end_count_the_packages_placed_at_its_close() -> None:
    figures = pr.figures(DATA, FEBRUARY)
    # At midnight on 1 March: P1 10 + P2 14 + P4 (with Alder) 4; people p1 and p2.
    assert figures["hours_at_end"] == Decimal("28.0")
    assert figures["people_at_end"] == Decimal(2)
    assert figures["hours_per_person"] == Decimal("14.00")
    # P1 and P4 with Alder (prime) out of three packages: 66.66...% rounds to 66.7.
    assert figures["lead_share"] == Decimal("66.7")


def test_at_the_close_a_placement_ending_then_is_out_and_one_starting_then_is_in() -> None:
    midnight = date(2026, 3, 1)  # the close of February
    data = pr.LiveData(
        placements=(
            placement("E", "p1", "Alder", "prime", "3", "20", date(2026, 2, 2), midnight),
            placement("S", "p2", "Birch", "spot", "5", "20", midnight),
        )
    )
    figures = pr.figures(data, FEBRUARY)
    assert (figures["hours_at_end"], figures["people_at_end"]) == (Decimal("5.0"), Decimal(1))
    assert figures["lead_share"] == Decimal("0.0")
    assert figures["new_packages"] == Decimal(1)  # E is new in February; S in March


def test_the_average_hours_weight_each_package_by_the_share_of_the_period_it_was_placed() -> None:
    # P1 10 x 1 + P2 14 x 14/28 + P3 7 x 7/28 + P4 4 x 21/28 (Cedar) + 4 x 7/28 (Alder)
    # = 10 + 7 + 1.75 + 3 + 1 = 22.75, rounded half up.
    assert pr.figures(DATA, FEBRUARY)["hours_average"] == Decimal("22.8")


def test_the_average_rate_is_weighted_by_hours_and_time_placed() -> None:
    # (10 x 20 + 7 x 22 + 1.75 x 19 + 3 x 25 + 1 x 20) / 22.75 = 482.25 / 22.75 = 21.1978...
    assert pr.figures(DATA, FEBRUARY)["average_rate"] == Decimal("21.20")


def test_new_care_counts_only_a_packages_first_placement() -> None:
    figures = pr.figures(DATA, FEBRUARY)
    assert figures["new_packages"] == Decimal(1)  # P2; P4's move to Alder is not new care
    assert figures["new_hours_per_week"] == Decimal("3.5")  # 14 hours over 4 weeks


def test_time_to_arrange_is_in_days_and_leaves_out_transfers() -> None:
    figures = pr.figures(DATA, FEBRUARY)
    # Requests made in February waited 0.5, 5 and 8.25 days, all placed by 1 March: the
    # curve falls to 2/3, 1/3 and 0, so the median is 5 and the 90th percentile 8.25.
    assert figures["arrange_median_days"] == Decimal("5.0")
    assert figures["arrange_p90_days"] == Decimal("8.3")  # 8.25 half up
    assert (figures["arrange_requests"], figures["arrange_placed"]) == (Decimal(3), Decimal(3))
    assert figures["arrange_waiting"] == Decimal(0)
    assert figures["arrange_longest_open_days"] is None


def test_requests_still_waiting_are_counted_up_to_now() -> None:
    # Two more February requests, still waiting on 31 March: 30 and 58 days by then.
    waiting = (
        RequestRecord("W1", "w1", "requested", "community", "z1", Decimal(1), at(date(2026, 2, 1))),
        RequestRecord("W2", "w2", "offered", "community", "z1", Decimal(1), at(date(2026, 3, 1))),
    )
    data = pr.LiveData(PLACEMENTS, (*REQUESTS, waiting[0]), COMPLAINTS)
    figures = pr.figures(data, FEBRUARY, now=at(date(2026, 3, 31)))
    # 0.5, 5, 8.25 placed and 58 waiting: S = 3/4, 2/4 (at 5), 1/4; exactly a half from 5
    # to 8.25 days, so the median is their midpoint; nine in ten is never reached.
    assert figures["arrange_median_days"] == Decimal("6.6")  # 6.625 half up
    assert figures["arrange_p90_days"] is None
    assert (figures["arrange_waiting"], figures["arrange_longest_open_days"]) == (
        Decimal(1),
        Decimal("58.0"),
    )
    # The report also names the longest wait of any request still waiting, made when it was.
    report = pr.performance_report(
        pr.LiveData(requests=(*REQUESTS, *waiting)),
        start=FEBRUARY.start,
        end=FEBRUARY.end,
        now=at(date(2026, 3, 31)),
    )
    # W1 has waited 58 days less the hour the clocks went forward on 29 March.
    assert report.waiting_now == 2
    assert report.longest_open_days == Decimal(58) - Decimal(1) / 24


def test_a_withdrawn_request_counts_up_to_its_withdrawal_only() -> None:
    withdrawn = RequestRecord(
        "X", "x", "withdrawn", "community", "z1", Decimal(1), at(date(2026, 2, 1)),
        withdrawn_at=at(date(2026, 2, 3)),
    )  # fmt: skip
    data = pr.LiveData(requests=(*REQUESTS, withdrawn))
    figures = pr.figures(data, FEBRUARY, now=at(date(2026, 3, 31)))
    # 0.5 placed, 2 withdrawn, 5 and 8.25 placed: S = 3/4, then 3/4 x 1/2 at 5 days.
    assert figures["arrange_median_days"] == Decimal("5.0")
    assert (figures["arrange_requests"], figures["arrange_waiting"]) == (Decimal(4), Decimal(0))


def test_complaints_are_counted_by_the_day_received_and_upheld_includes_partly() -> None:
    figures = pr.figures(DATA, FEBRUARY)
    assert figures["complaints"] == Decimal(4)  # 3, 14, 27 and 28 February
    assert figures["complaints_per_month"] == Decimal("4.0")
    assert figures["complaints_upheld"] == Decimal(2)  # upheld and partly upheld; open waits


def test_january_worked_out_by_hand() -> None:
    figures = pr.figures(DATA, JANUARY)
    # At 1 February: P1 10 + P3 7 + P4 (Cedar, spot) 4 = 21 for p1 and p3; 2 of 3 with primes.
    assert (figures["hours_at_end"], figures["people_at_end"]) == (Decimal("21.0"), Decimal(2))
    assert figures["hours_per_person"] == Decimal("10.50")
    assert figures["lead_share"] == Decimal("66.7")
    # 10 + 7 x 22/31 + 4 x 12/31 = 10 + 202/31 = 16.516...
    assert figures["hours_average"] == Decimal("16.5")
    # (200 + 19 x 154/31 + 25 x 48/31) / (512/31) = 10326 / 512 = 20.16796875
    assert figures["average_rate"] == Decimal("20.17")
    # P1, P3 and P4 are new: 21 hours over 31/7 weeks = 4.74...
    assert figures["new_packages"] == Decimal(3)
    assert figures["new_hours_per_week"] == Decimal("4.7")
    # Requests made in January waited 0.5 and 10 days (P1 was asked for in December): the
    # curve sits at a half from 0.5 to 10 days, so the median is 5.25; nine in ten by 10.
    assert figures["arrange_median_days"] == Decimal("5.3")
    assert figures["arrange_p90_days"] == Decimal("10.0")
    assert figures["complaints"] == figures["complaints_upheld"] == Decimal(1)


def test_a_whole_month_is_compared_with_the_month_before(february: pr.PerformanceReport) -> None:
    assert february.previous == JANUARY
    hours = february.row("hours_at_end")
    assert (hours.this, hours.previous, hours.change) == (
        Decimal("28.0"),
        Decimal("21.0"),
        Decimal("7.0"),
    )
    # 21 hours a week is below the 100 a percentage is worked out from: 7 / 21 is not given.
    assert hours.change_percent is None and hours.percent_meaningless
    big = pr.KpiRow(hours.kpi, Decimal("280.0"), Decimal("210.0"), ())
    assert (big.change_percent, big.percent_meaningless) == (Decimal("33.3"), False)


@pytest.mark.parametrize(
    ("key", "previous", "meaningful"),
    [
        ("new_packages", "19", False),
        ("new_packages", "20", True),
        ("hours_at_end", "99.9", False),
        ("hours_at_end", "100.0", True),
        ("arrange_median_days", "0.5", False),
        ("arrange_median_days", "1.0", True),
        ("average_rate", "0.00", False),
        ("average_rate", "15.81", True),
    ],
)
def test_a_percentage_change_needs_a_big_enough_previous_figure(
    key: str, previous: str, meaningful: bool
) -> None:
    # One package to 39 would be "+3,800%": from a base below 20 only the change is given.
    row = pr.KpiRow(pr.KPI_BY_KEY[key], Decimal(previous) + 38, Decimal(previous), ())
    assert row.percent_meaningless is not meaningful
    assert (row.change_percent is not None) is meaningful


def test_a_percentage_changes_in_points_without_a_percent_change(
    february: pr.PerformanceReport,
) -> None:
    share = february.row("lead_share")
    assert share.change == Decimal("0.0")
    assert share.change_percent is None


def test_a_change_from_nothing_has_no_percent_change() -> None:
    row = pr.KpiRow(pr.KPI_BY_KEY["complaints"], Decimal(3), Decimal(0), ())
    assert row.change == Decimal(3)
    assert row.change_percent is None


def test_every_kpi_has_a_definition_and_a_row(february: pr.PerformanceReport) -> None:
    assert [row.kpi.key for row in february.rows] == [kpi.key for kpi in pr.KPIS]
    for kpi in pr.KPIS:
        assert kpi.definition.endswith(".") and len(kpi.definition) > 40


def test_a_quarter_trends_by_month_and_compares_with_the_quarter_before() -> None:
    report = pr.performance_report(DATA, start=at(date(2026, 1, 1)), end=at(date(2026, 4, 1)))
    assert [m.first_day for m in report.months] == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert report.previous.first_day == date(2025, 10, 1)
    assert report.previous.last_day == date(2025, 12, 31)
    new = report.row("new_packages")
    assert new.trend == (Decimal(3), Decimal(1), Decimal(0))
    assert new.this == Decimal(4) and new.previous == Decimal(0)
    # March holds no requests placed: no wait to report, which is not a wait of zero.
    assert report.row("arrange_median_days").trend[2] is None
    complaints = report.row("complaints_per_month")
    assert complaints.trend == (Decimal("1.0"), Decimal("4.0"), Decimal("1.0"))
    assert complaints.this == Decimal("2.0")  # 6 complaints over 3 months


def test_a_period_of_days_is_compared_with_as_many_days_before() -> None:
    fortnight = pr.Period(at(date(2026, 2, 10)), at(date(2026, 2, 24)))
    before = pr.previous_period(fortnight)
    assert (before.first_day, before.last_day) == (date(2026, 1, 27), date(2026, 2, 9))
    assert [m.first_day for m in pr.months_within(pr.Period(before.start, fortnight.end))] == [
        date(2026, 1, 27),
        date(2026, 2, 1),
    ]
    # One complaint (14 February) in 14 days, an average month being 30.4375 days:
    # 1 x 30.4375 / 14 = 2.17...
    figures = pr.figures(DATA, fortnight)
    assert figures["complaints"] == Decimal(1)
    assert figures["complaints_per_month"] == Decimal("2.2")


def test_a_market_with_nobody_has_no_figures_rather_than_zeros() -> None:
    figures = pr.figures(pr.LiveData(), FEBRUARY)
    for key in ("hours_per_person", "lead_share", "average_rate", "arrange_median_days"):
        assert figures[key] is None, key
    assert figures["hours_at_end"] == Decimal("0.0")
    assert figures["people_at_end"] == Decimal(0)


def test_lengths_of_periods_are_calendar_days_but_time_placed_is_real_time() -> None:
    # The clocks go forward at 01:00 on 29 March 2026: March has 31 calendar days (743 real
    # hours), and a package placed from midnight to midnight across that night was placed
    # for 23 hours. A block of 700 hours a week makes the lost hour show: 700 x 23 / 743 =
    # 21.67 (by the wall clock it would be 700 x 24 / 744 = 22.58).
    march = pr.Period(at(date(2026, 3, 1)), at(date(2026, 4, 1)))
    assert march.days == Decimal(31)
    assert march.whole_months == 1
    block = placement(
        "P9", "p9", "Alder", "prime", "700", "20", date(2026, 3, 29), date(2026, 3, 30)
    )
    assert pr.figures(pr.LiveData(placements=(block,)), march)["hours_average"] == Decimal("21.7")


def test_waits_across_the_clocks_going_back_count_the_hour_that_happens_twice() -> None:
    # On 25 October 2026 01:00 to 02:00 happens twice: from 12:00 the day before to 03:00 is
    # 15 hours on the clock but 16 in real time, 0.67 of a day rather than 0.63.
    created, placed = at(date(2026, 10, 24), 12), at(date(2026, 10, 25), 3)
    data = pr.LiveData(requests=(request("R", created, placed),))
    week = pr.Period(at(date(2026, 10, 20)), at(date(2026, 10, 27)))
    assert pr.figures(data, week)["arrange_median_days"] == Decimal("0.7")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: pr.Period(datetime(2026, 2, 1), at(date(2026, 3, 1))), "aware"),
        (lambda: pr.Period(at(date(2026, 3, 1)), at(date(2026, 2, 1))), "end after it starts"),
        (lambda: complaint(date(2026, 2, 1), "dismissed"), "outcome must be one of"),
        (
            lambda: placement("P", "p", "A", "prime", "-1", "20", date(2026, 1, 1)),
            "hours must not be negative",
        ),
        (
            lambda: placement(
                "P", "p", "A", "prime", "1", "20", date(2026, 2, 1), date(2026, 1, 1)
            ),
            "ends before it starts",
        ),
    ],
)
def test_bad_records_and_periods_are_refused_with_a_reason(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


def test_percentiles_interpolate_between_closest_ranks() -> None:
    values = [Decimal(v) for v in (1, 2, 3, 4, 10)]
    assert pr.percentile(values, Decimal("0.5")) == Decimal(3)
    assert pr.percentile(values, Decimal("0.9")) == Decimal("7.6")  # 4 + 0.6 x 6
    with pytest.raises(ValueError):
        pr.percentile([], Decimal("0.5"))


# --- behaviour: the months of a period add up to the period ------------------------------

DAYS = st.integers(min_value=0, max_value=120)


@st.composite
def markets(draw: st.DrawFn) -> pr.LiveData:
    origin = date(2025, 12, 1)
    placements = []
    for n in range(draw(st.integers(0, 8))):
        start = origin + timedelta(days=draw(DAYS))
        length = draw(st.one_of(st.none(), st.integers(1, 90)))
        end = None if length is None else start + timedelta(days=length)
        placements.append(
            placement(f"P{n % 5}", f"p{n % 4}", "Alder", "prime", str(n + 1), "20", start, end)
        )
    complaints = [
        complaint(origin + timedelta(days=draw(DAYS)), draw(st.sampled_from(pr.OUTCOMES)))
        for _ in range(draw(st.integers(0, 6)))
    ]
    return pr.LiveData(placements=placements, complaints=complaints)


@settings(max_examples=60, deadline=None)
@given(markets())
def test_counts_over_a_period_are_the_sum_of_its_months(data: pr.LiveData) -> None:
    report = pr.performance_report(data, start=at(date(2026, 1, 1)), end=at(date(2026, 4, 1)))
    for key in ("new_packages", "complaints", "complaints_upheld"):
        row = report.row(key)
        counts = [value for value in row.trend if value is not None]
        assert len(counts) == len(row.trend), key  # a count is never missing
        assert row.this == sum(counts, Decimal(0)), key


@settings(max_examples=60, deadline=None)
@given(markets())
def test_the_last_months_end_figures_are_the_periods(data: pr.LiveData) -> None:
    report = pr.performance_report(data, start=at(date(2026, 1, 1)), end=at(date(2026, 4, 1)))
    for key in ("hours_at_end", "people_at_end", "lead_share", "hours_per_person"):
        row = report.row(key)
        assert row.this == row.trend[-1], key


def test_the_insight_docs_define_every_kpi() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "insight.md").read_text()
    for kpi in pr.KPIS:
        assert f"| {kpi.title} |" in docs, kpi.title
