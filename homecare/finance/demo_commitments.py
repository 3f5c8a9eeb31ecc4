"""The demo's fee uplift and budgets: a 4.5% uplift on the demo framework from the first Monday
of April of this financial year, and a budget for each zone and funding stream this year at
about the scale of what the purchase orders commit, some a little over and some a little
under, so the commitments page has a zone to worry about.

Idempotent: an uplift already on that day and budgets already set are left alone. The uplift
is made only where the action allows it (after the framework started, not on a day an
approved invoice covers); otherwise the demo goes without, and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from carecore.units import as_london
from homecare.commissioning.market_models import Framework
from homecare.finance import uplifts
from homecare.finance.commitments import commitments, financial_year, set_budget, year_words
from homecare.finance.models import Budget, FeeUplift

DEMO_PERCENT = Decimal("4.5")
# Budget over commitment, zone by zone in turn: most have a little room, one is short.
BUDGET_FACTORS = (Decimal("1.06"), Decimal("1.12"), Decimal("0.96"), Decimal("1.03"))
ROUND_TO_PENCE = 100_000  # budgets are set to the £1,000


@dataclass(frozen=True)
class CommitmentsDemo:
    year: int
    uplift: FeeUplift | None
    uplift_skipped: str
    budgets_set: int


def first_monday_of_april(year: int) -> date:
    april = date(year, 4, 1)
    return april + timedelta(days=(7 - april.weekday()) % 7)


def demo_framework(council: Any) -> Framework | None:
    """The demo's framework: the one named as the demo names it, else the council's oldest
    framework that pays tendered rates."""
    from homecare.commissioning.demo import FRAMEWORK

    frameworks = Framework.objects.filter(council=council)
    return (
        frameworks.filter(name=FRAMEWORK).first()
        or frameworks.filter(pay_at_card=False).order_by("start_date", "pk").first()
    )


def _uplift(council: Any, year: int, now: datetime, acting_user: Any) -> tuple[Any, str]:
    framework = demo_framework(council)
    if framework is None:
        return None, "the council has no framework"
    day = first_monday_of_april(year)
    found = FeeUplift.objects.filter(framework=framework, effective_from=day).first()
    if found is not None:
        return found, ""
    if day <= framework.start_date:
        return None, f"the framework started on {uplifts.shown(framework.start_date)}"
    reason = (
        f"The council's uplift for {year_words(year)}: passing on the rise in the National "
        "Living Wage (demo)."
    )
    problems = uplifts.uplift_problems(
        framework, effective_from=day, percent=DEMO_PERCENT, reason=reason
    )
    if problems:
        return None, problems[0].message
    made = uplifts.apply_fee_uplift(
        framework,
        effective_from=day,
        percent=DEMO_PERCENT,
        reason=reason,
        now=now,
        acting_user=acting_user,
    )
    return made, ""


def budget_for(committed_pence: int, index: int) -> int:
    """A budget near ``committed_pence``: times the zone's factor, up to the £1,000."""
    factor = BUDGET_FACTORS[index % len(BUDGET_FACTORS)]
    thousands = (Decimal(committed_pence) * factor / ROUND_TO_PENCE).to_integral_value(
        rounding=ROUND_CEILING
    )
    return int(thousands) * ROUND_TO_PENCE


def load_commitments(council: Any, *, now: datetime, acting_user: Any) -> CommitmentsDemo:
    """The demo's uplift (first, so budgets see what it commits), this year's budgets, and
    next year's uplift, set in advance."""
    year = financial_year(as_london(now).date())
    uplift, skipped = _uplift(council, year, now, acting_user)
    result = commitments(council, year)
    already = set(
        Budget.objects.filter(council=council, year=year).values_list("zone__code", "stream")
    )
    zones = {zone.code: zone for zone in result.zones}
    made = 0
    for index, row in enumerate(r for r in result.rows if r.zone_code in zones):
        if row.committed_pence <= 0 or (row.zone_code, row.stream) in already:
            continue
        set_budget(
            council,
            zones[row.zone_code],
            row.stream,
            year,
            budget_for(row.committed_pence, index),
            now=now,
            acting_user=acting_user,
        )
        made += 1
    # Next year's uplift, set in advance as councils do: it can still be withdrawn.
    _uplift(council, year + 1, now, acting_user)
    return CommitmentsDemo(year, uplift, skipped, made)
