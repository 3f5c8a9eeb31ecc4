"""Mankowska home health care instances: our solver and OR-Tools against the best published.

Runs every instance in the folder (or those named) with ``solve_rounds`` and, on the same
instance and time, ``solve_with_ortools`` when that module can be imported, and writes a
markdown table: objective, gap to the best published objective (Ceschia et al. 2024),
feasibility by the exact evaluation, and seconds used; then the mean gap per size, the
machine, the date and the load average.

    .venv/bin/python benchmarks/rostering_mankowska.py --seconds 60 --sizes 10,25
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
from carecore.rostering.mankowska import best_published, read_mankowska
from carecore.rostering.model import RosterProblem
from carecore.rostering.schedule import SolveResult
from carecore.rostering.solver import solve_rounds

Solver = Callable[[RosterProblem, float, int], SolveResult]
DEFAULT_OUTPUT = Path("/tmp/helpers/mankowska_results.md")


def _ours(problem: RosterProblem, seconds: float, seed: int) -> SolveResult:
    return solve_rounds(problem, seconds=seconds, seed=seed)


def _ortools() -> Solver | None:
    try:
        from carecore.rostering.solver_ortools import solve_with_ortools
    except ImportError:
        return None

    def run(problem: RosterProblem, seconds: float, seed: int) -> SolveResult:
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
    other = None if args.no_ortools else _ortools()
    started = datetime.datetime.now(datetime.UTC)
    load_before = load_average()

    rows: list[str] = []
    gaps: dict[int, list[float]] = {}
    other_gaps: dict[int, list[float]] = {}
    for name in names:
        problem = read_mankowska(folder / name)
        reference = best.get(name, 0.0)
        ours = _ours(problem, args.seconds, args.seed)
        theirs = other(problem, args.seconds, args.seed) if other is not None else None
        o = _cell(ours, reference)
        t = _cell(theirs, reference)
        size = _patients(name)
        if o[3] is not None:
            gaps.setdefault(size, []).append(o[3])
        if t[3] is not None:
            other_gaps.setdefault(size, []).append(t[3])
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
        f"- seconds per instance and solver: {args.seconds:g}; seed {args.seed}",
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
    text = "\n".join(lines) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
