"""Invoice lines found by person, day and visit (the provider's invoice page and the
council's lines page use the same filter)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.http import QueryDict

from homecare.delivery.testing import PERIOD_START, at, log_row
from homecare.delivery.tests.conftest import *  # noqa: F403 (the delivery tests' fixtures)
from homecare.finance.forms_lines import LineSearchForm
from homecare.finance.line_search import filter_lines, search_of
from homecare.finance.tests.period_data import run, upload, use_immediate_tasks


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    use_immediate_tasks(settings)


@pytest.fixture
def lines(council: Any, prime_1: Any, placed: Any, finance: Any) -> Any:
    """Four lines: P-0001 on days 1 and 2, P-0002 on day 1, and P-0001's visit on Sunday
    29 March, the night the clocks go forward (a 23-hour day)."""
    upload(
        prime_1,
        [
            log_row(prime_1, "P-0001", at(1, 8, 0), 30),
            log_row(prime_1, "P-0001", at(2, 8, 0), 30),
            log_row(prime_1, "P-0002", at(1, 8, 5), 30),
            log_row(prime_1, "P-0001", at(21, 8, 0), 30),
        ],
    )
    return run(council, prime_1, finance).lines.select_related("person")


def refs(queryset: Any) -> list[tuple[str, str]]:
    return [(line.person.reference, f"{line.visit_start:%d}") for line in queryset]


def test_lines_by_person_day_and_visit(lines: Any) -> None:
    assert lines.count() == 4
    assert len(refs(filter_lines(lines, person="p-0001"))) == 3  # any case
    assert sorted(refs(filter_lines(lines, day=date(2026, 3, 9)))) == [
        ("P-0001", "09"),
        ("P-0002", "09"),
    ]
    assert refs(filter_lines(lines, person="P-0001", day=date(2026, 3, 10))) == [("P-0001", "10")]
    one = filter_lines(lines, person="P-0002").get()
    assert filter_lines(lines, visit=one.planned_id.lower()).get() == one
    assert not filter_lines(lines, visit="unplanned").exists()
    assert not filter_lines(lines, person="P-9999").exists()
    assert filter_lines(lines).count() == 4  # nothing asked: every line


def test_a_day_is_a_london_day_even_when_the_clocks_change(lines: Any) -> None:
    # Sunday 29 March 2026 has 23 hours: its 08:00 visit is on that day, not the next.
    assert refs(filter_lines(lines, day=date(2026, 3, 29))) == [("P-0001", "29")]
    assert not filter_lines(lines, day=date(2026, 3, 30)).exists()


def test_the_search_form_reads_the_criteria_and_refuses_a_day_outside_the_period() -> None:
    form = LineSearchForm(
        QueryDict("person=P-0001&day=2026-03-10&visit="), period_start=PERIOD_START
    )
    assert search_of(form) == {"person": "P-0001", "day": date(2026, 3, 10), "visit": None}
    assert form.searching
    bad = LineSearchForm(QueryDict("day=2027-01-01"), period_start=PERIOD_START)
    assert not bad.is_valid() and "day" in bad.errors
    assert search_of(bad) == {"person": None, "day": None, "visit": None}
    assert not LineSearchForm(None, period_start=PERIOD_START).searching
