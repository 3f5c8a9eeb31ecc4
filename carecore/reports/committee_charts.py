"""The committee report's charts: matplotlib figures as accessible, deterministic SVG text.

Each chart is an ``<svg role="img">`` labelled by a ``<title>`` and a ``<desc>`` that states
its numbers, so a screen reader gets what the picture shows. Colour is never the only cue:
series differ by hatching or marker as well as by colour (the Okabe-Ito palette, safe for
the common colour-vision deficiencies) and bars carry their values. Text stays text
(``svg.fonttype = "none"``), so it is searchable and scales.

Output depends only on the arguments: matplotlib's SVG ids come from ``svg.hashsalt`` (set
per chart, which also keeps ids unique when several charts share a page) and no date is
written into the metadata. matplotlib is imported inside the functions so that importing
:mod:`carecore.reports` stays light.

Intervals are the 95% t-intervals of :class:`carecore.market.Estimate`, drawn as error bars
and cut at zero, since none of these figures can be negative.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from carecore.market.results import Comparison, Estimate

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Okabe & Ito (2008): distinguishable with protanopia, deuteranopia and tritanopia.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
LINESTYLES = ("-", "--", "-.", ":", "-", "--", "-.")
TEXT = "#0b0c0c"
FONT = ["Arial", "Helvetica", "DejaVu Sans", "sans-serif"]
WIDTH_INCHES = 7.5

#: A sweep: (parameter value, comparison at that value) pairs, in the order to draw them.
Sweep = Sequence[tuple[Any, Comparison]]


@dataclass(frozen=True)
class Chart:
    """One chart: its id on the page, the words that name and describe it, and its SVG."""

    chart_id: str
    title: str
    description: str
    svg: str


def value(estimate: Estimate) -> float:
    """The mean as a float for drawing (0 when undefined); money stays exact elsewhere."""
    return 0.0 if estimate.mean is None else float(estimate.mean)


def error(estimate: Estimate) -> tuple[float, float]:
    """Distances below and above the mean to the interval's ends, the lower cut at zero."""
    if estimate.mean is None or estimate.low is None or estimate.high is None:
        return 0.0, 0.0
    mean = float(estimate.mean)
    return mean - max(0.0, float(estimate.low)), float(estimate.high) - mean


def interval_words(estimate: Estimate, fmt: Callable[[float], str]) -> str:
    """``1.20 (0.90 to 1.50)``: the mean and its interval (cut at zero), for descriptions."""
    if estimate.mean is None:
        return "no figure"
    if estimate.low is None or estimate.high is None:
        return fmt(float(estimate.mean))
    low = max(0.0, float(estimate.low))
    return f"{fmt(float(estimate.mean))} ({fmt(low)} to {fmt(float(estimate.high))})"


def days(number: float) -> str:
    return f"{number:,.2f} days"


def pounds(number: float) -> str:
    return f"£{number:,.2f}"


def millions(number: float) -> str:
    return f"£{number:,.2f}m"


def percent(number: float) -> str:
    return f"{number:.1f}%"


def _style() -> Any:
    return {
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.sans-serif": FONT,
        "font.size": 10,
        "text.color": TEXT,
        "axes.labelcolor": TEXT,
        "axes.edgecolor": TEXT,
        "xtick.color": TEXT,
        "ytick.color": TEXT,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "hatch.color": "#ffffff",
        "hatch.linewidth": 1.2,
        "path.simplify": False,
    }


def render_chart(
    chart_id: str,
    title: str,
    description: str,
    draw: Callable[[Figure], None],
    *,
    height: float = 3.6,
) -> Chart:
    """Draw a figure with the report's style and return it as accessible SVG text."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    with matplotlib.rc_context({**_style(), "svg.hashsalt": f"committee-{chart_id}"}):
        figure = Figure(figsize=(WIDTH_INCHES, height))
        draw(figure)
        figure.tight_layout()
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return Chart(
        chart_id, title, description, _accessible(out.getvalue(), chart_id, title, description)
    )


def _accessible(svg: str, chart_id: str, title: str, description: str) -> str:
    """Strip the XML prologue and metadata (for inline use) and name the chart for readers."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    # matplotlib numbers its ids per figure (figure_1, axes_1): prefix them so that several
    # charts on one page never share an id.
    svg = re.sub(r'(\bid="|url\(#|href="#)', rf"\g<1>{chart_id}-", svg)
    opening = svg[: svg.index(">") + 1]
    labelled = opening[:-1] + (
        f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">'
    )
    heading = (
        f'\n <title id="{chart_id}-title">{escape(title)}</title>'
        f'\n <desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    return labelled + heading + svg[len(opening) :].rstrip() + "\n"


def _wrapped(labels: Sequence[str]) -> list[str]:
    """Long model names on two or three lines, so tick labels never run into each other."""
    return [textwrap.fill(label, 16) for label in labels]


def _grouped_bars(
    axes: Axes,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Estimate]]],
    fmt: Callable[[float], str],
    scale: float = 1.0,
) -> None:
    """Bars for each label, one a series side by side, with error bars; each bar's value is
    written above its error bar, so the number never sits on a line."""
    count = len(series)
    width = 0.8 / count
    tops: list[float] = []
    for index, (name, estimates) in enumerate(series):
        positions = [i + (index - (count - 1) / 2) * width for i in range(len(labels))]
        heights = [value(e) * scale for e in estimates]
        below = [error(e)[0] * scale for e in estimates]
        above = [error(e)[1] * scale for e in estimates]
        axes.bar(
            positions,
            heights,
            width,
            label=name,
            color=OKABE_ITO[index % len(OKABE_ITO)],
            hatch=HATCHES[index % len(HATCHES)],
            edgecolor=TEXT,
            linewidth=0.6,
            yerr=[below, above],
            capsize=3,
            error_kw={"elinewidth": 1, "ecolor": TEXT},
        )
        for x, height, up, estimate in zip(positions, heights, above, estimates, strict=True):
            axes.annotate(
                "none" if estimate.mean is None else fmt(height),
                (x, height + up),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
            )
            tops.append(height + up)
    axes.set_xticks(range(len(labels)), _wrapped(labels))
    axes.set_ylim(0, max([*tops, 0.0]) * 1.15 or 1.0)
    if count > 1:
        axes.legend(frameon=False, fontsize=9)


