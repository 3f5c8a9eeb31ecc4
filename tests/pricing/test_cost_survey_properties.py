"""Behaviour of survey statistics over many surveys (Hypothesis)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carecore.pricing.cost_survey import quartile_inc, read_cost_survey, summarise_cost_survey

pennies = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("40.00"), places=2)
LINES = ("contact_pay", "travel_pay", "mileage", "on_costs", "overheads", "surplus")


@settings(max_examples=200, deadline=None)
@given(st.lists(pennies, min_size=1, max_size=40))
def test_quartiles_are_ordered_and_within_the_range(values: list[Decimal]) -> None:
    lq, median, uq = (quartile_inc(values, q) for q in (1, 2, 3))
    assert min(values) == quartile_inc(values, 0) <= lq <= median <= uq <= quartile_inc(values, 4)
    assert quartile_inc(values, 4) == max(values)


@settings(max_examples=200, deadline=None)
@given(st.lists(pennies, min_size=1, max_size=40))
def test_quartiles_equal_numpys_linear_percentiles(values: list[Decimal]) -> None:
    expected = np.percentile([float(v) for v in values], [25, 50, 75], method="linear")
    got = [float(quartile_inc(values, q)) for q in (1, 2, 3)]
    assert np.allclose(got, expected, rtol=0, atol=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.lists(pennies, min_size=1, max_size=40), st.integers(0, 4))
def test_quartiles_of_pennies_have_at_most_four_decimal_places(
    values: list[Decimal], quart: int
) -> None:
    result = quartile_inc(values, quart)
    assert result == result.quantize(Decimal("0.0001"))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), pennies), min_size=len(LINES), max_size=len(LINES)),
        min_size=1,
        max_size=15,
    )
)
def test_every_return_is_either_usable_or_excluded_and_floor_is_not_above_ceiling(
    tmp_path: Path, rows: list[list[Decimal | None]]
) -> None:
    lines = ["provider_ref," + ",".join(LINES)]
    lines += [
        f"P{i}," + ",".join("" if v is None else str(v) for v in row) for i, row in enumerate(rows)
    ]
    path = tmp_path / "survey.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = summarise_cost_survey(read_cost_survey(path))
    complete = sum(all(v is not None for v in row) for row in rows)
    assert result.returns_usable == complete == result.total.count
    assert result.returns_usable + len(result.excluded) == len(rows)
    for column, line in zip(LINES, result.lines, strict=True):
        assert line.count == sum(row[LINES.index(column)] is not None for row in rows)
    if complete:
        assert result.floor is not None and result.ceiling is not None
        assert result.floor <= result.ceiling
    else:
        assert result.floor is None and result.ceiling is None
