"""Limits on what an uploaded file may become in memory, checked before it is read.

A small file can unpack to a huge one: a 32 KB Parquet file of repeated values holds two
million rows, and a 270 KB workbook can declare a million rows of sixteen thousand columns.
So each reader checks what the file says it holds before it reads a value: a Parquet file's
metadata (rows and uncompressed bytes of each row group), an XLSX workbook's zip directory
(the unpacked size of each part) and each sheet's declared dimension, and a CSV file's size;
and it counts rows as it reads them, in case a file's own account of itself is wrong.

The limits come from the caller (the platform reads them from its settings); without limits
a reader reads whatever it is given, as the command-line tools do with a council's own files.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from carecore.errors import InputError

MB = 1024 * 1024
DEFAULT_MAX_ROWS = 500_000
DEFAULT_MAX_UNPACKED_BYTES = 256 * MB
DEFAULT_MAX_COLUMNS = 500

T = TypeVar("T")


@dataclass(frozen=True)
class ReadLimits:
    """At most ``max_rows`` data rows, ``max_columns`` columns and ``max_unpacked_bytes``
    bytes once unpacked (uncompressed Parquet data, unzipped workbook parts, CSV text)."""

    max_rows: int = DEFAULT_MAX_ROWS
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
    max_columns: int = DEFAULT_MAX_COLUMNS

    def __post_init__(self) -> None:
        for name in ("max_rows", "max_unpacked_bytes", "max_columns"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"must be a whole number of at least 1, got {value!r}", key=name)

    def check_rows(self, rows: int, *, source: str | Path | None = None) -> None:
        """Refuse more than ``max_rows`` data rows."""
        if rows > self.max_rows:
            raise InputError(
                f"The file has more than {self.max_rows:,} rows, the most one file may hold: "
                "send it in smaller parts (a shorter period in each)",
                source=source,
            )

    def check_columns(self, columns: int, *, source: str | Path | None = None) -> None:
        """Refuse more than ``max_columns`` columns."""
        if columns > self.max_columns:
            raise InputError(
                f"The file has more than {self.max_columns:,} columns, the most one file may "
                "hold: keep only the columns asked for",
                source=source,
            )

    def check_unpacked(self, size: int, *, source: str | Path | None = None) -> None:
        """Refuse a file that unpacks to more than ``max_unpacked_bytes``."""
        if size > self.max_unpacked_bytes:
            raise InputError(
                f"The file unpacks to more than {_megabytes(self.max_unpacked_bytes)}, the most "
                "one file may hold: send it in smaller parts (a shorter period in each)",
                source=source,
            )

    def counted(
        self, rows: Iterable[T], *, header_rows: int = 1, source: str | Path | None = None
    ) -> Iterator[T]:
        """``rows`` as they are read, stopping with an error past the limit (the header and
        any lines above it are ``header_rows``)."""
        for number, row in enumerate(rows, start=1):
            self.check_rows(number - header_rows, source=source)
            yield row


def _megabytes(size: int) -> str:
    return f"{size / MB:,.0f} MB" if size >= MB else f"{size:,} bytes"


# --- Parquet: the footer's FileMetaData, in Thrift's compact protocol ----------------------
# Only two fields are needed: the row groups' row counts and uncompressed sizes. Everything
# else is skipped, and any malformed byte is an error, never a crash or a long loop.

_PARQUET_MAGIC = b"PAR1"
_MAX_DEPTH = 32
_FIXED = {3: 1, 7: 8}  # byte, double
_VARINT = (4, 5, 6)  # i16, i32, i64


class _Compact:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def byte(self) -> int:
        if self.at >= len(self.data):
            raise ValueError("metadata ends early")
        self.at += 1
        return self.data[self.at - 1]

    def varint(self) -> int:
        value = shift = 0
        while True:
            byte = self.byte()
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7
            if shift > 70:
                raise ValueError("number too long")

    def zigzag(self) -> int:
        value = self.varint()
        return (value >> 1) ^ -(value & 1)

    def skip(self, kind: int, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise ValueError("nested too deeply")
        if kind in (1, 2):  # booleans held in the field header
            return
        if kind in _FIXED:
            self.at += _FIXED[kind]
        elif kind in _VARINT:
            self.varint()
        elif kind == 8:  # binary
            length = self.varint()  # read before moving on: ``at += varint()`` would not
            self.at += length
        elif kind in (9, 10):  # list, set
            size, item = self.list_header()
            for _ in range(size):
                if item in (1, 2):  # a boolean in a list takes a byte of its own
                    self.byte()
                else:
                    self.skip(item, depth + 1)
        elif kind == 11:  # map
            size = self.varint()
            if size:
                types = self.byte()
                for _ in range(size):
                    self.skip(types >> 4, depth + 1)
                    self.skip(types & 0x0F, depth + 1)
        elif kind == 12:
            for _field, field_kind in self.fields():
                self.skip(field_kind, depth + 1)
        else:
            raise ValueError(f"unknown type {kind}")
        if self.at > len(self.data):
            raise ValueError("metadata ends early")

    def list_header(self) -> tuple[int, int]:
        header = self.byte()
        size = header >> 4
        if size == 15:
            size = self.varint()
        if size > len(self.data) - self.at:  # each item takes at least a byte
            raise ValueError("list longer than the metadata")
        return size, header & 0x0F

    def fields(self) -> Iterator[tuple[int, int]]:
        """(field id, type) of each field of a struct, up to its stop byte."""
        last = 0
        while True:
            header = self.byte()
            if header == 0:
                return
            delta, kind = header >> 4, header & 0x0F
            last = last + delta if delta else self.zigzag()
            yield last, kind


def parquet_shape(path: str | Path) -> tuple[int, int, int]:
    """(rows, uncompressed bytes, columns) a Parquet file's metadata declares."""
    file = Path(path)
    with file.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        if size < 12:
            raise ValueError("too short to be Parquet")
        handle.seek(size - 8)
        length, magic = struct.unpack("<i4s", handle.read(8))
        if magic != _PARQUET_MAGIC or not 0 < length <= size - 12:
            raise ValueError("no Parquet footer")
        handle.seek(size - 8 - length)
        reader = _Compact(handle.read(length))
    rows = unpacked = columns = 0
    for field, kind in reader.fields():
        if field == 2 and kind == 9:  # schema: the root element and one per column
            count, item = reader.list_header()
            for _ in range(count):
                reader.skip(item, 1)
            columns = max(count - 1, 0)
        elif field == 3 and kind == 6:
            rows = reader.zigzag()
        elif field == 4 and kind == 9:  # row groups
            count, item = reader.list_header()
            for _ in range(count):
                for group_field, group_kind in reader.fields():
                    if group_field == 2 and group_kind == 6:
                        unpacked += reader.zigzag()
                    else:
                        reader.skip(group_kind, 2)
        else:
            reader.skip(kind, 1)
    return rows, unpacked, columns


