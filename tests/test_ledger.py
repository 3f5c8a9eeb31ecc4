"""The creditor payment file: its layout read from TOML, and the file written through it."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from carecore.errors import InputError
from carecore.ledger import (
    Batch,
    Document,
    LayoutError,
    Piece,
    format_amount,
    parse_layout,
    write_ledger,
)

DEFAULT = Path(__file__).resolve().parents[1] / "homecare/finance/layouts/default.toml"

LAYOUT = """\
split = "cost_centre"

[file]
name = "{council}-{batch}-{date}.csv"
delimiter = ";"

[[columns]]
header = "Doc"
value = "invoice_number"

[[columns]]
header = "Supplier"
value = "supplier_code"

[[columns]]
header = "Name"
value = "supplier_name"

[[columns]]
header = "Date"
value = "invoice_date"
format = "%Y%m%d"

[[columns]]
header = "CC"
value = "cost_centre"

[[columns]]
header = "Stream"
value = "funding_stream"

[[columns]]
header = "Pence"
value = "amount"
format = "+0"

[[columns]]
header = "VAT"
value = "vat"

[[columns]]
header = "Type"
value = "fixed"
text = "AP"

[suppliers]
"Alderbank Care" = "SUP001"
"1-900000002" = "SUP002"

[cost_centres]
default = "CC0"

[cost_centres.council]
default = "CC1"
north = "CC1N"

