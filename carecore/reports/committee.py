"""The committee report on delivery models: a self-contained HTML page and a PDF.

It follows the shape of the councils' own committee reports (the seeds): purpose, background,
the options, findings, risks and recommendations, in numbered paragraphs. The background
describes the scenario in words; the findings give a table of every measure with its 95%
confidence interval and the charts of :mod:`carecore.reports.committee_charts`. Risks and
recommendations are partly left as clearly marked placeholders: the judgement is officers'.

Every number in the text is formatted from the comparison or the scenario; the prose holds
no typed figures (a test reads this module's strings to hold that). Money stays ``Decimal``
from the results to the page. matplotlib and WeasyPrint are imported only when used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from string import Template
from typing import Any

from carecore.market.results import Comparison, Estimate
from carecore.market.scenario import DeliveryModel, Scenario
from carecore.reports import committee_charts as charts
from carecore.reports.committee_parts import (
    DEFAULT_TITLE,
    HHI_MAX,
    MEASURES,
    OLDER_AGE,
    PERCENTILE,
    POLICY_WORDS,
    TABLES,
    TEMPLATES,
    THOUSAND,
    WITHIN_DAYS,
    Doc,
    and_list,
    ci_words,
    count_words,
    days,
    esc,
    estimate_text,
    figure_html,
    measure_table,
    model_name,
    pence_as_pounds,
    whole,
)

# --- the sections ---------------------------------------------------------------------------


def _purpose(doc: Doc, comparison: Comparison, scenario: Scenario) -> None:
    doc.heading(2, "Purpose of report", "purpose")
    names = [model_name(m) for m in comparison.models]
    doc.para(
        f"The purpose of this report is to set out for the Committee what each of "
        f"{len(names)} ways of buying home care would be expected to do to waits for care, "
        f"rural coverage, the provider market and cost: {esc(and_list(names))}."
    )
    doc.para(
        "The figures come from a simulation of the county's home care market in which "
        "packages of care are placed by the same allocation rules the council's brokerage "
        f"uses. Each delivery model was simulated {count_words(comparison.replications, 'time')} "
        f"(replications) on the scenario &ldquo;{esc(scenario.name)}&rdquo;; each figure is "
        f"the mean over the replications with its {esc(ci_words())} (confidence interval)."
    )


def _background(doc: Doc, scenario: Scenario, replications: int, notes: Sequence[str]) -> None:
    doc.heading(2, "Background", "background")
    zones = [z.name for z in scenario.zones]
    no_prime = [z.name for z in scenario.zones if not z.has_prime]
    used = {a.band for a in scenario.areas}
    rates = [
        f"{band.title()} £{rate:,.2f}"
        for band, rate in scenario.costs.band_rates.items()
        if band in used
    ]
    doc.para(
        f"{esc(scenario.description or scenario.name)}. The county is divided into "
        f"{len(zones)} zones ({esc(and_list(zones))}) and {len(scenario.areas)} areas in "
        f"{len(rates)} price bands, paid per carer hour at {esc(and_list(rates))}."
        + (
            f" {esc(and_list(no_prime))} {'has' if len(no_prime) == 1 else 'have'} no prime or "
            "lead provider."
            if no_prime
            else ""
        )
    )
    demand = scenario.demand
    older = sum(a.population_65_plus for a in scenario.areas)
    per_thousand = demand.packages_per_week_per_1000_65_plus
    weekly = per_thousand * older / THOUSAND
    doc.para(
        f"New packages of care arrive in each area in proportion to its people aged "
        f"{OLDER_AGE} and over ({older:,} in all), at {per_thousand:g} a week "
        f"for every thousand of them: about {weekly:,.1f} a week at the start, growing by "
        f"{demand.growth_per_year:.1%} a year. {demand.hospital_discharge_share:.0%} follow a "
        f"hospital discharge and {demand.double_handed_share:.0%} need two carers at some "
        f"visits. Care lasts {demand.mean_length_weeks:,.1f} weeks on average; "
        f"{demand.review_shrink_share:.0%} of packages shrink at their review after "
        f"{demand.review_after_weeks:g} weeks."
    )
    supply = scenario.supply
    roles = {role: [p for p in supply.providers if p.role == role] for role in
             ("framework", "back_up", "spot")}  # fmt: skip
    doc.para(
        f"The market has {len(roles['framework'])} framework providers, "
        f"{len(roles['back_up'])} back-up providers and {len(roles['spot'])} spot agencies. "
        f"Their care workers work {supply.hours_per_worker:g} paid hours a week; "
        f"{supply.turnover_per_year:.0%} leave each year and {supply.vacancy_rate:.0%} of "
        f"posts are vacant. A provider accepts a package when it has the time and the "
        f"package pays enough for the travel it brings, so rural and awkward packages can be "
        f"turned down."
    )
    exits = (
        " "
        + esc(and_list([f"{x.provider} fails in week {x.week:g}" for x in scenario.exits]))
        + "."
        if scenario.exits
        else ""
    )
    doc.para(
        f"Each run covers {count_words(scenario.horizon_weeks, 'week')} from "
        f"{scenario.start_date.day} {scenario.start_date:%B %Y}, after "
        f"{count_words(scenario.warm_up_weeks, 'week')} that settle the market and are not "
        f"counted. Each model was run {count_words(replications, 'time')}, its random draws "
        f"numbered from {esc(scenario.seed)} (the same number repeats the same results); "
        f"in each replication every model sees the same packages "
        f"arrive, so differences between models come from the models.{exits}"
    )
    for note in notes:
        doc.para(esc(note))


def _option_words(model: DeliveryModel) -> str:
    kind = str(model.policy.get("kind", ""))
    words = [POLICY_WORDS.get(kind, f"packages are offered by the {kind} policy")]
    if model.appoint_principals:
        words.append("each zone's largest provider is appointed prime (or lead)")
    if model.block_factor > 0:
        words.append(
            f"the lead is guaranteed a block of {model.block_factor:.0%} of its starting "
            "hours, paid for whether used or not"
        )
    if model.obligation_pence_per_hour > 0:
        words.append(
            f"the contract obliges the prime or lead to take most work (modelled as accepting "
            f"work worth {model.obligation_pence_per_hour:g}p an hour less)"
        )
    if kind == "mini_competition" and "ceiling" in model.policy:
        words.append(f"bids are capped at £{Decimal(str(model.policy['ceiling'])):,.2f} an hour")
    return "; ".join(words)


def _options(doc: Doc, comparison: Comparison, scenario: Scenario) -> None:
    doc.heading(2, "Options", "options")
    for index, name in enumerate(comparison.models):
        model = scenario.model(name)
        letter = chr(ord("A") + index)
        description = f" ({esc(model.description)})" if model.description else ""
        doc.para(
            f"<strong>Option {letter}: {esc(model_name(name))}</strong>{description}: "
            f"{esc(_option_words(model))}."
        )


def _ranked(comparison: Comparison, metric: str) -> list[tuple[str, Estimate]]:
    pairs = [(m, comparison.summary(m)[metric]) for m in comparison.models]
    return sorted([p for p in pairs if p[1].mean is not None], key=lambda p: p[1].mean)  # type: ignore[arg-type, return-value]


def _range_sentence(comparison: Comparison, metric: str, what: str) -> str:
    """``what`` ranged from the lowest model's figure to the highest's (or one figure)."""
    ranked = _ranked(comparison, metric)
    write = MEASURES[metric].write
    if not ranked:
        return f"No model gave a figure for {what}."
    low, high = ranked[0], ranked[-1]
    if len(ranked) > 1 and write(low[1].mean) == write(high[1].mean):  # type: ignore[arg-type]
        return f"{_capital(what)} was {write(low[1].mean)} under every model."  # type: ignore[arg-type]
    if len(ranked) == 1:
        return f"{_capital(what)} was {estimate_text(low[1], write)} under {model_name(low[0])}."
    return (
        f"{_capital(what)} ranged from {estimate_text(low[1], write)} under "
        f"{model_name(low[0])} to {estimate_text(high[1], write)} under {model_name(high[0])}."
    )


def _ranges(comparison: Comparison, *pairs: tuple[str, str]) -> str:
    """A range sentence for each (metric, words) pair, escaped and joined."""
    return " ".join(esc(_range_sentence(comparison, metric, what)) for metric, what in pairs)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _overlap(a: Estimate, b: Estimate) -> bool:
    if None in (a.low, a.high, b.low, b.high):
        return True
    return not (a.high < b.low or b.high < a.low)  # type: ignore[operator]


def _findings(
    doc: Doc, comparison: Comparison, scenario: Scenario, sweep: Any, parameter: str
) -> None:
    doc.heading(2, "Findings", "findings")
    names = {m: model_name(m) for m in comparison.models}
    waits = _ranked(comparison, "median_days_to_place")
    chance = ""
    if len(waits) > 1:
        chance = (
            " The intervals of the quickest and slowest overlap, so that difference may be "
            "chance at this number of replications."
            if _overlap(waits[0][1], waits[-1][1])
            else " Their intervals do not overlap."
        )
    doc.para(
        _ranges(
            comparison,
            ("median_days_to_place", "the median time to place a package (days)"),
        )
        + esc(chance)
        + " "
        + _ranges(
            comparison,
            ("p90_days_to_place", f"the {PERCENTILE}th percentile"),
            ("share_placed_within_7_days", f"the share placed within {WITHIN_DAYS[1]} days"),
        )
    )
    rural = []
    for model in comparison.models:
        summary = comparison.summary(model)
        r, u = summary["median_days_rural"], summary["median_days_urban"]
        rural.append(
            f"under {names[model]}, {estimate_text(r, days)} in rural areas against "
            f"{estimate_text(u, days)} in urban areas"
        )
    doc.para("Rural packages: the median wait in days was " + esc("; ".join(rural)) + ".")
    doc.para(
        _ranges(
            comparison,
            ("share_people_with_principal", "the share of people with a prime or lead provider"),
            ("hhi", f"provider concentration (the Herfindahl-Hirschman index, up to {HHI_MAX:,})"),
            ("spot_placements", "spot purchases over the horizon"),
        )
    )
    unused = [
        f"{pence_as_pounds(mean)} under {names[m]}"
        for m in comparison.models
        if (mean := comparison.summary(m)["block_unused_pence"].mean or 0) > 0
    ]
    doc.para(
        _ranges(
            comparison,
            ("cost_per_hour", "the cost per carer hour"),
            ("spend_pence", f"spend over the {count_words(scenario.horizon_weeks, 'week')}"),
        )
        + (esc(f" Unused block hours cost {and_list(unused)}.") if unused else "")
    )
    if sweep:
        _sensitivity(doc, sweep, parameter)
    for caption, metrics in TABLES:
        # The heading and its table stay together on a printed page.
        doc.raw(
            f'<div class="cr-keep">{doc.heading_html(3, caption)}'
            f"{measure_table(caption, comparison, metrics)}</div>"
        )
        figure = _CHARTS.get(caption)
        if figure is not None:
            doc.raw(figure_html(figure(comparison, names)))
    doc.raw(
        '<p class="cr-note">Intervals are cut at zero, since no measure can be negative. '
        "With one replication there is no interval.</p>"
    )
    if sweep:
        doc.heading(3, f"Sensitivity to the {parameter}")
        doc.raw(figure_html(charts.sensitivity_chart(sweep, parameter=parameter, names=names)))


_CHARTS: dict[str, Callable[[Comparison, dict[str, str]], charts.Chart]] = {
    "Waiting for care": charts.waits_chart,
    "Rural and urban areas": charts.rural_urban_chart,
    "Providers and the market": charts.tier_chart,
    "Cost": charts.cost_chart,
}


def _sensitivity(doc: Doc, sweep: charts.Sweep, parameter: str) -> None:
    first, last = sweep[0], sweep[-1]
    moves = []
    for model in first[1].models:
        before = first[1].summary(model)["median_days_rural"]
        after = last[1].summary(model)["median_days_rural"]
        moves.append(
            f"{model_name(model)} from {estimate_text(before, days)} to "
            f"{estimate_text(after, days)} days"
        )
    doc.para(
        esc(
            f"Raising the {parameter} from {first[0]:g} to {last[0]:g} over {len(sweep)} "
            f"values moved the median wait in rural areas as follows: {'; '.join(moves)}."
        )
    )


def _risks(doc: Doc, comparison: Comparison, scenario: Scenario) -> None:
    doc.heading(2, "Risks", "risks")
    widest = max(
        ((m, comparison.summary(m)["median_days_to_place"]) for m in comparison.models),
        key=lambda p: float(p[1].half_width or 0),
    )
    width = (
        f"the widest interval of the median wait is plus or minus "
        f"{days(widest[1].half_width)} days, under {model_name(widest[0])}"
        if widest[1].half_width is not None
        else "with a single replication the figures carry no interval at all"
    )
    doc.para(
        esc(
            f"Chance: each figure is a mean over "
            f"{count_words(comparison.replications, 'replication')}, and "
            f"{width}. More replications narrow the intervals."
        )
    )
    doc.para(
        esc(
            f"Assumptions: the simulation rests on the assumptions of the scenario "
            f"({scenario.source or scenario.name}): providers' margins, how choosy they become "
            "when busy, how strongly a prime or lead contract binds, and travel per hour of "
            "care are illustrative or tuned, not measured. The ranking of the options can "
            "change with them; the figures show what follows from them, not a forecast."
        )
    )
    concentrated = _ranked(comparison, "hhi")
    if concentrated:
        top = concentrated[-1]
        doc.para(
            esc(
                f"Market concentration: provider concentration is highest under "
                f"{model_name(top[0])} ({estimate_text(top[1], whole)}). A concentrated "
                "market depends more on a few providers, and a large provider failing would "
                "return many packages to the waiting list."
            )
        )
    doc.raw(
        '<div class="cr-placeholder"><p><strong>For officers to complete:</strong> other '
        "risks (legal, procurement, workforce, financial, equality) and how each would be "
        "managed.</p></div>"
    )


def _recommendations(doc: Doc) -> None:
    doc.heading(2, "Recommendations", "recommendations")
    doc.raw(
        '<div class="cr-placeholder"><p><strong>For officers to complete:</strong> the '
        "recommendation to the Committee. The simulation compares the options; choosing one "
        "weighs these figures with matters it does not model, such as the market's views, "
        "quality and the council's budget.</p>"
        "<p>The Committee is asked to: [recommendation].</p></div>"
    )


# --- the documents --------------------------------------------------------------------------


def committee_report_css() -> str:
    """The report's style sheet (scoped to ``.committee-report``), for pages embedding it."""
    return (TEMPLATES / "committee.css").read_text(encoding="utf-8")


