"""Behaviour tests: what must hold for every sensible set of inputs."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from carecore.pricing.cost_of_care import (
    CostOfCareInputs,
    Mileage,
    Overheads,
    Surplus,
    TravelTime,
    compute_cost_of_care,
)

PENNY = Decimal("0.01")


def money(low: str, high: str, places: int = 2) -> st.SearchStrategy[Decimal]:
    return st.decimals(Decimal(low), Decimal(high), places=places)


@st.composite
def inputs(draw: st.DrawFn) -> CostOfCareInputs:
    names = draw(
        st.lists(
            st.sampled_from(["ni", "pension", "holiday", "sickness", "training", "other"]),
            unique=True,
            max_size=6,
        )
    )
    if draw(st.booleans()):
        overheads = Overheads(share_of_price_percent=draw(money("0", "40", 1)))
    else:
        overheads = Overheads(cost_per_contact_hour=draw(money("0", "10")))
    return CostOfCareInputs(
        hourly_wage=draw(money("4", "20")),
        time=TravelTime(minutes_per_contact_hour=draw(money("0", "40", 1))),
        on_costs=tuple((name, draw(money("0", "20", 1))) for name in names),
        mileage=Mileage(cost_per_contact_hour=draw(money("0", "5"))),
        overheads=overheads,
        surplus=Surplus(
            percent=draw(money("0", "15", 1)), of=draw(st.sampled_from(["cost", "price"]))
        ),
    )


def price(model: CostOfCareInputs) -> Decimal:
    return compute_cost_of_care(model).bands["all"].price_per_contact_hour


def exact_price(model: CostOfCareInputs) -> Decimal:
    return compute_cost_of_care(model).bands["all"].exact["price"]


@settings(max_examples=150, deadline=None)
@given(inputs(), money("0", "30", 1))
def test_more_travel_never_lowers_a_price(model: CostOfCareInputs, extra: Decimal) -> None:
    minutes = model.time.per_contact_hour() + extra
    more = replace(model, time=TravelTime(minutes_per_contact_hour=minutes))
    assert price(more) >= price(model)
    assert exact_price(more) >= exact_price(model)


@settings(max_examples=150, deadline=None)
@given(inputs(), money("0", "10"))
def test_a_higher_wage_never_lowers_a_price(model: CostOfCareInputs, rise: Decimal) -> None:
    higher = model.with_wage(model.hourly_wage + rise)
    assert price(higher) >= price(model)
    assert exact_price(higher) >= exact_price(model)


@settings(max_examples=150, deadline=None)
@given(inputs(), money("0", "5"))
def test_more_mileage_never_lowers_a_price(model: CostOfCareInputs, extra: Decimal) -> None:
    cost = model.mileage.per_contact_hour() + extra
    more = replace(model, mileage=Mileage(cost_per_contact_hour=cost))
    assert price(more) >= price(model)


@settings(max_examples=150, deadline=None)
@given(inputs())
def test_the_exact_lines_add_up_to_the_exact_price(model: CostOfCareInputs) -> None:
    band = compute_cost_of_care(model).bands["all"]
    parts = sum(v for k, v in band.exact.items() if k not in ("direct_cost", "price"))
    assert abs(parts - band.exact["price"]) < Decimal("1e-20")


@settings(max_examples=150, deadline=None)
@given(inputs())
def test_rounded_lines_stay_within_half_a_penny_each_of_the_rounded_price(
    model: CostOfCareInputs,
) -> None:
    band = compute_cost_of_care(model).bands["all"]
    components = band.components()
    gap = abs(sum(components.values()) - band.price_per_contact_hour)
    # Each line and the price are rounded half up on their own: at most half a penny each.
    assert gap <= PENNY * (len(components) + 1) / 2
    # Half up, as the engine rounds money: £6.765 is £6.77 (quantize alone rounds half to even).
    assert band.price_per_contact_hour == band.exact["price"].quantize(PENNY, ROUND_HALF_UP)


@settings(max_examples=100, deadline=None)
@given(inputs())
def test_surplus_is_the_stated_share_of_cost_or_price(model: CostOfCareInputs) -> None:
    exact = compute_cost_of_care(model).bands["all"].exact
    rate = model.surplus.percent / 100
    base = (
        exact["price"] if model.surplus.of == "price" else exact["direct_cost"] + exact["overheads"]
    )
    assert abs(exact["surplus"] - rate * base) < Decimal("1e-20")
