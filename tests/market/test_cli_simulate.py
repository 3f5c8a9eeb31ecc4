"""The `homecare simulate` and `homecare simulate sweep` commands, through the real app.

Runs use one worker (in this process) and a short small county, so no cluster starts here;
tests/market/test_parallel.py covers the Dask path.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecore.market import Scenario, compare
from carecore.market.sweep import RURAL_UPLIFT, sweep
from homecare.cli import app
from homecare.commands import simulate as simulate_command

SMALL = Path(__file__).resolve().parent / "data" / "small_county.toml"

runner = CliRunner()


@pytest.fixture(scope="module")
def short_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small county over 12 weeks, as a scenario file built on the shipped test file."""
    folder = tmp_path_factory.mktemp("scenario")
    path = folder / "short.toml"
    text = SMALL.read_text(encoding="utf-8")
    text = text.replace("horizon_weeks = 40", "horizon_weeks = 12").replace(
        "warm_up_weeks = 4", "warm_up_weeks = 2"
    )
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def short(small: Scenario) -> Scenario:
    return replace(small, horizon_weeks=12, warm_up_weeks=2)


def _json(args: list[str]) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_simulate_json_gives_each_models_summary(short_file: Path, short: Scenario) -> None:
    args = ["simulate", str(short_file), "--models", "prime,dps", "--replications", "2"]
    data = _json([*args, "--seed", "4", "--workers", "1", "--json"])
    assert set(data) == {"scenario", "seed", "replications", "models", "report"}
    assert (data["scenario"], data["seed"], data["replications"]) == ("small-county", 4, 2)
    assert [m["model"] for m in data["models"]] == ["prime", "dps"]
    engine = compare(short, ["prime", "dps"], replications=2, seed=4)
    for given, expected in zip(data["models"], engine.summaries, strict=True):
        assert given["estimates"] == expected.to_dict()["estimates"]  # the engine's numbers
    median = data["models"][0]["estimates"]["median_days_to_place"]
    assert set(median) == {"mean", "half_width", "low", "high", "n"} and median["n"] == 2
    assert data["models"][1]["estimates"]["spend_pence"]["mean"] == str(
        engine.summary("dps")["spend_pence"].mean
    )  # money as exact text


def test_simulate_run_is_the_same_command(short_file: Path) -> None:
    common = [str(short_file), "--models", "open", "--replications", "1", "--workers", "1"]
    assert _json(["simulate", *common, "--json"]) == _json(["simulate", "run", *common, "--json"])


