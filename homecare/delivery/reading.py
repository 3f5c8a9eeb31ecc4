"""Reading an uploaded file of visit logs into checked engine rows, with every bad row named.

The engine's readers (:func:`carecore.ecm.read_logs`, :func:`~carecore.ecm.logs_from_return`)
check each value; this adds the platform's two rules: the ``provider_ref`` column must be the
uploading provider's own reference, and every person must have a package placed with that
provider (a provider cannot log visits to someone else's people). Errors are dicts
``{"row", "column", "message"}`` with rows numbered as a spreadsheet shows them (the header
is row 1 of a CSV; the first record is row 1 of a Parquet file).
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from carecore.ecm import logs_from_return, validate_logs
from carecore.ecm.files import read_table
from carecore.ecm.validation import KEEP_ERRORS, InputErrors
from carecore.errors import InputError
from homecare.brokerage.tenancy import ProviderPeople
from homecare.upload_limits import upload_limits

SUFFIX = {"csv": ".csv", "parquet": ".parquet", "return": ".csv"}
ROW = "_upload_row"


@dataclass
class ReadResult:
    """Checked logs (``ACTUAL_SCHEMA`` rows) from the good rows, and the bad rows' errors."""

    rows_total: int = 0
    logs: pl.DataFrame | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_total: int = 0
    # True when some bad rows could not be named (over the engine's 1,000), so the good rows
    # cannot be told apart from them and the file can only be rejected whole.
    incomplete: bool = False


def _error(row: int | None, column: str | None, message: str) -> dict[str, Any]:
    return {"row": row, "column": column or "", "message": message}


def read_table_bytes(content: bytes, fmt: str) -> tuple[pl.DataFrame, int]:
    """The table in ``content`` (CSV or Parquet) and the row number of its first record,
    refused before it is unpacked if it is larger than the upload limits allow."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{SUFFIX[fmt]}"
        path.write_bytes(content)
        return read_table(path, limits=upload_limits(), source="the file")


def _check_refs(
    frame: pl.DataFrame, fmt: str, first_row: int, provider_ref: str, people: ProviderPeople
) -> list[dict[str, Any]]:
    """Rows naming another provider, or a person not placed with this provider."""
    errors: list[dict[str, Any]] = []
    person_column = "ServiceUserRef" if fmt == "return" else "person_ref"
    columns = [person_column] + ([] if fmt == "return" else ["provider_ref"])
    if any(c not in frame.columns for c in columns):
        return errors  # the engine names the missing column
    values = frame.select(
        [pl.col(c).cast(pl.String).str.strip_chars().alias(c) for c in columns]
    ).iter_rows()
    for index, row in enumerate(values):
        number = first_row + index
        person = row[0]
        if fmt != "return" and row[1] and row[1] != provider_ref:
            errors.append(
                _error(
                    number,
                    "provider_ref",
                    f"'{row[1]}' is not your reference: your files use '{provider_ref}'",
                )
            )
        if person and person not in people:
            errors.append(
                _error(
                    number,
                    person_column,
                    f"'{person}' has no package placed with you: you can only log visits to "
                    "the people in your care",
                )
            )
        elif person and people.is_ambiguous(person):  # two councils' people: never guess
            errors.append(_error(number, person_column, people.ambiguity(person)))
    return errors


def _engine_rows(frame: pl.DataFrame, fmt: str, provider_ref: str, first_row: int) -> pl.DataFrame:
    if fmt == "return":
        return logs_from_return(
            frame, provider_ref=provider_ref, source="upload", first_row=first_row
        )
    return validate_logs(frame, source="upload", first_row=first_row)


def read_upload(content: bytes, fmt: str, *, provider: Any, provider_ref: str) -> ReadResult:
    """Read and check an upload; the result has the good rows' logs and every bad row."""
    result = ReadResult()
    try:
        frame, first_row = read_table_bytes(content, fmt)
    except InputError as exc:
        result.errors, result.errors_total = [_error(None, exc.key, exc.message)], 1
        return result
    result.rows_total = frame.height
    errors = _check_refs(frame, fmt, first_row, provider_ref, ProviderPeople(provider))
    engine_kept = engine_total = 0
    try:
        _engine_rows(frame, fmt, provider_ref, first_row)
    except InputErrors as exc:
        errors += [_error(e.row, e.key, e.message) for e in exc.errors]
        engine_kept, engine_total = len(exc.errors), exc.total
        result.incomplete = exc.total > len(exc.errors)
    except InputError as exc:  # a missing column or the like: the whole file is unusable
        result.errors, result.errors_total = [_error(exc.row, exc.key, exc.message)], 1
        return result
    errors.sort(key=lambda e: (e["row"] or 0, e["column"]))
    result.errors = errors[:KEEP_ERRORS]
    result.errors_total = len(errors) + engine_total - engine_kept
    bad = {e["row"] for e in errors if e["row"] is not None}
    good = frame.with_row_index(ROW, offset=first_row).filter(~pl.col(ROW).is_in(sorted(bad)))
    if result.incomplete:
        return result
    # The good rows pass the engine's checks alone: read them again for their typed logs.
    result.logs = _engine_rows(good.drop(ROW), fmt, provider_ref, first_row)
    return result


ECM_COLUMNS = (
    "provider_ref",
    "person_ref",
    "carer_id",
    "check_in",
    "check_out",
    "method",
    "exception_code",
)


def logs_csv(rows: list[dict[str, str]], columns: tuple[str, ...] | None = None) -> bytes:
    """A CSV file of ``rows`` (columns from the first row, else the call-monitoring layout)."""
    names = list(columns or (rows[0].keys() if rows else ECM_COLUMNS))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()
