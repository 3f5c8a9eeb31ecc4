"""Line charts as SVG text: one line per series over ordered categories (months, say).

The companion of :mod:`carecore.reports.charts` and :mod:`carecore.reports.bar_charts`, with
the same accessibility rules and palette: an ``<svg role="img">`` named by its ``<title>``,
its numbers stated in ``<desc>`` (:func:`describe_lines`, the text summary a screen reader
reads), and a visible legend. Colour is never the only cue: each series also has its own
marker shape (circle, square, triangle, diamond, downward triangle, in turn), shown on its
legend swatch, and every point carries a ``<title>`` with its series, category and value.
A missing value leaves a gap in its line rather than joining its neighbours, so nothing is
drawn that was not measured. An optional target is a dashed line labelled in words. The
output depends only on the arguments.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from carecore.reports.charts import GRID, TEXT, fmt, legend, nice_step, series_colours, svg_text
from carecore.reports.charts import svg_document as _svg_document

_LEFT = 60  # px left of the plot, for the value axis
_RIGHT = 24
_TOP = 16
_PLOT_HEIGHT = 220
_INSET = 24  # px between the plot's edges and the first and last categories
_AXIS_HEIGHT = 34  # category labels under the plot
_LEGEND_ROW = 24
_MARKER = 5.0  # px, half the width of a marker
_TARGET_LABEL_WIDTH = 100  # px right of the plot for the target's label, when there is one
SHAPES = ("circle", "square", "triangle", "diamond", "down")


@dataclass(frozen=True)
class Line:
    """One series: its name (in the legend) and a value per category, None for no value."""

    name: str
    values: tuple[Decimal | None, ...]


def _value(value: Decimal | None, unit: str, places: int) -> str:
    return "no figure" if value is None else f"{value:,.{places}f}{unit}"


def describe_lines(
    categories: Sequence[str],
    lines: Sequence[Line],
    *,
    unit: str = "",
    places: int = 1,
    target: Decimal | None = None,
    target_label: str = "Target",
) -> str:
    """A sentence per series giving every category's value, then the target, for ``<desc>``."""
    sentences = []
    for line in lines:
        pieces = ", ".join(
            f"{category} {_value(value, unit, places)}"
            for category, value in zip(categories, line.values, strict=True)
        )
        sentences.append(f"{line.name}: {pieces}.")
    if target is not None:
        sentences.append(f"{target_label} (dashed line): {_value(target, unit, places)}.")
    return " ".join(sentences)


def _marker(shape: str, x: float, y: float, fill: str, *, r: float = _MARKER) -> tuple[str, str]:
    """The opening of a marker element of ``shape`` centred on (x, y), and its tag name."""
    if shape == "circle":
        return f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{fmt(r)}" fill="{fill}"', "circle"
    if shape == "square":
        side = fmt(2 * r)
        return (
            f'<rect x="{fmt(x - r)}" y="{fmt(y - r)}" width="{side}" height="{side}" fill="{fill}"',
            "rect",
        )
    if shape == "triangle":
        points = [(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)]
    elif shape == "down":
        points = [(x, y + r + 1), (x + r + 1, y - r), (x - r - 1, y - r)]
    else:  # diamond
        points = [(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)]
    joined = " ".join(f"{fmt(a)},{fmt(b)}" for a, b in points)
    return f'<polygon points="{joined}" fill="{fill}"', "polygon"


def _point(shape: str, x: float, y: float, colour: str, label: str) -> str:
    # A white edge keeps overlapping markers apart; the title names the point.
    opening, tag = _marker(shape, x, y, colour)
    return (
        f'{opening} stroke="#ffffff" stroke-width="1.5" data-point="{escape(label)}">'
        f"<title>{escape(label)}</title></{tag}>"
    )


_SWATCH = re.compile(r'<rect x="([0-9.]+)" y="([0-9.]+)" width="16" height="16"')


def _legend(names: list[str], width: int, top: float) -> tuple[list[str], int]:
    """The shared legend, with each series' marker shape drawn in white on its swatch, so
    the legend can be read without telling colours apart."""
    parts, rows = legend(names, {}, width, top)
    shapes = []
    for index, found in enumerate(m for m in map(_SWATCH.match, parts) if m):
        x, y = float(found.group(1)) + 8, float(found.group(2)) + 8
        opening, tag = _marker(SHAPES[index % len(SHAPES)], x, y, "#ffffff", r=4.0)
        shapes.append(f"{opening}></{tag}>")
    return parts + shapes, rows


