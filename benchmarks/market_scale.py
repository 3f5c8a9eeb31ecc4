"""Scale-out of the market simulation: serial speed, its scaling, and replications on Dask.

Four measurements of the default county (Leicestershire, one year after an 8-week warm-up):

1. one simulated year on one core, per delivery model (target: under 2 seconds);
2. run time against weeks simulated and against demand (it should grow linearly: the
   "per unit" columns should stay flat);
3. 4 models x 100 replications of a year through Dask on a LocalCluster of this machine's
   cores (target: under 5 minutes), checked run for run against serial runs;
4. the serial time of the same 400 runs, for the speed-up ratio. Running all 400 serially
   would take as long again, so by default it is the mean of the serial runs of step 1
   and 3's check, times 400 (``--full-serial`` runs them all instead).

Run with ``.venv/bin/python benchmarks/market_scale.py`` (``--replications 10`` for a quick
look); ``--record`` appends the section to docs/benchmarks.md. The load average (from
/proc/loadavg) is printed before and after: on a busy machine the figures are slower, and
the Dask ratio is lower because the workers share the cores with other work.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from carecore.market import DELIVERY_MODELS, Scenario, default_scenario, run_replication  # noqa: E402
from carecore.market.parallel import Task, default_workers, run_tasks  # noqa: E402

WEEKS = (13, 26, 52, 104)
DEMAND = (0.5, 1.0, 2.0)
SEED = 1
#: Replications of each model checked serially against the Dask results (and timed).
CHECKED = 2


def loadavg() -> str:
    """The 1, 5 and 15-minute load averages, as /proc/loadavg gives them."""
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def timed(scenario: Scenario, model: str, replication: int) -> tuple[float, int]:
    started = time.perf_counter()
    result = run_replication(scenario, model, replication, SEED)
    return time.perf_counter() - started, result.requests


def one_year(scenario: Scenario, serial: list[float]) -> list[str]:
    lines = ["| model | seconds for one year | requests | under 2 s |", "|---|---:|---:|---|"]
    for model in DELIVERY_MODELS:
        seconds, requests = timed(scenario, model, 0)
        serial.append(seconds)
        lines.append(
            f"| {model} | {seconds:.2f} | {requests:,} | {'yes' if seconds < 2 else 'no'} |"
        )
    return lines


def by_weeks(scenario: Scenario) -> list[str]:
    lines = [
        "| weeks simulated (+8 warm-up) | seconds | seconds per 52 weeks |",
        "|---:|---:|---:|",
    ]
    for weeks in WEEKS:
        seconds, _ = timed(replace(scenario, horizon_weeks=weeks), "prime", 0)
        lines.append(f"| {weeks} | {seconds:.2f} | {seconds / (weeks + 8) * 52:.2f} |")
    return lines


def by_demand(scenario: Scenario) -> list[str]:
    lines = [
        "| demand (x default) | requests in the year | seconds | ms per request |",
        "|---:|---:|---:|---:|",
    ]
    base = scenario.demand.packages_per_week_per_1000_65_plus
    for factor in DEMAND:
        demand = replace(scenario.demand, packages_per_week_per_1000_65_plus=base * factor)
        seconds, requests = timed(replace(scenario, demand=demand), "prime", 0)
        lines.append(
            f"| {factor:g} | {requests:,} | {seconds:.2f} | {1000 * seconds / requests:.2f} |"
        )
    return lines


def on_dask(
    scenario: Scenario, replications: int, workers: int, serial: list[float], full_serial: bool
) -> list[str]:
    tasks = [Task(scenario, m, r, SEED) for m in DELIVERY_MODELS for r in range(replications)]
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 15 or done == total:
            last[0] = now
            print(f"  {done}/{total} runs", file=sys.stderr, flush=True)

    load_before = loadavg()
    started = time.perf_counter()
    results = run_tasks(tasks, workers=workers, progress=progress)
    wall = time.perf_counter() - started
    load_after = loadavg()

    # The same numbers as serial runs: the first CHECKED replications of each model.
    mismatches = 0
    for index, task in enumerate(tasks):
        if task.replication < CHECKED:
            began = time.perf_counter()
            here = run_replication(task.scenario, task.model, task.replication, task.seed)
            serial.append(time.perf_counter() - began)
            mismatches += here != results[index]
    if full_serial:
        began = time.perf_counter()
        for task in tasks:
            run_replication(task.scenario, task.model, task.replication, task.seed)
        serial_total = time.perf_counter() - began
        how = f"all {len(tasks)} runs made serially"
    else:
        serial_total = statistics.fmean(serial) * len(tasks)
        how = f"the mean of {len(serial)} serial runs in this session x {len(tasks)}"
    return [
        "| runs | workers | Dask wall time | serial time | ratio | under 5 minutes "
        "| equal to serial |",
        "|---:|---:|---:|---:|---:|---|---|",
        f"| {len(tasks)} ({len(DELIVERY_MODELS)} models x {replications}) | {workers} "
        f"| {wall:.0f} s | {serial_total:.0f} s | {serial_total / wall:.2f}x "
        f"| {'yes' if wall < 300 else 'no'} "
        f"| {'yes' if not mismatches else f'NO ({mismatches} differ)'}, "
        f"{CHECKED * len(DELIVERY_MODELS)} runs checked |",
        "",
        f"Serial time: {how}. The Dask time includes starting and closing the cluster. "
        f"Load average {load_before} as the Dask runs started and {load_after} as they ended: "
        "a ratio measured while the load changed compares unlike conditions.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=100, help="per model (100)")
    parser.add_argument("--workers", type=int, default=default_workers(), help="Dask workers")
    parser.add_argument("--full-serial", action="store_true", help="time every run serially")
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()

    before = loadavg()
    now = datetime.now(ZoneInfo("Europe/London"))
    scenario = default_scenario()
    run_replication(scenario, "prime", 1, SEED)  # warm imports and caches before timing
    serial: list[float] = []
    sections = [
        ("One simulated year of the default county, one core", one_year(scenario, serial)),
        ("Scaling with weeks simulated (prime, one core)", by_weeks(scenario)),
        ("Scaling with demand (prime, one year, one core)", by_demand(scenario)),
        (
            f"{len(DELIVERY_MODELS)} models x {args.replications} replications on Dask",
            on_dask(scenario, args.replications, args.workers, serial, args.full_serial),
        ),
    ]
    after = loadavg()
    machine = (
        f"{platform.node() or 'unknown'}, {platform.machine()}, {default_workers()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )
    busy = (
        " The machine was busy (load above 1.5): other work shared the cores, so these "
        "times are slower and the ratio lower than on an idle machine."
        if max(float(before.split(" / ")[0]), float(after.split(" / ")[0])) > 1.5
        else ""
    )
    text = [
        f"## Market simulation scale-out ({now:%Y-%m-%d})",
        "",
        f"`benchmarks/market_scale.py`, {now:%Y-%m-%d %H:%M %Z} on {machine}. Load average "
        f"(1 / 5 / 15 min) {before} before and {after} after.{busy}",
        "",
    ]
    for title, lines in sections:
        text += [f"### {title}", "", *lines, ""]
    output = "\n".join(text)
    print(output)
    if args.record:
        target = ROOT / "docs" / "benchmarks.md"
        with target.open("a", encoding="utf-8") as stream:
            stream.write("\n" + output)
        print(f"appended to {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
