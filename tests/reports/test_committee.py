"""The committee report: its sections, numbers taken from the results (never typed), charts
that are valid accessible SVG, deterministic output, and a PDF."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from carecore.market import Comparison, Estimate, Scenario, compare, load_scenario
from carecore.reports import committee, committee_charts, committee_parts

SMALL = Path(__file__).resolve().parents[1] / "market" / "data" / "small_county.toml"
SECTIONS = ("purpose", "background", "options", "findings", "risks", "recommendations")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return replace(load_scenario(SMALL), horizon_weeks=6, warm_up_weeks=1)


@pytest.fixture(scope="module")
def comparison(scenario: Scenario) -> Comparison:
    return compare(scenario, ["prime", "open", "lead-block", "dps"], replications=2, seed=5)


@pytest.fixture(scope="module")
def sweep(scenario: Scenario) -> list[tuple[int, Comparison]]:
    """The rural rates raised by 0, 10 and 20 percent."""
    points = []
    for uplift in (0, 10, 20):
        rates = {
            band: (rate * (100 + uplift) / 100).quantize(Decimal("0.01"))
            if band in scenario.rural_bands
            else rate
            for band, rate in scenario.costs.band_rates.items()
        }
        changed = replace(scenario, costs=replace(scenario.costs, band_rates=rates))
        points.append((uplift, compare(changed, ["prime", "dps"], replications=2, seed=5)))
    return points


@pytest.fixture(scope="module")
def html(comparison: Comparison, scenario: Scenario) -> str:
    return committee.committee_report_html(comparison, scenario)


def _with_estimate(comparison: Comparison, model: str, metric: str, mean: float) -> Comparison:
    """The comparison with one model's estimate of one metric replaced."""
    summaries = tuple(
        replace(
            s, estimates={**s.estimates, metric: Estimate(mean, 0.5, mean - 0.5, mean + 0.5, 2)}
        )
        if s.model == model
        else s
        for s in comparison.summaries
    )
    return replace(comparison, summaries=summaries)


def _row(html: str, label: str) -> str:
    match = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', html)
    assert match, label
    return match.group(1)


def test_the_report_has_each_section_of_a_committee_report(html: str) -> None:
    for section in SECTIONS:
        assert f'id="{section}"' in html
    assert html.count('class="cr-placeholder"') == 2  # risks and recommendations for officers
    assert "For officers to complete" in html
    numbers = [int(n) for n in re.findall(r'<span class="cr-n">(\d+)\.</span>', html)]
    assert numbers == list(range(1, len(numbers) + 1))  # numbered throughout, as the seeds


def test_the_page_is_self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    for outside in ("<link", " src=", "@import", "url(http", 'href="http'):
        assert outside not in html
    assert html.count("<svg") == 4  # waits, rural, tiers, cost (no sweep given)


def test_the_tables_show_each_models_mean_and_interval(html: str, comparison: Comparison) -> None:
    for index, model in enumerate(comparison.models):
        median = comparison.summary(model)["median_days_to_place"]
        cell = re.findall(r"<td.*?</td>", _row(html, "Median days to place"))[index]
        assert f"{median.mean:,.2f}" in cell
        assert f"{median.high:,.2f}" in cell
        cost = comparison.summary(model)["cost_per_hour"].mean
        assert f"£{cost:,.2f}" in _row(html, "Cost per carer hour")
        spend = comparison.summary(model)["spend_pence"].mean
        pounds = (Decimal(spend) / 100).quantize(Decimal(1))
        assert f"£{pounds:,}" in _row(html, "Spend over the horizon")


def test_changing_a_result_changes_the_text(comparison: Comparison, scenario: Scenario) -> None:
    before = committee.committee_report_html(comparison, scenario)
    changed = _with_estimate(comparison, "open", "median_days_to_place", 43.21)
    after = committee.committee_report_html(changed, scenario)
    assert "43.21" not in before
    assert "43.21" in _row(after, "Median days to place")
    findings = after.split('id="findings"')[1].split("<table")[0]
    assert "to 43.21 (95% CI 42.71 to 43.71) under Open framework" in findings
    assert "43.21 days" in after  # the chart's description states it too


@pytest.mark.parametrize("module", [committee, committee_parts])
def test_the_prose_has_no_typed_numbers(module: Any) -> None:
    """Every string in the modules that reads as words holds no digit: numbers come from the
    results or the scenario, or named constants (CO2 is a name, not a number)."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    prose = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and " " in node.value
        and id(node) not in docstrings
    ]
    assert len(prose) > 10
    typed = [text for text in prose if re.search(r"\d", text.replace("CO2", ""))]
    assert typed == []


def test_the_scenario_is_described_in_words(html: str, scenario: Scenario) -> None:
    background = html.split('id="background"')[1].split('id="options"')[0]
    for zone in scenario.zones:
        assert zone.name in background
    assert f"{sum(a.population_65_plus for a in scenario.areas):,}" in background
    assert "Moor has no prime or lead provider" in background
    assert f"Each run covers {scenario.horizon_weeks} weeks" in background
    options = html.split('id="options"')[1].split('id="findings"')[0]
    assert options.count("Option ") == 4
    assert "bids are capped at" in options


def test_the_charts_are_valid_accessible_svg(comparison: Comparison) -> None:
    charts = [
        committee_charts.waits_chart(comparison),
        committee_charts.rural_urban_chart(comparison),
        committee_charts.tier_chart(comparison),
        committee_charts.cost_chart(comparison),
    ]
    for chart in charts:
        root = ET.fromstring(chart.svg)
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == f"{chart.chart_id}-title {chart.chart_id}-desc"
        title, desc = root[0], root[1]
        assert (title.tag, title.text) == (f"{SVG}title", chart.title)
        assert desc.tag == f"{SVG}desc" and desc.text == chart.description
        assert "<text" in chart.svg  # text stays text
        ids = re.findall(r'\bid="([^"]+)"', chart.svg)
        assert len(ids) == len(set(ids)) and all(i.startswith(chart.chart_id) for i in ids)
    waits = charts[0].description
    prime = comparison.summary("prime")["p90_days_to_place"].mean
    assert f"{prime:,.2f} days" in waits


def test_the_output_is_deterministic(comparison: Comparison, scenario: Scenario, html: str) -> None:
    assert committee.committee_report_html(comparison, scenario) == html
    assert "Date" not in html.split("<svg")[1][:2000]


def test_a_sweep_adds_the_sensitivity_chart(
    comparison: Comparison, scenario: Scenario, sweep: list[tuple[int, Comparison]]
) -> None:
    html = committee.committee_report_html(comparison, scenario, sweep=sweep)
    assert html.count("<svg") == 5
    assert 'id="chart-sensitivity-title"' in html
    rural = [c.summary("dps")["median_days_rural"].mean for _, c in sweep]
    assert f"from {rural[0]:,.2f}" in html.split("Raising the rural rate uplift")[1]
    chart = committee_charts.sensitivity_chart(sweep, parameter="rural rate uplift (%)")
    assert "at 20:" in chart.description


def test_the_pdf_is_a_pdf(comparison: Comparison, scenario: Scenario) -> None:
    pdf = committee.committee_report_pdf(comparison, scenario, title="Test report")
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 10_000


def test_importing_the_report_does_not_load_matplotlib_or_weasyprint() -> None:
    code = (
        "import sys, carecore.reports.committee; "
        "print(any(m in sys.modules for m in ('matplotlib', 'weasyprint')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
