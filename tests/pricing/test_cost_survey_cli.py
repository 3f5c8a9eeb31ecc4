"""`homecare cost-survey FILE`: the summary as JSON and text; bad files named, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from homecare.commands.rates import register_rates

SURVEY = (
    Path(__file__).resolve().parents[1] / "data" / "pricing" / "survey_synthetic_13_returns.csv"
)


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    local = typer.Typer()
    register_rates(local)
    return local


def test_cost_survey_json_has_quartiles_exclusions_and_the_price_range(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["cost-survey", str(SURVEY), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["returns_received"], data["returns_usable"]) == (13, 10)
    assert data["total"]["lower_quartile"] == 14.3275
    assert data["total"]["median"] == 14.62
    assert data["total"]["upper_quartile"] == 15.45
    assert data["price_range"]["floor"] == 14.33
    assert data["price_range"]["ceiling"] == 15.45
    assert [e["provider_ref"] for e in data["excluded"]] == ["SYN-04", "SYN-09", "SYN-12"]
    assert data["quartile_method"].startswith("QUARTILE.INC")


def test_cost_survey_floor_and_ceiling_options_change_the_rule(app: typer.Typer) -> None:
    args = ["cost-survey", str(SURVEY), "--floor", "minimum", "--ceiling", "median", "--json"]
    data = json.loads(CliRunner().invoke(app, args).stdout)
    assert (data["price_range"]["floor"], data["price_range"]["ceiling"]) == (12.61, 14.62)


def test_cost_survey_text_shows_the_table_and_exclusions(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["cost-survey", str(SURVEY)])
    assert result.exit_code == 0
    assert "13 returns, 10 usable" in result.stdout
    assert "excluded SYN-12 (row 13): blank: overheads, surplus" in result.stdout
    assert "proposed floor £14.33" in result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        (
            "provider_ref,contact_pay,travel_pay,mileage,on_costs,overheads,surplus\n"
            "A,7,1,lots,1.5,3,0.5\n",
            "row 2, 'mileage': expected a number, got 'lots'",
        ),
    ],
)
def test_cost_survey_bad_file_is_named_on_stderr(
    app: typer.Typer, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "returns.csv"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["cost-survey", str(path)])
    assert result.exit_code == 2
    assert f"error: {path}" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_cost_survey_bad_rule_names_the_option(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["cost-survey", str(SURVEY), "--floor", "mean"])
    assert result.exit_code == 2
    assert "'--floor': must be one of minimum" in result.stderr


def test_homecare_cli_has_cost_survey_wired_in() -> None:
    from homecare.cli import app as homecare_app

    result = CliRunner().invoke(homecare_app, ["cost-survey", str(SURVEY), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["returns_usable"] == 10
