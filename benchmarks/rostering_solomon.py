"""Solomon's VRPTW instances solved with PyVRP: distance against the best known.

Runs every instance in ``solomon/`` of the benchmarks folder (or those named with
``--only``) through ``carecore.rostering.solomon.solve_solomon`` for ``--seconds`` each,
and writes a markdown table: distance, best known (recomputed from the ``.sol`` routes on
the same matrix), gap %, routes, our own feasibility verdict, seconds used and the 1-minute
load average when the instance finished; then the mean gap overall and per family, and the
worst instances. Convention: total distance only, distances truncated to one decimal
(DIMACS). The machine may be shared: the load average is printed before, during and after.
It does not edit docs/benchmarks.md.

The Solomon gates live here, measured and recorded in a "Gates" table, never asserted by
the tests (whose searches run on budgets of PyVRP iterations): the six targets R101, R201,
C101, C201, RC101 and RC201 each within 1% of the best known in 10 s; every instance
feasible by our own check; and every solve within its seconds plus 2 (process start-up and
collecting the children included). ``--iterations N`` runs on a budget of N PyVRP
iterations per search instead of (or, with ``--seconds``, as well as) the clock.

    .venv/bin/python benchmarks/rostering_solomon.py --seconds 10
    .venv/bin/python benchmarks/rostering_solomon.py --only R101,R201,C101,C201,RC101,RC201
    .venv/bin/python benchmarks/rostering_solomon.py --only R101,C101 --output /tmp/s.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import sys
from pathlib import Path
from statistics import mean

import vrplib  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from machine import cores, cpu_name, load_average

from carecore.rostering.benchmark_data import benchmarks_dir
from carecore.rostering.solomon import RoutePressure, SolomonResult, solve_solomon

DEFAULT_OUTPUT = Path("/tmp/helpers/solomon_results.md")
FAMILIES = ("C1", "C2", "R1", "R2", "RC1", "RC2")
TARGETS = ("R101", "R201", "C101", "C201", "RC101", "RC201")
TARGET_SECONDS = 10.0
TARGET_GAP_PERCENT = 1.0
# Starting two processes and collecting them is not in the search's own limit.
SECONDS_SLACK = 2.0


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def gates(results: list[SolomonResult], seconds: float | None) -> list[str]:
    """The gates' rows for this run: what was measured and whether it met each."""
    rows = []
    targets = [r for r in results if r.name in TARGETS]
    if targets:
        worst = max(targets, key=lambda r: r.gap_percent)
        timed = f"{seconds:g} s" if seconds is not None else "an iteration budget"
        note = "" if seconds == TARGET_SECONDS else f" (this run: {timed}, not the gate's)"
        rows.append(
            f"| targets within {TARGET_GAP_PERCENT:g}% of the best known in "
            f"{TARGET_SECONDS:g} s{note} | "
            + ", ".join(f"{r.name} {r.gap_percent:.2f}%" for r in targets)
            + f" | {_met(worst.gap_percent <= TARGET_GAP_PERCENT)} |"
        )
    infeasible = [r.name for r in results if not r.feasible]
    rows.append(
        f"| every instance feasible by our check | {len(infeasible)} infeasible"
        f"{': ' + ', '.join(infeasible) if infeasible else ''} | {_met(not infeasible)} |"
    )
    if seconds is not None:
        slowest = max(results, key=lambda r: r.seconds_used)
        rows.append(
            f"| every solve within {seconds + SECONDS_SLACK:g} s ({seconds:g} given + "
            f"{SECONDS_SLACK:g}) | slowest {slowest.name} {slowest.seconds_used:.2f} s | "
            f"{_met(slowest.seconds_used <= seconds + SECONDS_SLACK)} |"
        )
    return rows


def _family(name: str) -> str:
    found = re.match(r"([A-Z]+)(\d)", name)
    return f"{found.group(1)}{found.group(2)}" if found else name


def _load_one_minute() -> str:
    return load_average().split()[0]


def _row(result: SolomonResult, reference_routes: int, load: str) -> str:
    feasible = "yes" if result.feasible else "NO: " + "; ".join(result.problems[:2])
    searches = ", ".join(
        f"{label} {distance:.1f}{'' if ok else ' (infeasible)'}"
        for label, distance, ok in result.searches
    )
    return (
        f"| {result.name} | {result.best_known:.1f} | {result.distance:.1f} | "
        f"{result.gap_percent:.2f} | {len(result.routes)} / {reference_routes} | {feasible} | "
        f"{searches or '-'} | {result.seconds_used:.1f} | {load} |"
    )


def _summary(results: list[SolomonResult]) -> list[str]:
    lines = ["| family | instances | mean gap % | worst gap % |", "|---|---:|---:|---:|"]
    for family in FAMILIES:
        gaps = [r.gap_percent for r in results if _family(r.name) == family]
        if gaps:
            lines.append(f"| {family} | {len(gaps)} | {mean(gaps):.2f} | {max(gaps):.2f} |")
    gaps = [r.gap_percent for r in results]
    lines.append(f"| all | {len(gaps)} | {mean(gaps):.2f} | {max(gaps):.2f} |")
    worst = sorted(results, key=lambda r: r.gap_percent, reverse=True)[:5]
    lines += [
        "",
        "Worst: "
        + ", ".join(f"{r.name} {r.gap_percent:.2f}% ({len(r.routes)} routes)" for r in worst),
        f"Within 1%: {sum(r.gap_percent <= 1 for r in results)} of {len(results)}; "
        f"best known matched or beaten: {sum(r.gap_percent <= 0 for r in results)}; "
        f"infeasible by our check: {sum(not r.feasible for r in results)}.",
    ]
    return lines


