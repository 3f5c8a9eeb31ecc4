"""The pieces the committee report is built from: how each measure reads, how numbers are
written, and small pieces of HTML (numbered paragraphs, tables of estimates with their
intervals, figures). :mod:`carecore.reports.committee` puts them together into sections.

Like the report, this module holds no typed figures in its prose: numbers come from the
results (a test reads both modules' strings).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from pathlib import Path

from carecore.market.results import CONFIDENCE, Comparison, Estimate
from carecore.reports import committee_charts as charts

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_TITLE = "Choosing a delivery model for home care: what a simulation of the market shows"
#: Plain names of the shipped delivery models (others show their own name).
MODEL_NAMES = {
    "prime": "Prime and supplementary providers",
    "open": "Open framework",
    "lead-block": "Lead provider with block hours",
    "dps": "Dynamic purchasing system",
}
PERCENTILE = 90  # the engine's p90_days_to_place
WITHIN_DAYS = (2, 7)  # the engine's share_placed_within_2_days and _7_days
HHI_MAX = 10_000
OLDER_AGE = 65  # the scenario's population_65_plus
THOUSAND = 1_000
PENNY = Decimal("0.01")


@dataclass(frozen=True)
class Measure:
    """How a metric reads in the report: its words and how its numbers are written."""

    label: str
    write: Callable[[float | Decimal], str]


def days(n: float | Decimal) -> str:
    return f"{float(n):,.2f}"


def share(n: float | Decimal) -> str:
    return f"{float(n) * 100:.1f}%"


def one(n: float | Decimal) -> str:
    return f"{float(n):,.1f}"


def whole(n: float | Decimal) -> str:
    return f"{float(n):,.0f}"


def pounds(n: float | Decimal) -> str:
    return f"£{Decimal(n).quantize(PENNY, ROUND_HALF_UP):,}"


def pence_as_pounds(n: float | Decimal) -> str:
    return f"£{(Decimal(n) / 100).quantize(Decimal(1), ROUND_HALF_UP):,}"


def tonnes(n: float | Decimal) -> str:
    return f"{float(n) / THOUSAND:,.1f}"


MEASURES: dict[str, Measure] = {
    "median_days_to_place": Measure("Median days to place", days),
    "p90_days_to_place": Measure(f"{PERCENTILE}th percentile of days to place", days),
    "share_placed_within_2_days": Measure(f"Placed within {WITHIN_DAYS[0]} days", share),
    "share_placed_within_7_days": Measure(f"Placed within {WITHIN_DAYS[1]} days", share),
    "mean_waiting_list": Measure("Waiting list (packages, average)", one),
    "mean_unmet_hours_per_week": Measure("Unmet hours a week (average)", one),
    "spot_placements": Measure("Spot purchases", one),
    "median_days_rural": Measure("Median days to place, rural", days),
    "median_days_urban": Measure("Median days to place, urban", days),
    "share_within_7_days_rural": Measure(f"Rural placed within {WITHIN_DAYS[1]} days", share),
    "share_within_7_days_urban": Measure(f"Urban placed within {WITHIN_DAYS[1]} days", share),
    "offer_acceptance_rural": Measure("Offers accepted, rural", share),
    "offer_acceptance_urban": Measure("Offers accepted, urban", share),
    "share_placements_with_principal": Measure("New placements with a prime or lead", share),
    "share_people_with_principal": Measure("People with a prime or lead", share),
    "hhi": Measure(f"Provider concentration (HHI, up to {HHI_MAX:,})", whole),
    "rebrokered": Measure("Packages placed again after a provider failed", one),
    "cost_per_hour": Measure("Cost per carer hour", pounds),
    "spend_pence": Measure("Spend over the horizon", pence_as_pounds),
    "spot_spend_pence": Measure("of which spot purchases", pence_as_pounds),
    "block_unused_pence": Measure("of which unused block hours", pence_as_pounds),
    "mean_people_served": Measure("People receiving care (average)", one),
    "mean_hours_per_week": Measure("Carer hours a week (average)", whole),
    "hours_per_person": Measure("Hours a week per person", days),
    "new_hours_per_week": Measure("New hours a week", one),
    "mean_care_workers": Measure("Care workers (average)", whole),
    "turnover_per_year": Measure("Care worker turnover a year", share),
    "travel_miles": Measure("Care workers' travel (miles)", whole),
    "co2_kg": Measure("Travel emissions (tonnes of CO2e)", tonnes),
}
TABLES = (
    ("Waiting for care", ("median_days_to_place", "p90_days_to_place",
                          "share_placed_within_2_days", "share_placed_within_7_days",
                          "mean_waiting_list", "mean_unmet_hours_per_week", "spot_placements")),
    ("Rural and urban areas", ("median_days_rural", "median_days_urban",
                               "share_within_7_days_rural", "share_within_7_days_urban",
                               "offer_acceptance_rural", "offer_acceptance_urban")),
    ("Providers and the market", ("share_placements_with_principal",
                                  "share_people_with_principal", "hhi", "rebrokered")),
    ("Cost", ("cost_per_hour", "spend_pence", "spot_spend_pence", "block_unused_pence")),
    ("People, hours, workforce and travel", ("mean_people_served", "mean_hours_per_week",
                                             "hours_per_person", "new_hours_per_week",
                                             "mean_care_workers", "turnover_per_year",
                                             "travel_miles", "co2_kg")),
)  # fmt: skip
POLICY_WORDS = {
    "prime_cascade": "each package is offered to the zone's prime provider first, then to "
    "supplementary providers and then back-up providers, one at a time",
    "open_framework": "each package is offered to every provider on the framework at once, "
    "and the first to accept it wins",
    "lead_block": "each package goes to the zone's lead provider while its guaranteed block "
    "lasts, then to secondary providers",
    "mini_competition": "providers bid a rate for each package in a mini-competition scored "
    "on quality and price",
}


def model_name(model: str) -> str:
    return MODEL_NAMES.get(model, model)


# --- small pieces of HTML ------------------------------------------------------------------


class Doc:
    """Builds the report's body: headings shifted by ``top``; paragraphs numbered throughout
    the report, as in the councils' reports (the number is text, so print and screen
    readers both have it)."""

    def __init__(self, top: int) -> None:
        self.parts: list[str] = []
        self.top = top
        self.count = 0

    def heading(self, level: int, text: str, ident: str = "") -> None:
        self.parts.append(self.heading_html(level, text, ident))

    def heading_html(self, level: int, text: str, ident: str = "") -> str:
        # The tag follows the page it sits in; the look follows the level in the report.
        tag = f"h{min(6, level + self.top - 1)}"
        attr = f' id="{ident}"' if ident else ""
        return f'<{tag} class="cr-h{level}"{attr}>{escape(text)}</{tag}>'

    def para(self, html: str) -> None:
        """A numbered paragraph (``html`` already escaped)."""
        self.count += 1
        self.parts.append(f'<p class="cr-p"><span class="cr-n">{self.count}.</span> {html}</p>')

    def raw(self, html: str) -> None:
        self.parts.append(html)

    def html(self) -> str:
        return "\n".join(self.parts)


def count_words(number: int, word: str) -> str:
    """``1 week``, ``6 weeks``."""
    return f"{number:,} {word}" + ("" if number == 1 else "s")


def esc(text: object) -> str:
    return escape(str(text))


def interval(
    estimate: Estimate, write: Callable[[float | Decimal], str]
) -> tuple[float | Decimal, float | Decimal] | None:
    """The interval, cut at zero (no measure is negative) and shares at one (100%)."""
    if estimate.low is None or estimate.high is None:
        return None
    low, high = estimate.low, estimate.high
    low = max(low, type(low)(0))
    if write is share:
        high = min(high, type(high)(1))
    return low, high


def estimate_text(estimate: Estimate, write: Callable[[float | Decimal], str]) -> str:
    """``1.20 (95% CI 0.90 to 1.50)``: the mean and its interval."""
    if estimate.mean is None:
        return "no figure"
    bounds = interval(estimate, write)
    if bounds is None:
        return write(estimate.mean)
    return f"{write(estimate.mean)} ({ci_words()} {write(bounds[0])} to {write(bounds[1])})"


def ci_words() -> str:
    return f"{CONFIDENCE:.0%} CI"


def cell(estimate: Estimate, write: Callable[[float | Decimal], str]) -> str:
    if estimate.mean is None:
        return '<td class="cr-num">none</td>'
    ci = ""
    bounds = interval(estimate, write)
    if bounds is not None:
        ci = f'<span class="cr-ci">{esc(write(bounds[0]))} to {esc(write(bounds[1]))}</span>'
    return f'<td class="cr-num">{esc(write(estimate.mean))}{ci}</td>'


def measure_table(caption: str, comparison: Comparison, metrics: Sequence[str]) -> str:
    models = comparison.models
    head = "".join(f'<th scope="col" class="cr-num">{esc(model_name(m))}</th>' for m in models)
    rows = []
    for metric in metrics:
        measure = MEASURES.get(metric, Measure(metric.replace("_", " "), days))
        cells = "".join(cell(comparison.summary(m)[metric], measure.write) for m in models)
        rows.append(f'<tr><th scope="row">{esc(measure.label)}</th>{cells}</tr>')
    return (
        f'<table><caption class="cr-hidden">{esc(caption)}: mean and {esc(ci_words())}</caption>'
        f'<thead><tr><th scope="col">Measure</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def figure_html(chart: charts.Chart) -> str:
    return f"<figure><figcaption>{esc(chart.title)}</figcaption>{chart.svg}</figure>"


def and_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
