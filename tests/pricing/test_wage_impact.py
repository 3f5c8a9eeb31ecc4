"""Wage scenarios: the price change per contact hour and per year, engine and CLI."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from carecore.pricing.cost_of_care import compute_cost_of_care, load_cost_of_care
from carecore.pricing.wage_impact import wage_impact
from homecare.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "pricing"
HCA = DATA / "coc_hca_2020_21.toml"
BANDS = DATA / "coc_four_bands.toml"
MERTON_HOURS = Decimal(440_000)  # seed 003: about 8,400 hours a week, 440,000 a year
runner = CliRunner()


def test_nlw_to_london_living_wage_over_merton_hours_is_the_documented_sum() -> None:
    inputs = load_cost_of_care(HCA).with_wage(Decimal("9.50"))  # NLW from April 2022
    impact = wage_impact(inputs, Decimal("11.95"), MERTON_HOURS)  # LLW from September 2022
    band = impact.bands["all"]
    assert band.price_before == Decimal("22.36")
    assert band.price_after == Decimal("27.64")
    assert band.change_per_contact_hour == Decimal("5.28")
    assert band.change_per_year == Decimal("2323200.00")


@settings(max_examples=60, deadline=None)
@given(
    st.decimals(Decimal("5"), Decimal("20"), places=2),
    st.decimals(Decimal("0"), Decimal("1000000"), places=0),
)
def test_the_impact_equals_recomputing_the_model_with_the_new_wage(
    new_wage: Decimal, hours: Decimal
) -> None:
    inputs = load_cost_of_care(BANDS)
    impact = wage_impact(inputs, new_wage, hours)
    before = compute_cost_of_care(inputs)
    after = compute_cost_of_care(inputs.with_wage(new_wage))
    assert list(impact.bands) == list(before.bands)
    for name, band in impact.bands.items():
        assert band.price_before == before.bands[name].price_per_contact_hour
        assert band.price_after == after.bands[name].price_per_contact_hour
        old, new = band.price_before, band.price_after
        assert band.change_per_year == (new - old) * hours
        if new_wage >= inputs.hourly_wage:
            assert band.change_per_contact_hour >= 0
        else:
            assert band.change_per_contact_hour <= 0


def test_a_wage_cut_gives_a_negative_change() -> None:
    impact = wage_impact(load_cost_of_care(HCA), Decimal("8.00"), Decimal(1000))
    assert impact.bands["all"].change_per_contact_hour < 0


def test_wage_impact_json_per_band_and_per_year() -> None:
    args = ["wage-impact", str(BANDS), "--to-wage", "11.95", "--hours-per-year", "440000", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["from_wage"] == 9.30 and data["to_wage"] == 11.95
    assert list(data["bands"]) == ["URBAN", "FRINGE", "RURAL", "ISOLATED"]
    rural = data["bands"]["RURAL"]
    assert rural["change_per_year"] == round(rural["change_per_contact_hour"] * 440000, 2)


def test_wage_impact_to_a_floor_on_a_date_uses_that_floor() -> None:
    args = ["wage-impact", str(HCA), "--from-wage", "9.50", "--to-floor", "london_living_wage",
            "--date", "2022-10-01", "--hours-per-year", "440000", "--json"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["from_wage"] == 9.50 and data["to_wage"] == 11.95
    assert data["bands"]["all"]["change_per_year"] == 2323200
    assert data["to_floor"]["name"] == "London Living Wage"
    assert "Living Wage Foundation" in data["to_floor"]["source"]


def test_wage_impact_text_shows_before_after_and_the_year() -> None:
    args = ["wage-impact", str(HCA), "--to-wage", "9.50", "--hours-per-year", "1000"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "£8.72 -> £9.50" in result.output


def test_wage_impact_needs_exactly_one_new_wage_and_a_date_for_a_floor() -> None:
    base = ["wage-impact", str(HCA), "--hours-per-year", "1000"]
    neither = runner.invoke(app, base)
    both = runner.invoke(app, [*base, "--to-wage", "10", "--to-floor", "real_living_wage"])
    no_date = runner.invoke(app, [*base, "--to-floor", "real_living_wage"])
    negative = runner.invoke(app, [*base[:2], "--hours-per-year", "-5", "--to-wage", "10"])
    zero_wage = runner.invoke(app, [*base, "--to-wage", "0"])
    for result in (neither, both, no_date, negative, zero_wage):
        assert result.exit_code == 2
        assert result.stderr.startswith("error: ")
    assert "--date" in no_date.stderr
    assert "'hours_per_year'" in negative.stderr
    assert "'new_wage'" in zero_wage.stderr
