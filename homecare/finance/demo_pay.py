"""The demo's pay returns: two providers declare what they pay, so the pay-floor audit shows
what the council's own meeting warned about (seed 000, section 10: the law counts travel
between calls as working time).

- Provider A (Quillfield) pays 75p an hour above the National Living Wage for time with
  people, and pays travel between visits and waiting at the same rate: its carers' days stay
  above the NLW.
- Provider B (Wrenlow) pays 25p an hour above the NLW, but for time with people only: travel
  and waiting are unpaid, so many of its carers' days fall below the NLW over all the time
  they work.

Each files a return from the first day of the demo's history and another from each day the
NLW rose since, keeping its margin. The other providers file none and are listed as "no pay
return filed". Returns are filed by the provider's own demo user where there is one.
Idempotent: a return already filed for a day is left alone.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from carecore.errors import InputError
from carecore.pricing.pay_floors import load_pay_floors
from carecore.units import as_london
from homecare.accounts.models import Membership
from homecare.commissioning.demo import PROVIDER_A, PROVIDER_B
from homecare.commissioning.models import Provider
from homecare.delivery.performance import add_months, first_of
from homecare.finance.models import PayReturn
from homecare.finance.pay_returns import file_pay_return

NLW = "national_living_wage"
# Provider name: (pence an hour above the NLW, how travel is paid, waiting paid).
DECLARED = {
    PROVIDER_A: (Decimal("0.75"), PayReturn.TravelPay.HOURLY, True),
    PROVIDER_B: (Decimal("0.25"), PayReturn.TravelPay.UNPAID, False),
}
BREAK_AFTER_MINUTES = 60


def _history_start(today: date) -> date:
    from homecare.brokerage.demo import HISTORY_MONTHS

    return add_months(first_of(today), -HISTORY_MONTHS)


def return_days(today: date) -> list[tuple[date, Decimal]]:
    """The days the demo returns start and the NLW then in force: the demo history's first
    day and each day the NLW rose since, up to ``today``."""
    table = load_pay_floors()
    start = _history_start(today)
    days = [start] + [first for first, _rates in table.periods(NLW) if start < first <= today]
    found = []
    for day in days:
        try:
            found.append((day, table.on(day, NLW).amount))
        except InputError:  # outside the floor data: no rate to declare against
            continue
    return found


def _provider_user(provider: Provider, fallback: Any) -> Any:
    user = (
        get_user_model()
        .objects.filter(
            memberships__organisation=provider.organisation,
            memberships__role=Membership.Role.PROVIDER,
        )
        .order_by("username")
        .first()
    )
    return user or fallback


def load_pay_returns(council: Any, *, now: datetime, acting_user: Any = None) -> int:
    """File the demo providers' pay returns (those placed through ``council``); returns how
    many were filed."""
    from homecare.delivery.performance import council_providers

    placed = {p.name: p for p in council_providers(council)}
    today = as_london(now).date()
    filed = 0
    for name, (margin, travel, waiting) in DECLARED.items():
        provider = placed.get(name)
        if provider is None:
            continue
        user = _provider_user(provider, acting_user)
        done = set(
            PayReturn.objects.filter(provider=provider).values_list("effective_from", flat=True)
        )
        for day, nlw in return_days(today):
            if day in done:
                continue
            file_pay_return(
                provider,
                effective_from=day,
                hourly_pay=nlw + margin,
                travel_pay=travel,
                waiting_paid=waiting,
                break_after_minutes=BREAK_AFTER_MINUTES,
                now=now,
                acting_user=user,
            )
            filed += 1
    return filed
