"""Writing a reconciliation as CSV and as an Excel workbook."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

from carecore.ecm import ContractRules, read_logs, read_planned, reconcile, write_outputs
from carecore.ecm import io as ecm_io
from carecore.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "data" / "ecm"


@pytest.fixture
def result(golden_rules: ContractRules):
    planned = read_planned(DATA / "golden_planned.csv")
    return reconcile(
        planned, read_logs(DATA / "golden_logs.csv"), golden_rules, "leicestershire-2020-21"
    )


def test_outputs_are_written_as_csv_json_and_a_workbook(result, tmp_path: Path) -> None:
    written = write_outputs(result, tmp_path / "out")
    names = sorted(p.name for p in written.files)
    assert names == [
        "ecm-reconciliation.xlsx",
        "exceptions.csv",
        "invoice_lines.csv",
        "invoices.csv",
        "logs.csv",
        "summary.json",
        "visits.csv",
    ]
    assert written.notes == ()
    lines = pl.read_csv(tmp_path / "out" / "invoice_lines.csv", infer_schema=False)
    assert lines.height == result.invoice_lines.height
    assert lines["visit_start"][0].endswith("+01:00")
    assert sum(int(p) for p in lines["amount_pence"]) == result.summary.amount_pence
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["amount"] == "164.34"  # the golden 173.72 less V13 (9.38), not approved here
    book = load_workbook(tmp_path / "out" / "ecm-reconciliation.xlsx", read_only=True)
    assert book.sheetnames == ["Invoices", "Invoice lines", "Exceptions"]
    invoices = list(book["Invoices"].iter_rows(values_only=True))
    header, first = invoices[0], invoices[1]
    assert first[header.index("provider_ref")] == "PRV-A"
    assert Decimal(str(first[header.index("amount_gbp")])) == Decimal("150.28")  # 159.66 - 9.38


def test_a_result_too_big_for_a_sheet_is_written_as_csv_only(
    result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ecm_io, "XLSX_MAX_ROWS", 3)
    written = write_outputs(result, tmp_path)
    assert not (tmp_path / "ecm-reconciliation.xlsx").exists()
    assert "more than an Excel sheet holds" in written.notes[0]
    with pytest.raises(InputError, match="do not fit an Excel sheet"):
        ecm_io.write_xlsx({"Invoice lines": result.invoice_lines}, tmp_path / "x.xlsx")
