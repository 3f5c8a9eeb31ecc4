"""`homecare simulate`: compare delivery models on a market scenario, and sweep a parameter.

``homecare simulate [SCENARIO]`` runs the comparison; ``homecare simulate sweep [SCENARIO]``
runs a sweep. Both spread the runs over Dask workers (see docs/market.md, "Scale-out").

Only typer and the standard library are imported at module level; carecore and rich are
imported inside the commands so that ``homecare --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import click
import typer
from typer.core import TyperGroup

from homecare.commands._common import emit_json, fail, run, stderr_is_terminal

if TYPE_CHECKING:
    from carecore.market import Comparison, ModelSummary, Scenario
    from carecore.market.sweep import SweepResult

T = TypeVar("T")

#: Exit code after Ctrl-C, as shells report it (128 + SIGINT).
EXIT_INTERRUPTED = 130


class _RunByDefault(TyperGroup):
    """``homecare simulate ARGS`` means ``homecare simulate run ARGS`` unless ARGS starts with
    a subcommand (``sweep``) or asks for help, so the scenario file can come first."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["run", *args]
        return super().parse_args(ctx, args)


simulate_app = typer.Typer(
    cls=_RunByDefault,
    help=(
        "Simulate the home care market: compare delivery models (prime, open, lead-block, "
        "dps) over replications, or sweep one scenario parameter. Runs go to Dask workers."
    ),
    rich_markup_mode=None,
)

ScenarioArg = Annotated[
    str | None,
    typer.Argument(
        metavar="SCENARIO",
        help="A scenario TOML file or a shipped name; default: the embedded Leicestershire.",
        show_default=False,
    ),
]
ModelsOpt = Annotated[
    str | None,
    typer.Option("--models", help="Delivery models, comma-separated; default: all the scenario's."),
]
ReplicationsOpt = Annotated[
    int, typer.Option("--replications", help="Runs per model (each its own random stream).")
]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Base seed; default: the scenario's.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        help="Worker processes of a local Dask cluster (default: the cores); 1 runs here.",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="Use an existing Dask cluster: its scheduler address."),
]


# (label, metric, format): the figures the committee asks about, in the order the issue lists.
HEADLINES: tuple[tuple[str, str, str], ...] = (
    ("Median days to place", "median_days_to_place", "days"),
    ("90th percentile, days", "p90_days_to_place", "days"),
    ("Placed within 2 days", "share_placed_within_2_days", "share"),
    ("Placed within 7 days", "share_placed_within_7_days", "share"),
    ("Waiting list (packages)", "mean_waiting_list", "number"),
    ("Unmet hours a week", "mean_unmet_hours_per_week", "number"),
    ("People with prime or lead", "share_people_with_principal", "share"),
    ("Median days, rural", "median_days_rural", "days"),
    ("Median days, urban", "median_days_urban", "days"),
    ("Offer acceptance, rural", "offer_acceptance_rural", "share"),
    ("Offer acceptance, urban", "offer_acceptance_urban", "share"),
    ("Cost per carer hour", "cost_per_hour", "pounds"),
    ("Spend", "spend_pence", "pence"),
    ("HHI (0 to 10,000)", "hhi", "whole"),
    ("Travel miles", "travel_miles", "whole"),
    ("CO2e, kg", "co2_kg", "whole"),
)
SWEEP_HEADLINES = ("median_days_to_place", "median_days_rural", "share_placed_within_7_days")
SWEEP_MONEY = ("cost_per_hour", "spend_pence")


