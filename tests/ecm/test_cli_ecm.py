"""The `homecare ecm reconcile` command, through the real `homecare` app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from homecare.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "ecm"

runner = CliRunner()


def _args(out: Path, *extra: str, actual: Path = DATA / "golden_logs.csv") -> list[str]:
    return [
        "ecm",
        "reconcile",
        "--planned",
        str(DATA / "golden_planned.csv"),
        "--actual",
        str(actual),
        "--rules",
        "rotherham-actual",
        "--out",
        str(out),
        *extra,
    ]


def test_reconcile_prints_a_summary_and_writes_the_files(tmp_path: Path) -> None:
    result = runner.invoke(app, _args(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "Visits by outcome" in result.output
    assert "PRV-A" in result.output
    assert (tmp_path / "out" / "invoice_lines.csv").is_file()
    assert (tmp_path / "out" / "ecm-reconciliation.xlsx").is_file()


def test_reconcile_json_gives_the_summary_and_files(tmp_path: Path) -> None:
    approvals = str(DATA / "golden_approvals.csv")
    result = runner.invoke(app, _args(tmp_path, "--json", "--approvals", approvals))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    # Rotherham rules pay no access at 100% (not the golden 50%): 17372 - 469 + 938 = 17841.
    assert data["amount"] == 178.41  # money leaves as a JSON number, exact to the penny
    assert data["visit_outcomes"]["missed"] == 1
    assert len(data["files"]) == 7


def test_bad_logs_give_one_line_naming_file_row_and_column(tmp_path: Path) -> None:
    logs = tmp_path / "logs.csv"
    logs.write_text(
        "provider_ref,person_ref,carer_id,check_in,check_out,method\n"
        "PRV-A,P01,C01,2021-06-01 08:05,2021-06-01 07:00,app\n"
    )
    result = runner.invoke(app, _args(tmp_path / "out", actual=logs))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert f"error: {logs}: 1 bad value: row 2 'check_out'" in result.output
    assert "Traceback" not in result.output


def test_a_provider_return_needs_the_provider_option(tmp_path: Path) -> None:
    ret = tmp_path / "return.csv"
    ret.write_text(
        "ServiceUserRef,VisitDate,StartTimeClaimed,DurationClaimed,ActualStartTime,"
        "ActualDuration,NumberOfCarers\nP01,2021-06-01,08:00,30,08:02,29,1\n"
    )
    missing = runner.invoke(app, _args(tmp_path / "a", actual=ret))
    assert missing.exit_code == 2
    assert "say which provider sent it" in missing.output
    done = runner.invoke(app, _args(tmp_path / "b", "--provider", "PRV-A", "--json", actual=ret))
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    assert [p["provider_ref"] for p in data["providers"]] == ["PRV-A"]
    assert data["log_statuses"]["pending_approval"] == 1  # a return is manual: held


def test_partitioned_reconcile_gives_the_same_money_and_writes_parquet(tmp_path: Path) -> None:
    approvals = ["--approvals", str(DATA / "golden_approvals.csv")]
    whole = runner.invoke(app, _args(tmp_path / "whole", "--json", *approvals))
    parts = runner.invoke(app, _args(tmp_path / "parts", "--json", "--partitioned", *approvals))
    assert parts.exit_code == 0, parts.output
    whole_data, parts_data = json.loads(whole.output), json.loads(parts.output)
    assert parts_data["amount"] == whole_data["amount"] == 178.41
    assert parts_data["visit_outcomes"] == whole_data["visit_outcomes"]
    assert (tmp_path / "parts" / "invoice_lines" / "part-00000.parquet").is_file()
    assert (tmp_path / "parts" / "invoices.csv").is_file()


def test_partitioned_refuses_a_single_provider(tmp_path: Path) -> None:
    result = runner.invoke(app, _args(tmp_path / "out", "--partitioned", "--provider", "PRV-A"))
    assert result.exit_code == 2
    assert "--provider" in result.output
