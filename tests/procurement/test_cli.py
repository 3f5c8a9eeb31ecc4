"""`homecare tender evaluate`: JSON, tables, the workbook, and errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from homecare.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "procurement"
GOLDEN = [str(DATA / "golden_bids.csv"), "--rules", str(DATA / "golden_rules.toml")]


def _invoke(*args: str) -> object:
    return CliRunner().invoke(app, ["tender", "evaluate", *args])


def test_json_gives_each_lot_its_ranked_bids_and_the_awards() -> None:
    result = CliRunner().invoke(app, ["tender", "evaluate", *GOLDEN, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [lot["lot"] for lot in data["lots"]] == ["North", "South"]
    north = data["lots"][0]
    assert north["lowest_valid_price"] == 16
    assert [(bid["bidder"], bid["rank"], bid["total"]) for bid in north["bids"][:3]] == [
        ("Quillmoor Home Support Ltd", 1, 90.57),
        ("Bramblewick Homecare Ltd", 2, 88),
        ("Copperwick Care Ltd", 3, 86.56),
    ]
    assert data["awards"][0] == {
        "lot": "North",
        "bidder": "Quillmoor Home Support Ltd",
        "tier": "lead",
        "rank": 1,
        "hourly_rate": 17.5,
        "band_rates": {},
    }
    assert {row["bidder"] for row in data["excluded"]} == {
        "Larkhollow Care Ltd",
        "Tansywood Care Ltd",
        "Nettlebrook Visiting Care Ltd",
    }


def test_without_json_it_prints_a_table_per_lot() -> None:
    result = CliRunner().invoke(app, ["tender", "evaluate", *GOLDEN])
    assert result.exit_code == 0, result.output
    assert "Lot: North" in result.stdout and "Lot: South" in result.stdout
    assert "Quillmoor Home Support Ltd" in result.stdout
    assert "rate £14.20 is below the floor of £15.00" in result.stdout
    assert "4 awards; 3 bids excluded." in result.stdout


def test_xlsx_writes_the_workbook(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    result = CliRunner().invoke(app, ["tender", "evaluate", *GOLDEN, "--xlsx", str(target)])
    assert result.exit_code == 0, result.output
    assert load_workbook(target).sheetnames == ["Awards", "North", "South", "Excluded"]


def test_a_bad_cell_is_reported_by_file_row_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = ["bidder,lot,rate,quality"] + [f"Bidder {n} Ltd,North,16.00,70" for n in range(5)]
    lines.append("Bidder X Ltd,North,about 16,70")
    (tmp_path / "bids.csv").write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app, ["tender", "evaluate", "bids.csv", "--rules", str(DATA / "golden_rules.toml")]
    )
    assert result.exit_code == 2
    assert result.stderr == "error: bids.csv, row 7, 'rate': expected a number, got 'about 16'\n"
    assert "Traceback" not in result.output


def test_bad_rules_and_missing_files_exit_2_with_one_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[weights]\nquality = 60\nprice = 40\n[appointment]\ntiers = ["prime"]\n'
        "[price]\nfloor = 15\nfloar = 16\n"
    )
    bids = str(DATA / "golden_bids.csv")
    result = CliRunner().invoke(app, ["tender", "evaluate", bids, "--rules", str(rules)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {rules}, 'price.floar': unknown key")
    good_rules = str(DATA / "golden_rules.toml")
    missing = CliRunner().invoke(app, ["tender", "evaluate", "absent.csv", "--rules", good_rules])
    assert missing.exit_code == 2
    assert missing.stderr == "error: absent.csv: file not found\n"


def test_an_unwritable_workbook_path_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "out.xlsx"
    result = CliRunner().invoke(app, ["tender", "evaluate", *GOLDEN, "--xlsx", str(target)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {target}: cannot write the workbook")
