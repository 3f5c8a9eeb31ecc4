"""Tender commands: score bids per lot on price and quality, and award places in tiers.

Only typer and the standard library are imported here; carecore and rich are imported inside the
command so that `homecare --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from homecare.commands._common import emit_json, run

if TYPE_CHECKING:
    from carecore.procurement import LotResult, TenderResult


def evaluate(
    bids: Annotated[Path, typer.Argument(help="Bids: a CSV file or an Excel workbook (.xlsx).")],
    rules: Annotated[Path, typer.Option("--rules", help="Tender rules (TOML).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    xlsx: Annotated[
        Path | None,
        typer.Option("--xlsx", help="Also write the result as an Excel workbook to this path."),
    ] = None,
) -> None:
    """Score bids per lot against the rules: exclude, rank and award places in tiers."""
    from carecore.procurement import evaluate_tender, load_bids, load_tender_rules

    def work() -> TenderResult:
        tender_rules = load_tender_rules(rules)
        loaded = load_bids(bids, max_score=tender_rules.max_score)
        return evaluate_tender(loaded, tender_rules)

    result = run(work)
    if xlsx is not None:
        _write_xlsx(result, xlsx)
    if as_json:
        emit_json(result.to_dict())
        return
    _print_tables(result)
    if xlsx is not None:
        typer.echo(f"Wrote {xlsx}")


def _write_xlsx(result: TenderResult, target: Path) -> None:
    from carecore.errors import InputError
    from carecore.procurement import write_tender_xlsx

    def write() -> None:
        try:
            write_tender_xlsx(result, target)
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            raise InputError(f"cannot write the workbook ({exc.strerror})", source=target) from None

    run(write)


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _print_tables(result: TenderResult) -> None:
    from rich.console import Console

    console = Console(width=max(Console().width, 120))
    if result.title:
        console.print(result.title, style="bold")
    for lot in result.lots:
        console.print(_lot_table(lot))
        for row in lot.excluded:
            console.print(f"  Excluded {row.bidder}: {row.reason}", highlight=False)
        if lot.unfilled_tiers:
            console.print(f"Unfilled places in {lot.lot}: {', '.join(lot.unfilled_tiers)}")
    awards = result.awards
    console.print(f"{len(awards)} awards; {len(result.excluded)} bids excluded.")


def _lot_table(lot: LotResult) -> object:
    from rich.table import Table

    rules = lot.rules
    caption = (
        f"quality {rules.quality_weight} / price {rules.price_weight}, "
        f"price formula {rules.price_formula}, lowest valid price "
        f"{'£' + str(lot.lowest_valid_price) if lot.lowest_valid_price is not None else 'none'}"
    )
    table = Table(title=f"Lot: {lot.lot}", caption=caption, title_justify="left")
    table.add_column("Rank", justify="right")
    table.add_column("Bidder", no_wrap=True)
    table.add_column("Outcome")
    for name in ("£/hour", "Price pts", "Quality", "Quality pts", "Total"):
        table.add_column(name, justify="right")
    for row in lot.rows:
        table.add_row(
            _cell(row.rank),
            row.bidder,
            row.tier or row.status,
            _cell(row.price_used),
            _cell(row.price_score),
            _cell(row.quality_score),
            _cell(row.quality_points),
            _cell(row.total),
        )
    if not lot.rows:
        table.add_row("", "no bids", "", "", "", "", "", "")
    return table


def register(app: typer.Typer) -> None:
    tender_app = typer.Typer(
        help="Tender evaluation: score bids on price and quality per lot and award places.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    tender_app.command(
        "evaluate", help="Score bids per lot against the rules: exclude, rank and award places."
    )(evaluate)
    app.add_typer(
        tender_app,
        name="tender",
        help="Tender evaluation: score bids on price and quality per lot and award places.",
    )
