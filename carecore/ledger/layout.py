"""The layout of a council's creditor payment file, read from TOML with every bad key or
format refused by name and line (see :mod:`carecore.ledger` for the layout's shape)."""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from carecore.errors import InputError

# value -> (kind, what it is). Kinds: text, date, amount, count, fixed.
VALUES: dict[str, tuple[str, str]] = {
    "batch_number": ("text", "the payment batch's number"),
    "payment_date": ("date", "the day the payment batch was made"),
    "council": ("text", "the council's name"),
    "supplier_code": ("text", "the provider's supplier code, from the suppliers table"),
    "supplier_name": ("text", "the provider's name"),
    "document_type": ("text", "invoice, credit note or re-invoice"),
    "invoice_number": ("text", "the invoice's, credit note's or re-invoice's number"),
    "original_invoice": ("text", "the invoice a credit note or re-invoice corrects"),
    "invoice_date": ("date", "the day the invoice was approved or the correction made"),
    "period_start": ("date", "the first day of the invoice's period"),
    "period_end": ("date", "the last day of the invoice's period"),
    "purchase_order": ("text", "the purchase order, when the row has one only"),
    "cost_centre": ("text", "the cost centre, from the cost centres table"),
    "zone": ("text", "the zone's code, when the row has one only"),
    "funding_stream": ("text", "who pays: the council, the NHS, or both (mixed)"),
    "amount": ("amount", "the amount paid (credit notes negative)"),
    "net": ("amount", "the amount before VAT (the same: home care is exempt)"),
    "vat": ("amount", "VAT: always 0.00, as home care is exempt"),
    "description": ("text", "what the row pays for, in words"),
    "line_count": ("count", "how many invoice lines the row covers"),
    "fixed": ("fixed", "the column's own text, the same on every row"),
}
AMOUNT_FORMATS = {
    "0.00": "pounds and pence, a minus sign when negative",
    "+0.00": "pounds and pence, always signed",
    "0": "pence, a minus sign when negative",
    "+0": "pence, always signed",
}
DATE_DIRECTIVES = set("dmyYbBaAjUW%")
SPLITS = ("invoice", "cost_centre", "purchase_order")
UNKNOWN_SUPPLIER = ("refuse", "cqc_location_id")
STREAMS = ("council", "nhs_chc")
MIXED = "mixed"
ENCODINGS = {
    "utf-8": "utf-8",
    "utf-8-bom": "utf-8-sig",
    "utf-8-sig": "utf-8-sig",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
    "iso-8859-1": "latin-1",
    "latin-1": "latin-1",
    "ascii": "ascii",
}
LINE_ENDINGS = {"crlf": "\r\n", "lf": "\n", "\r\n": "\r\n", "\n": "\n"}
NAME_FIELDS = ("council", "batch", "date")
TOP_KEYS = ("split", "unknown_supplier", "file", "columns", "suppliers", "cost_centres")
FILE_KEYS = ("name", "delimiter", "header", "encoding", "line_ending", "quote")
COLUMN_KEYS = ("header", "value", "format", "text")
MAX_COLUMNS = 100
MAX_TEXT = 200
MAX_CODE = 60


class LayoutError(InputError):
    """A layout that cannot be used: the message, the key at fault and its line."""

    def __init__(self, message: str, *, key: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(message, key=key)

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}'{self.key}': {self.message}"


@dataclass(frozen=True)
class FileSpec:
    name: str = "{council}-payments-{batch}-{date}.csv"
    delimiter: str = ","
    header: bool = True
    encoding: str = "utf-8"
    line_ending: str = "\r\n"
    quote_all: bool = False


@dataclass(frozen=True)
class Column:
    header: str
    value: str
    format: str = ""
    text: str = ""


@dataclass(frozen=True)
class Layout:
    file: FileSpec
    columns: tuple[Column, ...]
    split: str = "invoice"
    unknown_supplier: str = "refuse"
    suppliers: Mapping[str, str] = field(default_factory=dict)
    # stream -> zone code (or "default") -> cost centre
    cost_centres: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    default_cost_centre: str = ""

    def cost_centre(self, zone: str, stream: str) -> str:
        """The cost centre of a zone and stream: the stream's zone, else the stream's
        default, else the layout's default."""
        codes = self.cost_centres.get(stream, {})
        return codes.get(zone) or codes.get("default") or self.default_cost_centre

    def supplier_code(self, name: str, cqc_location_id: str) -> str:
        """The provider's supplier code, by its name or CQC location ID; InputError when the
        layout has none and does not fall back on the CQC location ID."""
        code = self.suppliers.get(name) or (
            self.suppliers.get(cqc_location_id) if cqc_location_id else None
        )
        if code:
            return code
        if self.unknown_supplier == "cqc_location_id" and cqc_location_id:
            return cqc_location_id
        raise InputError(
            f"{name} has no supplier code: add it under [suppliers] in the ledger layout",
            key="suppliers",
        )


