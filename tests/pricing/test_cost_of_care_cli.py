"""The `homecare cost-of-care` command: JSON shape, the table, and errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from homecare.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "pricing"
runner = CliRunner()


def test_cost_of_care_json_gives_the_hca_price_and_lines() -> None:
    result = runner.invoke(app, ["cost-of-care", str(DATA / "coc_hca_2020_21.toml"), "--json"])
    assert result.exit_code == 0, result.output
    band = json.loads(result.stdout)["bands"]["all"]
    assert band["price_per_contact_hour"] == 20.68
    assert band["lines"]["travel_pay"] == 1.70
    assert band["lines"]["employer_ni_and_pension"] == 1.14
    assert band["lines"]["direct_cost"] == 14.89


def test_cost_of_care_json_with_overheads_in_pounds_is_exactly_20_69() -> None:
    path = DATA / "coc_hca_2020_21_overheads_in_pounds.toml"
    result = runner.invoke(app, ["cost-of-care", str(path), "--json"])
    assert json.loads(result.stdout)["bands"]["all"]["price_per_contact_hour"] == 20.69


def test_cost_of_care_json_lists_each_named_band_and_no_all_band() -> None:
    result = runner.invoke(app, ["cost-of-care", str(DATA / "coc_four_bands.toml"), "--json"])
    bands = json.loads(result.stdout)["bands"]
    assert list(bands) == ["URBAN", "FRINGE", "RURAL", "ISOLATED"]
    assert bands["RURAL"]["price_per_contact_hour"] > bands["URBAN"]["price_per_contact_hour"]


def test_cost_of_care_table_shows_labelled_lines_in_pounds() -> None:
    result = runner.invoke(app, ["cost-of-care", str(DATA / "coc_hca_2020_21.toml")])
    assert result.exit_code == 0
    assert "Band all: £20.68 per contact hour" in result.output
    assert "Employer NI and pension" in result.output


def test_cost_of_care_bad_input_is_one_error_line_naming_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text((DATA / "coc_hca_2020_21.toml").read_text().replace("= 10.9", "= -10.9"))
    result = runner.invoke(app, ["cost-of-care", str(path), "--json"])
    assert result.exit_code == 2
    assert "'on_costs.employer_ni_and_pension'" in result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.output


def test_cost_of_care_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["cost-of-care", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert "file not found" in result.stderr
