"""Bar charts are accessible SVG: role, title, description with the numbers, legend."""

from __future__ import annotations

from decimal import Decimal

import pytest

from carecore.reports.bar_charts import BarGroup, bar_chart_svg, describe_groups

GROUPS = [
    BarGroup("North", (("Free", Decimal("10")), ("Waiting", Decimal("25.5")))),
    BarGroup("South <rural>", (("Free", Decimal("4")), ("Waiting", Decimal("0")))),
]


def test_a_chart_is_an_image_named_by_its_title_and_described_by_its_numbers() -> None:
    desc = describe_groups(GROUPS, " h")
    svg = bar_chart_svg(GROUPS, title="Capacity", description=desc, chart_id="c1", unit=" h")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Capacity</title>' in svg
    assert "North: Free 10.0 h, Waiting 25.5 h." in desc and desc in svg.replace(
        "&lt;", "<"
    ).replace("&gt;", ">")


def test_every_series_is_in_the_legend_and_every_bar_carries_its_value() -> None:
    svg = bar_chart_svg(GROUPS, title="t", description="d", unit=" h")
    assert svg.count(">Free</text>") == 1 and svg.count(">Waiting</text>") == 1
    assert ">25.5 h</text>" in svg and ">4.0 h</text>" in svg
    assert "South &lt;rural&gt;" in svg  # labels are escaped


def test_the_same_inputs_give_the_same_svg_and_no_bars_is_an_error() -> None:
    assert bar_chart_svg(GROUPS, title="t", description="d") == bar_chart_svg(
        GROUPS, title="t", description="d"
    )
    with pytest.raises(ValueError):
        bar_chart_svg([], title="t", description="d")