_PART = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+)'
_KEY_LINE = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_TABLE_LINE = re.compile(rf"^\s*(\[\[?)\s*({_PART}(?:\s*\.\s*{_PART})*)\s*\]\]?\s*(?:#.*)?$")


def _parts(dotted: str) -> list[str]:
    return [
        p[1:-1] if p[:1] in "\"'" else p
        for p in re.findall(_PART, dotted)  # the quotes come off; escapes are rare in keys
    ]


def key_lines(text: str) -> dict[str, int]:
    """Where each key and table of a layout is, by the names errors use
    (``file.delimiter``, ``columns[2].value``, ``cost_centres.council.north``)."""
    lines: dict[str, int] = {}
    table: list[str] = []
    arrays: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE_LINE.match(line)
        if header:
            parts = _parts(header.group(2))
            if header.group(1) == "[[":
                name = ".".join(parts)
                arrays[name] = arrays.get(name, 0) + 1
                table = [f"{name}[{arrays[name]}]"]
            else:
                table = parts
            lines.setdefault(".".join(table), number)
            continue
        key = _KEY_LINE.match(line)
        if key:
            lines.setdefault(".".join(table + _parts(key.group(1))), number)
    return lines


class _Reader:
    """Reads a parsed layout, raising :class:`LayoutError` with the key's line."""

    def __init__(self, text: str) -> None:
        self.lines = key_lines(text)

    def fail(self, message: str, key: str) -> LayoutError:
        probe = key
        while probe and probe not in self.lines:
            probe = probe.rpartition(".")[0]
        return LayoutError(message, key=key, line=self.lines.get(probe))

    def keys(self, table: Mapping[str, Any], allowed: Collection[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                expected = ", ".join(allowed)
                raise self.fail(f"unknown key (expected one of: {expected})", _join(where, key))

    def text(
        self, table: Mapping[str, Any], key: str, where: str, *, default: str | None = None
    ) -> str:
        dotted = _join(where, key)
        if key not in table:
            if default is None:
                raise self.fail("missing: give it a value", dotted)
            return default
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(f"expected text in quotes, got {value!r}", dotted)
        if len(value) > MAX_TEXT:
            raise self.fail(f"too long: at most {MAX_TEXT} characters", dotted)
        return value

    def choice(
        self, table: Mapping[str, Any], key: str, where: str, options: Collection[str], default: str
    ) -> str:
        value = self.text(table, key, where, default=default)
        if value not in options:
            expected = ", ".join(f'"{o}"' for o in options)
            raise self.fail(f"{value!r} is not one of {expected}", _join(where, key))
        return value

    def table(self, data: Mapping[str, Any], key: str, where: str = "") -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, Mapping):
            raise self.fail("expected a table", _join(where, key))
        return value


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def parse_layout(
    text: str,
    *,
    zones: Collection[str] | None = None,
    providers: Collection[str] | None = None,
) -> Layout:
    """Read a layout from TOML text. ``zones`` (the council's zone codes) and ``providers``
    (provider names and CQC location IDs), when given, are the only keys allowed under
    ``[cost_centres.<stream>]`` and ``[suppliers]``. Raises :class:`LayoutError`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        message = re.sub(r"\s*\(at [^)]*\)", "", str(exc))
        raise LayoutError(
            f"not valid TOML: {message}", key="layout", line=int(found.group(1)) if found else None
        ) from None
    read = _Reader(text)
    read.keys(data, TOP_KEYS, "")
    if "file" not in data:
        raise read.fail("missing: a [file] table is needed", "file")
    columns = _columns(read, data)
    split = read.choice(data, "split", "", SPLITS, "invoice")
    unknown = read.choice(data, "unknown_supplier", "", UNKNOWN_SUPPLIER, "refuse")
    suppliers = _suppliers(read, read.table(data, "suppliers"), providers)
    centres, default = _cost_centres(read, read.table(data, "cost_centres"), zones)
    if not default and (split != "invoice" or any(c.value == "cost_centre" for c in columns)):
        raise read.fail(
            "missing: give a default cost centre under [cost_centres]", "cost_centres.default"
        )
    return Layout(
        file=_file(read, read.table(data, "file")),
        columns=columns,
        split=split,
        unknown_supplier=unknown,
        suppliers=suppliers,
        cost_centres=centres,
        default_cost_centre=default,
    )


def _file(read: _Reader, table: Mapping[str, Any]) -> FileSpec:
    read.keys(table, FILE_KEYS, "file")
    name = read.text(table, "name", "file", default=FileSpec.name)
    try:
        placeholders = [f for _, f, _s, _c in string.Formatter().parse(name) if f is not None]
    except ValueError:
        raise read.fail(
            "a { or } without its pair: write {council}, {batch} or {date}", "file.name"
        ) from None
    for found in placeholders:
        if found not in NAME_FIELDS:
            raise read.fail(
                f"{{{found}}} is not known: use {{council}}, {{batch}} or {{date}}", "file.name"
            )
    if not name.strip() or not safe_name(name.format(council="c", batch="b", date="d")):
        raise read.fail("the file name has no letters or numbers", "file.name")
    delimiter = read.text(table, "delimiter", "file", default=",")
    if len(delimiter) != 1 or delimiter in "\"'\r\n" or delimiter.isalnum():
        raise read.fail('expected one character such as "," ";" "|" or "\\t"', "file.delimiter")
    header = table.get("header", True)
    if not isinstance(header, bool):
        raise read.fail(f"expected true or false, got {header!r}", "file.header")
    encoding = read.choice(table, "encoding", "file", ENCODINGS, "utf-8")
    ending = read.choice(table, "line_ending", "file", ("crlf", "lf"), "crlf")
    quote = read.choice(table, "quote", "file", ("minimal", "all"), "minimal")
    return FileSpec(
        name=name,
        delimiter=delimiter,
        header=header,
        encoding=ENCODINGS[encoding],
        line_ending=LINE_ENDINGS[ending],
        quote_all=quote == "all",
    )


def _columns(read: _Reader, data: Mapping[str, Any]) -> tuple[Column, ...]:
    items = data.get("columns")
    if not isinstance(items, list) or not items:
        raise read.fail("missing: give the file's columns as [[columns]] tables", "columns")
    if len(items) > MAX_COLUMNS:
        raise read.fail(f"too many columns: at most {MAX_COLUMNS}", "columns")
    columns = []
    for number, item in enumerate(items, start=1):
        where = f"columns[{number}]"
        if not isinstance(item, Mapping):
            raise read.fail("expected a table", where)
        read.keys(item, COLUMN_KEYS, where)
        header = read.text(item, "header", where)
        value = read.text(item, "value", where)
        if value not in VALUES:
            raise read.fail(
                f"{value!r} is not a value the file can hold (one of: {', '.join(VALUES)})",
                f"{where}.value",
            )
        kind = VALUES[value][0]
        fmt = read.text(item, "format", where, default="")
        if "format" in item:
            _check_format(read, kind, fmt, f"{where}.format")
        text = read.text(item, "text", where, default="")
        if kind == "fixed" and "text" not in item:
            raise read.fail('missing: a "fixed" column needs its text', f"{where}.text")
        if kind != "fixed" and "text" in item:
            raise read.fail('only a "fixed" column has text', f"{where}.text")
        columns.append(Column(header=header, value=value, format=fmt, text=text))
    return tuple(columns)


def _check_format(read: _Reader, kind: str, fmt: str, key: str) -> None:
    if kind == "amount":
        if fmt not in AMOUNT_FORMATS:
            allowed = "; ".join(f'"{k}" ({v})' for k, v in AMOUNT_FORMATS.items())
            raise read.fail(f"{fmt!r} is not an amount format: use {allowed}", key)
    elif kind == "date":
        directives = re.findall(r"%(.?)", fmt)
        bad = [d for d in directives if d not in DATE_DIRECTIVES]
        if bad or not [d for d in directives if d != "%"]:
            raise read.fail(
                f"{fmt!r} is not a date format: write it with %d, %m, %Y, %y, %b or %B, "
                'such as "%d/%m/%Y" or "%Y%m%d"',
                key,
            )
    else:
        raise read.fail("only dates and amounts have a format", key)


def _code(read: _Reader, value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise read.fail(f"expected a code in quotes, got {value!r}", key)
    if len(value) > MAX_CODE:
        raise read.fail(f"too long: at most {MAX_CODE} characters", key)
    return value


def _suppliers(
    read: _Reader, table: Mapping[str, Any], providers: Collection[str] | None
) -> dict[str, str]:
    codes = {}
    for name, value in table.items():
        key = f"suppliers.{name}"
        if providers is not None and name not in providers:
            raise read.fail(
                "no provider has that name or CQC location ID: write it as the platform does",
                key,
            )
        codes[name] = _code(read, value, key)
    return codes


def _cost_centres(
    read: _Reader, table: Mapping[str, Any], zones: Collection[str] | None
) -> tuple[dict[str, dict[str, str]], str]:
    read.keys(table, ("default", *STREAMS), "cost_centres")
    default = _code(read, table["default"], "cost_centres.default") if "default" in table else ""
    centres: dict[str, dict[str, str]] = {}
    for stream in STREAMS:
        where = f"cost_centres.{stream}"
        codes = read.table(table, stream, "cost_centres")
        for zone, value in codes.items():
            if zone != "default" and zones is not None and zone not in zones:
                known = ", ".join(sorted(zones)) or "none"
                raise read.fail(f"not one of the council's zone codes ({known})", f"{where}.{zone}")
            centres.setdefault(stream, {})[zone] = _code(read, value, f"{where}.{zone}")
    return centres, default


def safe_name(name: str) -> str:
    """``name`` with only letters, digits, dots, dashes and underscores."""
    return re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9._-]", "-", name)).strip("-.")
