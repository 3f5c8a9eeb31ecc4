"""Line charts are accessible SVG: parsed as XML, their points sit where the values say."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from carecore.reports.line_charts import Line, describe_lines, line_chart_svg

NS = {"svg": "http://www.w3.org/2000/svg"}
MONTHS = ["May 2026", "Jun 2026", "Jul 2026", "Aug 2026"]
LINES = [
    Line("Alder <Care>", (Decimal("50.0"), Decimal("100.0"), None, Decimal("25.0"))),
    Line("Birch", (Decimal("0.0"), Decimal("80.0"), Decimal("90.0"), Decimal("75.5"))),
]
# Layout the numbers below follow: plot from y=16 (100%) to y=236 (0%), so 2.2 px a
# percentage point; with a target the plot ends at 760 - 24 - 100 = 636, and categories sit
# 24 px inside it: x = 60 + 24 = 84 to 636 - 24 = 612, (612 - 84) / 3 = 176 px apart.
X = [84.0, 260.0, 436.0, 612.0]


def y_of(percent: float) -> float:
    return 236 - 2.2 * percent


def chart(**kwargs: object) -> ET.Element:
    svg = line_chart_svg(
        MONTHS,
        LINES,
        title="Punctuality",
        description=describe_lines(MONTHS, LINES, unit="%", target=Decimal(85)),
        chart_id="p",
        unit="%",
        y_max=Decimal(100),
        target=Decimal(85),
        **kwargs,  # type: ignore[arg-type]
    )
    return ET.fromstring(svg)


def test_the_chart_is_an_image_named_by_its_title_and_summarised_in_its_description() -> None:
    root = chart()
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "p-title p-desc"
    assert root.find("svg:title", NS).text == "Punctuality"  # type: ignore[union-attr]
    desc = root.find("svg:desc", NS).text  # type: ignore[union-attr]
    assert desc == (
        "Alder <Care>: May 2026 50.0%, Jun 2026 100.0%, Jul 2026 no figure, Aug 2026 25.0%. "
        "Birch: May 2026 0.0%, Jun 2026 80.0%, Jul 2026 90.0%, Aug 2026 75.5%. "
        "Target (dashed line): 85.0%."
    )


def _points(root: ET.Element) -> dict[str, tuple[float, float]]:
    """Every marker's title and centre."""
    found = {}
    for element in root.iter():
        label = element.get("data-point")
        if label is None:
            continue
        tag = element.tag.split("}")[1]
        if tag == "circle":
            centre = (float(element.get("cx", 0)), float(element.get("cy", 0)))
        elif tag == "rect":
            centre = (float(element.get("x", 0)) + 5, float(element.get("y", 0)) + 5)
        else:
            pytest.fail(f"unexpected marker {tag}")
        assert element.find("svg:title", NS).text == label  # type: ignore[union-attr]
        found[label] = centre
    return found


def test_every_value_has_a_marker_where_its_value_says_and_a_missing_one_has_none() -> None:
    points = _points(chart())
    assert points["Alder <Care>: May 2026 50.0%"] == (X[0], 126.0)  # 236 - 2.2 x 50
    assert points["Alder <Care>: Jun 2026 100.0%"] == (X[1], 16.0)
    assert points["Birch: May 2026 0.0%"] == (X[0], 236.0)
    assert points["Birch: Aug 2026 75.5%"] == (X[3], pytest.approx(y_of(75.5)))  # 69.9
    assert len(points) == 7  # 8 values, one missing
    assert not any(label.startswith("Alder <Care>: Jul") for label in points)


def test_a_missing_value_breaks_the_line_instead_of_joining_its_neighbours() -> None:
    lines = {}
    for polyline in chart().iter("{http://www.w3.org/2000/svg}polyline"):
        lines.setdefault(polyline.get("data-series"), []).append(polyline.get("points"))
    # Alder: May-Jun joined; Aug stands alone (a marker, no line). Birch: one unbroken line.
    assert lines["Alder <Care>"] == ["84.0,126.0 260.0,16.0"]
    assert lines["Birch"] == ["84.0,236.0 260.0,60.0 436.0,38.0 612.0,69.9"]


def test_the_target_is_a_dashed_line_labelled_in_words() -> None:
    root = chart()
    targets = [e for e in root.iter() if e.get("data-target")]
    assert len(targets) == 1
    line = targets[0]
    assert line.get("stroke-dasharray") == "8 5"
    assert float(line.get("y1", 0)) == float(line.get("y2", 1)) == pytest.approx(y_of(85))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Target 85.0%" in texts
    # The categories and the value axis are labelled too.
    assert all(month in texts for month in MONTHS)
    assert {"0%", "20%", "100%"} <= set(texts)


def test_the_legend_names_every_series_once() -> None:
    texts = [t.text for t in chart().iter("{http://www.w3.org/2000/svg}text")]
    assert texts.count("Alder <Care>") == 1 and texts.count("Birch") == 1


def test_without_a_maximum_the_axis_ends_at_a_round_number_above_the_values() -> None:
    svg = line_chart_svg(
        ["a", "b"], [Line("s", (Decimal(3), Decimal(17)))], title="t", description="d"
    )
    texts = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert "20" in texts and "25" not in texts  # steps of 5 (nice_step), up to 20


def test_one_category_is_drawn_in_the_middle_as_a_marker() -> None:
    svg = line_chart_svg(["Jun"], [Line("s", (Decimal(40),))], title="t", description="d")
    root = ET.fromstring(svg)
    assert not list(root.iter("{http://www.w3.org/2000/svg}polyline"))
    (circle,) = [e for e in root.iter("{http://www.w3.org/2000/svg}circle") if e.get("data-point")]
    # No target: the plot runs from 60 to 736, so the middle is 398.
    assert float(circle.get("cx", 0)) == 398.0


def test_the_same_inputs_give_the_same_svg_and_bad_inputs_are_errors() -> None:
    assert line_chart_svg(MONTHS, LINES, title="t", description="d") == line_chart_svg(
        MONTHS, LINES, title="t", description="d"
    )
    with pytest.raises(ValueError, match="'short' has 1 values for 4 categories"):
        line_chart_svg(MONTHS, [Line("short", (Decimal(1),))], title="t", description="d")
    with pytest.raises(ValueError):
        line_chart_svg([], LINES, title="t", description="d")
    with pytest.raises(ValueError):
        line_chart_svg(MONTHS, [], title="t", description="d")
