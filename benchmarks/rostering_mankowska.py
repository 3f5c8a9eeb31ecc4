"""Mankowska home health care instances: our solver and OR-Tools against the best published.

Runs every instance in the folder (or those named) with ``solve_rounds`` and, on the same
instance and time, ``solve_with_ortools`` when that module can be imported, and writes a
markdown table: objective, gap to the best published objective (Ceschia et al. 2024),
feasibility by the exact evaluation, and seconds used; then the mean gap per size, the
machine, the date and the load average. ``--large-day 0.5,2`` also plans a synthetic day of
400 visits and 80 carers in each of those times (``--no-instances``: only that).
``--no-clock`` runs ours on the budget of work ``--seconds`` stand for
(``SearchBudget.for_seconds``) and ``--ortools-branches N`` OR-Tools on N solver branches
per strategy, with no clock: objectives that are the same on any machine.

The speed and quality gates of the rostering solver live here, measured and recorded, never
asserted by the tests (whose searches run on budgets of work): a "Gates" table says for each
whether this run met it. They are:

- 10 patients: every instance within 1% of the best published (``--seconds 3 --sizes 10``
  is the run that used to be a test); mean gap under 2% on 10 and 25 patients, under 10%
  on 50 and 100 (the targets in docs/benchmarks.md);
- ours answers within ``seconds x 1.1 + 0.3``; OR-Tools within ``seconds + 5`` with
  feasible rounds (``--only InstanzCPLEX_HCSRP_10_1 --seconds 5`` was the test's run);
- a day of 400 visits planned within ``seconds x 1.1 + 0.3``, feasible, better than the
  quick-start rounds it begins from, with at most one visit in 50 late.

    .venv/bin/python benchmarks/rostering_mankowska.py --seconds 60 --sizes 10,25
    .venv/bin/python benchmarks/rostering_mankowska.py --seconds 3 --sizes 10 --large-day 0.5,2
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from collections.abc import Callable
from pathlib import Path
from statistics import mean

from machine import cores, cpu_name, load_average

from carecore.rostering.benchmark_data import benchmarks_dir
from carecore.rostering.improve import Scorer
from carecore.rostering.mankowska import best_published, read_mankowska
from carecore.rostering.model import RosterProblem
from carecore.rostering.sample_days import home_care_day
from carecore.rostering.schedule import SolveResult
from carecore.rostering.solver import SearchBudget, quick_rounds, solve_rounds

Solver = Callable[[RosterProblem, float, int], SolveResult]
DEFAULT_OUTPUT = Path("/tmp/helpers/mankowska_results.md")
# Targets for the mean gap (%) per number of patients (docs/benchmarks.md).
MEAN_GAP_TARGETS = {10: 2.0, 25: 2.0, 50: 10.0, 100: 10.0}
TEN_PATIENT_WORST_GAP = 1.0
ORTOOLS_SLACK_SECONDS = 5.0
# The large day: synthetic, seeded; as many carers as the rounds need and a little more.
LARGE_DAY = {"seed": 7, "visits": 400, "carers": 80}


def within_time(seconds: float) -> float:
    """The time our solver may take for ``seconds`` given: the last stage overruns a little."""
    return seconds * 1.1 + 0.3


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def large_day_rows(seconds_list: list[float], seed: int) -> tuple[list[str], list[str]]:
    """Rows for the large day at each time given, and its gates."""
    problem = home_care_day(
        LARGE_DAY["seed"], visits=LARGE_DAY["visits"], carers=LARGE_DAY["carers"]
    )
    scorer = Scorer(problem)
    start = scorer.score(quick_rounds(scorer))
    rows: list[str] = []
    gates: list[str] = []
    for seconds in seconds_list:
        result = solve_rounds(problem, seconds=seconds, seed=seed)
        ev = result.evaluation
        late = sum(1 for value in ev.lateness if value > 0)
        allowed_late = len(problem.visits) // 50
        rows.append(
            f"| {seconds:g} | {result.seconds_used:.2f} | {ev.objective:.0f} | {start:.0f} | "
            f"{late} | {'yes' if ev.feasible else 'NO'} |"
        )
        ok = (
            result.seconds_used <= within_time(seconds)
            and ev.feasible
            and ev.objective < start
            and late <= allowed_late
        )
        gates.append(
            f"| a day of {len(problem.visits)} visits in {seconds:g} s: within "
            f"{within_time(seconds):.2f} s, feasible, better than its start, at most "
            f"{allowed_late} late | {result.seconds_used:.2f} s, objective {ev.objective:.0f} "
            f"against {start:.0f}, {late} late | {_met(ok)} |"
        )
    return rows, gates


def _ours(problem: RosterProblem, seconds: float, seed: int, *, clock: bool) -> SolveResult:
    """Ours in ``seconds``, or (``clock`` False) on the budget those seconds stand for."""
    if clock:
        return solve_rounds(problem, seconds=seconds, seed=seed)
    return solve_rounds(problem, budget=SearchBudget.for_seconds(problem, seconds), seed=seed)


def _ortools(branches: int | None) -> Solver | None:
    try:
        from carecore.rostering.solver_ortools import solve_with_ortools
    except ImportError:
        return None

    def run(problem: RosterProblem, seconds: float, seed: int) -> SolveResult:
        if branches is not None:
            return solve_with_ortools(problem, branches=branches, seed=seed)
        return solve_with_ortools(problem, seconds=seconds, seed=seed)

    return run


def _patients(name: str) -> int:
    found = re.search(r"_(\d+)_\d+\.json$", name)
    return int(found.group(1)) if found else 0


def _sort_key(name: str) -> tuple[int, int]:
    found = re.search(r"_(\d+)_(\d+)\.json$", name)
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


def _cell(result: SolveResult | None, best: float) -> tuple[str, str, str, float | None]:
    if result is None:
        return "not available", "", "", None
    value = result.evaluation.objective
    gap = round(100 * (value / best - 1), 2) + 0.0 if best else 0.0
    feasible = "yes" if result.evaluation.feasible else "NO"
    return f"{value:.3f}", f"{gap:.2f}", feasible, gap if result.evaluation.feasible else None


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the markdown table; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="per instance and solver")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated instance file names")
    parser.add_argument("--sizes", default="", help="patients, e.g. 10,25")
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--no-ortools", action="store_true", help="run only our solver")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--large-day",
        default="",
        help="comma-separated seconds, e.g. 0.5,2: also plan a day of 400 visits in each",
    )
    parser.add_argument(
        "--no-instances", action="store_true", help="skip the instances (with --large-day)"
    )
    parser.add_argument(
        "--no-clock",
        action="store_true",
        help="ours on the budget of work --seconds stand for (SearchBudget.for_seconds), no "
        "clock: the same objectives on any machine",
    )
    parser.add_argument(
        "--ortools-branches",
        type=int,
        default=None,
        help="OR-Tools on this many solver branches per strategy, no time limit",
    )
    args = parser.parse_args(argv)

    root = args.folder or benchmarks_dir()
    folder = root / "mankowska" if root is not None and (root / "mankowska").is_dir() else root
    if folder is None or not folder.is_dir():
        print("Mankowska instances not found (see ../shared/data/benchmarks/)", file=sys.stderr)
        return 1
    best = best_published(folder)
    names = sorted((p.name for p in folder.glob("*.json")), key=_sort_key)
    if args.only:
        wanted = {n.strip() for n in args.only.split(",") if n.strip()}
        names = [n for n in names if n in wanted or n.removesuffix(".json") in wanted]
    if args.sizes:
        sizes = {int(s) for s in args.sizes.split(",") if s.strip()}
        names = [n for n in names if _patients(n) in sizes]
    if args.no_instances:
        names = []
    other = None if args.no_ortools else _ortools(args.ortools_branches)
    started = datetime.datetime.now(datetime.UTC)
    load_before = load_average()

    rows: list[str] = []
    gaps: dict[int, list[float]] = {}
    other_gaps: dict[int, list[float]] = {}
    all_gaps: dict[int, list[float]] = {}
    infeasible: list[str] = []
    slowest = 0.0
    other_slowest = 0.0
    other_infeasible: list[str] = []
    for name in names:
        problem = read_mankowska(folder / name)
        reference = best.get(name, 0.0)
        ours = _ours(problem, args.seconds, args.seed, clock=not args.no_clock)
        theirs = other(problem, args.seconds, args.seed) if other is not None else None
        o = _cell(ours, reference)
        t = _cell(theirs, reference)
        size = _patients(name)
        if o[3] is not None:
            gaps.setdefault(size, []).append(o[3])
        else:
            infeasible.append(name)
        all_gaps.setdefault(size, []).append(float(o[1]))
        slowest = max(slowest, ours.seconds_used)
        if t[3] is not None:
            other_gaps.setdefault(size, []).append(t[3])
        if theirs is not None:
            other_slowest = max(other_slowest, theirs.seconds_used)
            if not theirs.evaluation.feasible:
                other_infeasible.append(name)
        row = (
            f"| {name} | {size} | {reference:.3f} | {o[0]} | {o[1]} | {o[2]} | "
            f"{ours.seconds_used:.1f} | {t[0]} | {t[1]} | {t[2]} |"
        )
        rows.append(row)
        print(row, flush=True)

    lines = [
        "# Mankowska instances: ours (PyVRP + exact search) and OR-Tools",
        "",
        f"- date (UTC): {started:%Y-%m-%d %H:%M}",
        f"- machine: {cpu_name()}, {cores()} cores; load average before: {load_before}, "
        f"after: {load_average()}",
        f"- seconds per instance and solver: {args.seconds:g}"
        + (" (ours: the budget they stand for, no clock)" if args.no_clock else "")
        + (
            f" (OR-Tools: {args.ortools_branches} branches per strategy, no clock)"
            if args.ortools_branches is not None
            else ""
        )
        + f"; seed {args.seed}",
        "- objective: (distance + total tardiness + max tardiness) / 3; gap = objective / "
        "best published - 1 (Ceschia et al. 2024); feasible by the exact evaluation",
        "",
        "| instance | patients | best published | ours | gap % | feasible | seconds | "
        "OR-Tools | gap % | feasible |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---|",
        *rows,
        "",
        "| patients | instances | ours: mean gap % | OR-Tools: mean gap % |",
        "|---:|---:|---:|---:|",
    ]
    for size in sorted({_patients(n) for n in names}):
        count = sum(1 for n in names if _patients(n) == size)
        ours_mean = f"{mean(gaps[size]):.2f}" if gaps.get(size) else "-"
        theirs_mean = f"{mean(other_gaps[size]):.2f}" if other_gaps.get(size) else "-"
        if other is None:
            theirs_mean = "not available"
        lines.append(f"| {size} | {count} | {ours_mean} | {theirs_mean} |")
    gates: list[str] = []
    if names:
        gates.append(
            f"| ours feasible on every instance | {len(infeasible)} infeasible | "
            f"{_met(not infeasible)} |"
        )
        gates.append(
            f"| ours within {within_time(args.seconds):.2f} s of {args.seconds:g} s | "
            f"slowest {slowest:.2f} s | {_met(slowest <= within_time(args.seconds))} |"
        )
    if all_gaps.get(10):
        worst = max(all_gaps[10])
        gates.append(
            f"| 10 patients: every instance within {TEN_PATIENT_WORST_GAP:g}% of the best "
            f"published | worst {worst:.2f}% | {_met(worst <= TEN_PATIENT_WORST_GAP)} |"
        )
    for size, target in MEAN_GAP_TARGETS.items():
        if all_gaps.get(size):
            value = mean(all_gaps[size])
            gates.append(
                f"| {size} patients: mean gap under {target:g}% | {value:.2f}% | "
                f"{_met(value < target)} |"
            )
    if names and other is not None:
        limit = args.seconds + ORTOOLS_SLACK_SECONDS
        ok = not other_infeasible and other_slowest <= limit
        gates.append(
            f"| OR-Tools feasible on every instance, within {limit:g} s | "
            f"{len(other_infeasible)} infeasible, slowest {other_slowest:.2f} s | {_met(ok)} |"
        )
    if args.large_day:
        seconds_list = [float(x) for x in args.large_day.split(",") if x.strip()]
        day_rows, day_gates = large_day_rows(seconds_list, args.seed)
        gates += day_gates
        lines += [
            "",
            f"A synthetic day (`home_care_day({LARGE_DAY['seed']}, visits="
            f"{LARGE_DAY['visits']}, carers={LARGE_DAY['carers']})`), ours:",
            "",
            "| seconds given | seconds used | objective | quick-start objective | late visits | "
            "feasible |",
            "|---:|---:|---:|---:|---:|---|",
            *day_rows,
        ]
    lines += [
        "",
        f"Gates (measured, not asserted; load average at the end: {load_average()}):",
        "",
        "| gate | measured | this run |",
        "|---|---|---|",
        *gates,
    ]
    text = "\n".join(lines) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
