"""Behaviour over many inputs (Hypothesis): money equals price_visit, payable time stays
within its basis, and repeated or shuffled rows change nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carecore.ecm import ContractRules, reconcile, reconcile_lazy, synthetic_period
from carecore.ecm.payment import payable_minutes, price_lines, price_tables
from carecore.pricing.rate_cards import RateCard
from carecore.pricing.visit_price import price_visit
from carecore.units import LONDON

FIRST_DAY = date(2014, 1, 1)
LAST_DAY = date(2030, 12, 31)
rates = st.decimals(min_value=Decimal("5.00"), max_value=Decimal("80.00"), places=2)
percents = st.decimals(min_value=Decimal(0), max_value=Decimal(200), places=2)


@st.composite
def cards(draw: st.DrawFn) -> RateCard:
    increment = draw(st.sampled_from([None, 1, 5, 15, 30]))
    return RateCard.from_dict(
        {
            "name": "property-card",
            "council": "Synthetic Borough Council",
            "effective_from": FIRST_DAY,
            "rates": {"A": draw(rates), "B": draw(rates)},
            "minimum_billable_minutes": draw(st.sampled_from([0, 15, 30])),
            **({"billing_increment_minutes": increment} if increment else {}),
            "increment_rounding": draw(st.sampled_from(["up", "nearest"])),
            "enhancements": {
                "double_handed_percent": draw(percents),
                "weekend_percent": draw(percents),
                "bank_holiday_percent": draw(percents),
                "weekend_and_bank_holiday": draw(st.sampled_from(["replace", "higher", "stack"])),
                "extra_holidays": draw(st.sampled_from([[], ["12-25", "01-01"]])),
            },
        }
    )


visits = st.lists(
    st.tuples(
        st.sampled_from(["A", "b"]),  # bands match without regard to case
        st.integers(min_value=1, max_value=600),  # payable minutes
        st.integers(min_value=1, max_value=4),  # carers
        st.integers(min_value=0, max_value=60),  # days after the first
        st.integers(min_value=0, max_value=24 * 60 - 1),  # minute of the day
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(
    card=cards(),
    rows=visits,
    first=st.integers(min_value=0, max_value=(LAST_DAY - FIRST_DAY).days - 61),
)
def test_the_vectorised_amount_of_each_visit_and_carer_equals_price_visit(
    card: RateCard, rows: list[tuple[str, int, int, int, int]], first: int
) -> None:
    start = FIRST_DAY + timedelta(days=first)
    moments = [
        datetime.combine(start + timedelta(days=d), datetime.min.time(), tzinfo=LONDON)
        + timedelta(minutes=m)
        for _, _, _, d, m in rows
    ]
    lines = pl.DataFrame(
        {
            "visit": range(len(rows)),
            "band": [r[0] for r in rows],
            "payable_minutes": [r[1] for r in rows],
            "carer_index": [list(range(1, r[2] + 1)) for r in rows],
            "visit_date": [m.date() for m in moments],
            "rate_pence_per_hour": pl.Series([None] * len(rows), dtype=pl.Int64),
        }
    ).explode("carer_index")
    tables = price_tables(card, start, start + timedelta(days=61))
    priced = price_lines(lines.lazy(), tables).collect().sort("visit", "carer_index")
    for index, (band, minutes, carers, _, _) in enumerate(rows):
        expected = price_visit(
            card, band=band, minutes=minutes, carers=carers, start=moments[index]
        )
        got = priced.filter(pl.col("visit") == index)
        assert got["amount_pence"].to_list() == [int(a * 100) for a in expected.per_carer]
        assert got["amount_pence"].sum() == int(expected.total * 100)
        assert got["billable_minutes"][0] == expected.billable_minutes


rules_strategy = st.builds(
    ContractRules,
    pay_basis=st.sampled_from(["actual", "planned", "actual_capped", "planned_within_tolerance"]),
    tolerance_minutes=st.integers(min_value=0, max_value=30),
    tolerance_percent=st.one_of(st.none(), st.integers(min_value=0, max_value=50)),
    rounding=st.sampled_from(["none", "minute", "5", "15"]),
    rounding_direction=st.sampled_from(["nearest", "up", "down"]),
    minimum_minutes=st.sampled_from([0, 15, 30]),
)
times = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=6 * 3600), st.integers(min_value=1, max_value=240)
    ),
    min_size=1,
    max_size=50,
)


@settings(max_examples=200, deadline=None)
@given(rules=rules_strategy, pairs=times)
def test_payable_minutes_stay_within_what_the_basis_allows(
    rules: ContractRules, pairs: list[tuple[int, int]]
) -> None:
    frame = pl.DataFrame({"s": [p[0] for p in pairs], "p": [p[1] for p in pairs]})
    paid = frame.select(payable_minutes(pl.col("s"), pl.col("p"), rules).alias("x"))["x"]
    unit = rules.rounding_minutes or 1
    for (seconds, planned), minutes in zip(pairs, paid.to_list(), strict=True):
        assert minutes >= 0
        if rules.pay_basis in ("planned", "actual_capped"):
            assert minutes <= planned
        if rules.pay_basis == "planned":
            assert minutes == planned
        if rules.pay_basis in ("actual", "actual_capped"):
            # Never more than the actual time rounded up to the unit, or the minimum.
            ceiling = -(-seconds // (unit * 60)) * unit
            assert minutes <= max(ceiling, rules.minimum_minutes)
            never_up = rules.rounding_direction == "down" or rules.rounding == "none"
            if never_up and rules.minimum_minutes == 0:
                assert minutes * 60 <= seconds


def _frames(result: object) -> list[pl.DataFrame]:
    return [
        getattr(result, name)
        for name in ("visits", "logs", "invoice_lines", "invoices", "exceptions")
    ]


RULES = ContractRules(rounding="minute", manual_needs_approval=True, pay_unplanned=True)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    share=st.floats(min_value=0.05, max_value=1.0),
)
def test_repeated_rows_and_shuffled_files_change_nothing(seed: int, share: float) -> None:
    period = synthetic_period(25, 3, seed=seed)
    once = reconcile(period.planned, period.actual, RULES, "leicestershire-2020-21")
    repeated = pl.concat([period.actual, period.actual.sample(fraction=share, seed=seed)])
    again = reconcile(period.planned, repeated, RULES, "leicestershire-2020-21")
    shuffled = reconcile(
        period.planned.sample(fraction=1.0, shuffle=True, seed=seed),
        repeated.sample(fraction=1.0, shuffle=True, seed=seed + 1),
        RULES,
        "leicestershire-2020-21",
    )
    for a, b, c in zip(_frames(once), _frames(again), _frames(shuffled), strict=True):
        assert a.equals(b)
        assert a.equals(c)
    assert once.summary.amount_pence == again.summary.amount_pence
    assert again.summary.duplicate_rows >= once.summary.duplicate_rows


def test_the_lazy_and_streaming_paths_agree_with_the_eager_one() -> None:
    period = synthetic_period(60, 4, seed=11)
    eager = reconcile(period.planned, period.actual, RULES, "leicestershire-2020-21")
    for engine in ("in-memory", "streaming"):
        lazy = reconcile_lazy(
            period.planned.lazy(), period.actual.lazy(), RULES, "leicestershire-2020-21"
        ).collect(engine=engine)
        for a, b in zip(_frames(eager), _frames(lazy), strict=True):
            assert a.equals(b)
        assert lazy.summary == eager.summary
