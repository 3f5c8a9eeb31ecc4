"""Loading parameters from TOML with unknown keys as errors (after PyVRP's parameter classes)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from carecore.errors import InputError


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file, turning a missing file or bad syntax into an :class:`InputError`."""
    file = Path(path)
    try:
        with file.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise InputError("file not found", source=file) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", source=file) from None


def check_keys(
    table: Mapping[str, Any],
    allowed: Iterable[str],
    *,
    where: str = "",
    source: str | Path | None = None,
) -> None:
    """Raise for the first key of ``table`` not in ``allowed``, naming it with its table."""
    allowed_set = set(allowed)
    for key in table:
        if key not in allowed_set:
            dotted = f"{where}.{key}" if where else key
            expected = ", ".join(sorted(allowed_set)) or "nothing"
            raise InputError(
                f"unknown key (expected one of: {expected})", key=dotted, source=source
            )


def require_table(
    data: Mapping[str, Any], key: str, *, where: str = "", source: str | Path | None = None
) -> Mapping[str, Any]:
    """Return ``data[key]`` as a table, or raise naming the missing key."""
    dotted = f"{where}.{key}" if where else key
    if key not in data:
        raise InputError("missing table", key=dotted, source=source)
    value = data[key]
    if not isinstance(value, Mapping):
        raise InputError("expected a table", key=dotted, source=source)
    return value


def toml_date(value: object, key: str) -> date:
    """A date from TOML (a bare date) or text (``YYYY-MM-DD``); a date with a time is an
    :class:`InputError` naming ``key``, as is anything else."""
    if isinstance(value, datetime):
        raise InputError(f"expected a date without a time, got {value}", key=key)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(f"expected a date as YYYY-MM-DD, got {value!r}", key=key)
