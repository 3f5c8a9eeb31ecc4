"""What a change of care workers' wage does to the price of care and to a council's yearly bill.

The model is recomputed with the new wage, so everything that scales with pay moves with it:
travel-time pay, the on-costs, overheads taken as a share of the price and a surplus taken as a
share of cost or price. Mileage and overheads given in £ per contact hour do not move.

    change per contact hour = new rounded price - old rounded price      (per band)
    change per year         = change per contact hour * contact hours a year
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from carecore.errors import InputError
from carecore.pricing.cost_of_care import CostOfCareInputs, compute_cost_of_care
from carecore.units import round_pounds


@dataclass(frozen=True)
class BandImpact:
    """One band's price (£ per contact hour) before and after, and the yearly change (£)."""

    band: str
    price_before: Decimal
    price_after: Decimal
    change_per_year: Decimal

    @property
    def change_per_contact_hour(self) -> Decimal:
        return self.price_after - self.price_before

    def to_dict(self) -> dict[str, Any]:
        return {
            "price_before": self.price_before,
            "price_after": self.price_after,
            "change_per_contact_hour": self.change_per_contact_hour,
            "change_per_year": self.change_per_year,
        }


@dataclass(frozen=True)
class WageImpact:
    """The impact of moving from ``from_wage`` to ``to_wage`` (£ per hour) for each band."""

    from_wage: Decimal
    to_wage: Decimal
    hours_per_year: Decimal
    bands: dict[str, BandImpact]

    def to_dict(self) -> dict[str, Any]:
        return {
            "from_wage": self.from_wage,
            "to_wage": self.to_wage,
            "hours_per_year": self.hours_per_year,
            "bands": {name: impact.to_dict() for name, impact in self.bands.items()},
        }


def wage_impact(inputs: CostOfCareInputs, new_wage: Decimal, hours_per_year: Decimal) -> WageImpact:
    """Price change per contact hour (£) per band, and per year (£) over ``hours_per_year``
    contact hours, when the hourly wage moves from ``inputs.hourly_wage`` to ``new_wage``.

    Prices are the model's rounded prices per contact hour, as a rate card would show them;
    the yearly change assumes all ``hours_per_year`` are bought at that band's price, and is
    rounded half up to the penny.
    """
    if new_wage <= 0:
        raise InputError(f"must be more than zero, got {new_wage}", key="new_wage")
    if hours_per_year < 0:
        raise InputError(f"cannot be negative, got {hours_per_year}", key="hours_per_year")
    before = compute_cost_of_care(inputs)
    after = compute_cost_of_care(inputs.with_wage(new_wage))
    bands = {}
    for name, cost in before.bands.items():
        old, new = cost.price_per_contact_hour, after.bands[name].price_per_contact_hour
        bands[name] = BandImpact(
            band=name,
            price_before=old,
            price_after=new,
            change_per_year=round_pounds((new - old) * hours_per_year),
        )
    return WageImpact(
        from_wage=inputs.hourly_wage,
        to_wage=new_wage,
        hours_per_year=hours_per_year,
        bands=bands,
    )
