"""Rate-card and cost-survey commands: price-visit, rate-cards, cost-survey.

Only typer and the standard library are imported here; carecore is imported inside each
command so that `homecare --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from homecare.commands._common import emit_json, fail, run

T = TypeVar("T")

# Engine argument names and the options that carry them, so errors name what the user typed.
_OPTIONS = {
    "card": "--card",
    "band": "--band",
    "minutes": "--minutes",
    "carers": "--carers",
    "start": "--start",
    "floor": "--floor",
    "ceiling": "--ceiling",
    "sheet": "--sheet",
}


@contextmanager
def _named_options() -> Iterator[None]:
    from carecore.errors import InputError

    try:
        yield
    except InputError as exc:
        if exc.source is None and exc.key in _OPTIONS:
            raise InputError(exc.message, key=_OPTIONS[exc.key]) from None
        raise


def _run(action: Callable[[], T]) -> T:
    def named() -> T:
        with _named_options():
            return action()

    return run(named)


def _parse_start(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        fail(f"'--start': expected a date and time such as 2021-06-07T08:00, got {text!r}")
        raise AssertionError("unreachable") from None  # pragma: no cover


def price_visit_command(
    card: Annotated[str, typer.Option("--card", help="Shipped card name or path of a card TOML.")],
    band: Annotated[str, typer.Option("--band", help="Price band, e.g. RURAL.")],
    minutes: Annotated[int, typer.Option("--minutes", help="Visit length in whole minutes.")],
    start: Annotated[str, typer.Option("--start", help="Start, London time: 2021-06-07T08:00.")],
    carers: Annotated[int, typer.Option("--carers", help="Carers attending (1 to 4).")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Price one visit against a rate card, with its breakdown."""
    moment = _parse_start(start)

    def action() -> Any:
        from carecore.pricing.rate_cards import load_rate_card
        from carecore.pricing.visit_price import price_visit

        loaded = load_rate_card(card)
        return price_visit(loaded, band=band, minutes=minutes, carers=carers, start=moment)

    price = _run(action)
    if as_json:
        emit_json(price.to_dict())
        return
    typer.echo(
        f"{price.card} {price.band}, {price.start:%a %d %b %Y %H:%M} ({price.day_type}), "
        f"{price.minutes} min billed as {price.billable_minutes} min, {price.carers} carer(s)"
    )
    for line in price.lines:
        typer.echo(f"  carer {line.carer}  {line.description:<60} £{line.amount:>8}")
    typer.echo(f"  {'total':<69} £{price.total:>8}")


def rate_cards_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the shipped rate cards with their periods and band rates."""

    def action() -> list[dict[str, Any]]:
        from carecore.pricing.rate_cards import load_rate_card, shipped_rate_cards

        return [load_rate_card(name).to_dict() for name in shipped_rate_cards()]

    cards = _run(action)
    if as_json:
        emit_json({"cards": cards})
        return
    for card in cards:
        mark = "  [ILLUSTRATIVE]" if card["illustrative"] else ""
        typer.echo(f"{card['name']}: {card['council']}{mark}")
        for period in card["periods"]:
            rates = ", ".join(f"{band} £{rate}" for band, rate in period["rates"].items())
            end = period["effective_to"] or "open-ended"
            typer.echo(f"  {period['effective_from']} to {end}: {rates}")


_FLOOR_HELP = "Statistic of the totals proposed as the floor (minimum ... maximum)."
_CEILING_HELP = "Statistic of the totals proposed as the ceiling."


def cost_survey_command(
    file: Annotated[Path, typer.Argument(help="Providers' returns: .csv or .xlsx.")],
    floor: Annotated[str, typer.Option("--floor", help=_FLOOR_HELP)] = "lower_quartile",
    ceiling: Annotated[str, typer.Option("--ceiling", help=_CEILING_HELP)] = "upper_quartile",
    sheet: Annotated[str | None, typer.Option("--sheet", help="Sheet of an .xlsx file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Summarise a provider cost survey: quartiles per line, floor and ceiling."""

    def action() -> dict[str, Any]:
        from carecore.pricing.cost_survey import (
            PriceRangeRule,
            read_cost_survey,
            summarise_cost_survey,
        )

        rule = PriceRangeRule(floor=floor, ceiling=ceiling)
        return summarise_cost_survey(read_cost_survey(file, sheet=sheet), rule=rule).to_dict()

    summary = _run(action)
    if as_json:
        emit_json(summary)
        return
    _print_survey(summary)


def _pounds(value: Any) -> str:
    """At least two decimal places, up to the four that quartiles of pennies can have."""
    if value is None:
        return "-"
    text = f"{value:.4f}".rstrip("0")
    return text + "0" * (2 - len(text.split(".")[1]))


def _print_survey(summary: dict[str, Any]) -> None:
    typer.echo(
        f"{summary['source']}: {summary['returns_received']} returns, "
        f"{summary['returns_usable']} usable in the total (QUARTILE.INC, £ per contact hour)"
    )
    typer.echo(f"  {'line':<22}{'n':>4}{'lower q':>10}{'median':>10}{'upper q':>10}")
    for line in [*summary["lines"], summary["total"]]:
        shown = "".join(
            f"{_pounds(line[k]):>10}" for k in ("lower_quartile", "median", "upper_quartile")
        )
        typer.echo(f"  {line['column']:<22}{line['count']:>4}{shown}")
    for entry in summary["excluded"]:
        typer.echo(
            f"  excluded {entry['provider_ref']} (row {entry['row']}): "
            + "; ".join(entry["reasons"])
        )
    price_range = summary["price_range"]
    typer.echo(f"  proposed floor £{price_range['floor']} ({price_range['floor_rule']})")
    typer.echo(f"  proposed ceiling £{price_range['ceiling']} ({price_range['ceiling_rule']})")


def register_rates(app: typer.Typer) -> None:
    """Add price-visit, rate-cards and cost-survey to ``app``."""
    app.command("price-visit", help="Price one visit against a rate card.")(price_visit_command)
    app.command("rate-cards", help="List the shipped rate cards and their rates.")(
        rate_cards_command
    )
    app.command("cost-survey", help="Summarise a provider cost survey (Fair Cost of Care).")(
        cost_survey_command
    )
