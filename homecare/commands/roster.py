"""`homecare roster`: carers' daily rounds (solve an instance) and travel per band (calibrate).

``homecare roster solve INSTANCE`` routes a Solomon, Mankowska or native instance and prints
the objective, the routes and whether every time window, skill and synchronisation holds.
``homecare roster calibrate`` routes a week of the demo (synthetic, full-scale) or the live
market and reports travel per band, the prices it implies beside the rate card, and carbon.

Only typer and the standard library are imported at module level.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from homecare.commands._common import emit_json, fail, run, stderr_is_terminal

roster_app = typer.Typer(
    help="Carers' daily rounds: solve routing instances, and measure travel per band.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

FORMATS = ("auto", "solomon", "mankowska", "native")
SOLVERS = ("pyvrp", "ortools")


def register(app: typer.Typer) -> None:
    app.add_typer(roster_app, name="roster")


@roster_app.command("solve")
def solve(
    instance: Annotated[Path, typer.Argument(help="The instance file.", show_default=False)],
    format: Annotated[
        str,
        typer.Option("--format", help="solomon (.vrp), mankowska (.json), native (.json) or auto."),
    ] = "auto",
    seconds: Annotated[float, typer.Option(help="Time to search, in seconds.")] = 10.0,
    seed: Annotated[int, typer.Option(help="Seed of the search.")] = 1,
    solver: Annotated[str, typer.Option(help="pyvrp (ours) or ortools (comparison).")] = "pyvrp",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Solve one instance and check the answer: windows, skills, synchronisation."""
    if format not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, got {format!r}")
    if solver not in SOLVERS:
        fail(f"--solver must be one of {', '.join(SOLVERS)}, got {solver!r}")
    if seconds <= 0:
        fail("--seconds must be positive")
    if not instance.is_file():
        fail(f"{instance}: file not found")
    kind = _detect(instance) if format == "auto" else format
    if kind == "solomon":
        payload = run(lambda: _solve_solomon(instance, seconds, seed))
    else:
        payload = run(lambda: _solve_rounds(instance, kind, seconds, seed, solver))
    if as_json:
        emit_json(payload)
    else:
        _print_solution(payload)
    if not payload["feasible"]:
        raise typer.Exit(1)


def _detect(instance: Path) -> str:
    if instance.suffix.lower() == ".vrp":
        return "solomon"
    import json

    try:
        data = json.loads(instance.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        fail(f"{instance}: not a .vrp file nor JSON; give --format")
    return "mankowska" if isinstance(data, dict) and "patients" in data else "native"


def _solve_solomon(instance: Path, seconds: float, seed: int) -> dict[str, Any]:
    from carecore.rostering.solomon import solve_solomon

    result = solve_solomon(instance, seconds=seconds, seed=seed)
    return {
        "problem": result.name,
        "format": "solomon",
        "objective": result.distance,
        "best_known": result.best_known,
        "gap_percent": result.gap_percent,
        "feasible": result.feasible,
        "problems": list(result.problems),
        "seconds_given": result.seconds_given,
        "seconds_used": result.seconds_used,
        "routes": [
            {"carer": f"vehicle {n + 1}", "visits": list(r)} for n, r in enumerate(result.routes)
        ],
    }


def _solve_rounds(
    instance: Path, kind: str, seconds: float, seed: int, solver: str
) -> dict[str, Any]:
    from carecore.rostering.mankowska import read_mankowska
    from carecore.rostering.native import read_native, rounds_to_dict

    problem = read_mankowska(instance) if kind == "mankowska" else read_native(instance)
    result = _with_progress(problem, seconds, seed, solver)
    payload = rounds_to_dict(problem, result.rounds, result.evaluation)
    payload.update(
        format=kind,
        solver=result.solver,
        seconds_given=result.seconds_given,
        seconds_used=round(result.seconds_used, 3),
        seed=seed,
    )
    if kind == "mankowska":
        payload.update(_published_gap(instance, result.evaluation.objective))
    return payload


def _published_gap(instance: Path, objective: float) -> dict[str, Any]:
    from carecore.rostering.mankowska import best_published

    try:
        best = best_published(instance.parent).get(instance.name)
    except OSError:
        best = None
    if best is None:
        return {}
    return {"best_published": best, "gap_percent": round(100 * (objective - best) / best, 3)}


def _with_progress(problem: Any, seconds: float, seed: int, solver: str) -> Any:
    if solver == "ortools":
        from carecore.rostering.solver_ortools import solve_with_ortools

        return solve_with_ortools(problem, seconds=seconds, seed=seed)
    from carecore.rostering.solver import solve_rounds

    if not stderr_is_terminal():
        return solve_rounds(problem, seconds=seconds, seed=seed)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("searching ({task.description})"),
        BarColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=seconds)

        def advance(elapsed: float, best: float) -> None:
            bar.update(task, completed=min(elapsed, seconds), description=f"best {best:.3f}")

        return solve_rounds(problem, seconds=seconds, seed=seed, progress=advance)


