"""`homecare roster solve` and `homecare roster calibrate`: answers, checks and clear errors.

The commands take ``--seconds``; here each search they start runs on a small budget of work
instead (no clock), and the seconds they passed on are recorded and checked, so the answers
do not depend on how busy the machine is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from carecore.rostering import solomon, solver
from carecore.rostering.schedule import SolveResult
from homecare.cli import app
from tests.rostering.test_native import DAY

runner = CliRunner()
# The commands are checked here, not the search: a little work is enough.
BUDGET = solver.SearchBudget(evaluations=300, pyvrp_iterations=20)
SOLOMON_ITERATIONS = 200


@pytest.fixture(autouse=True)
def seconds_asked(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every search on a budget; the list of seconds the commands asked for."""
    asked: list[float] = []
    solve_rounds, solve_solomon = solver.solve_rounds, solomon.solve_solomon

    def rounds_on_a_budget(problem: Any, *, seconds: float, **options: Any) -> SolveResult:
        asked.append(seconds)
        return solve_rounds(problem, budget=BUDGET, **options)

    def solomon_on_a_budget(path: Path, *, seconds: float, **options: Any) -> solomon.SolomonResult:
        asked.append(seconds)
        # One search in this process: the two at once are tested in test_solomon.py.
        return solve_solomon(path, iterations=SOLOMON_ITERATIONS, method="plain", **options)

    monkeypatch.setattr(solver, "solve_rounds", rounds_on_a_budget)
    monkeypatch.setattr(solomon, "solve_solomon", solomon_on_a_budget)
    return asked


def test_solve_a_native_day_prints_each_round_and_that_every_rule_holds(tmp_path, seconds_asked):
    path = tmp_path / "day.json"
    path.write_text(json.dumps(DAY), encoding="utf-8")
    result = runner.invoke(app, ["roster", "solve", str(path), "--seconds", "1"])
    assert result.exit_code == 0, result.output
    assert seconds_asked == [1.0]
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


def test_solve_a_mankowska_instance_reports_the_gap_to_the_best_published(
    benchmarks_dir, seconds_asked
):
    path = benchmarks_dir / "mankowska" / "InstanzCPLEX_HCSRP_10_1.json"
    result = runner.invoke(app, ["roster", "solve", str(path), "--seconds", "2", "--json"])
    assert result.exit_code == 0, result.output
    assert seconds_asked == [2.0]
    payload = json.loads(result.stdout)
    assert payload["format"] == "mankowska" and payload["feasible"] is True
    assert payload["best_published"] == 218.199
    # The gap is the objective's against the published best (how small it gets in a given
    # time is measured by benchmarks/rostering_mankowska.py).
    expected = 100 * (payload["objective"] - 218.199) / 218.199
    assert payload["gap_percent"] == pytest.approx(expected, abs=1e-3)


def test_solve_a_solomon_instance_checks_its_routes(benchmarks_dir, seconds_asked):
    path = benchmarks_dir / "solomon" / "C101.vrp"
    result = runner.invoke(app, ["roster", "solve", str(path), "--seconds", "2", "--json"])
    assert result.exit_code == 0, result.output
    assert seconds_asked == [2.0]
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


def test_calibrate_a_small_demo_market_reports_bands_prices_and_carbon(seconds_asked):
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
    # Each problem asked for its seconds per visit, at least the minimum per problem.
    assert seconds_asked and min(seconds_asked) >= 0.1


def test_calibrate_refuses_a_merge_of_one_zone():
    result = runner.invoke(app, ["roster", "calibrate", "--merge", "melton"])
    assert result.exit_code == 2
    assert "two or more zones" in result.output
