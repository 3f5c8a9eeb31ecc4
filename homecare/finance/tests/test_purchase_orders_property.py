"""A re-run after an uplift or a variation changes only the days from its date: properties of
:mod:`homecare.finance.rates` and :mod:`homecare.finance.purchase_orders` on plain values
(no database), for random placements, schedules and uplifts.

Worked by hand first: a daily 30-minute visit at £20.00 an hour is 210 carer minutes a week,
210 x 2000 / 60 = 7000p; with two carers 420 minutes, 14000p; at £19.99, 210 x 1999 / 60 =
6996.5p, half up to 6997p.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from carecore.brokerage import Visit
from carecore.units import LONDON
from homecare.brokerage.schedules import Span
from homecare.finance import purchase_orders as po
from homecare.finance import rates

START = date(2026, 3, 9)
HORIZON = 400  # days after START that dates are drawn from


def visits(minutes: int, carers: int = 1, days: int = 7) -> tuple[Visit, ...]:
    return tuple(Visit(day, time(8), 30, minutes, carers, False) for day in range(days))


def span(first: date, last: date | None, minutes: int, carers: int = 1) -> Span:
    rows = visits(minutes, carers)
    contact = Decimal(minutes * 7) / 60
    return Span(first, last, rows, contact, contact * carers)


def placement(rate: str = "20.00", placed: date = START) -> Any:
    at = datetime.combine(placed, time(9), tzinfo=LONDON)
    return SimpleNamespace(pk=123, at=at, rate=Decimal(rate))


def uplift(day: date, percent: Decimal | None = None, band_rates: Any = None) -> Any:
    return SimpleNamespace(effective_from=day, percent=percent, band_rates=band_rates or {})


def versions(p: Any, schedules: list[Span], ups: list[Any], band: str = "URBAN") -> list[Any]:
    """The order's versions from the day the placement was made."""
    first = rates.placed_on(p)
    return po.build_versions(first, None, schedules, rates.rate_spans(p, band, ups))


def by_day(found: list[Any], day: date) -> tuple[Any, ...]:
    version = next(v for v in found if v.covers(day))
    return (version.carer_minutes, version.contact_hours, version.rate_pence, version.weekly_pence)


def test_the_weekly_value_by_hand() -> None:
    assert po.weekly_pence(210, 2000) == 7000
    assert po.weekly_pence(420, 2000) == 14000
    assert po.weekly_pence(210, 1999) == 6997  # 6996.5 half up
    assert po.weekly_pence(1, 1) == 0  # 1/60 of a penny
    assert po.weekly_pence(30, 1) == 1  # half a penny, up
    assert po.weekly_pence(210, None) is None


def test_one_placement_by_hand_a_variation_and_two_uplifts() -> None:
    schedules = [span(START, date(2026, 4, 5), 30), span(date(2026, 4, 6), None, 30, carers=2)]
    ups = [uplift(date(2026, 4, 6), Decimal("4.5")), uplift(date(2026, 6, 1), Decimal("-1"))]
    found = versions(placement(), schedules, ups)
    assert [(v.first, v.last, v.rate_pence, v.weekly_pence, v.why) for v in found] == [
        (START, date(2026, 4, 5), 2000, 7000, ("placed",)),
        # 2000 x 1.045 = 2090; 420 minutes x 2090 / 60 = 14630
        (date(2026, 4, 6), date(2026, 5, 31), 2090, 14630, ("schedule", "uplift")),
        # 2090 x 0.99 = 2069.1 -> 2069; 420 x 2069 / 60 = 14483
        (date(2026, 6, 1), None, 2069, 14483, ("uplift",)),
    ]


def test_a_band_rate_uplift_for_another_band_starts_no_version() -> None:
    ups = [uplift(date(2026, 5, 4), band_rates={"RURAL": "25.00"})]
    found = versions(placement(), [span(START, None, 30)], ups)
    assert [(v.first, v.last, v.rate_pence) for v in found] == [(START, None, 2000)]
    ups = [uplift(date(2026, 5, 4), band_rates={"urban": "21.35"})]
    found = versions(placement(), [span(START, None, 30)], ups)
    assert [(v.first, v.rate_pence) for v in found] == [(START, 2000), (date(2026, 5, 4), 2135)]


def test_an_order_ends_with_the_placement_and_an_uplift_before_placing_raises_it() -> None:
    p = placement(placed=date(2026, 5, 1))
    # Dated before it was placed: the appointed rate it was placed at, £20, is raised 10%
    # from its first day (an uplift never changes the appointed rates themselves).
    ups = [uplift(date(2026, 4, 6), Decimal("10"))]
    spans = rates.rate_spans(p, "URBAN", ups)
    found = po.build_versions(date(2026, 5, 1), date(2026, 5, 31), [span(START, None, 30)], spans)
    assert [(v.first, v.last, v.rate_pence) for v in found] == [
        (date(2026, 5, 1), date(2026, 5, 31), 2200)
    ]
    assert (
        po.build_versions(date(2026, 5, 1), date(2026, 4, 30), [span(START, None, 30)], spans) == []
    )