def _print_solution(payload: dict[str, Any]) -> None:
    typer.echo(f"{payload['problem']}: objective {payload['objective']:.3f}")
    if "best_known" in payload or "best_published" in payload:
        best = payload.get("best_known", payload.get("best_published"))
        typer.echo(f"  best published {best:.3f}, gap {payload['gap_percent']:.2f}%")
    for route in payload["routes"]:
        stops = ", ".join(
            str(v["visit"]) if isinstance(v, dict) else str(v) for v in route["visits"]
        )
        typer.echo(f"  {route['carer']}: {stops}")
    if payload["feasible"]:
        typer.echo("every time window, skill and synchronisation holds" + _late(payload))
    else:
        typer.echo("NOT feasible:")
        for problem in payload["problems"]:
            typer.echo(f"  - {problem}")


def _late(payload: dict[str, Any]) -> str:
    late = payload.get("late_visits", 0)
    return (
        f" ({late} visits start after their window: lateness is allowed at a cost)" if late else ""
    )


@roster_app.command("calibrate")
def calibrate(
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Route the placed packages in the database (DATABASE_URL) instead of the "
            "demo market.",
        ),
    ] = False,
    council: Annotated[
        str | None,
        typer.Option(help="With --live: the council's name (default: the only council)."),
    ] = None,
    people: Annotated[
        int, typer.Option(help="People in the demo market (seed 002: 1,667).")
    ] = 1667,
    seconds_per_visit: Annotated[
        float, typer.Option(help="Search time per visit for each day's rounds.")
    ] = 0.01,
    travel: Annotated[
        str | None,
        typer.Option(help="straight-line (default), a matrix file, or an OSRM server's URL."),
    ] = None,
    merge: Annotated[
        list[str] | None,
        typer.Option(
            help="Zones to route as one, for the carbon a zone change saves: ZONE+ZONE "
            "(repeatable)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for homes and the search.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Build a typical week's rounds per provider and zone and report travel per band,
    the prices it implies beside the rate card, and carbon."""
    if people < 1:
        fail("--people must be at least 1")
    if seconds_per_visit <= 0:
        fail("--seconds-per-visit must be positive")
    zone_map = run(lambda: _zone_map(merge or []))
    visits = run(lambda: _live_week(council) if live else _demo_week(people, seed))
    report = run(lambda: _calibrate(visits, travel, seconds_per_visit, seed, zone_map))
    if as_json:
        emit_json(report)
    else:
        _print_report(report)


def _zone_map(merges: list[str]) -> dict[str, str]:
    from carecore.errors import InputError

    mapping: dict[str, str] = {}
    for text in merges:
        zones = [z.strip() for z in text.split("+") if z.strip()]
        if len(zones) < 2:
            raise InputError(f"give two or more zones joined by '+', got {text!r}", key="merge")
        for zone in zones[1:]:
            mapping[zone] = zones[0]
    return mapping


def _demo_week(people: int, seed: int) -> Any:
    from carecore.geography import default_geography
    from carecore.market.loading import default_scenario
    from carecore.rostering.homes import synthetic_week

    return synthetic_week(default_scenario(), default_geography(), people=people, seed=seed)


def _live_week(name: str | None) -> Any:
    from homecare.commands.platform import _django

    _django()
    from carecore.errors import InputError
    from homecare.accounts.models import Organisation
    from homecare.commissioning.travel_data import live_week

    councils = Organisation.objects.filter(kind=Organisation.Kind.COUNCIL)
    if name:
        councils = councils.filter(name=name)
    found = list(councils[:2])
    if len(found) != 1:
        which = f"named {name!r}" if name else "in the database; name one with --council"
        raise InputError(f"{'no' if not found else 'more than one'} council {which}")
    visits = live_week(found[0])
    if not visits:
        raise InputError(f"{found[0].name} has no placed packages to route", key="live")
    return visits


def _calibrate(
    visits: Any, travel_spec: str | None, seconds_per_visit: float, seed: int, zone_map: Any
) -> dict[str, Any]:
    from carecore.rostering.calibrate import calibrate as route_week
    from carecore.rostering.travel import travel_source_from
    from carecore.rostering.travel_report import build_travel_report

    source = travel_source_from(travel_spec)
    runs = [("now", {})] + ([("merged", zone_map)] if zone_map else [])
    found = {}
    for label, mapping in runs:
        found[label] = _with_bar(
            f"routing ({label})" if zone_map else "routing",
            lambda progress, mapping=mapping: route_week(
                visits,
                travel=source,
                seconds_per_visit=seconds_per_visit,
                seed=seed,
                zone_map=mapping,
                progress=progress,
            ),
        )
    label = ", ".join(f"{z} routed with {into}" for z, into in sorted(zone_map.items()))
    return build_travel_report(
        found["now"], alternative=found.get("merged"), alternative_label=label
    )


def _with_bar(text: str, work: Any) -> Any:
    if not stderr_is_terminal():
        return work(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn(text), BarColumn(), MofNCompleteColumn(), transient=True) as bar:
        task = bar.add_task(text, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return work(advance)


def _print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    bands = Table(title="Travel per band, from a week of rounds")
    for column in (
        "band",
        "visits",
        "contact hours",
        "travel min / contact h",
        "miles / contact h",
        "waiting min / contact h",
        "travel share of paid time",
    ):
        bands.add_column(column, justify="left" if column == "band" else "right")
    for row in report["bands"]:
        bands.add_row(
            row["band"],
            str(row["visits"]),
            row["contact_hours"],
            row["travel_minutes_per_contact_hour"],
            row["miles_per_contact_hour"],
            row["waiting_minutes_per_contact_hour"],
            row["travel_share_percent"] + "%",
        )
    console.print(bands)
    prices = Table(title="Price per contact hour from the rounds, beside the rate card")
    for column in ("band", "card", "from rounds", "difference", "the card"):
        prices.add_column(column, justify="left" if column in ("band", "the card") else "right")
    for row in report["prices"]:
        prices.add_row(
            row["band"],
            f"£{row['card_price']}",
            f"£{row['derived_price']}",
            f"£{row['difference']} ({row['difference_percent']}%)",
            row["verdict"],
        )
    console.print(prices)
    carbon = report["carbon"]
    console.print(
        f"Carbon: {carbon['total_tonnes_per_year']} tonnes CO2e a year from driving "
        f"between visits, at {carbon['factor_source']}"
    )
    if "zone_change" in report:
        change = report["zone_change"]
        console.print(
            f"Zone change ({change['label']}): saves {change['miles_saved_per_year']} "
            f"miles and {change['tonnes_saved_per_year']} tonnes CO2e a year"
        )
    console.print(
        f"{report['visits_routed']} visits in {report['problems_solved']} "
        f"day-rounds; {report['late_visits']} visits start after their window."
    )
    for line in report["assumptions"]:
        console.print(f"- {line}")
