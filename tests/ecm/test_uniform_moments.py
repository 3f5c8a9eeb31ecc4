"""The one-layout fast path for reading times gives what trying every layout gives."""

from __future__ import annotations

import polars as pl
import pytest

from carecore.ecm.timeparse import parse_moment, uniform_moments

COLUMNS = {
    "aware": ["2021-06-07T08:03:00+01:00", "2021-12-07T08:03:00.5+00:00", None, "  "],
    "naive": ["2021-06-07 08:03", "2021-10-31 01:30", "2021-12-07 23:59"],
    "uk": ["07/06/2021 08:03", "31/10/2021 01:30:15"],
}


@pytest.mark.parametrize("values", [COLUMNS["aware"], COLUMNS["naive"]])
def test_a_uniform_column_reads_as_every_layout_would(values: list[str | None]) -> None:
    frame = pl.DataFrame({"t": values}, schema={"t": pl.String})
    fast = uniform_moments(frame, "t")
    assert fast is not None
    assert fast.to_list() == frame.select(parse_moment(pl.col("t"))).to_series().to_list()


@pytest.mark.parametrize(
    "values",
    [
        COLUMNS["uk"],  # two layouts (with and without seconds)
        ["2021-06-07 08:03", "2021-06-07T08:03:00+01:00"],  # naive then aware
        ["2021-03-28 00:30", "2021-03-28 01:30"],  # the second never happened in London
        ["2021-06-07 08:03", "not a time"],
    ],
)
def test_a_mixed_or_bad_column_is_left_to_the_full_parse(values: list[str]) -> None:
    assert uniform_moments(pl.DataFrame({"t": values}), "t") is None


def test_columns_that_are_not_text_are_left_alone() -> None:
    frame = pl.DataFrame({"t": [1, 2]})
    assert uniform_moments(frame, "t") is None
    assert uniform_moments(pl.DataFrame({"t": [None]}, schema={"t": pl.String}), "t") is None