def test_a_card_rate_is_unknown_outside_its_periods() -> None:
    periods = [
        SimpleNamespace(
            effective_from=date(2026, 4, 1),
            effective_to=date(2027, 3, 31),
            rates=SimpleNamespace(all=lambda: [SimpleNamespace(band="Urban", hourly_rate="21.10")]),
        )
    ]
    spans = po.card_rate_spans(periods, "URBAN")
    assert rates.rate_on(spans, date(2026, 3, 31)) is None
    assert rates.rate_on(spans, date(2026, 4, 1)) == 2110
    assert rates.rate_on(spans, date(2027, 4, 1)) is None


days = st.integers(min_value=0, max_value=HORIZON)
percents = st.decimals(
    min_value=Decimal("-49.99"), max_value=Decimal(100), places=2, allow_nan=False
).filter(lambda d: d != 0)
band_rates = st.fixed_dictionaries(
    {}, optional={"URBAN": st.sampled_from(["19.50", "21.35", "25.00"]), "RURAL": st.just("26.00")}
)
an_uplift = st.builds(
    lambda day, percent, new, by_band: uplift(
        START + timedelta(days=day), None if by_band else percent, new if by_band else {}
    ),
    days,
    percents,
    band_rates,
    st.booleans(),
)


@st.composite
def schedule_spans(draw: Any) -> list[Span]:
    cuts = sorted(set(draw(st.lists(st.integers(1, HORIZON), max_size=3))))
    starts = [START] + [START + timedelta(days=c) for c in cuts]
    made = []
    for index, first in enumerate(starts):
        last = starts[index + 1] - timedelta(days=1) if index + 1 < len(starts) else None
        made.append(
            span(
                first, last, draw(st.sampled_from([15, 30, 45, 60])), draw(st.sampled_from([1, 2]))
            )
        )
    return made


@settings(max_examples=300, deadline=None)
@given(
    schedules=schedule_spans(),
    existing=st.lists(an_uplift, max_size=3, unique_by=lambda u: u.effective_from),
    new=an_uplift,
    rate=st.sampled_from(["18.75", "20.00", "21.37"]),
    placed_after=st.integers(0, 30),
)
def test_an_uplift_changes_only_the_days_from_its_date(
    schedules: list[Span], existing: list[Any], new: Any, rate: str, placed_after: int
) -> None:
    if any(u.effective_from == new.effective_from for u in existing):
        return  # one uplift a framework and day
    p = placement(rate, placed=START + timedelta(days=placed_after))
    first = rates.placed_on(p)
    before = versions(p, schedules, existing)
    after = versions(p, schedules, [*existing, new])
    # A backdated uplift raises the placement from its first day.
    day = max(new.effective_from, first)
    # Every version that ended before the uplift's day is the same version; the one in
    # force the day before it may now end that day, and is otherwise the same.
    ended = [v for v in before if v.last is not None and v.last < day]
    ended_after = [v for v in after if v.last is not None and v.last < day]
    assert ended_after[: len(ended)] == ended
    cut = ended_after[len(ended) :]
    assert len(cut) <= 1
    if cut:
        was = next(v for v in before if v.covers(cut[0].last))
        assert cut[0].last == day - timedelta(days=1)
        assert (cut[0].first, cut[0].why) == (was.first, was.why) and cut[0].same_order(was)
    # And every day before it is ordered and priced as it was.
    for offset in range((day - first).days):
        moment = first + timedelta(days=offset)
        assert by_day(after, moment) == by_day(before, moment)
    if day > first:
        last_day = day - timedelta(days=1)
        assert by_day(after, last_day) == by_day(before, last_day)
    # The versions still cover every day once, from the start, in order.
    for left, right in pairwise(after):
        assert left.last is not None and right.first == left.last + timedelta(days=1)
    assert after[0].first == first and after[-1].last is None


@settings(max_examples=200, deadline=None)
@given(
    schedules=schedule_spans(),
    ups=st.lists(an_uplift, max_size=3, unique_by=lambda u: u.effective_from),
    cut=st.integers(1, HORIZON),
    minutes=st.sampled_from([20, 40, 90]),
)
def test_a_variation_changes_only_the_days_from_its_date(
    schedules: list[Span], ups: list[Any], cut: int, minutes: int
) -> None:
    p = placement()
    day = START + timedelta(days=cut)
    varied = [s for s in schedules if s.first < day]
    last = varied[-1]
    varied[-1] = Span(
        last.first, day - timedelta(days=1), last.visits, last.contact_hours, last.carer_hours
    )
    varied.append(span(day, None, minutes))
    before, after = versions(p, schedules, ups), versions(p, varied, ups)
    for offset in range(0, cut):
        moment = START + timedelta(days=offset)
        assert by_day(after, moment) == by_day(before, moment)
    assert by_day(after, day)[0] == minutes * 7
