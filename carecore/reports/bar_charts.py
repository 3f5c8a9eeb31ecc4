"""Horizontal grouped bar charts as SVG text, for counts and hours (not money).

The companion of :mod:`carecore.reports.charts` (whose stacked bars are in pounds), with the
same accessibility rules and palette: ``<svg role="img">`` named by its ``<title>``, its
numbers stated in ``<desc>``, a visible legend, every bar labelled with its value so colour
is never the only cue. With one series it is a plain bar chart; with several each category
gets one bar a series, side by side, in legend order. Output depends only on the arguments.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from carecore.reports.charts import (
    GRID,
    fmt,
    legend,
    nice_step,
    series_colours,
    svg_document,
)

_LABEL_WIDTH = 170  # px left of the bars, for category names
_VALUE_WIDTH = 80  # px right of the longest bar, for its value
_BAR_HEIGHT = 20
_GROUP_GAP = 14
_TOP = 12
_AXIS_HEIGHT = 28
_LEGEND_ROW = 24


@dataclass(frozen=True)
class BarGroup:
    """One category: its label and a value per series (series name, value) in legend order."""

    label: str
    values: tuple[tuple[str, Decimal], ...]


def number(value: Decimal | float, unit: str = "", places: int = 1) -> str:
    """A value for labels: thousands separated, ``places`` decimals, then the unit."""
    text = f"{float(value):,.{places}f}"
    return f"{text}{unit}"


def _text(x: float, y: float, content: str, extra: str = "") -> str:
    return f'<text x="{fmt(x)}" y="{fmt(y)}"{extra}>{escape(content)}</text>'


def describe_groups(groups: Sequence[BarGroup], unit: str = "", places: int = 1) -> str:
    """A sentence per category with each series' value, for the chart's ``<desc>``."""
    return " ".join(
        f"{g.label}: "
        + ", ".join(f"{name} {number(value, unit, places)}" for name, value in g.values)
        + "."
        for g in groups
    )


def bar_chart_svg(
    groups: Sequence[BarGroup],
    *,
    title: str,
    description: str,
    chart_id: str = "chart",
    width: int = 760,
    unit: str = "",
    places: int = 1,
) -> str:
    """A horizontal (grouped) bar chart; ``chart_id`` must be unique on the page."""
    if not groups:
        raise ValueError("a chart needs at least one category")
    names: list[str] = []
    for group in groups:
        for name, _ in group.values:
            if name not in names:
                names.append(name)
    colours = series_colours(names)
    largest = max((float(v) for g in groups for _, v in g.values), default=0.0)
    step = nice_step(largest)
    axis_max = step * math.ceil(largest / step) if largest > 0 else step
    # Category names sit left of the bars; widen that column for long names (about 7.5 px a
    # character at the default size) so none is cut off, up to 45% of the chart.
    longest = max(len(group.label) for group in groups)
    label_width = min(max(_LABEL_WIDTH, 16 + 7.5 * longest), 0.45 * width)
    scale = (width - label_width - _VALUE_WIDTH) / axis_max
    group_height = len(names) * _BAR_HEIGHT
    bottom = _TOP + len(groups) * (group_height + _GROUP_GAP) - _GROUP_GAP
    body: list[str] = []
    tick = 0.0
    while tick <= axis_max + 1e-9:
        x = label_width + tick * scale
        body.append(
            f'<line x1="{fmt(x)}" y1="{fmt(_TOP - 4)}" x2="{fmt(x)}" y2="{fmt(bottom + 4)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(
            _text(x, bottom + 20, f"{tick:g}{unit}", ' text-anchor="middle" font-size="12"')
        )
        tick += step
    for index, group in enumerate(groups):
        y = _TOP + index * (group_height + _GROUP_GAP)
        body.append(
            _text(label_width - 8, y + group_height / 2 + 5, group.label, ' text-anchor="end"')
        )
        values = dict(group.values)
        for row, name in enumerate(names):
            if name not in values:
                continue
            value = values[name]
            length = max(float(value) * scale, 0.0)
            top = y + row * _BAR_HEIGHT
            label = number(value, unit, places)
            body.append(
                f'<rect x="{fmt(label_width)}" y="{fmt(top + 1)}" width="{fmt(length)}" '
                f'height="{_BAR_HEIGHT - 2}" fill="{colours[name]}">'
                f"<title>{escape(f'{group.label}: {name} {label}')}</title></rect>"
            )
            body.append(
                _text(label_width + length + 6, top + _BAR_HEIGHT / 2 + 5, label, ' font-size="12"')
            )
    legend_top = bottom + _AXIS_HEIGHT + 8
    swatches, rows = legend(names, {}, width, legend_top)
    body += swatches
    height = legend_top + rows * _LEGEND_ROW
    return svg_document(
        body, width=width, height=height, chart_id=chart_id, title=title, description=description
    )