def committee_report_body(
    comparison: Comparison,
    scenario: Scenario,
    *,
    sweep: charts.Sweep | None = None,
    title: str | None = None,
    sweep_parameter: str = "rural rate uplift (%)",
    background_notes: Sequence[str] = (),
    top_heading: int = 1,
) -> str:
    """The report as an ``<article class="committee-report">`` to embed in a page; its title
    is an ``h{top_heading}`` and its sections one level below."""
    if not comparison.models:
        raise ValueError("the comparison has no delivery models")
    doc = Doc(top_heading)
    doc.heading(1, title or DEFAULT_TITLE)
    doc.raw(
        f'<p class="cr-subtitle">Scenario &ldquo;{esc(scenario.name)}&rdquo;: '
        f"{count_words(len(comparison.models), 'delivery model')}, "
        f"{count_words(comparison.replications, 'replication')} of each, "
        f"random draws numbered from {esc(comparison.seed)}</p>"
    )
    _purpose(doc, comparison, scenario)
    _background(doc, scenario, comparison.replications, background_notes)
    _options(doc, comparison, scenario)
    _findings(doc, comparison, scenario, sweep, sweep_parameter)
    _risks(doc, comparison, scenario)
    _recommendations(doc)
    return f'<article class="committee-report">\n{doc.html()}\n</article>'


