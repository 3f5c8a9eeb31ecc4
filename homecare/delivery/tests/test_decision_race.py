"""Two finance officers deciding one exception differently: the second, whose page was loaded
before the first decision, is refused with the first decision in words, never put over it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from homecare.brokerage.testing import LONDON
from homecare.conftest import _persona
from homecare.delivery import reconciliation
from homecare.delivery.models import ReconciliationRun, VisitException
from homecare.delivery.tests.test_bulk_decisions import result  # noqa: F401 (a fixture)


@pytest.fixture
def second_finance(council: Any) -> Any:
    user = _persona("finance_2", council, "finance")
    user.first_name, user.last_name = "Morwenna", "Tallis"
    user.save()
    return user


def _version_field(page: str, exception: VisitException) -> dict[str, str]:
    found = re.search(rf'name="e{exception.pk}-version" value="(\d+)"', page)
    assert found is not None
    return {f"e{exception.pk}-version": found.group(1)}


def test_a_decision_on_a_page_older_than_another_officer_s_decision_is_refused(
    result: ReconciliationRun,  # noqa: F811
    finance: Any,
    second_finance: Any,
    signed_in: Any,
    frozen_now: Any,
) -> None:
    late = result.exceptions.filter(kind="late").order_by("planned_start").first()
    assert late is not None
    first, second = Client(), Client()  # two officers, two browsers
    first.force_login(finance)
    second.force_login(second_finance)
    url = reverse("delivery:decide", args=[result.pk, late.pk])  # its own decision page
    seen_by_first = _version_field(first.get(url).content.decode(), late)
    seen_by_second = _version_field(second.get(url).content.decode(), late)
    decide = reverse("delivery:decide", args=[result.pk, late.pk])

    frozen_now(datetime(2026, 4, 7, 10, 42, tzinfo=LONDON))
    second.post(
        decide,
        {f"e{late.pk}-decision": "reject", f"e{late.pk}-reason": "no rota", **seen_by_second},
    )
    frozen_now(datetime(2026, 4, 7, 10, 44, tzinfo=LONDON))
    response = first.post(
        decide,
        {f"e{late.pk}-decision": "approve", f"e{late.pk}-reason": "traffic", **seen_by_first},
        follow=True,
    )
    page = response.content.decode()
    assert (
        "Another officer decided this exception at 10:42 while you were looking: rejected by "
        "Morwenna Tallis, reason: “no rota”. Your decision was not recorded" in page
    )
    late.refresh_from_db()
    assert (late.status, late.reason, late.decided_by) == ("rejected", "no rota", second_finance)
    assert late.history.count() == 2  # created, then the one decision that was recorded

    # Having seen it, the first officer may still overrule it, knowingly.
    seen_again = _version_field(page, late)
    first.post(
        decide, {f"e{late.pk}-decision": "approve", f"e{late.pk}-reason": "traffic", **seen_again}
    )
    late.refresh_from_db()
    assert (late.status, late.decided_by, late.version) == ("approved", finance, 2)


def test_deciding_several_on_a_page_from_before_a_re_run_is_refused(
    result: ReconciliationRun,  # noqa: F811
    finance: Any,
    signed_in: Any,
) -> None:
    client = signed_in(finance)
    page = client.get(reverse("delivery:run", args=[result.pk])).content.decode()
    assert 'name="bulk-times_run" value="1"' in page
    reconciliation.run_reconciliation(
        result.council, result.provider, result.period_start, now=result.ran_at, acting_user=finance
    )
    response = client.post(
        reverse("delivery:decide_all", args=[result.pk]),
        {
            "bulk-kind": "late",
            "bulk-decision": "reject",
            "bulk-reason": "agreed",
            "bulk-times_run": "1",
        },
        follow=True,
    )
    assert "while you were looking" in response.content.decode()
    run = ReconciliationRun.objects.get(pk=result.pk)
    assert run.exceptions.filter(kind="late", status="pending").count() == 3


def test_a_decision_on_an_exception_a_re_run_replaced_says_so(
    result: ReconciliationRun,  # noqa: F811
    finance: Any,
    signed_in: Any,
) -> None:
    late = result.exceptions.filter(kind="late").first()
    assert late is not None
    reconciliation.run_reconciliation(
        result.council, result.provider, result.period_start, now=result.ran_at, acting_user=finance
    )
    response = signed_in(finance).post(
        reverse("delivery:decide", args=[result.pk, late.pk]),
        {f"e{late.pk}-decision": "approve", f"e{late.pk}-reason": "ok", f"e{late.pk}-version": "0"},
        follow=True,
    )
    assert "The period was re-run while you were looking" in response.content.decode()
