"""The commissioner dashboard's figures, charts and tables, from the KPI engine.

Every chart here has a table with the same numbers on the page (the template shows both).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from carecore.reports import brokerage_kpis as kpis
from carecore.reports.bar_charts import BarGroup, bar_chart_svg, describe_groups
from carecore.reports.survival import placement_times
from homecare.insight.records import MarketRecords

TIER_LABELS = {
    "prime": "Prime / lead",
    "supplementary": "Supplementary",
    "back_up": "Back-up",
    "specialist": "Specialist",
    "spot": "Contingency / spot",
}


@dataclass(frozen=True)
class Chart:
    svg: str
    caption: str


def _chart(
    chart_id: str, title: str, groups: list[BarGroup], *, unit: str = "", places: int = 1
) -> Chart | None:
    if not groups:
        return None
    description = describe_groups(groups, unit, places)
    svg = bar_chart_svg(
        groups,
        title=title,
        description=description,
        chart_id=chart_id,
        unit=unit,
        places=places,
    )
    return Chart(svg=svg, caption=f"{title}. The table below gives the same figures.")


def _hours(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"))


def build(records: MarketRecords, *, now: datetime, days: int) -> dict[str, Any]:
    """The dashboard's context: headline figures, then each section's table and chart."""
    start = now - timedelta(days=days)
    requests = records.requests
    zone_names = dict(records.zones)
    # Every request made in the period, placed or not, counted up to now (Kaplan-Meier); and
    # every request waiting now, whenever made, for the longest wait.
    ttp = placement_times(requests, now=now, made_from=start)
    waiting_now = placement_times(requests, now=now)
    unplaced = kpis.unplaced_hours(requests)
    tiers = kpis.share_by_tier(requests)
    providers = kpis.share_by_provider(requests)
    refusals = kpis.refusals_by_provider(records.offers, start=start, end=now)
    balance = kpis.capacity_against_demand(
        records.capacity, requests, [code for code, _ in records.zones]
    )
    tier_rows = [(TIER_LABELS.get(s.name, s.name), s) for s in tiers]
    zone_rows = [(zone_names[b.zone], b) for b in balance]
    return {
        "days": days,
        "start": start,
        "now": now,
        "hours_commissioned": _hours(kpis.hours_commissioned(requests)),
        "people_in_service": kpis.people_in_service(requests),
        "time_to_place": ttp,
        "waiting_now": waiting_now,
        "unplaced": {key: _hours(value) for key, value in unplaced.items()},
        "tier_rows": tier_rows,
        "provider_rows": providers,
        "refusal_rows": refusals,
        "zone_rows": zone_rows,
        "unplaced_chart": _chart(
            "unplaced-chart",
            "Unplaced carer hours a week by source",
            [
                BarGroup("Hospital discharge", (("Hours waiting", unplaced["hospital"]),)),
                BarGroup("Community", (("Hours waiting", unplaced["community"]),)),
            ],
            unit=" h",
        ),
        "tier_chart": _chart(
            "tier-chart",
            "Share of live packages by tier",
            [BarGroup(label, (("Packages (%)", s.percent),)) for label, s in tier_rows],
            unit="%",
        ),
        "provider_chart": _chart(
            "provider-chart",
            "Share of live packages by provider",
            [BarGroup(s.name, (("Packages (%)", s.percent),)) for s in providers],
            unit="%",
        ),
        "refusal_chart": _chart(
            "refusal-chart",
            "Offers refused by provider",
            [
                BarGroup(
                    r.provider,
                    (("Declined", Decimal(r.declined)), ("Expired", Decimal(r.expired))),
                )
                for r in refusals
                if r.refused
            ],
            places=0,
        ),
        "zone_chart": _chart(
            "zone-chart",
            "Declared free hours against waiting hours a week, by zone",
            [
                BarGroup(
                    name,
                    (("Free hours declared", b.free_hours), ("Hours waiting", b.waiting_hours)),
                )
                for name, b in zone_rows
            ],
            unit=" h",
        ),
    }
