"""Reconciling files too large to hold at once: one provider at a time, into Parquet files.

A log matches only its own provider's planned visits, so reconciling each provider's plans
and logs on its own gives exactly the rows one run over everything would; memory then holds
one provider's share at a time, however many providers the files cover. Each provider's
visits, logs, invoice lines and exceptions are written to Parquet as soon as they are ready
(``<out>/visits/part-00000.parquet``...; read a folder back with ``pl.scan_parquet``), and the
invoices (one row per provider) and the summary at the end.

Nothing is half-written: everything goes to a hidden folder beside ``out`` that becomes
``out`` only when every provider is done. Every bad value is reported, as the whole-file
readers do: once one provider's rows have a bad value, the other providers' rows are still
checked but no longer reconciled, and the run stops with all of them. One difference from
:func:`~carecore.ecm.reconcile.reconcile`: a planned visit id used twice is found within a
provider's visits, not across providers (ids are only ever read per provider).

Each file is read twice, in streaming passes that hold little in memory: once to count the
rows of each provider (to pack small providers into one part), once to split the rows into
one Parquet folder per part (in the hidden folder, deleted at the end).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from carecore.ecm.actuals import validate_logs
from carecore.ecm.files import CSV_SUFFIXES, PARQUET_SUFFIXES, text
from carecore.ecm.io import write_csv
from carecore.ecm.planned import validate_planned
from carecore.ecm.reconcile import Reconciliation, reconcile
from carecore.ecm.rules import ContractRules
from carecore.ecm.summary import Summary, combine_summaries
from carecore.ecm.validation import KEEP_ERRORS, ROW, InputErrors
from carecore.errors import InputError
from carecore.pricing.rate_cards import RateCard, load_rate_card

OUTPUTS = ("visits", "logs", "invoice_lines", "exceptions")
# Planned visits and logs per part: about 2 GB at the peak, and large enough that the fixed
# cost of a run is small beside its work.
MAX_PART_ROWS = 4_000_000
Progress = Callable[[int, int, list[str | None]], None]


@dataclass(frozen=True)
class PartitionedRun:
    """What a partitioned run wrote, the providers of each part in the order done, and the
    summary."""

    summary: Summary
    parts: tuple[tuple[str | None, ...], ...]
    files: tuple[Path, ...]


def _scan(path: Path) -> pl.LazyFrame:
    """``path`` as a lazy scan with ``_row`` numbered as the whole-file readers number rows
    (CSV: the header is row 1 and every value is text; Parquet: the first record is row 1)."""
    if not path.is_file():
        raise InputError("file not found", source=path)
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        return pl.scan_parquet(path, row_index_name=ROW, row_index_offset=1)
    if suffix not in CSV_SUFFIXES:
        raise InputError(
            f"expected a .csv or .parquet file, got {path.suffix or 'no suffix'}", source=path
        )
    try:
        header = pl.read_csv(path, n_rows=0, infer_schema=False).columns
    except pl.exceptions.NoDataError:
        raise InputError("the file is empty", source=path) from None
    return pl.scan_csv(
        path,
        infer_schema=False,
        row_index_name=ROW,
        row_index_offset=2,
        new_columns=[c.strip().lstrip("\ufeff") for c in header],
    )


def _split(scan: pl.LazyFrame, parts: list[list[str | None]], folder: Path) -> None:
    """Write the scan's rows into one Parquet folder per part (``_part=<n>``), in one pass."""
    lookup = pl.LazyFrame(
        {
            "_provider": [p for part in parts for p in part],
            "_part": [n for n, part in enumerate(parts) for _ in part],
        },
        schema={"_provider": pl.String, "_part": pl.Int64},
    )
    scan.with_columns(_provider_key()).join(
        lookup, on="_provider", how="left", nulls_equal=True
    ).drop("_provider").sink_parquet(
        pl.PartitionBy(folder, key="_part", include_key=False), mkdir=True
    )


def _part_rows(scan: pl.LazyFrame, folder: Path, index: int) -> pl.DataFrame:
    part = folder / f"_part={index}"
    if not part.is_dir():  # this part has no rows in this file
        return scan.head(0).collect()
    return pl.read_parquet(part, hive_partitioning=False)


def _provider_key() -> pl.Expr:
    # As the readers see it: stripped text, a blank one null (and then reported by them).
    return text("provider_ref").alias("_provider")


def _row_counts(*scans: pl.LazyFrame) -> dict[str | None, int]:
    """Rows per provider over the scans (planned visits and logs together)."""
    counts: dict[str | None, int] = {}
    for scan in scans:
        if "provider_ref" not in scan.collect_schema():
            raise InputError("missing column", key="provider_ref")
        found = scan.group_by(_provider_key()).len().collect()
        for provider, rows in found.iter_rows():
            counts[provider] = counts.get(provider, 0) + rows
    return counts


