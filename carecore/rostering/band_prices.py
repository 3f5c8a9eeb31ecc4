"""Prices per band from carers' rounds, and how they compare with a council's rate card.

The cost-of-care model (:mod:`carecore.pricing.cost_of_care`) prices a band from its travel
minutes and miles per contact hour. Here those two inputs come from solved rounds instead of
from an assumption: each band's measured travel time and mileage replace the band's in a
base set of inputs (wage, on-costs, overheads, surplus and pence per mile stay as given), and
the existing model prices every band. Nothing of the price arithmetic is repeated here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal

from carecore.errors import InputError
from carecore.pricing import (
    Band,
    CostOfCareInputs,
    CostOfCareResult,
    Mileage,
    TravelTime,
    compute_cost_of_care,
    load_cost_of_care,
)
from carecore.pricing.rate_cards import RatePeriod
from carecore.rostering.round_stats import RoundTotals

DATA_DIR = Path(__file__).resolve().parent / "data"
LEICESTERSHIRE_2020_21 = DATA_DIR / "leicestershire_2020_21_cost_of_care.toml"
#: Differences within this many pounds per contact hour count as the card matching.
DEFAULT_TOLERANCE = Decimal("0.10")
HUNDRED = Decimal(100)
PERCENT_PLACES = Decimal("0.01")

Verdict = Literal["under-pays", "over-pays", "matches"]


def load_leicestershire_2020_21() -> CostOfCareInputs:
    """The shipped Leicestershire 2020-21 cost-of-care inputs (Real Living Wage £9.30, 45p a
    mile, the Homecare Association's 2020-21 on-costs, overheads and surplus)."""
    return load_cost_of_care(LEICESTERSHIRE_2020_21)


def _pence_per_mile(base: CostOfCareInputs, band: str) -> Decimal:
    """The base's pence per mile for ``band`` (its own band's, else the default's)."""
    mileage = next((b.mileage for b in base.bands if b.name.upper() == band.upper()), None)
    for candidate in (mileage, base.mileage):
        if candidate is not None and candidate.pence_per_mile is not None:
            return candidate.pence_per_mile
    raise InputError(
        "the base inputs give mileage in £ per contact hour; measured miles need a rate in "
        "pence per mile (mileage.pence_per_mile)",
        key="mileage.pence_per_mile",
        source=base.source,
    )


def measured_inputs(
    totals_by_band: Mapping[str, RoundTotals], base: CostOfCareInputs
) -> CostOfCareInputs:
    """``base`` with one band per measured band, whose travel minutes and miles per contact
    hour are the rounds'. Bands of ``base`` that were not measured are left out, so nothing
    priced here rests on assumed travel. Bands follow ``base``'s order, then any others."""
    if not totals_by_band:
        raise InputError("no bands measured: give each band's round totals", key="bands")
    for name, totals in totals_by_band.items():
        if name.upper() != totals.band.upper():
            raise InputError(
                f"the totals under {name!r} are for band {totals.band!r}", key=f"bands.{name}"
            )
    known = [b.name.upper() for b in base.bands]
    order = sorted(
        totals_by_band,
        key=lambda name: known.index(name.upper()) if name.upper() in known else len(known),
    )
    bands = tuple(
        Band(
            name,
            TravelTime(
                minutes_per_contact_hour=totals_by_band[name].travel_minutes_per_contact_hour
            ),
            Mileage(
                miles_per_contact_hour=totals_by_band[name].miles_per_contact_hour,
                pence_per_mile=_pence_per_mile(base, name),
            ),
        )
        for name in order
    )
    return replace(base, bands=bands, source=f"{base.source}, travel measured from rounds")


def price_bands_from_rounds(
    totals_by_band: Mapping[str, RoundTotals], base: CostOfCareInputs
) -> CostOfCareResult:
    """Price each measured band (£ per contact hour) with the cost-of-care model, its travel
    minutes and miles per contact hour taken from the rounds and everything else from
    ``base``. ``result.inputs`` are the measured inputs; ``result.bands[name]`` has the
    price (rounded half up to the penny) and every line, exact and rounded."""
    return compute_cost_of_care(measured_inputs(totals_by_band, base))


@dataclass(frozen=True)
class BandComparison:
    """A band's card price against the price derived from rounds, £ per contact hour.

    ``difference`` is derived minus card: positive means the card pays less than the rounds
    cost ("under-pays"), negative more ("over-pays"); within ``tolerance`` either way (ends
    included) the card "matches". ``difference_percent`` is of the card price, rounded half
    up to two places.
    """

    band: str
    card_price: Decimal
    derived_price: Decimal
    difference: Decimal
    difference_percent: Decimal
    verdict: Verdict
    tolerance: Decimal

    def sentence(self) -> str:
        """One line for a report: ``RURAL: card £22.95, rounds £24.10: under-pays by £1.15
        (5.01%)``."""
        head = f"{self.band}: card £{self.card_price:,.2f}, rounds £{self.derived_price:,.2f}"
        if self.verdict == "matches":
            return f"{head}: matches (within £{self.tolerance:,.2f})"
        return (
            f"{head}: {self.verdict} by £{abs(self.difference):,.2f} "
            f"({abs(self.difference_percent)}%)"
        )


def _prices(prices: CostOfCareResult | Mapping[str, Decimal]) -> dict[str, Decimal]:
    if isinstance(prices, CostOfCareResult):
        return {name: cost.price_per_contact_hour for name, cost in prices.bands.items()}
    return dict(prices)


def _verdict(difference: Decimal, tolerance: Decimal) -> Verdict:
    if difference > tolerance:
        return "under-pays"
    if difference < -tolerance:
        return "over-pays"
    return "matches"


def compare_with_rate_card(
    derived: CostOfCareResult | Mapping[str, Decimal],
    card: RatePeriod | Mapping[str, Decimal],
    *,
    tolerance: Decimal = DEFAULT_TOLERANCE,
) -> tuple[BandComparison, ...]:
    """Each derived band's price against the card's rate for it (£ per contact hour), in the
    card's band order. Bands are matched without regard to case; a derived band the card
    does not have is an :class:`InputError`, while card bands with no rounds are skipped.
    ``tolerance`` is in £ per contact hour (default 10p)."""
    if tolerance < 0:
        raise InputError(f"cannot be negative, got {tolerance}", key="tolerance")
    prices = {name.upper(): (name, price) for name, price in _prices(derived).items()}
    rates = dict(card.rates) if isinstance(card, RatePeriod) else dict(card)
    missing = sorted(set(prices) - {band.upper() for band in rates})
    if missing:
        raise InputError(
            f"the card has no rate for {', '.join(missing)} (it has: {', '.join(rates)})",
            key="band",
        )
    rows = []
    for card_band, card_price in rates.items():
        if card_band.upper() not in prices:
            continue
        if card_price <= 0:
            raise InputError(f"a card rate must be above zero, got {card_price}", key=card_band)
        name, price = prices[card_band.upper()]
        difference = price - card_price
        rows.append(
            BandComparison(
                band=name,
                card_price=card_price,
                derived_price=price,
                difference=difference,
                difference_percent=(difference / card_price * HUNDRED).quantize(
                    PERCENT_PLACES, rounding=ROUND_HALF_UP
                ),
                verdict=_verdict(difference, tolerance),
                tolerance=tolerance,
            )
        )
    return tuple(rows)