[cost_centres.nhs_chc]
default = "CC9"
"""


def _invoice(number: str, pieces: list[Piece], *, supplier: str = "Alderbank Care") -> Document:
    return Document(
        kind="invoice",
        number=number,
        original_invoice=number,
        day=date(2026, 4, 10),
        supplier_name=supplier,
        supplier_cqc="1-900000002" if supplier != "Alderbank Care" else "",
        period_start=date(2026, 3, 9),
        period_end=date(2026, 4, 5),
        description="Home care",
        total_pence=sum(p.pence for p in pieces),
        pieces=tuple(pieces),
    )


def _batch(*documents: Document) -> Batch:
    return Batch(
        number="PB-1-0001",
        council="Testshire County Council",
        council_code="testshire",
        payment_date=date(2026, 4, 12),
        documents=documents,
    )


def _rows(content: bytes, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode()), delimiter=delimiter))


def test_the_shipped_default_layout_reads() -> None:
    layout = parse_layout(DEFAULT.read_text())
    assert layout.split == "cost_centre"
    assert [c.value for c in layout.columns][:3] == [
        "batch_number",
        "payment_date",
        "supplier_code",
    ]
    assert layout.cost_centre("anything", "nhs_chc") == "HOMECARE-CHC"


def test_rows_per_cost_centre_add_up_to_each_document_per_stream() -> None:
    known = {"Alderbank Care", "1-900000002"}
    layout = parse_layout(LAYOUT, zones={"north", "south"}, providers=known)
    joint = _invoice(
        "INV-1",
        [
            Piece("north", "council", "PO-1", 1001, 2),
            Piece("south", "council", "PO-2", 333, 1),
            Piece("south", "nhs_chc", "PO-2", 667, 1),
        ],
    )
    credit = Document(
        kind="credit",
        number="CN-INV-1-1",
        original_invoice="INV-1",
        day=date(2026, 4, 11),
        supplier_name="Alderbank Care",
        supplier_cqc="",
        period_start=date(2026, 3, 9),
        period_end=date(2026, 4, 5),
        description="Credit note",
        total_pence=-250,
        pieces=(Piece("north", "council", "PO-1", -250),),
    )
    made = write_ledger(layout, _batch(joint, credit), exported_on=date(2026, 4, 12))
    rows = _rows(made.content)
    assert rows[0] == ["Doc", "Supplier", "Name", "Date", "CC", "Stream", "Pence", "VAT", "Type"]
    body = rows[1:]
    assert made.rows == len(body) == 4
    first = ["INV-1", "SUP001", "Alderbank Care", "20260410", "CC1", "council", "+333"]
    assert body[0] == [*first, "0.00", "AP"]
    by_stream: dict[tuple[str, str], int] = {}
    for row in body:
        key = (row[0], row[5])
        by_stream[key] = by_stream.get(key, 0) + int(row[6])
    assert by_stream == {
        ("INV-1", "council"): 1001 + 333,
        ("INV-1", "nhs_chc"): 667,
        ("CN-INV-1-1", "council"): -250,
    }
    assert made.name == "testshire-PB-1-0001-20260412.csv"
    assert made.content.count(b"\r\n") == 5


def test_one_row_per_invoice_names_a_mixed_stream_and_the_default_cost_centre() -> None:
    text = LAYOUT.replace('split = "cost_centre"', 'split = "invoice"')
    layout = parse_layout(text)
    invoice = _invoice(
        "INV-2", [Piece("north", "council", "PO-1", 1000), Piece("", "nhs_chc", "PO-1", 500)]
    )
    rows = _rows(write_ledger(layout, _batch(invoice), exported_on=date(2026, 4, 12)).content)
    assert [r[4:7] for r in rows[1:]] == [["CC0", "mixed", "+1500"]]


def test_a_provider_listed_by_its_cqc_location_id_has_its_code() -> None:
    layout = parse_layout(LAYOUT)
    invoice = _invoice("INV-3", [Piece("", "council", "", 100)], supplier="Birchmoor")
    rows = _rows(write_ledger(layout, _batch(invoice), exported_on=date(2026, 4, 12)).content)
    assert rows[1][1] == "SUP002"


def test_a_provider_with_no_supplier_code_stops_the_file_unless_told_to_use_its_cqc_id() -> None:
    invoice = _invoice("INV-4", [Piece("", "council", "", 100)], supplier="Cedar")
    invoice = Document(**{**invoice.__dict__, "supplier_cqc": "1-123"})
    with pytest.raises(InputError, match="Cedar has no supplier code"):
        write_ledger(parse_layout(LAYOUT), _batch(invoice), exported_on=date(2026, 4, 12))
    falling_back = parse_layout('unknown_supplier = "cqc_location_id"\n' + LAYOUT)
    made = write_ledger(falling_back, _batch(invoice), exported_on=date(2026, 4, 12))
    assert _rows(made.content)[1][1] == "1-123"


def test_every_cell_is_formula_escaped() -> None:
    text = LAYOUT.replace('header = "Name"', 'header = "=SUM(A1)"')
    layout = parse_layout(text, providers=None)
    attack = '=HYPERLINK("http://x","pay")'
    invoice = _invoice("@INV", [Piece("", "council", "", 100)], supplier=attack)
    layout = parse_layout(text.replace('"Alderbank Care" = "SUP001"', f"'{attack}' = '+SUP'"))
    rows = _rows(write_ledger(layout, _batch(invoice), exported_on=date(2026, 4, 12)).content)
    assert rows[0][2] == "'=SUM(A1)"
    assert rows[1][:3] == ["'@INV", "'+SUP", "'" + attack]
    assert rows[1][6] == "+100"  # a signed amount is a number, not a formula


def test_a_re_export_is_marked_in_its_file_name() -> None:
    layout = parse_layout(LAYOUT)
    invoice = _invoice("INV-5", [Piece("", "council", "", 100)])
    made = write_ledger(layout, _batch(invoice), exported_on=date(2026, 4, 13), re_export=1)
    assert made.name == "testshire-PB-1-0001-20260413-re-export-1.csv"


def test_a_document_whose_pieces_do_not_add_up_is_refused() -> None:
    invoice = _invoice("INV-6", [Piece("", "council", "", 100)])
    broken = Document(**{**invoice.__dict__, "total_pence": 101})
    with pytest.raises(InputError, match="do not add up"):
        write_ledger(parse_layout(LAYOUT), _batch(broken), exported_on=date(2026, 4, 12))


def test_a_character_the_encoding_cannot_hold_is_refused() -> None:
    text = LAYOUT.replace('delimiter = ";"', 'delimiter = ";"\nencoding = "ascii"')
    invoice = _invoice("INV-7", [Piece("", "council", "", 100)], supplier="Café Care")
    layout = parse_layout(text.replace("Alderbank Care", "Café Care"))
    with pytest.raises(InputError, match="cannot be written"):
        write_ledger(layout, _batch(invoice), exported_on=date(2026, 4, 12))


@pytest.mark.parametrize(
    ("pence", "fmt", "text"),
    [
        (123456, "0.00", "1234.56"),
        (-5, "0.00", "-0.05"),
        (0, "0.00", "0.00"),
        (7, "+0.00", "+0.07"),
        (-123456, "0", "-123456"),
        (42, "+0", "+42"),
    ],
)
def test_amount_formats(pence: int, fmt: str, text: str) -> None:
    assert format_amount(pence, fmt) == text


def _refused(text: str, **known: set[str]) -> LayoutError:
    with pytest.raises(LayoutError) as caught:
        parse_layout(text, **known)  # type: ignore[arg-type]
    return caught.value


@pytest.mark.parametrize(
    ("change", "key", "line", "words"),
    [
        (("split =", "splt ="), "splt", 1, "unknown key"),
        (('delimiter = ";"', 'delimter = ";"'), "file.delimter", 5, "unknown key"),
        (('value = "supplier_code"', 'value = "supplier"'), "columns[2].value", 13, "not a value"),
        (('format = "%Y%m%d"', 'format = "%Y%q"'), "columns[4].format", 22, "not a date format"),
        (('format = "+0"', 'format = "0.000"'), "columns[7].format", 35, "not an amount format"),
        (('text = "AP"', 'txt = "AP"'), "columns[9].txt", 44, "unknown key"),
        (('header = "Stream"', 'heading = "Stream"'), "columns[6].heading", 29, "unknown key"),
        (("nhs_chc]", "nhs]"), "cost_centres.nhs", 57, "unknown key"),
        (('delimiter = ";"', 'delimiter = ";;"'), "file.delimiter", 5, "one character"),
        (("{date}.csv", "{day}.csv"), "file.name", 4, "{day} is not known"),
        (('header = "VAT"', "header = 20"), "columns[8].header", 38, "expected text"),
    ],
)
def test_a_bad_key_or_format_is_refused_naming_it_and_its_line(
    change: tuple[str, str], key: str, line: int, words: str
) -> None:
    error = _refused(LAYOUT.replace(*change, 1))
    assert (error.key, error.line) == (key, line)
    assert words in error.message
    assert str(error).startswith(f"line {line}, '{key}': ")


def test_a_zone_or_provider_the_council_does_not_have_is_refused() -> None:
    error = _refused(LAYOUT, zones={"south"}, providers={"Alderbank Care", "1-900000002"})
    assert (error.key, error.line) == ("cost_centres.council.north", 55)
    assert "south" in error.message
    error = _refused(LAYOUT, zones={"north"}, providers={"Alderbank Care"})
    assert (error.key, error.line) == ("suppliers.1-900000002", 48)


def test_bad_toml_names_its_line() -> None:
    error = _refused(LAYOUT.replace('header = "CC"', 'header = "CC'))
    assert error.line == 25
    assert "not valid TOML" in error.message


def test_a_cost_centre_column_needs_a_default_cost_centre() -> None:
    error = _refused(LAYOUT.replace('default = "CC0"\n', ""))
    assert error.key == "cost_centres.default"
