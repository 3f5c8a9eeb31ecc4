"""The audit page: every change to a council's records, newest first, filtered by person,
user and date, and downloadable; never another council's."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import pytest
from django.urls import reverse

from homecare.brokerage.testing import LONDON
from homecare.governance import trail
from homecare.insight import actions as insight_actions
from homecare.insight.models import Complaint

AUDIT = reverse("governance:audit")


def _csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_a_commissioner_sees_who_changed_what_in_plain_words(
    two_councils: Any, signed_in: Any, commissioner: Any
) -> None:
    response = signed_in(commissioner).get(AUDIT, {"person": "P-0001"})
    assert response.status_code == 200
    page = response.content.decode()
    # The broker changed the person's group: the field, the old and the new value, by whom.
    assert "Cohort: Older people → Mental health" in page
    assert "Broker" in page
    assert "Visits were late three days running" in page
    assert "Otherford" not in page


def test_council_b_never_sees_council_a_rows(
    two_councils: Any, signed_in: Any, commissioner_b: Any
) -> None:
    client = signed_in(commissioner_b)
    page = client.get(AUDIT).content.decode()
    assert "Otherford&#x27;s own complaint" in page or "Otherford's own complaint" in page
    assert "P-0001" not in page
    assert "Visits were late" not in page
    assert "Testshire" not in page
    # A's reference is not B's person: the filter says so, naming the field.
    refused = client.get(AUDIT, {"person": "P-0001"})
    assert refused.status_code == 400
    assert "Person&#x27;s reference: Otherford Borough Council has no person P-0001" in (
        refused.content.decode()
    )
    rows = _csv(client.get(reverse("governance:audit-download")))
    assert rows[0] == list(trail.ENTRY_HEADINGS)
    assert len(rows) > 1
    assert not any("P-0001" in cell or "Testshire" in cell for row in rows for cell in row)


def test_every_history_row_of_the_council_is_listed_once(
    two_councils: Any, council: Any, council_b: Any
) -> None:
    rows_a = list(trail.entries(council))
    rows_b = list(trail.entries(council_b))
    a_complaints = Complaint.history.filter(council=council).count()
    assert sum(1 for row in rows_a if row["label"] == "insight.Complaint") == a_complaints
    assert not {(r["label"], r["history_id"]) for r in rows_a} & {
        (r["label"], r["history_id"]) for r in rows_b
    }
    dates = [row["history_date"] for row in rows_a]
    assert dates == sorted(dates, reverse=True)


def test_filter_by_user_and_dates(
    two_councils: Any, signed_in: Any, commissioner: Any, council: Any, frozen_now: Any
) -> None:
    complaint = Complaint.objects.get(council=council)
    frozen_now(datetime(2026, 4, 15, 10, 0, tzinfo=LONDON))
    insight_actions.decide_complaint(complaint, outcome="upheld", acting_user=commissioner)
    client = signed_in(commissioner)
    only_april = {"from_day": "1", "from_month": "4", "from_year": "2026"}
    only_april |= {"to_day": "30", "to_month": "4", "to_year": "2026"}
    page = client.get(AUDIT, only_april).content.decode()
    assert "Outcome: Open (not yet decided) → Upheld" in page
    assert "1 change" in page
    by_user = client.get(AUDIT, {"user": "commissioner"}).content.decode()
    assert "Upheld" in by_user
    assert "Carer" not in by_user  # the provider's logs were uploaded by the system
    rows = _csv(client.get(reverse("governance:audit-download"), only_april))
    assert len(rows) == 2
    assert rows[1][1] == "Commissioner"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"user": "nobody-here"}, "user", "User: no user has that username or email address"),
        (
            {"from_day": "31", "from_month": "2", "from_year": "2026"},
            "from_day",
            "From date must be a real date",
        ),
        ({"to_day": "1", "to_month": "1", "to_year": "99999"}, "to_day", "To date"),
        (
            {
                "from_day": "2",
                "from_month": "3",
                "from_year": "2026",
                "to_day": "1",
                "to_month": "3",
                "to_year": "2026",
            },
            "to_day",
            "To date must be the same as or after the from date",
        ),
    ],
)
def test_bad_filters_name_the_field(
    commissioner: Any, signed_in: Any, query: dict[str, str], field: str, message: str
) -> None:
    response = signed_in(commissioner).get(AUDIT, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'href="#{field}"' in response.content.decode()


def test_a_formula_in_a_change_stays_text_in_the_download(
    two_councils: Any, signed_in: Any, commissioner: Any
) -> None:
    rows = _csv(signed_in(commissioner).get(reverse("governance:audit-download")))
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith("=") for cell in cells)


@pytest.mark.parametrize("persona", ["broker", "provider_a_user", "outsider"])
def test_only_commissioners_open_the_governance_pages(
    personas: dict[str, Any], signed_in: Any, persona: str
) -> None:
    client = signed_in(personas[persona])
    for name in (
        "governance:audit",
        "governance:audit-download",
        "governance:people",
        "governance:retention",
    ):
        assert client.get(reverse(name)).status_code == 403


def test_a_full_page_of_changes_costs_a_few_queries_not_one_a_row(
    two_councils: Any, signed_in: Any, commissioner: Any, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(commissioner)
    client.get(AUDIT)  # the session and the user's memberships are read once
    with django_assert_max_num_queries(40):
        response = client.get(AUDIT)
    assert response.content.decode().count('<tr class="govuk-table__row">') == 1 + 50
