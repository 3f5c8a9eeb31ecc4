"""`homecare price-visit`: JSON breakdown and errors that name the option, never a traceback."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from homecare.commands.rates import register_rates

GOLDEN = [
    "price-visit",
    "--card",
    "leicestershire-2020-21",
    "--band",
    "RURAL",
    "--minutes",
    "45",
    "--carers",
    "2",
    "--start",
    "2021-06-07T08:00",
    "--json",
]


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    local = typer.Typer()
    register_rates(local)
    return local


def test_price_visit_json_is_the_golden_leicestershire_price(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, GOLDEN)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == 34.42
    assert data["per_carer"] == [17.21, 17.21]
    assert data["rate_per_hour"] == 22.95
    assert data["billable_minutes"] == 45
    assert data["day_type"] == "weekday"
    assert data["start"] == "2021-06-07T08:00:00+01:00"
    assert [line["amount"] for line in data["lines"]] == [17.21, 17.21]


def test_price_visit_on_a_bank_holiday_shows_the_uplift_lines(app: typer.Typer) -> None:
    args = [a if a != "2021-06-07T08:00" else "2021-05-31T08:00" for a in GOLDEN]
    data = json.loads(CliRunner().invoke(app, args).stdout)
    assert data["holiday"] == "Spring bank holiday"
    assert data["enhancements"] == [
        {"kind": "bank_holiday", "title": "Spring bank holiday", "percent": 50}
    ]
    assert data["total"] == 51.64


def test_price_visit_prints_a_readable_breakdown_without_json(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, GOLDEN[:-1])
    assert result.exit_code == 0
    assert "45 min at £22.95 per hour" in result.stdout
    assert result.stdout.strip().splitlines()[-1].endswith("£   34.42")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--band", "SUBURBAN", "'--band': unknown band 'SUBURBAN'"),
        ("--minutes", "0", "'--minutes': must be a whole number from 1 to 1440"),
        ("--carers", "5", "'--carers': must be a whole number from 1 to 4"),
        ("--card", "rutland-2020", "'--card': unknown rate card 'rutland-2020'"),
        ("--start", "2022-06-07T08:00", "'--start': card leicestershire-2020-21 has no rates"),
        ("--start", "next tuesday", "'--start': expected a date and time"),
    ],
)
def test_price_visit_bad_option_is_named_on_stderr(
    app: typer.Typer, option: str, value: str, message: str
) -> None:
    args = list(GOLDEN)
    args[args.index(option) + 1] = value
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_price_visit_reads_a_card_from_a_path(app: typer.Typer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    card = tmp_path / "mine.toml"
    card.write_text(
        'name = "mine"\ncouncil = "Synthetic Borough Council"\neffective_from = 2021-01-01\n'
        '[rates]\nTOWN = "20.00"\n',
        encoding="utf-8",
    )
    args = [
        "price-visit",
        "--card",
        str(card),
        "--band",
        "town",
        "--minutes",
        "30",
        "--start",
        "2021-06-07T08:00",
        "--json",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total"] == 10


def test_price_visit_card_file_with_an_unknown_key_names_file_and_key(
    app: typer.Typer,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    card = tmp_path / "typo.toml"
    card.write_text(
        'name = "typo"\ncouncil = "Synthetic"\neffective_from = 2021-01-01\nrate = 1\n'
        '[rates]\nTOWN = "20.00"\n',
        encoding="utf-8",
    )
    args = [
        "price-visit",
        "--card",
        str(card),
        "--band",
        "town",
        "--minutes",
        "30",
        "--start",
        "2021-06-07T08:00",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "typo.toml" in result.stderr and "'rate'" in result.stderr


def test_homecare_cli_has_price_visit_wired_in() -> None:
    from homecare.cli import app as homecare_app

    result = CliRunner().invoke(homecare_app, GOLDEN)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total"] == 34.42