def group_providers(counts: dict[str | None, int], max_rows: int) -> list[list[str | None]]:
    """Providers packed into parts of at most ``max_rows`` rows each (a provider with more
    rows than that is a part on its own), in provider order, so that small providers share
    a part and the fixed cost of a run is paid per part, not per provider."""
    parts: list[list[str | None]] = []
    size = 0
    for provider in sorted(counts, key=lambda ref: (ref is not None, ref or "")):
        rows = counts[provider]
        if not parts or size + rows > max_rows:
            parts.append([])
            size = 0
        parts[-1].append(provider)
        size += rows
    return parts


def _checked(
    validate: Callable[..., pl.DataFrame], scan: pl.LazyFrame, folder: Path, index: int, file: Path
) -> pl.DataFrame | InputErrors:
    """A part's rows of one file checked and typed, or every bad value found in them."""
    try:
        return validate(_part_rows(scan, folder, index), source=str(file))
    except InputErrors as found:
        return found


def _write(result: Reconciliation, folder: Path, index: int) -> list[Path]:
    files = []
    for name in OUTPUTS:
        target = folder / name / f"part-{index:05d}.parquet"
        getattr(result, name).write_parquet(target)
        files.append(target)
    return files


def _hidden_folder(out: Path) -> Path:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("the output folder exists and is not empty", source=out)
    hidden = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(hidden, ignore_errors=True)
    for name in OUTPUTS:
        (hidden / name).mkdir(parents=True)
    return hidden


def reconcile_partitioned(
    planned: str | Path,
    actual: str | Path,
    rules: ContractRules,
    rates: RateCard | str | Path | None,
    out: str | Path,
    *,
    approvals: pl.DataFrame | None = None,
    progress: Progress | None = None,
    max_rows: int = MAX_PART_ROWS,
) -> PartitionedRun:
    """Reconcile the files ``planned`` and ``actual`` (ECM layout, CSV or Parquet) one
    provider at a time into the folder ``out`` (new or empty); see the module docstring.

    Providers are reconciled in parts of at most ``max_rows`` planned visits and logs
    (:func:`group_providers`); ``progress(done, total, providers)`` is called after each
    part. Raises :class:`~carecore.ecm.validation.InputErrors` naming every bad row (up to
    1,000) and leaves nothing behind.
    """
    if not isinstance(rules, ContractRules):
        raise InputError(f"expected ContractRules, got {type(rules).__name__}", key="rules")
    card = load_rate_card(rates) if isinstance(rates, str | Path) else rates
    target = Path(out)
    hidden = _hidden_folder(target)
    try:
        return _run(
            Path(planned), Path(actual), rules, card, target, hidden, approvals, progress, max_rows
        )
    finally:
        shutil.rmtree(hidden, ignore_errors=True)


def _run(
    planned_path: Path,
    actual_path: Path,
    rules: ContractRules,
    card: RateCard | None,
    target: Path,
    hidden: Path,
    approvals: pl.DataFrame | None,
    progress: Progress | None,
    max_rows: int,
) -> PartitionedRun:
    scratch = hidden / "_input"
    planned = _scan(planned_path)
    actual = _scan(actual_path)
    parts = group_providers(_row_counts(planned, actual), max_rows)
    if not parts:
        raise InputError("there are no planned visits and no logs to reconcile", key="planned")
    _split(planned, parts, scratch / "planned")
    _split(actual, parts, scratch / "actual")
    errors: list[InputError] = []
    error_total = 0
    summaries: list[Summary] = []
    invoices: list[pl.DataFrame] = []
    files: list[Path] = []
    for index, providers in enumerate(parts):
        plan = _checked(validate_planned, planned, scratch / "planned", index, planned_path)
        logs = _checked(validate_logs, actual, scratch / "actual", index, actual_path)
        for found in (plan, logs):
            if isinstance(found, InputErrors):
                errors.extend(found.errors)
                error_total += found.total
        # After a bad value anywhere, the other parts are only checked, not reconciled.
        if not errors and isinstance(plan, pl.DataFrame) and isinstance(logs, pl.DataFrame):
            marks = None
            if approvals is not None:
                marks = approvals.filter(pl.col("provider_ref").is_in(providers))
            result = reconcile(plan, logs, rules, card, approvals=marks)
            files += _write(result, hidden, index)
            summaries.append(result.summary)
            invoices.append(result.invoices)
            del result, plan, logs
        if progress is not None:
            progress(index + 1, len(parts), providers)
    if errors:
        ordered = sorted(errors, key=lambda e: (e.source or "", e.row or 0))[:KEEP_ERRORS]
        raise InputErrors(ordered, total=error_total)
    summary = combine_summaries(summaries)
    shutil.rmtree(scratch)
    invoice_file = write_csv(pl.concat(invoices).sort("provider_ref"), hidden / "invoices.csv")
    summary_file = hidden / "summary.json"
    summary_file.write_text(
        json.dumps(summary.to_dict(), indent=2, default=str) + "\n", encoding="utf-8"
    )
    if target.exists():
        target.rmdir()  # empty, checked before starting
    hidden.rename(target)
    moved = [target / path.relative_to(hidden) for path in [*files, invoice_file, summary_file]]
    return PartitionedRun(summary, tuple(tuple(part) for part in parts), tuple(moved))
