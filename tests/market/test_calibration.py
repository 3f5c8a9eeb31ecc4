"""The default scenario lands on the seeds' figures (docs/market.md, "Calibration").

Leicestershire, December 2017 (seed 002): 1,189 people with a lead provider and 478 with
contingency providers (1,667 in all, 71% with the lead, paragraph 9), 9.41 hours a week each
after reviews (paragraph 15), so about 15,686 hours a week; care workers turn over at about
35% a year (paragraph 5). Under the prime model (one prime per zone, as the 2016-18 lead
providers were one per lot), the mean of three replications must be within the stated
tolerances.
"""

from __future__ import annotations

import pytest

from carecore.market import Comparison, Scenario, compare

PEOPLE = 1189 + 478
HOURS_PER_PERSON = 9.41
HOURS_PER_WEEK = PEOPLE * HOURS_PER_PERSON
LEAD_SHARE = 1189 / PEOPLE  # 0.713


@pytest.fixture(scope="module")
def prime(leicestershire: Scenario) -> Comparison:
    return compare(leicestershire, ["prime"], replications=3)


@pytest.mark.parametrize(
    ("metric", "seed_figure", "tolerance"),
    [
        ("mean_people_served", PEOPLE, 0.05),
        ("hours_per_person", HOURS_PER_PERSON, 0.05),
        ("mean_hours_per_week", HOURS_PER_WEEK, 0.05),
    ],
)
def test_the_default_caseload_matches_leicestershire_within_5_percent(
    prime: Comparison, metric: str, seed_figure: float, tolerance: float
) -> None:
    mean = prime.summary("prime")[metric].mean
    assert mean is not None
    assert float(mean) == pytest.approx(seed_figure, rel=tolerance)


def test_the_default_share_with_a_lead_provider_is_71_percent_within_3_points(
    prime: Comparison,
) -> None:
    share = prime.summary("prime")["share_people_with_principal"].mean
    assert share is not None
    assert float(share) == pytest.approx(LEAD_SHARE, abs=0.03)


def test_the_default_workforce_turns_over_at_about_35_percent(prime: Comparison) -> None:
    turnover = prime.summary("prime")["turnover_per_year"].mean
    assert turnover is not None
    assert float(turnover) == pytest.approx(0.35, abs=0.05)  # a year of ~700 workers is noisy
