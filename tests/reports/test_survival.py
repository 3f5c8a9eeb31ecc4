"""Time to place with the requests still waiting counted (Kaplan-Meier), and the Wilson
interval, against hand-worked and published figures.

The hand-worked case (days from request to placement; + still waiting, w withdrawn):

    1  2  2+  3  4w  5  6+

    t  at risk  placed  S(t)                     Greenwood sum
    1  7        1       6/7   = 0.857            1/42
    2  6        1       5/7   = 0.714            + 1/30  = 12/210
    3  4        1       15/28 = 0.536            + 1/12  = 59/420
    5  2        1       15/56 = 0.268            + 1/2   = 269/420

The median is 5 days (S first falls to 0.5 or below there); nine in ten are never placed on
the curve, so the 90th percentile is not reached. The lower band S - 1.96 se is 0.598 at 1
day and 0.380 at 2 days (se = 5/7 x sqrt(12/210) = 0.171), so the interval starts at 2; the
upper band at 5 days is 0.268 + 1.96 x 0.214 = 0.688, above 0.5, so its end is not reached.
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carecore.reports.brokerage_kpis import RequestRecord
from carecore.reports.survival import (
    Observation,
    kaplan_meier,
    median_interval,
    placement_times,
    quantile,
    summarise,
)
from carecore.stats import wilson_interval, wilson_percent

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=6)


def record(
    ref: str,
    *,
    made: float = 0,
    placed: float | None = None,
    withdrawn: float | None = None,
    by_transfer: bool = False,
) -> RequestRecord:
    def moment(days: float | None) -> datetime | None:
        return None if days is None else T0 + timedelta(days=days)

    return RequestRecord(
        ref=ref,
        person=ref,
        state="placed" if placed is not None else "requested",
        source="community",
        zone="z",
        carer_hours_per_week=Decimal(7),
        created_at=T0 + timedelta(days=made),
        placed_at=moment(None if placed is None else made + placed),
        withdrawn_at=moment(None if withdrawn is None else made + withdrawn),
        by_transfer=by_transfer,
    )


HAND = [
    record("a", placed=1),
    record("b", placed=2),
    record("c", made=4),  # still waiting at NOW: 2 days
    record("d", placed=3),
    record("e", withdrawn=4),
    record("f", placed=5),
    record("g"),  # still waiting at NOW: 6 days
    record("t", made=1, placed=0, by_transfer=True),  # a transfer: left out
    record("later", made=7),  # made after NOW: not yet a request
]


def test_the_hand_worked_curve() -> None:
    observations = [
        Observation(Decimal(d), placed) for d, placed in ((1, 1), (2, 1), (2, 0), (3, 1))
    ] + [Observation(Decimal(d), placed) for d, placed in ((4, 0), (5, 1), (6, 0))]
    steps = kaplan_meier(observations)
    assert [(s.days, s.at_risk, s.placed) for s in steps] == [
        (1, 7, 1),
        (2, 6, 1),
        (3, 4, 1),
        (5, 2, 1),
    ]
    assert [s.survival for s in steps] == pytest.approx([6 / 7, 5 / 7, 15 / 28, 15 / 56])
    assert steps[1].std_error == pytest.approx(5 / 7 * (12 / 210) ** 0.5)
    assert steps[3].std_error == pytest.approx(15 / 56 * (269 / 420) ** 0.5)
    assert quantile(steps, 0.5) == Decimal(5)
    assert quantile(steps, 0.9) is None
    assert median_interval(steps) == (Decimal(2), None)


def test_the_hand_worked_requests_counted_up_to_now() -> None:
    times = placement_times(HAND, now=NOW)
    assert (times.requests, times.placed, times.waiting, times.withdrawn) == (7, 4, 2, 1)
    assert times.median_days == Decimal(5)
    assert (times.median_low_days, times.median_high_days) == (Decimal(2), None)
    assert times.p90_days is None
    assert times.longest_open_days == Decimal(6)


def test_only_placed_requests_would_have_said_two_and_a_half_days() -> None:
    # The old figure (placed requests only) was the median of 1, 2, 3, 5 = 2.5 days.
    placed_only = summarise([Observation(Decimal(d), True) for d in (1, 2, 3, 5)])
    assert placed_only.median_days == Decimal("2.5")
    assert placement_times(HAND, now=NOW).median_days == Decimal(5)


def test_the_window_picks_requests_by_when_they_were_made() -> None:
    times = placement_times(HAND, now=NOW, made_from=T0 + timedelta(days=1))
    assert (times.requests, times.waiting, times.longest_open_days) == (1, 1, Decimal(2))
    assert times.median_days is None  # one request, still waiting: not reached
    empty = placement_times(HAND, now=NOW, made_before=T0)
    assert (empty.requests, empty.median_days, empty.longest_open_days) == (0, None, None)


def test_a_placement_after_now_is_still_waiting_at_now() -> None:
    times = placement_times([record("x", placed=10)], now=NOW)
    assert (times.placed, times.waiting, times.longest_open_days) == (0, 1, Decimal(6))


def test_waits_are_exact_days_across_the_clocks_going_forward() -> None:
    from carecore.units import LONDON

    made = datetime(2026, 3, 28, 12, tzinfo=LONDON)
    placed = datetime(2026, 3, 29, 12, tzinfo=LONDON)  # 23 real hours later
    request = RequestRecord("x", "x", "placed", "community", "z", Decimal(1), made, placed)
    times = placement_times([request], now=placed + timedelta(days=1))
    assert times.median_days == Decimal(23) / Decimal(24)


def test_bad_fractions_and_waits_are_refused() -> None:
    with pytest.raises(ValueError, match="fraction"):
        quantile((), 1.0)
    with pytest.raises(ValueError, match="negative"):
        Observation(Decimal(-1), True)


# --- behaviour ----------------------------------------------------------------------------

days = st.integers(min_value=0, max_value=400).map(lambda n: Decimal(n) / 4)
observations = st.lists(st.tuples(days, st.booleans()), min_size=1, max_size=40)


def _later_or_equal(after: Decimal | None, before: Decimal | None) -> bool:
    """``after >= before``, where ``None`` (not reached) is later than any time."""
    if after is None:
        return True
    return before is not None and after >= before


@given(observations, days)
def test_adding_a_request_still_waiting_never_lowers_the_median_or_p90(
    rows: list[tuple[Decimal, bool]], waited: Decimal
) -> None:
    before = [Observation(d, p) for d, p in rows]
    steps, more = kaplan_meier(before), kaplan_meier([*before, Observation(waited, False)])
    for fraction in (0.5, 0.9):
        assert _later_or_equal(quantile(more, fraction), quantile(steps, fraction))


@given(observations)
def test_adding_a_long_open_request_never_lowers_the_median(
    rows: list[tuple[Decimal, bool]],
) -> None:
    before = summarise([Observation(d, p) for d, p in rows])
    longest = max(d for d, _ in rows) + 1
    after = summarise([*(Observation(d, p) for d, p in rows), Observation(longest, False)])
    assert _later_or_equal(after.median_days, before.median_days)
    assert _later_or_equal(after.median_high_days, before.median_high_days)


@given(st.lists(days, min_size=1, max_size=40))
def test_with_nothing_censored_the_median_is_the_sample_median(waits: list[Decimal]) -> None:
    steps = kaplan_meier([Observation(d, True) for d in waits])
    assert quantile(steps, 0.5) == statistics.median(waits)
    assert quantile(steps, 0.9) is not None  # everyone was placed: the curve reaches 0


@given(observations)
def test_the_interval_holds_the_median(rows: list[tuple[Decimal, bool]]) -> None:
    times = summarise([Observation(d, p) for d, p in rows])
    if times.median_days is not None:
        assert times.median_low_days is not None and times.median_low_days <= times.median_days
        assert _later_or_equal(times.median_high_days, times.median_days)


# --- Wilson score interval ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, table I, method 3 (Wilson).
        (81, 263, "0.2553", "0.3662"),
        (15, 148, "0.0624", "0.1605"),
        (0, 20, "0.0000", "0.1611"),
        (1, 29, "0.0061", "0.1718"),
        # The same formula's textbook values for ten trials.
        (0, 10, "0.0000", "0.2775"),
        (5, 10, "0.2366", "0.7634"),
    ],
)
def test_the_wilson_interval_matches_published_values(
    successes: int, n: int, low: str, high: str
) -> None:
    got = wilson_interval(successes, n)
    assert tuple(v.quantize(Decimal("0.0001")) for v in got) == (Decimal(low), Decimal(high))


def test_the_wilson_interval_is_exact_at_the_ends_and_symmetric() -> None:
    assert wilson_interval(0, 7)[0] == 0 and wilson_interval(7, 7)[1] == 1
    low, high = wilson_interval(3, 7)
    mirror_low, mirror_high = wilson_interval(4, 7)
    assert (low + mirror_high, high + mirror_low) == (1, 1)


def test_the_percent_interval_is_rounded_outwards() -> None:
    # 81 of 263: 25.53...% to 36.62...%, shown 25.5% to 36.7%.
    assert wilson_percent(81, 263) == (Decimal("25.5"), Decimal("36.7"))
    assert wilson_percent(0, 0) is None


@pytest.mark.parametrize(("successes", "n"), [(-1, 10), (11, 10), (0, 0)])
def test_the_wilson_interval_refuses_impossible_counts(successes: int, n: int) -> None:
    with pytest.raises(ValueError):
        wilson_interval(successes, n)


def test_the_wilson_interval_wants_whole_numbers() -> None:
    with pytest.raises(TypeError):
        wilson_interval(1.0, 10)  # type: ignore[arg-type]
