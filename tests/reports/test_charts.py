"""The stacked bar chart: accessible, deterministic SVG whose bars are proportional to money."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carecore.reports.charts import (
    PALETTE,
    StackedBar,
    describe_stacked_bars,
    money,
    nice_step,
    series_colours,
    stacked_bar_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
BARS = (
    StackedBar(
        "Urban", (("pay", Decimal("10.00")), ("mileage", Decimal("2.50"))), Decimal("12.50")
    ),
    StackedBar(
        "Rural", (("pay", Decimal("12.00")), ("mileage", Decimal("6.00"))), Decimal("18.00")
    ),
)
LABELS = {"pay": "Pay", "mileage": "Mileage"}


def _chart(bars: tuple[StackedBar, ...] = BARS, **options: object) -> ET.Element:
    svg = stacked_bar_svg(
        bars, title="Prices", description="Two bands.", series_labels=LABELS, **options
    )  # type: ignore[arg-type]
    return ET.fromstring(svg)


def _segment_widths(root: ET.Element) -> list[float]:
    return [
        float(rect.get("width", "0"))
        for rect in root.iter(f"{SVG}rect")
        if rect.find(f"{SVG}title") is not None
    ]


def test_the_chart_is_an_image_named_by_its_title_and_described() -> None:
    root = _chart(chart_id="prices")
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "prices-title prices-desc"
    assert root.find(f"{SVG}title").text == "Prices"  # type: ignore[union-attr]
    assert root.find(f"{SVG}title").get("id") == "prices-title"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Two bands."  # type: ignore[union-attr]


def test_the_legend_names_every_series_in_words() -> None:
    texts = [text.text for text in _chart().iter(f"{SVG}text")]
    assert "Pay" in texts and "Mileage" in texts


def test_each_bar_ends_with_its_total() -> None:
    texts = [text.text for text in _chart().iter(f"{SVG}text")]
    assert "£12.50" in texts and "£18.00" in texts


def test_segment_lengths_are_proportional_to_their_values() -> None:
    widths = _segment_widths(_chart())
    values = [float(v) for bar in BARS for _, v in bar.segments]
    ratios = [width / value for width, value in zip(widths, values, strict=True)]
    assert max(ratios) - min(ratios) < 0.05


def test_the_same_bars_give_the_same_svg_byte_for_byte() -> None:
    first = stacked_bar_svg(BARS, title="t", description="d")
    assert first == stacked_bar_svg(BARS, title="t", description="d")


def test_text_is_escaped() -> None:
    bars = (StackedBar("<b>&", (("a<", Decimal(1)),)),)
    svg = stacked_bar_svg(bars, title="x < y & z", description='"quoted"')
    ET.fromstring(svg)  # parses, so nothing leaked as markup
    assert "<b>" not in svg


def test_a_chart_needs_a_bar() -> None:
    with pytest.raises(ValueError, match="at least one bar"):
        stacked_bar_svg((), title="t", description="d")


def test_colours_follow_the_series_order_and_repeat_after_the_palette() -> None:
    names = [f"s{i}" for i in range(len(PALETTE) + 1)]
    colours = series_colours(names)
    assert colours["s0"] == PALETTE[0] and colours[names[-1]] == PALETTE[0]


def test_the_description_states_every_number() -> None:
    text = describe_stacked_bars(BARS, LABELS)
    assert text == (
        "Urban: £12.50 in all (Pay £10.00, Mileage £2.50). "
        "Rural: £18.00 in all (Pay £12.00, Mileage £6.00)."
    )


def test_money_is_shown_to_the_penny_with_thousands() -> None:
    assert money(Decimal("1234.5")) == "£1,234.50"


@given(st.floats(min_value=0.01, max_value=1e6, allow_nan=False))
def test_a_nice_step_gives_between_two_and_ten_grid_lines(maximum: float) -> None:
    step = nice_step(maximum)
    assert 2 <= maximum / step + 1 <= 11
    mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
    assert round(mantissa, 9) in (1, 2, 5)


@given(
    st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2),
        min_size=1,
        max_size=6,
    )
)
def test_no_bar_runs_past_the_plot(values: list[Decimal]) -> None:
    bars = tuple(StackedBar(f"b{i}", (("x", v),)) for i, v in enumerate(values))
    root = ET.fromstring(stacked_bar_svg(bars, title="t", description="d", width=600))
    for rect in root.iter(f"{SVG}rect"):
        if rect.find(f"{SVG}title") is not None:
            right = float(rect.get("x", "0")) + float(rect.get("width", "0"))
            assert right <= 600 - 80 + 0.1
    assert re.match(r"^[\d.]+$", root.get("height", ""))
