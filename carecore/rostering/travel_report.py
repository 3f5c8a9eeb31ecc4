"""What a calibration says, ready for a page or the command line: travel per band, the price
each band's travel implies beside the rate card, carbon by zone, and the charts.

Everything is plain JSON (money and rates as text, so nothing is rounded twice); the page and
``homecare roster calibrate --json`` print the same figures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from carecore.pricing.cost_of_care_inputs import CostOfCareInputs
from carecore.pricing.rate_cards import load_rate_card
from carecore.reports.travel_charts import price_comparison_chart, travel_share_chart
from carecore.rostering.band_prices import (
    compare_with_rate_card,
    load_leicestershire_2020_21,
    price_bands_from_rounds,
)
from carecore.rostering.calibrate import LONGEST_WORKING_WAIT_SECONDS, Calibration
from carecore.rostering.carbon import (
    EmissionFactor,
    annual_tonnes,
    carbon_by_zone,
    load_emission_factor,
    zone_change_saving,
)
from carecore.rostering.homes import PEOPLE_PER_KM2

DEFAULT_CARD = "leicestershire-2020-21"
DEFAULT_CARD_DAY = date(2020, 4, 1)
TWO_PLACES = Decimal("0.01")
ONE_PLACE = Decimal("0.1")


def default_card_rates() -> dict[str, Decimal]:
    """Leicestershire's 2020-21 prices, the card the cost-of-care inputs were built for."""
    card = load_rate_card(DEFAULT_CARD)
    return dict(card.rates_on(DEFAULT_CARD_DAY).rates)


def build_travel_report(
    calibration: Calibration,
    *,
    rate_card: Mapping[str, Decimal] | None = None,
    base: CostOfCareInputs | None = None,
    factor: EmissionFactor | None = None,
    alternative: Calibration | None = None,
    alternative_label: str = "",
) -> dict[str, Any]:
    """The report of one calibration (a week of rounds) as JSON-ready data.

    ``rate_card`` maps band to £ per contact hour (default Leicestershire 2020-21); ``base``
    is the cost-of-care input whose travel the rounds replace (default the Leicestershire
    2020-21 inputs: Real Living Wage £9.30, 45p a mile); ``alternative`` is the same week
    routed under other zones, for what the change would save in carbon.
    """
    rates = dict(rate_card) if rate_card is not None else default_card_rates()
    base = base or load_leicestershire_2020_21()
    factor = factor or load_emission_factor()
    by_band = {band: calibration.by_band()[band] for band in _card_order(calibration, rates)}
    priced = price_bands_from_rounds(by_band, base)
    comparisons = compare_with_rate_card(priced, rates)
    rows = carbon_by_zone(calibration.totals, factor)
    report: dict[str, Any] = {
        "bands": [_band_row(band, totals) for band, totals in by_band.items()],
        "prices": [
            {
                "band": c.band,
                "card_price": str(c.card_price),
                "derived_price": str(c.derived_price),
                "difference": str(c.difference),
                "difference_percent": str(c.difference_percent),
                "verdict": c.verdict,
                "sentence": c.sentence(),
            }
            for c in comparisons
        ],
        "carbon": {
            "factor_kg_per_mile": str(factor.kg_co2e_per_mile),
            "factor_source": factor.citation(),
            "rows": [
                {
                    "zone": r.zone,
                    "band": r.band,
                    "miles_per_week": str(r.miles_per_week.quantize(ONE_PLACE, ROUND_HALF_UP)),
                    "kg_per_week": str(r.kg_co2e_per_week.quantize(ONE_PLACE, ROUND_HALF_UP)),
                    "tonnes_per_year": str(
                        r.tonnes_co2e_per_year.quantize(TWO_PLACES, ROUND_HALF_UP)
                    ),
                }
                for r in rows
            ],
            "total_tonnes_per_year": str(annual_tonnes(rows).quantize(TWO_PLACES, ROUND_HALF_UP)),
        },
        "charts": {
            "prices_svg": price_comparison_chart(comparisons),
            "travel_share_svg": travel_share_chart(by_band),
        },
        "assumptions": assumptions(calibration, base_name=inputs_title(Path(base.source))),
        "travel_source": calibration.travel_source,
        "problems_solved": calibration.problems_solved,
        "visits_routed": calibration.visits_routed,
        "late_visits": calibration.late_visits,
    }
    if alternative is not None:
        saving = zone_change_saving(calibration.totals, alternative.totals, factor)
        report["zone_change"] = {
            "label": alternative_label,
            "miles_per_year_now": str(saving.current_miles_per_year.quantize(ONE_PLACE)),
            "miles_per_year_after": str(saving.alternative_miles_per_year.quantize(ONE_PLACE)),
            "tonnes_per_year_now": str(saving.current_tonnes_per_year.quantize(TWO_PLACES)),
            "tonnes_per_year_after": str(saving.alternative_tonnes_per_year.quantize(TWO_PLACES)),
            "miles_saved_per_year": str(saving.miles_per_year_saved.quantize(ONE_PLACE)),
            "tonnes_saved_per_year": str(saving.tonnes_per_year_saved.quantize(TWO_PLACES)),
        }
    return report


def _card_order(calibration: Calibration, rates: Mapping[str, Decimal]) -> list[str]:
    measured = calibration.by_band()
    upper = {band.upper(): band for band in measured}
    return [upper[card.upper()] for card in rates if card.upper() in upper]


def _band_row(band: str, totals: Any) -> dict[str, Any]:
    return {
        "band": band,
        "visits": totals.visits,
        "contact_hours": str(totals.contact_hours.quantize(ONE_PLACE, ROUND_HALF_UP)),
        "travel_minutes_per_contact_hour": str(
            totals.travel_minutes_per_contact_hour.quantize(ONE_PLACE, ROUND_HALF_UP)
        ),
        "miles_per_contact_hour": str(
            totals.miles_per_contact_hour.quantize(TWO_PLACES, ROUND_HALF_UP)
        ),
        "waiting_minutes_per_contact_hour": str(
            totals.waiting_minutes_per_contact_hour.quantize(ONE_PLACE, ROUND_HALF_UP)
        ),
        "travel_share_percent": str(
            (totals.travel_share_of_paid_time * 100).quantize(ONE_PLACE, ROUND_HALF_UP)
        ),
    }


def inputs_title(path: Path) -> str:
    """A cost-of-care inputs file's name in words: ``leicestershire_2020_21_cost_of_care.toml``
    -> ``Leicestershire 2020-21 cost of care``."""
    words = re.sub(r"(\d{4})_(\d{2})(?!\d)", r"\1-\2", path.stem).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def assumptions(calibration: Calibration, *, base_name: str) -> list[str]:
    """The choices behind the figures, in words, for the page and the report."""
    spread = ", ".join(f"{band.title()} {int(d):,}" for band, d in PEOPLE_PER_KM2.items())
    return [
        f"Travel between places: {calibration.travel_source}.",
        "Each provider's visits in each zone on each day are one round-planning problem; "
        "carers start and end at home between 07:00 and 22:30.",
        "Travel from home to the first visit and back from the last is commuting: not working "
        "time and not business mileage, so it is left out of travel, mileage and carbon.",
        f"A wait of more than {LONGEST_WORKING_WAIT_SECONDS // 60} minutes between visits is "
        "a break, not working time.",
        "Homes lie around their place's centre over a disc its people fill at the band's "
        f"density (people per square km: {spread}).",
        f"Prices use the {base_name} inputs, with the measured travel time and miles in place "
        "of their own.",
    ]