def committee_report_html(
    comparison: Comparison,
    scenario: Scenario,
    *,
    sweep: charts.Sweep | None = None,
    title: str | None = None,
    sweep_parameter: str = "rural rate uplift (%)",
    background_notes: Sequence[str] = (),
) -> str:
    """The committee report as one self-contained HTML page (inline CSS and SVG, nothing
    fetched), in the shape of the seed reports. ``sweep``: optional (parameter value,
    Comparison) pairs for the sensitivity chart."""
    body = committee_report_body(
        comparison,
        scenario,
        sweep=sweep,
        title=title,
        sweep_parameter=sweep_parameter,
        background_notes=background_notes,
    )
    page = Template((TEMPLATES / "committee.html").read_text(encoding="utf-8"))
    return page.substitute(title=esc(title or DEFAULT_TITLE), css=committee_report_css(), body=body)


def committee_report_pdf(
    comparison: Comparison,
    scenario: Scenario,
    *,
    sweep: charts.Sweep | None = None,
    title: str | None = None,
    sweep_parameter: str = "rural rate uplift (%)",
    background_notes: Sequence[str] = (),
) -> bytes:
    """The same report as a PDF (A4, page numbers), through WeasyPrint."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = committee_report_html(
        comparison,
        scenario,
        sweep=sweep,
        title=title,
        sweep_parameter=sweep_parameter,
        background_notes=background_notes,
    )
    return bytes(HTML(string=html).write_pdf())