def _runs(values: Sequence[float | None]) -> list[list[int]]:
    """Indexes of the unbroken runs of values (a None ends a run)."""
    runs: list[list[int]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(index)
    return [run for run in runs if run]


def _axis_max(lines: Sequence[Line], y_max: Decimal | None, target: Decimal | None) -> float:
    if y_max is not None:
        return float(y_max)
    values = [float(v) for line in lines for v in line.values if v is not None]
    largest = max([*values, float(target) if target is not None else 0.0, 0.0])
    step = nice_step(largest)
    return step * math.ceil(largest / step) if largest > 0 else step


def _grid(axis_max: float, scale: float, plot_right: float, bottom: float, unit: str) -> list[str]:
    step = nice_step(axis_max)
    parts, tick = [], 0.0
    while tick <= axis_max + 1e-9:
        y = bottom - tick * scale
        parts.append(
            f'<line x1="{_LEFT}" y1="{fmt(y)}" x2="{fmt(plot_right)}" y2="{fmt(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            svg_text(_LEFT - 8, y + 4, f"{tick:g}{unit}", text_anchor="end", font_size="12")
        )
        tick += step
    return parts


def _target(y: float, plot_right: float, label: str) -> list[str]:
    """The dashed target line across the plot, labelled in words just right of it."""
    return [
        f'<line x1="{_LEFT}" y1="{fmt(y)}" x2="{fmt(plot_right)}" y2="{fmt(y)}" stroke="{TEXT}" '
        'stroke-width="2" stroke-dasharray="8 5" data-target="true"/>',
        svg_text(plot_right + 6, y + 4, label, font_size="12", font_weight="bold"),
    ]


def _series(
    line: Line, index: int, colour: str, xs: list[float], ys: list[float | None], labels: list[str]
) -> list[str]:
    """A series' line (broken where a value is missing) and its markers."""
    parts = []
    for run in _runs(ys):
        if len(run) > 1:
            points = " ".join(f"{fmt(xs[i])},{fmt(y)}" for i in run if (y := ys[i]) is not None)
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" '
                f'stroke-width="2.5" data-series="{escape(line.name)}"/>'
            )
    shape = SHAPES[index % len(SHAPES)]
    for x, y, label in zip(xs, ys, labels, strict=True):
        if y is not None:
            parts.append(_point(shape, x, y, colour, label))
    return parts


def line_chart_svg(
    categories: Sequence[str],
    lines: Sequence[Line],
    *,
    title: str,
    description: str,
    chart_id: str = "chart",
    width: int = 760,
    unit: str = "",
    places: int = 1,
    y_max: Decimal | None = None,
    target: Decimal | None = None,
    target_label: str = "Target",
) -> str:
    """A line chart of ``lines`` over ``categories`` (left to right) as SVG text.

    The value axis runs from 0 to ``y_max`` (for shares, 100) or else to a round number
    above the largest value and the target. ``target`` draws a dashed horizontal line
    labelled ``target_label`` and its value. Each line must have one value per category.
    ``chart_id`` must be unique on the page (it prefixes the title's and description's ids).
    """
    if not categories:
        raise ValueError("a line chart needs at least one category")
    if not lines:
        raise ValueError("a line chart needs at least one line")
    for line in lines:
        if len(line.values) != len(categories):
            raise ValueError(
                f"line {line.name!r} has {len(line.values)} values for {len(categories)} categories"
            )
    axis_max = _axis_max(lines, y_max, target)
    bottom = _TOP + _PLOT_HEIGHT
    scale = _PLOT_HEIGHT / axis_max
    plot_right = width - _RIGHT - (_TARGET_LABEL_WIDTH if target is not None else 0)
    left, right = _LEFT + _INSET, plot_right - _INSET
    count = len(categories)
    xs = (
        [left + i * (right - left) / (count - 1) for i in range(count)]
        if count > 1
        else [(left + right) / 2]
    )
    body = _grid(axis_max, scale, plot_right, bottom, unit)
    for x, category in zip(xs, categories, strict=True):
        body.append(svg_text(x, bottom + 20, category, text_anchor="middle", font_size="12"))
    if target is not None:
        label = f"{target_label} {_value(target, unit, places)}"
        body += _target(bottom - float(target) * scale, plot_right, label)
    colours = series_colours([line.name for line in lines])
    for index, line in enumerate(lines):
        ys = [None if v is None else bottom - float(v) * scale for v in line.values]
        labels = [
            f"{line.name}: {category} {_value(value, unit, places)}"
            for category, value in zip(categories, line.values, strict=True)
        ]
        body += _series(line, index, colours[line.name], xs, ys, labels)
    legend_top = bottom + _AXIS_HEIGHT + 8
    swatches, rows = _legend([line.name for line in lines], width, legend_top)
    body += swatches
    return _svg_document(
        body,
        width=width,
        height=legend_top + rows * _LEGEND_ROW,
        chart_id=chart_id,
        title=title,
        description=description,
    )
