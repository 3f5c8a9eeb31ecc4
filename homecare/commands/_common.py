"""What every command shares: error reporting without tracebacks, and JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import typer

T = TypeVar("T")

EXIT_BAD_INPUT = 2


def _plain(value: Any) -> Any:
    # Money leaves the engine as Decimal; JSON readers expect numbers. A Decimal with at most a
    # few places round-trips exactly through float's shortest repr, so 20.69 prints as 20.69.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def emit_json(payload: Any) -> None:
    """Print ``payload`` as indented JSON on standard output."""
    typer.echo(json.dumps(payload, indent=2, default=_plain, ensure_ascii=False))


def fail(message: str) -> None:
    """Print a one-line error on standard error and exit with the bad-input code."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn the engine's InputError (and a missing file) into a clear message, never a traceback."""
    from carecore.errors import InputError

    try:
        yield
    except InputError as exc:
        fail(str(exc))
    except FileNotFoundError as exc:
        fail(f"{exc.filename}: file not found")
    except PermissionError as exc:
        fail(f"{exc.filename}: permission denied")


def run(action: Callable[[], T]) -> T:
    """Call ``action`` inside :func:`reported_errors` and return its result."""
    with reported_errors():
        return action()
    raise AssertionError("unreachable")  # pragma: no cover


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()
