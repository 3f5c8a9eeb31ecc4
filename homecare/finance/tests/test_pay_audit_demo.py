"""The demo's pay returns: provider A pays travel and waiting at its hourly rate and no day
falls below the NLW; provider B pays time with people only, a little above the NLW, and its
carers' days fall below it (seed 000, section 10); the others filed none and are listed so."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from carecore.units import LONDON, as_london
from homecare.accounts.models import Organisation
from homecare.commissioning.demo import COUNCIL, PROVIDER_A, PROVIDER_B, load_demo
from homecare.delivery.models import VisitLog
from homecare.delivery.performance import first_of
from homecare.finance.demo_pay import load_pay_returns, return_days
from homecare.finance.models import PayReturn
from homecare.finance.pay_audit_inputs import audit_month

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=LONDON)


@pytest.fixture
def demo(db: Any, settings: Any) -> Organisation:
    # Enough packages that carers go from one person's home to another's: with the tests'
    # usual twelve (or even sixty) most carers' days are one person's morning and evening
    # visits, with no travel between homes. (The full demo, 300: 96 of Wrenlow's 197 carer-days
    # in the first half of March 2026 below the NLW, £4.06 an hour short on average.)
    settings.HOMECARE_DEMO_PACKAGES = 120
    load_demo(now=NOW)
    return Organisation.objects.get(name=COUNCIL)


def test_the_return_days_follow_the_nlw() -> None:
    assert return_days(NOW.date()) == [
        (datetime(2025, 2, 1).date(), Decimal("11.44")),
        (datetime(2025, 4, 1).date(), Decimal("12.21")),
    ]


def test_the_demo_audit_shows_what_the_seed_warns_about(demo: Organisation) -> None:
    load_pay_returns(demo, now=NOW, acting_user=None)  # load_demo may already have
    assert load_pay_returns(demo, now=NOW, acting_user=None) == 0  # idempotent
    filed = Counter(PayReturn.objects.values_list("provider__name", flat=True))
    assert filed == {PROVIDER_A: 2, PROVIDER_B: 2}
    b_return = PayReturn.objects.get(provider__name=PROVIDER_B, effective_from="2025-04-01")
    assert (b_return.hourly_pay, b_return.travel_pay) == (Decimal("12.46"), "unpaid")
    assert b_return.filed_by is not None and b_return.filed_by.username == "provider-b"
    months = Counter(
        first_of(as_london(moment).date())
        for moment in VisitLog.objects.filter(person__council=demo).values_list(
            "check_in", flat=True
        )
    )
    month = months.most_common(1)[0][0]
    result = {item.provider.name: item for item in audit_month(demo, month).providers}
    a, b = result[PROVIDER_A].audit, result[PROVIDER_B].audit
    assert a is not None and b is not None
    assert a.days and b.days
    assert a.floor("national_living_wage").days_below == 0
    b_nlw = b.floor("national_living_wage")
    assert b_nlw.days_below > 0 and b_nlw.mean_shortfall_per_hour is not None
    others = [item for name, item in result.items() if name not in (PROVIDER_A, PROVIDER_B)]
    assert others and all(item.audit is None for item in others)
    assert {item.status for item in others} <= {"no_return", "no_logs"}
