"""`homecare roster solve` and `homecare roster calibrate`: answers, checks and clear errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from homecare.cli import app
from tests.rostering.test_native import DAY

runner = CliRunner()


def test_solve_a_native_day_prints_each_round_and_that_every_rule_holds(tmp_path):
    path = tmp_path / "day.json"
    path.write_text(json.dumps(DAY), encoding="utf-8")
    result = runner.invoke(app, ["roster", "solve", str(path), "--seconds", "1"])
    assert result.exit_code == 0, result.output
    assert "Hinckley, Monday: objective" in result.stdout
    assert "every time window, skill and synchronisation holds" in result.stdout
    assert "Birch:" in result.stdout  # the only carer with the PEG skill does P2


def test_solve_json_gives_routes_with_start_times_and_the_two_carers_of_a_pair(tmp_path):
    path = tmp_path / "day.json"
    path.write_text(json.dumps(DAY), encoding="utf-8")
    result = runner.invoke(app, ["roster", "solve", str(path), "--seconds", "1", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["feasible"] is True and payload["format"] == "native"
    starts = {
        v["visit"]: (route["carer"], v["start"])
        for route in payload["routes"]
        for v in route["visits"]
    }
    first, second = starts["P2 breakfast"], starts["P2 breakfast 2"]
    assert first[0] != second[0] and first[1] == second[1]


def test_solve_a_mankowska_instance_reports_the_gap_to_the_best_published(benchmarks_dir):
    path = benchmarks_dir / "mankowska" / "InstanzCPLEX_HCSRP_10_1.json"
    result = runner.invoke(app, ["roster", "solve", str(path), "--seconds", "2", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["format"] == "mankowska" and payload["feasible"] is True
    assert payload["best_published"] == 218.199
    assert payload["gap_percent"] < 2.0


def test_solve_a_solomon_instance_checks_its_routes(benchmarks_dir):
    path = benchmarks_dir / "solomon" / "C101.vrp"
    result = runner.invoke(app, ["roster", "solve", str(path), "--seconds", "2", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["format"] == "solomon" and payload["feasible"] is True
    assert sum(len(r["visits"]) for r in payload["routes"]) == 100


def test_an_unknown_format_is_a_one_line_error(tmp_path):
    path = tmp_path / "day.json"
    path.write_text(json.dumps(DAY), encoding="utf-8")
    result = runner.invoke(app, ["roster", "solve", str(path), "--format", "tsplib"])
    assert result.exit_code == 2
    assert "--format must be one of" in result.output


def test_a_bad_rounds_file_names_the_field(tmp_path):
    path = tmp_path / "day.json"
    path.write_text(json.dumps({**DAY, "carers": [{"name": "Ash"}]}), encoding="utf-8")
    result = runner.invoke(app, ["roster", "solve", str(path), "--format", "native"])
    assert result.exit_code == 2
    assert "carers[0].start_location" in result.output


def test_calibrate_a_small_demo_market_reports_bands_prices_and_carbon():
    result = runner.invoke(
        app,
        ["roster", "calibrate", "--people", "12", "--seconds-per-visit", "0.001", "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {row["band"] for row in report["bands"]} <= {"URBAN", "FRINGE", "RURAL", "ISOLATED"}
    assert all(row["verdict"] for row in report["prices"])
    assert float(report["carbon"]["total_tonnes_per_year"]) > 0
    assert report["visits_routed"] > 0


def test_calibrate_refuses_a_merge_of_one_zone():
    result = runner.invoke(app, ["roster", "calibrate", "--merge", "melton"])
    assert result.exit_code == 2
    assert "two or more zones" in result.output
