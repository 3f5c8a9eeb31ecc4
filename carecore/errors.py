"""One error type for bad input, so every caller can show it without a traceback."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Input that cannot be used, with where it came from.

    ``source`` is a file name (or a label such as "form"), ``row`` a 1-based data row
    (the header is row 1 in spreadsheets, so the first data row is 2), ``key`` a TOML key
    or column name. The message reads as one sentence a commissioner can act on.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | Path | None = None,
        row: int | None = None,
        key: str | None = None,
    ) -> None:
        self.message = message
        self.source = str(source) if source is not None else None
        self.row = row
        self.key = key
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.key:
            where.append(f"'{self.key}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message
