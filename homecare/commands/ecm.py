"""ECM commands: reconcile call-monitoring logs against planned visits and price the result.

Only typer and the standard library are imported at module level; carecore (and with it
Polars) and rich are imported inside the command so that ``homecare --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from homecare.commands._common import emit_json, run, stderr_is_terminal

if TYPE_CHECKING:
    from carecore.ecm import Reconciliation
    from carecore.ecm.io import Written

DEFAULT_CARD = "leicestershire-2020-21"

ecm_app = typer.Typer(
    help="Electronic call monitoring: pay home care on the care actually delivered.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def reconcile(
    planned: Annotated[
        Path, typer.Option("--planned", help="Planned visits: CSV or Parquet (see docs/ecm.md).")
    ],
    actual: Annotated[
        Path,
        typer.Option(
            "--actual", help="Visit logs: CSV or Parquet, ECM layout or a provider return."
        ),
    ],
    rules: Annotated[
        str,
        typer.Option("--rules", help="Contract rules: a TOML file or a shipped rules name."),
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for the CSV, XLSX and JSON files.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON instead of tables.")
    ] = False,
    rate_card: Annotated[
        str,
        typer.Option("--rate-card", help="Rate card: a shipped card's name or a TOML file."),
    ] = DEFAULT_CARD,
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider",
            help="Only this provider; required for a provider return (which does not say).",
        ),
    ] = None,
    approvals: Annotated[
        Path | None,
        typer.Option(
            "--approvals",
            help="Approved manual logs: provider_ref, person_ref, carer_id, check_in.",
        ),
    ] = None,
    return_method: Annotated[
        str,
        typer.Option(
            "--return-method",
            help="How a provider return's times were recorded: manual (default), phone, app, qr.",
        ),
    ] = "manual",
) -> None:
    """Match logs to planned visits, decide each outcome and write invoices and exceptions."""

    def work() -> tuple[Reconciliation, Written]:
        import polars as pl

        from carecore.ecm import (
            load_rules,
            read_approvals,
            read_logs,
            read_planned,
            reconcile,
            write_outputs,
        )

        contract = load_rules(rules)
        plan = read_planned(planned)
        logs = read_logs(actual, provider_ref=provider, return_method=return_method)
        if provider is not None:
            plan = plan.filter(pl.col("provider_ref") == provider)
        approved = read_approvals(approvals) if approvals is not None else None
        result = reconcile(plan, logs, contract, rate_card, approvals=approved)
        return result, write_outputs(result, out)

    with _Progress("Reconciling call-monitoring logs"):
        result, written = run(work)
    if as_json:
        emit_json(
            {
                **result.summary.to_dict(),
                "files": [str(path) for path in written.files],
                "notes": list(written.notes),
            }
        )
        return
    _print_summary(result, written)


class _Progress:
    """A Rich spinner on standard error while work runs, when it is a terminal."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.status: object | None = None

    def __enter__(self) -> None:
        if stderr_is_terminal():
            from rich.console import Console

            status = Console(stderr=True).status(self.text)
            status.start()
            self.status = status

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.stop()  # type: ignore[attr-defined]


def _print_summary(result: Reconciliation, written: Written) -> None:
    from rich.console import Console
    from rich.table import Table

    summary = result.summary.to_dict()
    console = Console(width=max(Console().width, 100))
    outcomes = Table(title="Visits by outcome", title_justify="left")
    outcomes.add_column("Outcome")
    outcomes.add_column("Visits", justify="right")
    for name, count in result.summary.visit_outcomes.items():
        outcomes.add_row(name.replace("_", " "), f"{count:,}")
    outcomes.add_row("(of which single-handed)", f"{result.summary.single_handed:,}")
    for name in ("unplanned", "unmatched", "duplicate", "extra_carer", "pending_approval"):
        count = result.summary.log_statuses[name]
        outcomes.add_row(f"log: {name.replace('_', ' ')}", f"{count:,}")
    outcomes.add_row("repeated rows ignored", f"{result.summary.duplicate_rows:,}")
    console.print(outcomes)
    providers = Table(title="Per provider (carer hours)", title_justify="left")
    for name in ("Provider", "Planned h", "Payable h", "Variance h", "Lines", "Amount"):
        providers.add_column(name, justify="left" if name == "Provider" else "right")
    for row in summary["providers"]:  # type: ignore[union-attr]
        providers.add_row(
            row["provider_ref"],
            f"{row['planned_hours']:,}",
            f"{row['payable_hours']:,}",
            f"{row['variance_hours']:,}",
            f"{row['invoice_lines']:,}",
            f"£{row['amount']:,}",
        )
    console.print(providers)
    variance = summary["variance_percent"]
    console.print(
        f"Planned {summary['planned_hours']:,} h, payable {summary['payable_hours']:,} h "
        f"({'n/a' if variance is None else f'{variance}%'} against plan); "
        f"total £{summary['amount']:,}.",
        highlight=False,
    )
    for note in written.notes:
        console.print(f"Note: {note}", highlight=False)
    console.print(f"Wrote {len(written.files)} files to {written.files[0].parent}", highlight=False)


ecm_app.command(
    "reconcile",
    help="Match logs to planned visits, decide outcomes, write invoices and exceptions.",
)(reconcile)


def register(app: typer.Typer) -> None:
    app.add_typer(ecm_app, name="ecm")