def check_parquet(
    path: str | Path, limits: ReadLimits, *, source: str | Path | None = None
) -> None:
    """Refuse a Parquet file whose metadata declares more than ``limits`` allow."""
    label = source if source is not None else path
    try:
        rows, unpacked, columns = parquet_shape(path)
    except (ValueError, OSError, struct.error):
        raise InputError(
            "cannot read the file: it is not a readable Parquet file", source=label
        ) from None
    limits.check_rows(rows, source=label)
    limits.check_columns(columns, source=label)
    limits.check_unpacked(unpacked, source=label)


# --- XLSX: the zip directory and each sheet's <dimension ref="A1:K250"/> --------------------

_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\""
)
_HEAD_BYTES = 4096  # the dimension comes before any cell


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def check_xlsx(
    book: zipfile.ZipFile, limits: ReadLimits, *, source: str | Path | None = None
) -> None:
    """Refuse a workbook that unzips to more than ``limits`` allow, or a sheet that declares
    more rows or columns than they allow (the header row is not counted)."""
    parts = book.infolist()
    limits.check_unpacked(sum(part.file_size for part in parts), source=source)
    for part in parts:
        if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
            continue
        try:
            with book.open(part) as handle:
                head = handle.read(_HEAD_BYTES)
        except (
            zipfile.BadZipFile,
            zlib.error,
            NotImplementedError,
            RuntimeError,
            OSError,
            EOFError,
        ):
            raise InputError("not a readable Excel workbook", source=source) from None
        found = _DIMENSION.search(head)
        if found is None:
            continue  # no dimension: the rows are counted as they are read
        last_column, last_row = found.group(3) or found.group(1), found.group(4) or found.group(2)
        if last_row:
            limits.check_rows(int(last_row) - 1, source=source)
        if last_column:
            limits.check_columns(_column_number(last_column.decode()), source=source)