def _describe(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Estimate]]],
    fmt: Callable[[float], str],
) -> str:
    sentences = []
    for position, label in enumerate(labels):
        parts = ", ".join(f"{name} {interval_words(ests[position], fmt)}" for name, ests in series)
        sentences.append(f"{label}: {parts}.")
    return " ".join(sentences)


def waits_chart(comparison: Comparison, names: dict[str, str] | None = None) -> Chart:
    """Days to place a package by model: the median and the 90th percentile, with intervals."""
    models, labels = _models(comparison, names)
    series = [
        ("Median", [comparison.summary(m)["median_days_to_place"] for m in models]),
        ("90th percentile", [comparison.summary(m)["p90_days_to_place"] for m in models]),
    ]
    title = "Days to place a package, by delivery model"

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        _grouped_bars(axes, labels, series, lambda n: f"{n:.1f}")
        axes.set_ylabel("Days from request to placement")

    return render_chart("chart-waits", title, _describe(labels, series, days), draw)


def rural_urban_chart(comparison: Comparison, names: dict[str, str] | None = None) -> Chart:
    """Median days to place in rural against urban areas, by model, with intervals."""
    models, labels = _models(comparison, names)
    series = [
        ("Urban and fringe", [comparison.summary(m)["median_days_urban"] for m in models]),
        ("Rural and isolated", [comparison.summary(m)["median_days_rural"] for m in models]),
    ]
    title = "Median days to place, rural against urban areas, by delivery model"

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        _grouped_bars(axes, labels, series, lambda n: f"{n:.2f}")
        axes.set_ylabel("Median days to place")

    return render_chart("chart-rural", title, _describe(labels, series, days), draw)


def percent_bars(
    axes: Any, labels: Sequence[str], parts: Sequence[tuple[str, Sequence[float]]], *, places: int
) -> None:
    """Horizontal bars of percentages stacked part by part (one bar a label), hatched as well
    as coloured, each segment wide enough printing its value to ``places`` decimals; the first
    label at the top and the axis from 0 to 100."""
    left = [0.0] * len(labels)
    for index, (name, values) in enumerate(parts):
        widths = [float(v) for v in values]
        bars = axes.barh(
            labels,
            widths,
            left=left,
            label=name,
            color=OKABE_ITO[index % len(OKABE_ITO)],
            hatch=HATCHES[index % len(HATCHES)],
            edgecolor=TEXT,
            linewidth=0.6,
        )
        # Only segments wide enough to hold their label carry it; the text has them all.
        axes.bar_label(
            bars,
            labels=[f"{w:.{places}f}%" if w >= 6 else "" for w in widths],
            label_type="center",
            fontsize=8,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "linewidth": 0},
        )
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.set_xlim(0, 100)
    axes.invert_yaxis()


def tier_chart(comparison: Comparison, names: dict[str, str] | None = None) -> Chart:
    """The share of new placements by the tier that took them, one stacked bar a model."""
    models, labels = _models(comparison, names)
    tiers = tier_order(comparison)
    shares = {m: tier_shares(comparison, m) for m in models}
    title = "Share of new placements by tier, by delivery model"
    sentences = [
        f"{label}: "
        + ", ".join(f"{tier_name(t)} {percent(shares[m].get(t, 0.0))}" for t in tiers)
        + "."
        for m, label in zip(models, labels, strict=True)
    ]

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        percent_bars(
            axes,
            _wrapped(labels),
            [(tier_name(t), [shares[m].get(t, 0.0) for m in models]) for t in tiers],
            places=0,
        )
        axes.set_xlabel("Share of new placements (%)")
        if not tiers:
            axes.text(0.5, 0.5, "No package was placed", ha="center", transform=axes.transAxes)
            axes.set_yticks([])
            return
        axes.legend(
            frameon=False,
            fontsize=9,
            ncols=min(len(tiers), 4),
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
        )

    return render_chart("chart-tiers", title, " ".join(sentences), draw, height=3.2)


