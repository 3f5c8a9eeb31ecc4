"""Scale benchmark of the ECM engine (issue 4, "Scale"). Not a test.

Generates synthetic visit logs with the shape of real ones (``carecore.ecm.synthetic``:
missed, late, short, double-handed, repeated rows, unplanned night visits, unknown people,
manual logs) over the span of the Leicestershire 2020-21 card (2020-04-01 to 2021-11-05),
writes them once to Parquet and CSV in a scratch folder (reused when present), then times,
each step in its own child process so that its peak memory is its own (``os.wait4``):

* the engine from Parquet and from CSV: ``read_planned`` + ``read_logs`` (every value
  checked) + ``reconcile`` (every output frame built in memory: visits with reasons, logs,
  invoice lines, invoices, exceptions, summary; no files written);
* the engine in parts (``carecore.ecm.partitioned``, as ``homecare ecm reconcile
  --partitioned`` runs it): the files split by provider in streaming passes, each part
  reconciled in memory and its outputs written to Parquet, so the peak is one part's;
* ``benchmarks/ecm_pandas_baseline.py`` on the same files, and checks that all agree to
  the penny (total, per provider) and on the count of every outcome and log status.

``--scale N`` instead generates N logs (as one Parquet file per chunk of people and one
file of all) and reconciles them in parts; it first checks on one chunk that the parts
give the totals of one in-memory run.

    .venv/bin/python benchmarks/ecm_reconcile.py --logs 10000000 --repeat 2 --record
    .venv/bin/python benchmarks/ecm_reconcile.py --scale 100000000 --record
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START = date(2020, 4, 1)
DAYS = 583  # to 2021-11-05, the last day the card covers
LOGS_PER_PERSON_DAY = 3.08  # measured on synthetic_period (1,000 people, 330 days)
PEOPLE_PER_CHUNK = 4000  # about 7 million logs: a chunk is generated in memory
RULES, CARD = "rotherham-actual", "leicestershire-2020-21"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S%.6f%:z"


def _chunks(logs: int) -> list[int]:
    people = max(1, round(logs / (LOGS_PER_PERSON_DAY * DAYS)))
    sizes = [PEOPLE_PER_CHUNK] * (people // PEOPLE_PER_CHUNK)
    return sizes + ([people % PEOPLE_PER_CHUNK] if people % PEOPLE_PER_CHUNK else [])


def _chunk_frames(index: int, people: int, providers: int) -> tuple[Any, Any]:
    """Chunk ``index`` of the data set: its own seed and people (refs prefixed by chunk)."""
    import polars as pl

    from carecore.ecm import synthetic_period

    period = synthetic_period(people, DAYS, seed=index, start=START, providers=providers)
    prefix = pl.lit(f"C{index:03d}-")
    planned = period.planned.with_columns(
        pl.concat_str([prefix, pl.col(c)]).alias(c)
        for c in ("planned_id", "package_ref", "person_ref")
    )
    actual = period.actual.with_columns(person_ref=pl.concat_str([prefix, pl.col("person_ref")]))
    return planned, actual


def generate(folder: Path, logs: int, *, providers: int, csv: bool) -> dict[str, Any]:
    """Write the data set into ``folder`` unless it is already there; returns its metadata."""
    import polars as pl

    meta_file = folder / "meta.json"
    if meta_file.exists():
        return dict(json.loads(meta_file.read_text()))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    sizes = _chunks(logs)
    planned_parts, actual_parts, total = [], [], 0
    for index, people in enumerate(sizes):
        planned, actual = _chunk_frames(index, people, providers)
        total += actual.height
        planned_parts.append(folder / f"planned-{index:03d}.parquet")
        actual_parts.append(folder / f"actual-{index:03d}.parquet")
        planned.write_parquet(planned_parts[-1])
        actual.write_parquet(actual_parts[-1])
        print(f"  chunk {index + 1}/{len(sizes)}: {actual.height:,} logs", flush=True)
    for name, parts in (("planned", planned_parts), ("actual", actual_parts)):
        scan = pl.scan_parquet(parts)
        scan.sink_parquet(folder / f"{name}.parquet")
        if csv:
            scan.sink_csv(folder / f"{name}.csv", datetime_format=DATETIME_FORMAT)
    meta = {
        "logs": total,
        "people": sum(sizes),
        "days": DAYS,
        "providers": providers,
        "chunks": len(sizes),
        "generate_seconds": round(time.perf_counter() - started, 1),
    }
    meta_file.write_text(json.dumps(meta))
    return meta


# --- measured steps, each run in a child process --------------------------------------------


def _summary_of(result: Any) -> dict[str, Any]:
    s = result.summary
    return {
        "amount_pence": s.amount_pence,
        "by_provider": {p.provider_ref: p.amount_pence for p in s.providers},
        "visit_outcomes": dict(s.visit_outcomes),
        "log_statuses": {k: v for k, v in s.log_statuses.items() if v},
        "visits": result.visits.height,
    }


def step_polars(folder: Path, fmt: str) -> dict[str, Any]:
    from carecore.ecm import load_rules, read_logs, read_planned, reconcile

    rules = load_rules(RULES)
    started = time.perf_counter()
    planned = read_planned(folder / f"planned.{fmt}")
    actual = read_logs(folder / f"actual.{fmt}")
    read = time.perf_counter() - started
    result = reconcile(planned, actual, rules, CARD)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "read_seconds": read, "logs": actual.height, **_summary_of(result)}


def step_pandas(folder: Path, fmt: str) -> dict[str, Any]:
    from benchmarks.ecm_pandas_baseline import (
        read_logs_pandas,
        read_planned_pandas,
        reconcile_pandas,
    )
    from carecore.ecm import load_rules

    rules = load_rules(RULES)
    started = time.perf_counter()
    planned = read_planned_pandas(folder / f"planned.{fmt}")
    actual = read_logs_pandas(folder / f"actual.{fmt}")
    read = time.perf_counter() - started
    result = reconcile_pandas(planned, actual, rules, CARD)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "read_seconds": read,
        "logs": len(actual),
        "amount_pence": result.amount_pence,
        "by_provider": {k: int(v) for k, v in result.pence_by_provider.items()},
        "visit_outcomes": {k: int(v) for k, v in result.visit_outcomes.items()},
        "log_statuses": {k: int(v) for k, v in result.log_statuses.items()},
        "visits": int(sum(result.visit_outcomes.values())),
    }


def step_partitioned(folder: Path, parts: str, out: Path) -> dict[str, Any]:
    """Reconcile ``planned-<parts>.parquet`` and ``actual-<parts>.parquet`` in parts (a group
    of providers at a time, ``carecore.ecm.partitioned``), every output written to Parquet."""
    import shutil

    from carecore.ecm import load_rules
    from carecore.ecm.partitioned import reconcile_partitioned

    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()

    def progress(done: int, total: int, providers: list[str | None]) -> None:
        print(
            f"    part {done}/{total} ({len(providers)} providers) "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )

    run = reconcile_partitioned(
        folder / f"planned{parts}.parquet",
        folder / f"actual{parts}.parquet",
        load_rules(RULES),
        CARD,
        out,
        progress=progress,
    )
    seconds = time.perf_counter() - started
    s = run.summary
    logs = sum(s.log_statuses.values()) + s.duplicate_rows
    shutil.rmtree(out, ignore_errors=True)
    return {
        "seconds": seconds,
        "logs": logs,
        "parts": len(run.parts),
        "amount_pence": s.amount_pence,
        "by_provider": {p.provider_ref: p.amount_pence for p in s.providers},
        "visit_outcomes": dict(s.visit_outcomes),
        "log_statuses": {k: v for k, v in s.log_statuses.items() if v},
        "visits": sum(s.visit_outcomes.values()),
    }


def step_in_memory_chunk(folder: Path, parts: str) -> dict[str, Any]:
    import polars as pl

    from carecore.ecm import load_rules, reconcile

    started = time.perf_counter()
    planned = pl.read_parquet(folder / f"planned{parts}.parquet")
    actual = pl.read_parquet(folder / f"actual{parts}.parquet")
    result = reconcile(planned, actual, load_rules(RULES), CARD)
    return {
        "seconds": time.perf_counter() - started,
        "logs": actual.height,
        **_summary_of(result),
    }


def _child_main(args: argparse.Namespace) -> None:
    folder = Path(args.data)
    kind = args.child
    if kind in ("polars-parquet", "polars-csv"):
        answer = step_polars(folder, kind.split("-")[1])
    elif kind in ("pandas-parquet", "pandas-csv"):
        answer = step_pandas(folder, kind.split("-")[1])
    elif kind in ("partitioned", "polars-partitioned"):
        answer = step_partitioned(folder, args.parts, Path(args.out))
    else:
        answer = step_in_memory_chunk(folder, args.parts)
    Path(args.answer).write_text(json.dumps(answer))


def run_child(kind: str, folder: Path, *extra: str) -> dict[str, Any]:
    """Run one measured step in a fresh interpreter; its answer plus its own peak RSS."""
    with tempfile.TemporaryDirectory() as scratch:
        answer = Path(scratch) / "answer.json"
        command = [sys.executable, __file__, "--child", kind, "--data", str(folder)]
        command += ["--answer", str(answer), *extra]
        child = subprocess.Popen(command, cwd=ROOT)
        _pid, status, usage = os.wait4(child.pid, 0)
        if status != 0:
            raise SystemExit(f"{kind} failed (status {status})")
        result = dict(json.loads(answer.read_text()))
    result["peak_gb"] = usage.ru_maxrss * 1024 / 1e9  # ru_maxrss is in KiB on Linux
    return result


# --- reporting -----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import polars as pl

    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{ram:.0f} GiB",
        "python": platform.python_version(),
        "polars": pl.__version__,
    }


def _pandas_version() -> str:
    import pandas as pd
    import pyarrow as pa

    return f"pandas {pd.__version__}, pyarrow {pa.__version__}"


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    chosen = dict(min(runs, key=lambda r: r["seconds"]))
    chosen["peak_gb"] = max(r["peak_gb"] for r in runs)
    return chosen


def agreement(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """What differs between two answers (empty when they agree to the penny)."""
    problems = []
    for key in ("amount_pence", "by_provider", "visit_outcomes", "log_statuses", "visits"):
        left, right = a[key], b[key]
        if isinstance(left, dict):
            left = {k: v for k, v in left.items() if v}
            right = {k: v for k, v in right.items() if v}
        if left != right:
            problems.append(f"{key}: {left} != {right}")
    return problems


def _row(name: str, r: dict[str, Any]) -> str:
    rate = r["logs"] / r["seconds"]
    return (
        f"| {name} | {r['logs']:,} | {r['seconds']:.1f} | {r.get('read_seconds', 0):.1f} | "
        f"{rate:,.0f} | {r['visits'] / r['seconds']:,.0f} | {r['peak_gb']:.2f} |"
    )


HEADER = (
    "| run | logs | seconds | of which reading | logs/s | planned visits/s | peak GB |\n"
    "|---|---:|---:|---:|---:|---:|---:|"
)


def main_benchmark(args: argparse.Namespace) -> list[str]:
    folder = Path(args.data) / f"logs-{args.logs}"
    print(f"data in {folder}", flush=True)
    meta = generate(folder, args.logs, providers=args.providers, csv=True)
    print(f"{meta['logs']:,} logs, {meta['people']:,} people over {meta['days']} days")
    load = os.getloadavg()
    kinds = ["polars-parquet", "polars-csv", "polars-partitioned"]
    if not args.no_pandas:
        kinds += ["pandas-parquet", "pandas-csv"]
    results: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        repeat = args.repeat if kind.startswith("polars") else args.pandas_repeat
        runs = []
        extra = ("--out", str(folder / "out")) if kind == "polars-partitioned" else ()
        for _ in range(repeat):
            runs.append(run_child(kind, folder, *extra))
            last = runs[-1]
            print(f"  {kind}: {last['seconds']:.1f} s, {last['peak_gb']:.2f} GB", flush=True)
        results[kind] = best(runs)
    load_after = os.getloadavg()
    lines = [HEADER, *(_row(k, r) for k, r in results.items())]
    notes = []
    reference = results["polars-parquet"]
    for kind, result in results.items():
        problems = agreement(reference, result)
        notes.append(
            f"{kind} agrees with polars-parquet to the penny "
            f"({reference['amount_pence']:,} pence; per provider; every outcome and status count)"
            if not problems
            else f"{kind} DISAGREES with polars-parquet: {'; '.join(problems)}"
        )
    for fmt in ("parquet", "csv"):
        if f"pandas-{fmt}" in results:
            ratio = results[f"pandas-{fmt}"]["seconds"] / results[f"polars-{fmt}"]["seconds"]
            notes.append(f"from {fmt}: polars is {ratio:.1f}x faster than the pandas baseline")
    header = (
        f"### {meta['logs']:,} logs ({meta['people']:,} people, {meta['days']} days, "
        f"{meta['providers']} providers)\n\n"
        f"Best of {args.repeat} (polars) and {args.pandas_repeat} (pandas) runs, each in its own "
        f"process; peak GB is that process's peak RSS (the worst of its runs). Load average "
        f"(1 min) {load[0]:.2f} before, {load_after[0]:.2f} after. In memory: every output "
        f"frame built and held; partitioned: a group of providers at a time, every output "
        f"written to Parquet."
    )
    return [header, "", *lines, "", *(f"- {n}" for n in notes)]


def main_scale(args: argparse.Namespace) -> list[str]:
    folder = Path(args.data) / f"scale-{args.scale}-p{args.providers}"
    print(f"data in {folder}", flush=True)
    meta = generate(folder, args.scale, providers=args.providers, csv=False)
    print(f"{meta['logs']:,} logs in {meta['chunks']} chunks ({meta['generate_seconds']} s)")
    out = folder / "out"
    check_partitioned = run_child("partitioned", folder, "--parts", "-000", "--out", str(out))
    check_memory = run_child("in-memory", folder, "--parts", "-000")
    problems = agreement(check_memory, check_partitioned)
    load = os.getloadavg()
    full = run_child("partitioned", folder, "--out", str(out))
    load_after = os.getloadavg()
    rows = [HEADER, _row("chunk 000 in memory", check_memory)]
    rows += [_row("chunk 000 partitioned", check_partitioned), _row("all, partitioned", full)]
    agree = (
        "agree to the penny "
        f"({check_memory['amount_pence']:,} pence; per provider; every outcome and status count)"
        if not problems
        else "DISAGREE: " + "; ".join(problems)
    )
    return [
        f"### {meta['logs']:,} logs in parts by provider "
        f"({meta['people']:,} people, {meta['days']} days, {meta['providers']} providers)",
        "",
        f"Load average (1 min) {load[0]:.2f} before the full run, {load_after[0]:.2f} after. "
        f"Generating the data took {meta['generate_seconds']} s (not timed below).",
        "",
        *rows,
        "",
        f"- Partitioned and in-memory runs of chunk 000 {agree}.",
        f"- Total of the full run: {full['amount_pence']:,} pence.",
    ]


def record(lines: list[str]) -> None:
    info = machine()
    target = ROOT / "docs" / "benchmarks.md"
    text = target.read_text(encoding="utf-8")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = (
        f"\n\nMeasured {stamp} by `benchmarks/ecm_reconcile.py` on {info['cpu']}, "
        f"{info['cores']} cores, {info['ram']} RAM, CPython {info['python']}, "
        f"Polars {info['polars']}, {_pandas_version()}.\n\n"
    )
    if "## ECM reconciliation at scale" not in text:
        text = text.rstrip("\n") + "\n\n## ECM reconciliation at scale\n"
    target.write_text(text.rstrip("\n") + head + "\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logs", type=int, default=10_000_000)
    parser.add_argument("--scale", type=int, help="partitioned streaming run of this many logs")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each polars step")
    parser.add_argument("--pandas-repeat", type=int, default=1)
    parser.add_argument("--providers", type=int, default=8)
    parser.add_argument("--no-pandas", action="store_true")
    parser.add_argument("--data", default=str(Path(tempfile.gettempdir()) / "ecm-bench"))
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--answer", help=argparse.SUPPRESS)
    parser.add_argument("--parts", default="", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child_main(args)
        return
    lines = main_scale(args) if args.scale else main_benchmark(args)
    print("\n".join(lines))
    if args.record:
        record(lines)


if __name__ == "__main__":
    main()