def compare_models(
    scenario: ScenarioArg = None,
    models: ModelsOpt = None,
    replications: ReplicationsOpt = 10,
    seed: SeedOpt = None,
    as_json: JsonOpt = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Write the committee report: HTML, or PDF for a name ending .pdf.",
        ),
    ] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Compare delivery models on a scenario, with 95% confidence intervals."""
    writer = _report_writer(report) if report is not None else None
    loaded = run(lambda: _load(scenario))
    names = _models(loaded, models)
    _check_counts(replications, seed, workers, scheduler)

    def work(progress: Callable[[int, int], None]) -> Comparison:
        from carecore.market.parallel import compare_parallel

        return compare_parallel(
            loaded,
            names,
            replications,
            seed,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
        )

    total = len(names) * replications
    with _Bar(f"Simulating {len(names)} models x {replications} replications", total) as bar:
        comparison = _interruptible(lambda: run(lambda: work(bar)))
    written = run(lambda: writer(comparison, loaded)) if writer is not None else None
    if as_json:
        emit_json(
            {
                "scenario": comparison.scenario,
                "seed": comparison.seed,
                "replications": comparison.replications,
                "models": [s.to_dict() for s in comparison.summaries],
                "report": None if written is None else str(written),
            }
        )
        return
    _print_comparison(comparison)
    if written is not None:
        typer.echo(f"Wrote the committee report to {written}")


def sweep_parameter(
    parameter: Annotated[
        str,
        typer.Option(
            "--parameter",
            help=(
                "A dotted scenario key (demand.growth_per_year, supply.capacity_margin, "
                "costs.band_rates.RURAL, ...) or costs.rural_uplift_percent."
            ),
        ),
    ],
    values: Annotated[
        str,
        typer.Option("--values", help="start:stop:step, both ends included (0:30:5), or a,b,c."),
    ],
    scenario: ScenarioArg = None,
    models: ModelsOpt = None,
    replications: ReplicationsOpt = 10,
    seed: SeedOpt = None,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="Keep each finished run here; run again to resume without redoing them.",
        ),
    ] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sweep one scenario parameter over values, times models, times replications."""
    from carecore.market.sweep import parse_values, sweep, with_parameter

    loaded = run(lambda: _load(scenario))
    names = _models(loaded, models)
    _check_counts(replications, seed, workers, scheduler)
    points = _named("--values", lambda: parse_values(values))
    # A bad key or value fails now, before any run (sweep checks again, cheaply).
    _named("--parameter", lambda: [with_parameter(loaded, parameter, p) for p in points])

    def work(progress: Callable[[int, int], None]) -> SweepResult:
        return sweep(
            loaded,
            parameter,
            points,
            names,
            replications,
            seed,
            store=store,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
        )

    total = len(points) * len(names) * replications
    with _Bar(f"Sweeping {parameter}", total) as bar:
        result = _interruptible(lambda: run(lambda: work(bar)), store)
    if as_json:
        emit_json({**result.to_dict(), "store": None if store is None else str(store)})
        return
    _print_sweep(result, store)


def _named(option: str, action: Callable[[], T]) -> T:
    """``action``, with any bad input reported against the command-line ``option``."""
    from carecore.errors import InputError

    try:
        return action()
    except InputError as exc:
        own = exc.key == option.lstrip("-") and not exc.source
        fail(f"{option}: {exc.message if own else exc}")
        raise AssertionError("unreachable") from None  # pragma: no cover


