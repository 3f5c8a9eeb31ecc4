"""The cost of an hour of home care, line by line.

The structure is the Homecare Association's minimum price for homecare and the 2022 Fair Cost
of Care template: the care worker's pay for contact time and for travel time between visits,
on-costs as percentages of that gross pay (employer NI, pension, holiday, sickness, training,
under any names), mileage, business overheads and a surplus. Every figure is £ per contact hour
(an hour spent with the person), computed exactly in Decimal and rounded half up to the penny
only for display; the price shown is the exact price rounded, not the sum of rounded lines (they
differ by at most half a penny per line; see docs/cost-of-care.md).

Overheads may be a share of the price and the surplus a share of the price or of the cost, so
the price is solved for rather than summed:

- overheads ``s`` of price, surplus ``r`` of cost (direct + overheads):
  ``price = direct * (1 + r) / (1 - s * (1 + r))``
- overheads ``s`` of price, surplus ``r`` of price: ``price = direct / (1 - s - r)``
- overheads ``O`` £ per contact hour, surplus of cost: ``price = (direct + O) * (1 + r)``
- overheads ``O`` £ per contact hour, surplus of price: ``price = (direct + O) / (1 - r)``
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from carecore.pricing.cost_of_care_inputs import (
    ALL_BAND,
    HUNDRED,
    ONE,
    ZERO,
    Band,
    CostOfCareInputs,
    Mileage,
    Overheads,
    Surplus,
    TravelTime,
    load_cost_of_care,
)
from carecore.units import MINUTES_PER_HOUR, round_pounds

__all__ = [
    "ALL_BAND",
    "Band",
    "BandCost",
    "CostOfCareInputs",
    "CostOfCareResult",
    "Mileage",
    "Overheads",
    "Surplus",
    "TravelTime",
    "compute_cost_of_care",
    "cost_band",
    "line_label",
    "load_cost_of_care",
]

SUBTOTAL_LINES = ("direct_cost", "price")
ACRONYMS = frozenset({"ni", "nic", "nics", "ppe", "dbs", "cqc", "it"})


@dataclass(frozen=True)
class BandCost:
    """One band's cost of care. ``lines`` are £ per contact hour rounded to the penny, in
    display order; ``exact`` holds the same lines unrounded. ``direct_cost`` and ``price`` are
    subtotals, the rest are components."""

    band: str
    travel_minutes_per_contact_hour: Decimal
    price_per_contact_hour: Decimal
    lines: dict[str, Decimal]
    exact: dict[str, Decimal]

    def components(self) -> dict[str, Decimal]:
        """The rounded lines that add up (within rounding) to the price."""
        return {k: v for k, v in self.lines.items() if k not in SUBTOTAL_LINES}

    def to_dict(self) -> dict[str, Any]:
        return {"price_per_contact_hour": self.price_per_contact_hour, "lines": dict(self.lines)}


@dataclass(frozen=True)
class CostOfCareResult:
    """The cost of care for each band, in the inputs' order."""

    inputs: CostOfCareInputs
    bands: dict[str, BandCost]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: ``{"bands": {name: {"price_per_contact_hour", "lines"}}}``."""
        return {
            "source": self.inputs.source,
            "hourly_wage": self.inputs.hourly_wage,
            "bands": {name: cost.to_dict() for name, cost in self.bands.items()},
        }


def _price(
    direct: Decimal, overheads: Overheads, surplus: Surplus
) -> tuple[Decimal, Decimal, Decimal]:
    """Overheads, surplus and price (all £ per contact hour) from the direct cost."""
    rate = surplus.percent / HUNDRED
    if overheads.share_of_price_percent is not None:
        share = overheads.share_of_price_percent / HUNDRED
        if surplus.of == "cost":
            price = direct * (ONE + rate) / (ONE - share * (ONE + rate))
            over = share * price
            return over, rate * (direct + over), price
        price = direct / (ONE - share - rate)
        return share * price, rate * price, price
    assert overheads.cost_per_contact_hour is not None
    over = overheads.cost_per_contact_hour
    if surplus.of == "cost":
        extra = rate * (direct + over)
        return over, extra, direct + over + extra
    price = (direct + over) / (ONE - rate)
    return over, rate * price, price


def cost_band(inputs: CostOfCareInputs, band: Band) -> BandCost:
    """The cost of care of one band, £ per contact hour, line by line."""
    wage = inputs.hourly_wage
    travel_minutes = band.time.per_contact_hour()
    exact: dict[str, Decimal] = {
        "contact_pay": wage,
        "travel_pay": wage * travel_minutes / MINUTES_PER_HOUR,
    }
    gross = exact["contact_pay"] + exact["travel_pay"]
    for name, percent in inputs.on_costs:
        exact[name] = gross * percent / HUNDRED
    exact["mileage"] = band.mileage.per_contact_hour()
    direct = sum(exact.values(), ZERO)
    over, surplus, price = _price(direct, inputs.overheads, inputs.surplus)
    exact |= {"direct_cost": direct, "overheads": over, "surplus": surplus, "price": price}
    lines = {name: round_pounds(value) for name, value in exact.items()}
    return BandCost(
        band=band.name,
        travel_minutes_per_contact_hour=travel_minutes,
        price_per_contact_hour=lines["price"],
        lines=lines,
        exact=exact,
    )


def compute_cost_of_care(inputs: CostOfCareInputs) -> CostOfCareResult:
    """The cost of care per contact hour (£) for each band, or for ``all`` when none are named.

    With named bands only those bands are priced: the top-level [time] and [mileage] are the
    defaults each band starts from, not a band of their own.
    """
    bands = {band.name: cost_band(inputs, band) for band in inputs.priced_bands()}
    return CostOfCareResult(inputs=inputs, bands=bands)


def line_label(name: str) -> str:
    """A readable label for a line: ``employer_ni_and_pension`` -> ``Employer NI and pension``."""
    labels = {
        "contact_pay": "Contact time pay",
        "travel_pay": "Travel time pay",
        "mileage": "Mileage",
        "direct_cost": "Direct cost",
        "overheads": "Business overheads",
        "surplus": "Surplus",
        "price": "Price per contact hour",
    }
    if name in labels:
        return labels[name]
    words = [word.upper() if word in ACRONYMS else word for word in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]
