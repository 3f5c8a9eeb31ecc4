"""Bids for a tender, read from a CSV file or an Excel workbook (the first sheet).

Columns (names match ignoring case; other columns are ignored): ``bidder``, ``lot``, either
``rate`` or one ``rate_<BAND>`` per pricing band, and either ``quality`` or one
``quality_<criterion>`` per quality criterion. Row numbers in errors count the header as row 1,
as a spreadsheet shows them.

A tender's bids are a few per bidder and lot, so a file is held to :data:`BID_LIMITS` (checked
before the workbook is unpacked, and rows counted as they are read): evaluating bids takes
time that grows with the square of the bids in a lot, and a web request evaluates them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from carecore.errors import InputError
from carecore.limits import MB, ReadLimits
from carecore.tables import sheet_rows
from carecore.units import PENNY, to_decimal

DEFAULT_MAX_SCORE = Decimal(100)
# A county's tender: some hundreds of bidders for a dozen or so lots. 5,000 bids in one lot
# evaluate in about 3 seconds; a workbook of 5,000 rows is well under 20 MB unpacked.
BID_LIMITS = ReadLimits(max_rows=5_000, max_unpacked_bytes=20 * MB, max_columns=200)


@dataclass(frozen=True)
class Bid:
    """One bidder's offer for one lot.

    Rates are pounds per hour: ``hourly_rate`` for one rate, or ``band_rates`` (band name to
    rate) for a rate per pricing band. Quality is ``quality_score`` for one score, or
    ``quality_scores`` (criterion to score); scores are on the tender's scale (0 to its maximum).
    ``source`` and ``row`` say where the bid was read, for error messages.
    """

    bidder: str
    lot: str
    hourly_rate: Decimal | None = None
    band_rates: dict[str, Decimal] = field(default_factory=dict, hash=False)
    quality_score: Decimal | None = None
    quality_scores: dict[str, Decimal] = field(default_factory=dict, hash=False)
    source: str | None = field(default=None, compare=False)
    row: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for key, text in (("bidder", self.bidder), ("lot", self.lot)):
            if not text.strip():
                raise self.error("must not be empty", key)
        if (self.hourly_rate is None) == (not self.band_rates):
            raise self.error("give either one hourly rate or a rate per band", "rate")
        if (self.quality_score is None) == (not self.quality_scores):
            raise self.error("give either one quality score or a score per criterion", "quality")
        for column, rate in self.rate_columns().items():
            if rate <= 0:
                raise self.error(f"rate must be more than £0, got £{rate}", column)
        for column, score in self.score_columns().items():
            if score < 0:
                raise self.error(f"score {score} is out of range: it must not be negative", column)

    def error(self, message: str, key: str | None = None) -> InputError:
        """An InputError pointing at this bid's file and row."""
        return InputError(message, source=self.source, row=self.row, key=key)

    def rate_columns(self) -> dict[str, Decimal]:
        """The bid's rates by the column they come from (``rate`` or ``rate_<band>``)."""
        if self.hourly_rate is not None:
            return {"rate": self.hourly_rate}
        return {f"rate_{band}": rate for band, rate in self.band_rates.items()}

    def score_columns(self) -> dict[str, Decimal]:
        """The bid's quality scores by column (``quality`` or ``quality_<criterion>``)."""
        if self.quality_score is not None:
            return {"quality": self.quality_score}
        return {f"quality_{name}": score for name, score in self.quality_scores.items()}


def load_bids(
    file: str | Path | BinaryIO,
    *,
    source: str | None = None,
    max_score: Decimal = DEFAULT_MAX_SCORE,
    limits: ReadLimits = BID_LIMITS,
) -> list[Bid]:
    """Read bids from a CSV or XLSX file (a path, or a binary file object such as an upload).

    Rates are pounds per hour, to the penny. Scores must lie between 0 and ``max_score`` (pass
    the rules' ``max_score``). ``source`` names the file in errors (default: the path or the file
    object's name). Raises InputError naming file, row and column for any bad cell, and for a
    file larger than ``limits`` allow (before it is unpacked).
    """
    label, data = _read_bytes(file, source)
    rows = sheet_rows(data, label, limits)
    header_row, header = _header(rows, label)
    columns = _Columns(header, header_row, label)
    bids: list[Bid] = []
    seen: dict[tuple[str, str], int] = {}
    for row_number, cells in rows:
        if _blank(cells):
            continue
        bid = columns.bid(cells, row_number, max_score)
        key = (bid.bidder.casefold(), bid.lot.casefold())
        if key in seen:
            raise bid.error(
                f"duplicate bid: {bid.bidder} already bid for lot {bid.lot!r} on row {seen[key]}",
                "bidder",
            )
        seen[key] = row_number
        bids.append(bid)
    if not bids:
        raise InputError("no bids: the file has a header but no rows of bids", source=label)
    return bids


