"""How fast the market simulation runs on one core, and how run time scales.

Three tables: one simulated year (52 weeks after an 8-week warm-up) of the default county
for each delivery model; run time against weeks simulated; run time against demand (the
workforce scales with demand, so the market stays as tight). Both should grow linearly: the
"per unit" column should stay flat. The target is one year in under 2 seconds.

Run with ``.venv/bin/python benchmarks/market_speed.py`` (``--quick`` for fewer repeats,
``--profile`` for where the time goes). It prints markdown; it does not write
docs/benchmarks.md. Say the machine's load (printed) when quoting the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import statistics
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from carecore.market import DELIVERY_MODELS, Scenario, default_scenario, run_replication

WEEKS = (13, 26, 52, 104, 208)
DEMAND = (0.5, 1.0, 2.0, 4.0)


def _time(scenario: Scenario, model: str, repeats: int) -> tuple[float, int]:
    """Median seconds of ``repeats`` runs (replications 0, 1, ...), and requests in the first."""
    seconds = []
    requests = 0
    for replication in range(repeats):
        started = time.perf_counter()
        result = run_replication(scenario, model, replication, 1)
        seconds.append(time.perf_counter() - started)
        requests = requests or result.requests
    return statistics.median(seconds), requests


def _load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def year_per_model(scenario: Scenario, repeats: int) -> list[str]:
    lines = [
        "| model | median seconds for one year | requests in the year | within 2 s target |",
        "|---|---:|---:|---|",
    ]
    for model in DELIVERY_MODELS:
        seconds, requests = _time(scenario, model, repeats)
        lines.append(f"| {model} | {seconds:.2f} | {requests} | {'yes' if seconds < 2 else 'no'} |")
    return lines


def by_weeks(scenario: Scenario, repeats: int) -> list[str]:
    lines = [
        "| weeks simulated (+8 warm-up) | median seconds | seconds per 52 weeks |",
        "|---:|---:|---:|",
    ]
    for weeks in WEEKS:
        seconds, _ = _time(replace(scenario, horizon_weeks=weeks), "prime", repeats)
        lines.append(f"| {weeks} | {seconds:.2f} | {seconds / (weeks + 8) * 52:.2f} |")
    return lines


def by_demand(scenario: Scenario, repeats: int) -> list[str]:
    lines = [
        "| demand (x default) | requests in the year | median seconds | ms per request |",
        "|---:|---:|---:|---:|",
    ]
    base = scenario.demand.packages_per_week_per_1000_65_plus
    for factor in DEMAND:
        demand = replace(scenario.demand, packages_per_week_per_1000_65_plus=base * factor)
        seconds, requests = _time(replace(scenario, demand=demand), "prime", repeats)
        lines.append(
            f"| {factor:g} | {requests} | {seconds:.2f} | {1000 * seconds / requests:.2f} |"
        )
    return lines


def profile(scenario: Scenario) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    run_replication(scenario, "prime", 0, 1)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per point instead of three")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of one year")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    started = time.perf_counter()
    scenario = default_scenario()
    loaded = time.perf_counter() - started
    run_replication(scenario, "prime", 0, 1)  # warm caches (imports, geography) before timing
    machine = (
        f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    )
    print(
        f"## Market simulation speed\n\nMeasured {date.today().isoformat()} on "
        f"{platform.node() or 'unknown'} ({machine}), one process, median of {repeats} run(s); "
        f"load average {_load()}. Loading the default scenario (geography included) took "
        f"{loaded:.2f} s once.\n"
    )
    for title, table in (
        ("One simulated year of the default county", year_per_model(scenario, repeats)),
        ("Scaling with weeks simulated (prime)", by_weeks(scenario, repeats)),
        ("Scaling with demand (prime, one year)", by_demand(scenario, repeats)),
    ):
        print(f"### {title}\n")
        print("\n".join(table) + "\n")
    print(f"load average after: {_load()}")
    if args.profile:
        print(profile(scenario))


if __name__ == "__main__":
    main()