def test_simulate_prints_a_table_with_intervals(short_file: Path) -> None:
    args = ["simulate", str(short_file), "--models", "prime,open", "--replications", "2"]
    result = runner.invoke(app, [*args, "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "mean ± 95% CI over 2 replications" in result.output
    assert "Median days to place" in result.output and "Cost per carer hour" in result.output
    assert "open" in result.output and "£" in result.output


def test_the_default_scenario_runs_without_a_file() -> None:
    data = _json(
        ["simulate", "--models", "prime", "--replications", "1", "--workers", "1", "--json"]
    )
    assert data["scenario"] == "leicestershire"
    assert data["models"][0]["estimates"]["mean_people_served"]["mean"] > 1000


def test_sweep_json_gives_every_point_and_resumes_from_the_store(
    short_file: Path, short: Scenario, tmp_path: Path
) -> None:
    args = ["simulate", "sweep", str(short_file), "--parameter", RURAL_UPLIFT]
    args += ["--values", "0:20:20", "--models", "open,dps", "--replications", "2"]
    args += ["--seed", "5", "--store", str(tmp_path), "--workers", "1", "--json"]
    first = _json(args)
    assert first["values"] == ["0", "20"] and first["models"] == ["open", "dps"]
    assert (first["runs"], first["reused"], first["store"]) == (8, 0, str(tmp_path))
    assert [(p["value"], p["model"]) for p in first["points"]] == [
        ("0", "open"),
        ("0", "dps"),
        ("20", "open"),
        ("20", "dps"),
    ]
    engine = sweep(short, RURAL_UPLIFT, (Decimal(0), Decimal(20)), ["open", "dps"], 2, 5, workers=1)
    assert first["points"] == engine.to_dict()["points"]
    second = _json(args)
    assert second["reused"] == 8
    assert second["points"] == first["points"]


def test_sweep_prints_tables_by_value(short_file: Path) -> None:
    args = ["simulate", "sweep", str(short_file), "--parameter", "supply.capacity_margin"]
    result = runner.invoke(app, [*args, "--values", "1,1.2", "--models", "prime", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "supply.capacity_margin" in result.output and "1.2" in result.output
    assert "20 runs (10 replications" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--models", "prime,closed"], "error: --models: unknown delivery model 'closed'"),
        (["--replications", "0"], "error: --replications: must be 1 or more"),
        (["--workers", "0"], "error: --workers: must be 1 or more"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "error: --workers: give"),
    ],
)
def test_bad_simulate_options_give_one_line_and_exit_2(
    short_file: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["simulate", str(short_file), *args])
    assert result.exit_code == 2
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--parameter", RURAL_UPLIFT, "--values", "30:0:5"], "error: --values: the stop 0"),
        (["--parameter", RURAL_UPLIFT, "--values", "0:30"], "error: --values: expected start"),
        (
            ["--parameter", "supply.capacity_margn", "--values", "1"],
            "error: --parameter: 'supply.capacity_margn': unknown key 'capacity_margn'",
        ),
        (
            ["--parameter", "supply.capacity_margin", "--values", "1,-1"],
            "error: --parameter: 'supply.capacity_margin': must be at least 0",
        ),
    ],
)
def test_bad_sweep_options_give_one_line_and_exit_2(
    short_file: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    store = tmp_path / "runs"
    result = runner.invoke(
        app, ["simulate", "sweep", str(short_file), *args, "--store", str(store)]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1
    assert not store.exists()  # nothing ran


def test_a_bad_or_missing_scenario_file_gives_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[scenario\nname = 1\n")
    result = runner.invoke(app, ["simulate", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {bad}: not valid TOML")
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('base = "leicestershire"\n[demand]\ngrowth_rate = 0.1\n')
    result = runner.invoke(
        app, ["simulate", "sweep", str(unknown), "--parameter", "x", "--values", "1"]
    )
    assert result.exit_code == 2
    assert "demand.growth_rate" in result.stderr and "unknown key" in result.stderr
    missing = runner.invoke(app, ["simulate", str(tmp_path / "none.toml")])
    assert missing.exit_code == 2
    assert missing.stderr == f"error: {tmp_path / 'none.toml'}: file not found\n"


def test_the_progress_bar_goes_to_a_terminal_only(
    short_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["simulate", str(short_file), "--models", "open", "--replications", "2"]
    plain = runner.invoke(app, [*args, "--workers", "1", "--json"])
    assert plain.stderr == ""
    monkeypatch.setattr(simulate_command, "stderr_is_terminal", lambda: True)
    shown = runner.invoke(app, [*args, "--workers", "1", "--json"])
    assert shown.exit_code == 0, shown.output
    assert "Simulating 1 models x 2 replications" in shown.stderr and "2/2" in shown.stderr
    assert json.loads(shown.stdout) == json.loads(plain.stdout)


def test_report_writes_the_committee_report(short_file: Path, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    args = ["simulate", str(short_file), "--models", "prime,open", "--replications", "2"]
    data = _json([*args, "--workers", "1", "--report", str(html), "--json"])
    assert data["report"] == str(html)
    text = html.read_text(encoding="utf-8")
    assert "<html" in text.lower() and "small-county" in text
    pdf = tmp_path / "report.pdf"
    _json([*args, "--workers", "1", "--report", str(pdf), "--json"])
    assert pdf.read_bytes().startswith(b"%PDF")
