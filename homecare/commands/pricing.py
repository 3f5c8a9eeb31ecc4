"""Pricing commands: the cost of care, pay against the legal floor, and wage scenarios.

Only typer and the standard library are imported here; carecore is imported inside each command
so that `homecare --help` stays fast. The rate-card commands live in homecare.commands.rates.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from homecare.commands._common import emit_json, run

if TYPE_CHECKING:
    from carecore.pricing.pay_floors import PayFloor
    from carecore.pricing.wage_impact import WageImpact

JSON_OPTION = typer.Option("--json", help="Print JSON instead of a table.")
FLOOR_HELP = "national_living_wage (the legal floor), real_living_wage or london_living_wage."


def _decimal(text: str, option: str) -> Decimal:
    from carecore.units import to_decimal

    return to_decimal(text, key=option)


def _day(text: str, option: str = "--date") -> date:
    from carecore.errors import InputError

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"expected a date YYYY-MM-DD, got {text!r}", key=option) from None


def _money(value: Decimal) -> str:
    return f"£{value:,.2f}"


def cost_of_care(
    file: Annotated[Path, typer.Argument(help="Cost-of-care inputs (TOML).")],
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Price an hour of care line by line: pay, travel, on-costs, mileage, overheads, surplus."""
    from carecore.pricing.cost_of_care import compute_cost_of_care, line_label, load_cost_of_care

    result = run(lambda: compute_cost_of_care(load_cost_of_care(file)))
    if as_json:
        emit_json(result.to_dict())
        return
    for name, band in result.bands.items():
        typer.echo(f"Band {name}: {_money(band.price_per_contact_hour)} per contact hour")
        for line, amount in band.lines.items():
            typer.echo(f"  {line_label(line):<36} {_money(amount):>10}")


def pay_check(
    hourly_pay: Annotated[str, typer.Option(help="Pay per paid (contact) hour, £.")],
    contact_hours: Annotated[str, typer.Option(help="Paid hours in the pay period.")],
    on: Annotated[str, typer.Option("--date", help="Day the pay period falls on, YYYY-MM-DD.")],
    unpaid_hours: Annotated[
        str, typer.Option(help="Unpaid working hours: travel, waiting, training.")
    ] = "0",
    age: Annotated[int | None, typer.Option(help="Worker's age (default: the adult NLW).")] = None,
    floor: Annotated[str, typer.Option(help=FLOOR_HELP)] = "national_living_wage",
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Check pay over all working time (contact, travel, waiting) against the pay floor."""
    from carecore.pricing.pay_check import check_pay

    verdict = run(
        lambda: check_pay(
            hourly_pay=_decimal(hourly_pay, "--hourly-pay"),
            paid_hours=_decimal(contact_hours, "--contact-hours"),
            unpaid_hours=_decimal(unpaid_hours, "--unpaid-hours"),
            day=_day(on),
            kind=floor,
            age=age,
        )
    )
    if as_json:
        emit_json(verdict.to_dict())
        return
    data = verdict.to_dict()
    typer.echo(
        f"{_money(data['total_pay'])} over {data['all_working_hours']} working hours is "
        f"£{data['effective_hourly_pay']} an hour against the {data['floor_name']} of "
        f"{_money(data['floor_per_hour'])} on {on}."
    )
    if verdict.meets_floor:
        typer.echo(f"Meets the floor with {_money(verdict.headroom)} to spare.")
    else:
        typer.echo(f"Below the floor: {_money(verdict.shortfall)} short.")
    typer.echo(f"Source: {data['source']}")


def wage_impact(
    file: Annotated[Path, typer.Argument(help="Cost-of-care inputs (TOML).")],
    hours_per_year: Annotated[str, typer.Option(help="Contact hours bought a year.")],
    to_wage: Annotated[str | None, typer.Option(help="New hourly wage, £.")] = None,
    to_floor: Annotated[
        str | None, typer.Option(help=f"New wage from a floor: {FLOOR_HELP}")
    ] = None,
    on: Annotated[str | None, typer.Option("--date", help="Day for --to-floor.")] = None,
    age: Annotated[int | None, typer.Option(help="Age for --to-floor (default adult).")] = None,
    from_wage: Annotated[str | None, typer.Option(help="Baseline wage (default: file).")] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Show what a new wage does to the price per contact hour and the yearly bill."""
    result, floor = run(
        lambda: _wage_impact(file, hours_per_year, to_wage, to_floor, on, age, from_wage)
    )
    if as_json:
        payload = result.to_dict()
        if floor is not None:
            payload["to_floor"] = floor.to_dict()
        emit_json(payload)
        return
    typer.echo(
        f"Wage {_money(result.from_wage)} -> {_money(result.to_wage)} over "
        f"{result.hours_per_year:,} contact hours a year"
    )
    for name, band in result.bands.items():
        typer.echo(
            f"  {name:<12} {_money(band.price_before):>9} -> {_money(band.price_after):>9}"
            f"  {_money(band.change_per_contact_hour):>8}/h  {_money(band.change_per_year):>14}/yr"
        )


def _wage_impact(
    file: Path,
    hours_per_year: str,
    to_wage: str | None,
    to_floor: str | None,
    on: str | None,
    age: int | None,
    from_wage: str | None,
) -> tuple[WageImpact, PayFloor | None]:
    from carecore.errors import InputError
    from carecore.pricing.cost_of_care import load_cost_of_care
    from carecore.pricing.pay_floors import floor_on
    from carecore.pricing.wage_impact import wage_impact as impact

    if (to_wage is None) == (to_floor is None):
        raise InputError("give either --to-wage or --to-floor (with --date)", key="--to-wage")
    if to_floor is not None:
        if on is None:
            raise InputError("--to-floor needs --date", key="--date")
        floor = floor_on(_day(on), to_floor, age)
        new_wage = floor.amount
    else:
        assert to_wage is not None
        floor, new_wage = None, _decimal(to_wage, "--to-wage")
    inputs = load_cost_of_care(file)
    if from_wage is not None:
        inputs = inputs.with_wage(_decimal(from_wage, "--from-wage"))
    return impact(inputs, new_wage, _decimal(hours_per_year, "--hours-per-year")), floor


def register(app: typer.Typer) -> None:
    """Add the pricing commands, then the rate-card ones (price-visit, rate-cards, cost-survey)."""
    app.command("cost-of-care", help="Price an hour of care line by line from a TOML model.")(
        cost_of_care
    )
    app.command("pay-check", help="Check pay over all working time against the legal floor.")(
        pay_check
    )
    app.command("wage-impact", help="Price change per hour and per year from a new wage.")(
        wage_impact
    )
    from homecare.commands import rates

    rates.register_rates(app)
