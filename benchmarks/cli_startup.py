"""How fast `homecare --help` starts, against a bare interpreter in the same run.

The target is "well under a second". Run with `.venv/bin/python benchmarks/cli_startup.py`;
it prints a markdown table and, with --write, replaces its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from machine import write_section

REPO_ROOT = Path(__file__).resolve().parents[1]
SECTION = "## CLI start-up"

CASES = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "homecare --help": [sys.executable, "-m", "homecare.cli", "--help"],
    "import django, numpy, scipy, openpyxl (what --help avoids)": [
        sys.executable,
        "-c",
        "import django.db.models, numpy, scipy.spatial, openpyxl",
    ],
}


def _time_once(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO_ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def measure(repeats: int) -> dict[str, float]:
    medians = {}
    for label, command in CASES.items():
        _time_once(command)  # warm the file cache
        medians[label] = statistics.median(_time_once(command) for _ in range(repeats))
    return medians


def as_markdown(medians: dict[str, float], repeats: int) -> str:
    baseline = medians["python -c pass (baseline)"]
    lines = [
        SECTION,
        "",
        f"Measured {date.today().isoformat()} on {platform.node() or 'unknown'} "
        f"({platform.machine()}, {platform.python_implementation()} {platform.python_version()}), "
        f"median of {repeats} runs, by `benchmarks/cli_startup.py`.",
        "",
        "| command | median seconds | × baseline |",
        "|---|---:|---:|",
    ]
    for label, seconds in medians.items():
        lines.append(f"| {label} | {seconds:.3f} | {seconds / baseline:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    text = as_markdown(measure(args.repeats), args.repeats)
    print(text)
    if args.write:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