def _interruptible(action: Callable[[], Any], store: Path | None = None) -> Any:
    try:
        return action()
    except KeyboardInterrupt:
        kept = f"; finished runs are kept in {store}, run again to resume" if store else ""
        typer.echo(f"interrupted{kept}", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _load(source: str | None) -> Scenario:
    from carecore.market import load_scenario

    return load_scenario(source)


def _models(scenario: Scenario, given: str | None) -> list[str]:
    if given is None:
        return list(scenario.models)
    names = [name.strip() for name in given.split(",") if name.strip()]
    if not names:
        fail("--models: give at least one delivery model")
    for name in names:
        if name not in scenario.models:
            fail(
                f"--models: unknown delivery model {name!r} "
                f"(this scenario has: {', '.join(scenario.models)})"
            )
    if len(set(names)) != len(names):
        fail(f"--models: a model is repeated in {given!r}")
    return names


def _check_counts(
    replications: int, seed: int | None, workers: int | None, scheduler: str | None
) -> None:
    from carecore.market.parallel import check_workers

    if replications < 1:
        fail(f"--replications: must be 1 or more, got {replications}")
    if seed is not None and seed < 0:
        fail(f"--seed: must be a whole number from 0, got {seed}")
    _named("--workers", lambda: check_workers(workers, scheduler))


def _report_writer(path: Path) -> Callable[[Comparison, Scenario], Path]:
    """The committee report writer for ``path``, checked before any run starts."""
    from carecore.reports import committee

    if not path.parent.is_dir():
        fail(f"--report: folder {path.parent} does not exist")

    def write(comparison: Comparison, scenario: Scenario) -> Path:
        if path.suffix.lower() == ".pdf":
            path.write_bytes(committee.committee_report_pdf(comparison, scenario))
        else:
            path.write_text(committee.committee_report_html(comparison, scenario), "utf-8")
        return path

    return write


class _Bar:
    """A Rich progress bar of runs done on standard error, when it is a terminal."""

    def __init__(self, text: str, total: int) -> None:
        self.text = text
        self.total = total
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> Callable[[int, int], None]:
        if stderr_is_terminal():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self.bar.start()
            self.task = self.bar.add_task(self.text, total=self.total)
        return self.advance

    def advance(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


# --- tables ---------------------------------------------------------------------------------


def _cell(summary: ModelSummary, metric: str, kind: str) -> str:
    """``mean ± half-width`` of the 95% interval, in the metric's unit; "n/a" if undefined."""
    estimate = summary[metric]
    if estimate.mean is None:
        return "n/a"
    mean = _format(estimate.mean, kind)
    if estimate.half_width is None:
        return mean
    return f"{mean} ± {_format(estimate.half_width, kind, spread=True)}"


def _format(value: float | Decimal, kind: str, *, spread: bool = False) -> str:
    if kind == "days":
        return f"{float(value):.2f}"
    if kind == "share":
        return f"{float(value) * 100:.1f}{'' if spread else '%'}"
    if kind == "number":
        return f"{float(value):,.1f}"
    if kind == "whole":
        return f"{float(value):,.0f}"
    if kind == "pounds":
        return f"£{Decimal(value):,.2f}"
    if kind == "pence":  # whole pounds from exact pence
        return f"£{(Decimal(value) / 100).quantize(Decimal(1)):,}"
    raise ValueError(kind)


def _print_comparison(comparison: Comparison) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 110))
    table = Table(
        title=(
            f"{comparison.scenario}: mean ± 95% CI over {comparison.replications} "
            f"replications (seed {comparison.seed})"
        ),
        title_justify="left",
    )
    table.add_column("Figure")
    for model in comparison.models:
        table.add_column(model, justify="right")
    for label, metric, kind in HEADLINES:
        cells = [_cell(comparison.summary(model), metric, kind) for model in comparison.models]
        table.add_row(label, *cells)
    console.print(table)


def _print_sweep(result: SweepResult, store: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    kinds = {metric: kind for _, metric, kind in HEADLINES}
    labels = {metric: label for label, metric, _ in HEADLINES}
    console = Console(width=max(Console().width, 110))
    for metric in (*SWEEP_HEADLINES, *SWEEP_MONEY):
        table = Table(title=f"{labels[metric]} (mean ± 95% CI)", title_justify="left")
        table.add_column(result.parameter)
        for model in result.models:
            table.add_column(model, justify="right")
        for value in result.values:
            cells = [_cell(result.summary(value, m), metric, kinds[metric]) for m in result.models]
            table.add_row(str(value), *cells)
        console.print(table)
    kept = f"; runs kept in {store}" if store is not None else ""
    console.print(
        f"{result.runs} runs ({result.replications} replications, seed {result.seed}), "
        f"{result.reused} read from the store{kept}.",
        highlight=False,
    )


simulate_app.command("run", help="Compare delivery models (the default: `homecare simulate`).")(
    compare_models
)
simulate_app.command("sweep", help="Sweep a scenario parameter over values, resumably.")(
    sweep_parameter
)


def register(app: typer.Typer) -> None:
    app.add_typer(simulate_app, name="simulate")