def _limit(seconds: float | None, iterations: int | None, clock: str) -> str:
    parts = []
    if seconds is not None:
        parts.append(f"{seconds:g} s ({clock})")
    if iterations is not None:
        parts.append(f"{iterations} PyVRP iterations per search")
    return " or ".join(parts) + (", whichever first" if len(parts) == 2 else "")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the markdown table; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=None, help="run time per instance (default 10)"
    )
    parser.add_argument(
        "--iterations",
        type=int,
        default=None,
        help="PyVRP iterations per search (deterministic; no time limit unless --seconds)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated names, e.g. R101,C101")
    parser.add_argument("--folder", type=Path, default=None, help="the solomon/ folder")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--clock",
        choices=("wall", "process"),
        default="wall",
        help="stop on elapsed time (PyVRP MaxRuntime) or on this process's processor time",
    )
    parser.add_argument(
        "--method",
        choices=("best_of_two", "plain"),
        default="best_of_two",
        help="best_of_two: a plain and a route-pressure search, keep the shorter (default); "
        "plain: one search",
    )
    parser.add_argument(
        "--route-pressure",
        action="store_true",
        help="with --method plain: the one search is the route-pressure one",
    )
    args = parser.parse_args(argv)
    if args.seconds is None and args.iterations is None:
        args.seconds = TARGET_SECONDS

    root = args.folder or benchmarks_dir()
    folder = root / "solomon" if root is not None and (root / "solomon").is_dir() else root
    if folder is None or not folder.is_dir():
        print("Solomon instances not found (see ../shared/data/benchmarks/)", file=sys.stderr)
        return 1
    paths = sorted(folder.glob("*.vrp"))
    if args.only:
        wanted = {n.strip().upper() for n in args.only.split(",") if n.strip()}
        paths = [p for p in paths if p.stem.upper() in wanted]
    if not paths:
        print("no instance matched", file=sys.stderr)
        return 1
    pressure = RoutePressure() if args.route_pressure or args.method == "best_of_two" else None
    started = datetime.datetime.now(datetime.UTC)
    load_before = load_average()

    results: list[SolomonResult] = []
    rows: list[str] = []
    for number, path in enumerate(paths, start=1):
        result = solve_solomon(
            path,
            seconds=args.seconds,
            iterations=args.iterations,
            seed=args.seed,
            method=args.method,
            pressure=pressure,
            clock=args.clock,
        )
        # solve_solomon has already refused a reference that fails our check.
        reference_routes = len(vrplib.read_solution(str(path.with_suffix(".sol")))["routes"])
        results.append(result)
        rows.append(_row(result, reference_routes, _load_one_minute()))
        print(f"[{number}/{len(paths)}] {rows[-1]}", flush=True)

    clock = "wall clock, PyVRP MaxRuntime" if args.clock == "wall" else "processor time"
    pressed = (
        f"route pressure ({pressure.cost_per_route:g} per route for {pressure.share:.0%} "
        "of the time, then distance alone)"
        if pressure is not None
        else ""
    )
    if args.method == "best_of_two":
        method = (
            f"best of two searches, a plain one and one with {pressed}, run at once in two "
            f"processes when two cores are free (here {len(os.sched_getaffinity(0))}), "
            "else in turn with half the time each; the shorter feasible answer is kept"
        )
    else:
        method = f"one PyVRP search with {pressed}" if pressure else "one plain PyVRP search"
    lines = [
        "# Solomon VRPTW instances: PyVRP against the best known",
        "",
        f"- date (UTC): {started:%Y-%m-%d %H:%M}",
        f"- machine: {cpu_name()}, {cores()} cores; load average before: {load_before}, "
        f"after: {load_average()} (a shared machine: other jobs slow the search)",
        f"- limit per instance: {_limit(args.seconds, args.iterations, clock)}; seed "
        f"{args.seed}; PyVRP default parameters; {method}",
        "- objective: total distance only, distances truncated to one decimal (DIMACS); "
        "best known recomputed from the .sol routes on the same matrix; gap = distance / "
        "best known - 1; feasibility by our own check (every client once, capacity, windows)",
        "",
        "| instance | best known | distance | gap % | routes (ours / best known) | feasible | "
        "searches (distance each) | seconds used | load (1 min) |",
        "|---|---:|---:|---:|---:|---|---|---:|---:|",
        *rows,
        "",
        *_summary(results),
        "",
        f"Gates (measured, not asserted; load average at the end: {load_average()}):",
        "",
        "| gate | measured | this run |",
        "|---|---|---|",
        *gates(results, args.seconds),
    ]
    text = "\n".join(lines) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
