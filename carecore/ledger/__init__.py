"""A council's creditor payment file: its layout, read from TOML, and the file written from it.

A finance system loads payments to suppliers from a delimited file whose columns, order, date
and amount formats, supplier codes and cost centres each council sets. The layout says all of
it in TOML (the platform ships a default)::

    split = "cost_centre"            # one row per document, cost centre and funding stream
    unknown_supplier = "refuse"      # or "cqc_location_id"

    [file]
    name = "{council}-payments-{batch}-{date}.csv"
    delimiter = ","
    header = true
    encoding = "utf-8"
    line_ending = "crlf"

    [[columns]]
    header = "Amount"
    value = "amount"
    format = "0.00"

    [suppliers]
    "Alderbank Care" = "SUP0001"     # a provider's name or its CQC location ID

    [cost_centres]
    default = "HC000"
    [cost_centres.council]
    default = "HC100"
    north = "HC110"                  # a zone's code

The engine reads the layout (:func:`parse_layout`), refusing a bad key or format with an
error naming the key and its line, and writes a batch's file from plain dataclasses
(:func:`write_ledger`). Amounts are integer pence: credit notes negative, invoices and
re-invoices positive; the rows of a document always add up to its total, to the penny.
Every cell passes through :func:`carecore.spreadsheets.csv_text`. Home care is exempt from
VAT, so the VAT column is always zero.
"""

from carecore.ledger.file import (
    Batch,
    Document,
    LedgerFile,
    Piece,
    file_name,
    format_amount,
    format_value,
    ledger_rows,
    write_ledger,
)
from carecore.ledger.layout import (
    AMOUNT_FORMATS,
    VALUES,
    Column,
    FileSpec,
    Layout,
    LayoutError,
    key_lines,
    parse_layout,
)

__all__ = [
    "AMOUNT_FORMATS",
    "VALUES",
    "Batch",
    "Column",
    "Document",
    "FileSpec",
    "Layout",
    "LayoutError",
    "LedgerFile",
    "Piece",
    "file_name",
    "format_amount",
    "format_value",
    "key_lines",
    "ledger_rows",
    "parse_layout",
    "write_ledger",
]
