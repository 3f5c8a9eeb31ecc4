"""`homecare rate-cards`: the shipped cards with their periods and band rates."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from homecare.commands.rates import register_rates


def _app() -> typer.Typer:
    local = typer.Typer()
    register_rates(local)
    return local


def test_rate_cards_json_lists_both_shipped_cards_with_their_rates() -> None:
    result = CliRunner().invoke(_app(), ["rate-cards", "--json"])
    assert result.exit_code == 0, result.output
    cards = {card["name"]: card for card in json.loads(result.stdout)["cards"]}
    assert sorted(cards) == ["leeds-illustrative", "leicestershire-2020-21"]
    leicestershire = cards["leicestershire-2020-21"]
    assert leicestershire["periods"][0]["rates"] == {
        "URBAN": 18.75,
        "FRINGE": 19.95,
        "RURAL": 22.95,
        "ISOLATED": 26.15,
    }
    assert leicestershire["periods"][0]["effective_from"] == "2020-04-01"
    assert leicestershire["periods"][0]["effective_to"] == "2021-11-05"
    assert cards["leeds-illustrative"]["illustrative"] is True
    assert len(cards["leeds-illustrative"]["periods"]) == 2


def test_rate_cards_text_marks_the_illustrative_card() -> None:
    result = CliRunner().invoke(_app(), ["rate-cards"])
    assert result.exit_code == 0
    assert "leeds-illustrative: Leeds City Council  [ILLUSTRATIVE]" in result.stdout
    assert "RURAL £22.95" in result.stdout


def test_homecare_cli_has_rate_cards_wired_in() -> None:
    from homecare.cli import app as homecare_app

    result = CliRunner().invoke(homecare_app, ["rate-cards", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["cards"]) == 2
