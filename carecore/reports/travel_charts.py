"""Charts of what travel does to prices: card against derived price per band, and the share
of paid time spent travelling.

Built like the committee report's charts (:mod:`carecore.reports.committee_charts`): matplotlib
on the Agg backend, text kept as text, an ``<svg role="img">`` named by a ``<title>`` and a
``<desc>`` that states every number, colour never the only cue (hatching and printed values),
and output that depends only on the arguments. Each function returns the SVG text.
Money is drawn from floats but every figure printed comes from the exact ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from carecore.reports.committee_charts import (
    HATCHES,
    OKABE_ITO,
    TEXT,
    percent_bars,
    render_chart,
)
from carecore.rostering.band_prices import BandComparison
from carecore.rostering.round_stats import RoundTotals

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DIFFERENCE_COLOUR = "#D55E00"  # Okabe-Ito vermilion, apart from the two bar colours


def _pounds(amount: object) -> str:
    return f"£{amount:,.2f}"


def _difference_words(row: BandComparison) -> str:
    sign = "+" if row.difference > 0 else "−" if row.difference < 0 else "±"
    verdict = "matches" if row.verdict == "matches" else f"card {row.verdict}"
    return f"{sign}£{abs(row.difference):,.2f}: {verdict}"


def price_comparison_chart(comparisons: Sequence[BandComparison]) -> str:
    """Bars of the card's price and the price derived from rounds (£ per contact hour) for
    each band, each pair marked with the difference (derived minus card) and the verdict."""
    if not comparisons:
        raise ValueError("a price comparison chart needs at least one band")
    bands = [row.band for row in comparisons]
    title = "Rate card price against the price derived from carers' rounds, by band"
    description = (
        " ".join(
            f"{row.band}: card {_pounds(row.card_price)}, derived {_pounds(row.derived_price)}; "
            f"derived minus card {_difference_words(row)} "
            f"({row.difference_percent}% of the card price)."
            for row in comparisons
        )
        + f" Differences within {_pounds(comparisons[0].tolerance)} count as matching."
    )

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        width = 0.38
        series = (
            ("Rate card", [float(row.card_price) for row in comparisons], -width / 2),
            ("Derived from rounds", [float(row.derived_price) for row in comparisons], width / 2),
        )
        for index, (name, heights, shift) in enumerate(series):
            bars = axes.bar(
                [i + shift for i in range(len(bands))],
                heights,
                width,
                label=name,
                color=OKABE_ITO[index],
                hatch=HATCHES[index],
                edgecolor=TEXT,
                linewidth=0.6,
            )
            axes.bar_label(bars, labels=[f"£{h:,.2f}" for h in heights], padding=2, fontsize=8)
        top = max(max(float(r.card_price), float(r.derived_price)) for r in comparisons)
        gap, bracket = top * 0.07, top * 1.14
        for i, row in enumerate(comparisons):
            # A bracket from above one bar's value to above the other's marks the pair; the
            # words on it give the difference and the verdict.
            axes.plot(
                [i - width / 2, i - width / 2, i + width / 2, i + width / 2],
                [
                    float(row.card_price) + gap,
                    bracket,
                    bracket,
                    float(row.derived_price) + gap,
                ],
                color=DIFFERENCE_COLOUR,
                linewidth=1.2,
            )
            axes.annotate(
                _difference_words(row),
                (i, bracket),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
                color=TEXT,
            )
        axes.set_xticks(range(len(bands)), bands)
        axes.set_ylim(0, top * 1.3)
        axes.set_ylabel("Pounds per contact hour")
        axes.legend(
            frameon=False, fontsize=9, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.1)
        )

    return render_chart("chart-band-prices", title, description, draw).svg


def travel_share_chart(totals_by_band: Mapping[str, RoundTotals]) -> str:
    """One bar a band of paid time (contact + travel + waiting) split into its three parts, in
    percent, with travel's share printed: how much of a carer's working time the band's
    geography takes."""
    if not totals_by_band:
        raise ValueError("a travel share chart needs at least one band")
    bands = list(totals_by_band)
    parts = (
        ("Contact", "contact_share_of_paid_time"),
        ("Travel", "travel_share_of_paid_time"),
        ("Waiting", "waiting_share_of_paid_time"),
    )
    shares = {
        name: [Decimal(getattr(totals_by_band[band], share)) * 100 for band in bands]
        for name, share in parts
    }
    title = "Share of carers' paid time spent travelling, by band"
    description = " ".join(
        f"{band}: travel {shares['Travel'][i]:.1f}% of paid time "
        f"(contact {shares['Contact'][i]:.1f}%, waiting {shares['Waiting'][i]:.1f}%)."
        for i, band in enumerate(bands)
    )

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        percent_bars(
            axes, bands, [(name, [float(v) for v in shares[name]]) for name, _ in parts], places=1
        )
        axes.set_xlabel("Share of paid time (%)")
        axes.legend(
            frameon=False, fontsize=9, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.2)
        )

    return render_chart("chart-travel-share", title, description, draw, height=3.2).svg