def _read_bytes(file: str | Path | BinaryIO, source: str | None) -> tuple[str, bytes]:
    if isinstance(file, (str, Path)):
        label = source or str(file)
        try:
            return label, Path(file).read_bytes()
        except FileNotFoundError:
            raise InputError("file not found", source=label) from None
        except IsADirectoryError:
            raise InputError("is a folder, not a file of bids", source=label) from None
    label = source or str(getattr(file, "name", "") or "bids")
    return label, file.read()


def _blank(cells: list[object]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _header(rows: Iterator[tuple[int, list[object]]], label: str) -> tuple[int, list[str]]:
    for number, cells in rows:
        if not _blank(cells):
            return number, ["" if cell is None else str(cell).strip() for cell in cells]
    raise InputError("the file is empty", source=label)


class _Columns:
    """Where each field sits in a row, found from the header."""

    def __init__(self, header: list[str], row: int, source: str) -> None:
        self.source = source
        self.header_row = row
        self.fixed: dict[str, int] = {}
        self.bands: dict[str, int] = {}
        self.criteria: dict[str, int] = {}
        seen: dict[str, str] = {}
        for index, name in enumerate(header):
            folded = name.casefold()
            if folded in ("bidder", "lot", "rate", "quality"):
                self.fixed[folded] = index
            elif folded.startswith("rate_"):
                self.bands[self._suffix(name, "rate_")] = index
            elif folded.startswith("quality_"):
                self.criteria[self._suffix(name, "quality_")] = index
            else:
                continue  # other columns (notes, contact) are the council's own business
            if folded in seen:
                raise self._error(f"column {name!r} appears twice", name)
            seen[folded] = name
        self._require(header)

    def _error(self, message: str, key: str) -> InputError:
        return InputError(message, source=self.source, row=self.header_row, key=key)

    def _suffix(self, name: str, prefix: str) -> str:
        suffix = name[len(prefix) :].strip()
        if not suffix:
            raise self._error(f"name the band or criterion after {prefix!r}", name)
        return suffix

    def _require(self, header: list[str]) -> None:
        found = ", ".join(name for name in header if name) or "none"
        for key in ("bidder", "lot"):
            if key not in self.fixed:
                raise self._error(f"missing column (columns found: {found})", key)
        for single, many in (("rate", self.bands), ("quality", self.criteria)):
            if single in self.fixed and many:
                raise self._error(
                    f"give either a {single!r} column or {single}_<name> columns, not both", single
                )
            if single not in self.fixed and not many:
                raise self._error(
                    f"missing column: give {single!r} or {single}_<name> columns "
                    f"(columns found: {found})",
                    single,
                )

    def bid(self, cells: list[object], row: int, max_score: Decimal) -> Bid:
        def cell(index: int) -> object:
            return cells[index] if index < len(cells) else None

        def rate(column: str, index: int) -> Decimal:
            value = self._number(cell(index), column, row)
            if value <= 0:
                raise InputError(
                    f"rate must be more than £0, got {value}",
                    source=self.source,
                    row=row,
                    key=column,
                )
            if value != value.quantize(PENNY):
                raise InputError(
                    f"rate {value} has fractions of a penny: round it to the penny",
                    source=self.source,
                    row=row,
                    key=column,
                )
            return value

        def score(column: str, index: int) -> Decimal:
            value = self._number(cell(index), column, row)
            if not 0 <= value <= max_score:
                raise InputError(
                    f"score {value} is out of range 0 to {max_score}",
                    source=self.source,
                    row=row,
                    key=column,
                )
            return value

        single_rate = self.fixed.get("rate")
        single_score = self.fixed.get("quality")
        return Bid(
            bidder=self._text(cell(self.fixed["bidder"]), "bidder", row),
            lot=self._text(cell(self.fixed["lot"]), "lot", row),
            hourly_rate=None if single_rate is None else rate("rate", single_rate),
            band_rates={band: rate(f"rate_{band}", i) for band, i in self.bands.items()},
            quality_score=None if single_score is None else score("quality", single_score),
            quality_scores={name: score(f"quality_{name}", i) for name, i in self.criteria.items()},
            source=self.source,
            row=row,
        )

    def _text(self, value: object, column: str, row: int) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a lot numbered 3 in Excel arrives as 3.0
        text = "" if value is None else str(value).strip()
        if not text:
            raise InputError("missing value", source=self.source, row=row, key=column)
        return text

    def _number(self, value: object, column: str, row: int) -> Decimal:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InputError("missing value", source=self.source, row=row, key=column)
        try:
            return to_decimal(value)
        except InputError as exc:
            raise InputError(exc.message, source=self.source, row=row, key=column) from None
