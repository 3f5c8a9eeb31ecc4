"""Behaviour of visit prices over many cards and visits (Hypothesis)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from carecore.pricing.rate_cards import RateCard
from carecore.pricing.visit_price import price_visit

FIRST_DAY = date(2014, 1, 1)

rates = st.decimals(min_value=Decimal("5.00"), max_value=Decimal("60.00"), places=2)
percents = st.integers(min_value=0, max_value=200)
minutes = st.integers(min_value=1, max_value=600)
starts = st.builds(
    lambda days, minute: (
        datetime.combine(FIRST_DAY + timedelta(days=days), datetime.min.time())
        + timedelta(minutes=minute)
    ),
    st.integers(min_value=0, max_value=365 * 16),
    st.integers(min_value=0, max_value=24 * 60 - 1),
)


@st.composite
def cards(draw: st.DrawFn) -> RateCard:
    increment = draw(st.sampled_from([None, 1, 5, 10, 15, 30]))
    return RateCard.from_dict(
        {
            "name": "property-card",
            "council": "Synthetic Borough Council",
            "effective_from": FIRST_DAY,
            "rates": {"A": draw(rates), "B": draw(rates)},
            "minimum_billable_minutes": draw(st.sampled_from([0, 15, 30, 60])),
            **({"billing_increment_minutes": increment} if increment else {}),
            "increment_rounding": draw(st.sampled_from(["up", "nearest"])),
            "enhancements": {
                "double_handed_percent": draw(percents),
                "weekend_percent": draw(percents),
                "bank_holiday_percent": draw(percents),
                "weekend_and_bank_holiday": draw(st.sampled_from(["replace", "higher", "stack"])),
                "extra_holidays": draw(st.lists(st.sampled_from(["12-25", "12-26", "01-01"]))),
            },
        }
    )


@settings(max_examples=150, deadline=None)
@given(cards(), st.sampled_from(["A", "B"]), minutes, minutes, st.integers(1, 4), starts)
def test_more_minutes_never_cost_less(
    card: RateCard, band: str, a: int, b: int, carers: int, start: datetime
) -> None:
    shorter, longer = sorted((a, b))
    cheap = price_visit(card, band=band, minutes=shorter, carers=carers, start=start)
    dear = price_visit(card, band=band, minutes=longer, carers=carers, start=start)
    assert cheap.total <= dear.total


@settings(max_examples=150, deadline=None)
@given(cards(), st.sampled_from(["A", "B"]), minutes, st.integers(1, 3), starts)
def test_another_carer_never_costs_less(
    card: RateCard, band: str, length: int, carers: int, start: datetime
) -> None:
    fewer = price_visit(card, band=band, minutes=length, carers=carers, start=start)
    more = price_visit(card, band=band, minutes=length, carers=carers + 1, start=start)
    assert fewer.total <= more.total


@settings(max_examples=150, deadline=None)
@given(cards(), st.sampled_from(["A", "B"]), minutes, st.integers(1, 4), starts)
def test_total_is_the_sum_of_whole_penny_lines_and_never_below_the_plain_rate(
    card: RateCard, band: str, length: int, carers: int, start: datetime
) -> None:
    price = price_visit(card, band=band, minutes=length, carers=carers, start=start)
    assert all(line.amount == line.amount.quantize(Decimal("0.01")) for line in price.lines)
    assert price.total == sum(line.amount for line in price.lines)
    assert price.billable_minutes >= card.periods[0].minimum_billable_minutes
    # Uplifts are never negative, so the first carer's base line is a lower bound.
    assert price.total >= price.lines[0].amount > 0