def cost_chart(comparison: Comparison, names: dict[str, str] | None = None) -> Chart:
    """Cost per carer hour (pounds) and spend over the horizon (millions), with intervals."""
    models, labels = _models(comparison, names)
    hourly = [("Cost per carer hour", [comparison.summary(m)["cost_per_hour"] for m in models])]
    spend = [("Spend", [comparison.summary(m)["spend_pence"] for m in models])]
    per_million = 1 / 100_000_000  # pence to millions of pounds
    title = "Cost per carer hour and spend over the horizon, by delivery model"
    description = (
        "Cost per carer hour. "
        + _describe(labels, hourly, pounds)
        + " Spend over the horizon. "
        + _describe(labels, spend, lambda n: millions(n * per_million))
    )

    def draw(figure: Figure) -> None:
        left, right = figure.subplots(1, 2)
        _grouped_bars(left, labels, hourly, pounds)
        left.set_ylabel("Pounds per carer hour")
        _grouped_bars(right, labels, spend, lambda n: f"£{n:,.2f}m", scale=per_million)
        right.set_ylabel("Spend, millions of pounds")

    return render_chart("chart-cost", title, description, draw)


def sensitivity_chart(
    sweep: Sweep,
    *,
    parameter: str,
    metric: str = "median_days_rural",
    metric_label: str = "Median days to place, rural areas",
    names: dict[str, str] | None = None,
) -> Chart:
    """A line a model of ``metric`` against the swept parameter, with interval bars."""
    if not sweep:
        raise ValueError("a sensitivity chart needs at least one swept value")
    models, labels = _models(sweep[0][1], names)
    xs = [float(x) for x, _ in sweep]
    title = f"{metric_label}, by {parameter}"
    sentences = []
    for model, label in zip(models, labels, strict=True):
        points = ", ".join(
            f"at {x:g}: {interval_words(c.summary(model)[metric], lambda n: f'{n:,.2f}')}"
            for x, (_, c) in zip(xs, sweep, strict=True)
        )
        sentences.append(f"{label}: {points}.")

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        # Models' points are set a little apart so their interval bars do not hide each other.
        dodge = (max(xs) - min(xs) or 1.0) * 0.008
        for index, (model, label) in enumerate(zip(models, labels, strict=True)):
            estimates = [c.summary(model)[metric] for _, c in sweep]
            shift = (index - (len(models) - 1) / 2) * dodge
            axes.errorbar(
                [x + shift for x in xs],
                [value(e) for e in estimates],
                yerr=[[error(e)[0] for e in estimates], [error(e)[1] for e in estimates]],
                label=label,
                color=OKABE_ITO[index % len(OKABE_ITO)],
                marker=MARKERS[index % len(MARKERS)],
                linestyle=LINESTYLES[index % len(LINESTYLES)],
                capsize=3,
            )
        axes.set_xticks(xs, [f"{x:g}" for x in xs])
        axes.set_xlabel(parameter[:1].upper() + parameter[1:])
        axes.set_ylabel(metric_label)
        axes.set_ylim(bottom=0)
        axes.legend(frameon=False, fontsize=9)

    return render_chart("chart-sensitivity", title, " ".join(sentences), draw)


# --- shared with the report ---------------------------------------------------------------

TIER_NAMES = {
    "prime": "Prime or lead",
    "lead": "Lead",
    "supplementary": "Supplementary",
    "back_up": "Back-up",
    "open": "Open framework",
    "specialist": "Specialist",
    "spot": "Spot purchase",
}


def tier_name(tier: str) -> str:
    return TIER_NAMES.get(tier, tier.replace("_", " ").capitalize())


def tier_order(comparison: Comparison) -> list[str]:
    """The tiers any model placed with, in the order of :data:`TIER_NAMES`, then others."""
    seen = {t for s in comparison.summaries for t, n in s.placements_by_tier.items() if n}
    known = [t for t in TIER_NAMES if t in seen]
    return known + sorted(seen - set(known))


def tier_shares(comparison: Comparison, model: str) -> dict[str, float]:
    """Percent of a model's new placements (summed over replications) by tier."""
    counts = comparison.summary(model).placements_by_tier
    total = sum(counts.values())
    return {t: 100 * n / total for t, n in counts.items()} if total else {}


def _models(comparison: Comparison, names: dict[str, str] | None) -> tuple[list[str], list[str]]:
    models = list(comparison.models)
    return models, [(names or {}).get(m, m) for m in models]
