"""ECM commands: reconcile call-monitoring logs against planned visits and price the result.

Only typer and the standard library are imported at module level; carecore (and with it
Polars) and rich are imported inside the command so that ``homecare --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from homecare.commands._common import emit_json, run, stderr_is_terminal

if TYPE_CHECKING:
    from carecore.ecm import Reconciliation, Summary
    from carecore.ecm.io import Written
    from carecore.ecm.partitioned import PartitionedRun

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
    partitioned: Annotated[
        bool,
        typer.Option(
            "--partitioned",
            help=(
                "For files too large for memory: reconcile a group of providers at a time and "
                "write Parquet files (ECM layout only)."
            ),
        ),
    ] = False,
) -> None:
    """Match logs to planned visits, decide each outcome and write invoices and exceptions."""
    if partitioned:
        if provider is not None:
            raise typer.BadParameter(
                "--provider does not go with --partitioned (which covers every provider)",
                param_hint="--provider",
            )
        _reconcile_in_parts(planned, actual, rules, out, rate_card, approvals, as_json)
        return

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
    _report(result.summary, written.files, written.notes, as_json)


def _reconcile_in_parts(
    planned: Path,
    actual: Path,
    rules: str,
    out: Path,
    rate_card: str,
    approvals: Path | None,
    as_json: bool,
) -> None:
    def work(progress: Callable[[int, int, list[str | None]], None]) -> PartitionedRun:
        from carecore.ecm import load_rules, read_approvals
        from carecore.ecm.partitioned import reconcile_partitioned

        approved = read_approvals(approvals) if approvals is not None else None
        return reconcile_partitioned(
            planned,
            actual,
            load_rules(rules),
            rate_card,
            out,
            approvals=approved,
            progress=progress,
        )

    with _PartsProgress() as progress:
        done = run(lambda: work(progress))
    _report(done.summary, done.files, (), as_json)


class _PartsProgress:
    """A Rich progress bar of parts done on standard error, when it is a terminal."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> Callable[[int, int, list[str | None]], None]:
        if stderr_is_terminal():
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True))
            self.bar.start()
            self.task = self.bar.add_task("Reconciling in parts", total=None)
        return self.advance

    def advance(self, done: int, total: int, providers: list[str | None]) -> None:
        if self.bar is not None:
            named = ", ".join(p or "(blank)" for p in providers[:3])
            more = f" and {len(providers) - 3} more" if len(providers) > 3 else ""
            self.bar.update(
                self.task, completed=done, total=total, description=f"Done {named}{more}"
            )

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _report(
    summary: Summary, files: tuple[Path, ...], notes: tuple[str, ...], as_json: bool
) -> None:
    if as_json:
        emit_json(
            {
                **summary.to_dict(),
                "files": [str(path) for path in files],
                "notes": list(notes),
            }
        )
        return
    _print_summary(summary, files, notes)


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


def _print_summary(result: Summary, files: tuple[Path, ...], notes: tuple[str, ...]) -> None:
    from rich.console import Console
    from rich.table import Table

    summary = result.to_dict()
    console = Console(width=max(Console().width, 100))
    outcomes = Table(title="Visits by outcome", title_justify="left")
    outcomes.add_column("Outcome")
    outcomes.add_column("Visits", justify="right")
    for name, count in result.visit_outcomes.items():
        outcomes.add_row(name.replace("_", " "), f"{count:,}")
    outcomes.add_row("(of which single-handed)", f"{result.single_handed:,}")
    for name in ("unplanned", "unmatched", "duplicate", "extra_carer", "pending_approval"):
        count = result.log_statuses[name]
        outcomes.add_row(f"log: {name.replace('_', ' ')}", f"{count:,}")
    outcomes.add_row("repeated rows ignored", f"{result.duplicate_rows:,}")
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
    for note in notes:
        console.print(f"Note: {note}", highlight=False)
    folders = sorted({str(path.parent) for path in files})
    console.print(f"Wrote {len(files)} files to {', '.join(folders)}", highlight=False)


ecm_app.command(
    "reconcile",
    help="Match logs to planned visits, decide outcomes, write invoices and exceptions.",
)(reconcile)


def register(app: typer.Typer) -> None:
    app.add_typer(ecm_app, name="ecm")
