"""Shaping engine results for the templates: table rows, chart SVG, labels. No rules here."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from carecore.reports.charts import (
    StackedBar,
    describe_stacked_bars,
    stacked_bar_svg,
)

if TYPE_CHECKING:
    from carecore.pricing.cost_of_care import CostOfCareResult

SUBTOTALS = ("direct_cost", "price")


def _label(name: str) -> str:
    from carecore.pricing.cost_of_care import line_label

    return line_label(name)


def cost_of_care_tables(result: CostOfCareResult) -> list[dict[str, Any]]:
    """One table per band: its lines (label, pounds, whether a subtotal) and its price."""
    tables = []
    for code, cost in result.bands.items():
        tables.append(
            {
                "code": code,
                "name": code.title(),
                "price": cost.price_per_contact_hour,
                "travel_minutes": cost.travel_minutes_per_contact_hour,
                "lines": [
                    {
                        "name": name,
                        "label": _label(name),
                        "value": value,
                        "subtotal": name in SUBTOTALS,
                    }
                    for name, value in cost.lines.items()
                ],
            }
        )
    return tables


def cost_of_care_chart(result: CostOfCareResult, *, chart_id: str = "cost-chart") -> dict[str, Any]:
    """The stacked bar chart of each band's price split into its lines, with its legend."""
    bars = [
        StackedBar(
            label=code.title(),
            segments=tuple(cost.components().items()),
            total=cost.price_per_contact_hour,
        )
        for code, cost in result.bands.items()
    ]
    names = [name for name, _ in bars[0].segments]
    labels = {name: _label(name) for name in names}
    description = (
        "Price per contact hour in each band, split into its cost lines. "
        + describe_stacked_bars(bars, labels)
    )
    svg = stacked_bar_svg(
        bars,
        title="Price per contact hour by band, split into its cost lines",
        description=description,
        chart_id=chart_id,
        series_labels=labels,
    )
    return {"svg": svg, "description": description}


def visit_lines(price: Any) -> list[dict[str, Any]]:
    """The visit's price lines for a table, with the carer each belongs to."""
    return [
        {
            "carer": line.carer,
            "description": line.description,
            "amount": line.amount,
        }
        for line in price.lines
    ]


def zone_rows(summary: list[dict[str, Any]], band_codes: list[str]) -> list[dict[str, Any]]:
    """Zones summary rows with the areas per band in the scheme's order (0 where none)."""
    rows = []
    for zone in summary:
        by_band = zone.get("areas_by_band", {})
        rows.append(
            {
                **zone,
                "kind_label": kind_label(str(zone.get("kind", ""))),
                "band_counts": [by_band.get(code, 0) for code in band_codes],
            }
        )
    return rows


def kind_label(kind: str) -> str:
    """``small_town`` -> ``Small town``."""
    return kind.replace("_", " ").capitalize()


def money_or_blank(value: Decimal | str | None) -> str:
    return "" if value in (None, "") else f"£{Decimal(str(value)):,.2f}"
