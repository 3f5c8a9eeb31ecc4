"""Charts as SVG text: pure Python, deterministic, accessible.

Every chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``
(which states the numbers, for screen readers), carries a visible legend, and never relies on
colour alone: segments follow the legend's order, are split by white rules and are labelled
with their values where they are wide enough. Pages show the same numbers in a table.

The output depends only on the arguments (no clock, no randomness, fixed number formatting),
so the same inputs always give byte-identical SVG.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

# GOV.UK Frontend colours dark enough for white text (4.5:1) and against white (3:1).
PALETTE = (
    "#1d70b8",  # blue
    "#00703c",  # green
    "#4c2c92",  # purple
    "#d4351c",  # red
    "#912b88",  # pink
    "#505a5f",  # dark grey
    "#003078",  # dark blue
    "#0b0c0c",  # black
)
TEXT = "#0b0c0c"
GRID = "#b1b4b6"
FONT = "arial, sans-serif"

_LABEL_WIDTH = 110  # px left of the bars, for the bar names
_TOTAL_WIDTH = 80  # px right of the bars, for the totals
_BAR_HEIGHT = 32
_BAR_GAP = 18
_TOP = 16
_AXIS_HEIGHT = 30
_LEGEND_ROW = 24
_MIN_LABELLED_WIDTH = 44  # px: narrower segments are not labelled (the table has the values)


@dataclass(frozen=True)
class StackedBar:
    """One bar: a label, its segments (name, value) in legend order, and the total to print."""

    label: str
    segments: tuple[tuple[str, Decimal], ...]
    total: Decimal | None = None

    def stacked(self) -> Decimal:
        """The sum of the segments (what the bar's length shows)."""
        return sum((value for _, value in self.segments), Decimal(0))


def money(value: Decimal) -> str:
    """Pounds to the penny for labels: ``£12.30``."""
    return f"£{value:,.2f}"


def series_colours(names: Sequence[str]) -> dict[str, str]:
    """The colour of each series name, in order (the palette repeats after eight)."""
    return {name: PALETTE[index % len(PALETTE)] for index, name in enumerate(names)}


def nice_step(maximum: float, *, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` grid lines."""
    if maximum <= 0:
        return 1.0
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _series(bars: Sequence[StackedBar]) -> list[str]:
    names: list[str] = []
    for bar in bars:
        for name, _ in bar.segments:
            if name not in names:
                names.append(name)
    return names


def fmt(number: float) -> str:
    """A coordinate to one decimal place, as every chart writes them."""
    return f"{number:.1f}"


def svg_text(x: float, y: float, content: str, **attributes: str) -> str:
    """An escaped ``<text>``; attribute names take ``_`` for ``-`` (``font_size``)."""
    extra = "".join(f' {key.replace("_", "-")}="{value}"' for key, value in attributes.items())
    return f'<text x="{fmt(x)}" y="{fmt(y)}"{extra}>{escape(content)}</text>'


def legend(
    names: Sequence[str], labels: dict[str, str], width: int, top: float
) -> tuple[list[str], int]:
    """Swatches with their names, wrapped into rows that fit ``width``; and the row count."""
    colours = series_colours(names)
    parts: list[str] = []
    x, y, rows = 0.0, top, 1
    for name in names:
        label = labels.get(name, name)
        item_width = 26 + 7.2 * len(label) + 18  # swatch, text at ~7.2px a character, gap
        if x > 0 and x + item_width > width:
            x, y, rows = 0.0, y + _LEGEND_ROW, rows + 1
        parts.append(
            f'<rect x="{fmt(x)}" y="{fmt(y)}" width="16" height="16" '
            f'fill="{colours[name]}" stroke="{TEXT}" stroke-width="1"/>'
        )
        parts.append(svg_text(x + 22, y + 13, label, font_size="14"))
        x += item_width
    return parts, rows


def _bar(
    bar: StackedBar,
    y: float,
    scale: float,
    colours: dict[str, str],
    labels: dict[str, str],
) -> list[str]:
    parts = [
        svg_text(_LABEL_WIDTH - 10, y + _BAR_HEIGHT / 2 + 5, bar.label, text_anchor="end"),
    ]
    x = float(_LABEL_WIDTH)
    for name, value in bar.segments:
        length = float(value) * scale
        if length <= 0:
            continue
        parts.append(
            f'<rect x="{fmt(x)}" y="{fmt(y)}" width="{fmt(length)}" height="{_BAR_HEIGHT}" '
            f'fill="{colours[name]}" stroke="#ffffff" stroke-width="1">'
            f"<title>{escape(f'{bar.label}: {labels.get(name, name)} {money(value)}')}</title>"
            "</rect>"
        )
        if length >= _MIN_LABELLED_WIDTH:
            parts.append(
                svg_text(
                    x + length / 2,
                    y + _BAR_HEIGHT / 2 + 4,
                    money(value),
                    text_anchor="middle",
                    font_size="12",
                    fill="#ffffff",
                )
            )
        x += length
    total = bar.total if bar.total is not None else bar.stacked()
    # A white halo keeps the total readable where it crosses a grid line.
    parts.append(
        svg_text(
            x + 8,
            y + _BAR_HEIGHT / 2 + 5,
            money(total),
            font_weight="bold",
            stroke="#ffffff",
            stroke_width="4",
            paint_order="stroke",
        )
    )
    return parts


def _axis(maximum: float, scale: float, top: float, bottom: float) -> list[str]:
    step = nice_step(maximum)
    parts, tick = [], 0.0
    while tick <= maximum + 1e-9:
        x = _LABEL_WIDTH + tick * scale
        parts.append(
            f'<line x1="{fmt(x)}" y1="{fmt(top)}" x2="{fmt(x)}" y2="{fmt(bottom)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(svg_text(x, bottom + 18, f"£{tick:g}", text_anchor="middle", font_size="12"))
        tick += step
    return parts


def stacked_bar_svg(
    bars: Sequence[StackedBar],
    *,
    title: str,
    description: str,
    chart_id: str = "chart",
    width: int = 760,
    series_labels: dict[str, str] | None = None,
) -> str:
    """A horizontal stacked bar chart of money (£) as SVG text.

    ``bars`` are drawn top to bottom; each segment's length is its value in pounds. Bars end
    with their ``total`` (or the sum of the segments). ``series_labels`` maps segment names to
    the words shown in the legend. ``chart_id`` must be unique on the page (it prefixes the
    ids of the title and description).
    """
    if not bars:
        raise ValueError("a chart needs at least one bar")
    labels = series_labels or {}
    names = _series(bars)
    colours = series_colours(names)
    largest = max(float(max(bar.stacked(), bar.total or Decimal(0))) for bar in bars)
    step = nice_step(largest)
    axis_max = step * math.ceil(largest / step) if largest > 0 else step
    plot_width = width - _LABEL_WIDTH - _TOTAL_WIDTH
    scale = plot_width / axis_max
    bars_bottom = _TOP + len(bars) * (_BAR_HEIGHT + _BAR_GAP) - _BAR_GAP
    legend_top = bars_bottom + _AXIS_HEIGHT + 12
    swatches, legend_rows = legend(names, labels, width, legend_top)
    height = legend_top + legend_rows * _LEGEND_ROW
    body = _axis(axis_max, scale, _TOP - 6, bars_bottom + 6)
    for index, bar in enumerate(bars):
        body += _bar(bar, _TOP + index * (_BAR_HEIGHT + _BAR_GAP), scale, colours, labels)
    body += swatches
    return svg_document(
        body, width=width, height=height, chart_id=chart_id, title=title, description=description
    )


def svg_document(
    body: Sequence[str], *, width: int, height: float, chart_id: str, title: str, description: str
) -> str:
    """The accessible ``<svg>`` around a chart's ``body``: role=img, labelled by its title and
    description (``chart_id`` must be unique on the page)."""
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
            f'height="{fmt(height)}" viewBox="0 0 {width} {fmt(height)}" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'font-family="{FONT}" font-size="14" fill="{TEXT}">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
            *body,
            "</svg>",
        ]
    )


def describe_stacked_bars(bars: Sequence[StackedBar], labels: dict[str, str]) -> str:
    """A sentence per bar listing its segments and total, for the chart's ``<desc>``."""
    sentences = []
    for bar in bars:
        pieces = ", ".join(
            f"{labels.get(name, name)} {money(value)}" for name, value in bar.segments
        )
        total = bar.total if bar.total is not None else bar.stacked()
        sentences.append(f"{bar.label}: {money(total)} in all ({pieces}).")
    return " ".join(sentences)
