"""Pricing: the cost-of-care model, pay floors and pay checks, wage scenarios, rate cards and
provider cost surveys."""

from carecore.pricing.cost_of_care import (
    Band,
    BandCost,
    CostOfCareInputs,
    CostOfCareResult,
    Mileage,
    Overheads,
    Surplus,
    TravelTime,
    compute_cost_of_care,
    load_cost_of_care,
)
from carecore.pricing.cost_survey import read_cost_survey, summarise_cost_survey
from carecore.pricing.pay_check import PayCheck, check_pay
from carecore.pricing.pay_floors import PayFloor, PayFloorTable, floor_on, load_pay_floors
from carecore.pricing.rate_cards import RateCard, load_rate_card, shipped_rate_cards
from carecore.pricing.visit_price import price_visit
from carecore.pricing.wage_impact import BandImpact, WageImpact, wage_impact

__all__ = [
    "Band",
    "BandCost",
    "BandImpact",
    "CostOfCareInputs",
    "CostOfCareResult",
    "Mileage",
    "Overheads",
    "PayCheck",
    "PayFloor",
    "PayFloorTable",
    "RateCard",
    "Surplus",
    "TravelTime",
    "WageImpact",
    "check_pay",
    "compute_cost_of_care",
    "floor_on",
    "load_cost_of_care",
    "load_pay_floors",
    "load_rate_card",
    "price_visit",
    "read_cost_survey",
    "shipped_rate_cards",
    "summarise_cost_survey",
    "wage_impact",
]
