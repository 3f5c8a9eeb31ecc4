"""Test helpers: a small market to place packages in (one framework, one zone's lot,
invented providers). Used by the brokerage and commissioning tests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from homecare.commissioning import market_actions
from homecare.commissioning.models import Framework

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)  # a Monday morning
AREA = "GN2657268"  # in the west-leicester zone, URBAN band
ZONE = "west-leicester"
SCHEDULE = "Mon-Fri 07:30 45m x2; Sat-Sun 08:00 30m"


def make_market(
    council: Any,
    *,
    primes: int = 2,
    supplementary: int = 1,
    policy_kind: str = "prime_cascade",
    policy_settings: dict[str, Any] | None = None,
    name: str = "Test framework",
) -> Framework:
    """A framework with lot WL (zone west-leicester) and providers "Prime N (test)" etc.

    Quality scores (the council's) fall with N, so Prime 1 is the best; every rate is £20.00
    an hour. A second council's market of the same providers is made by calling it again.
    """
    framework = market_actions.create_framework(
        council=council,
        name=name,
        policy_kind=policy_kind,
        policy_settings=policy_settings or {},
        start_date=date(2026, 1, 5),
        lots=[{"code": "WL", "name": "West Leicester", "zones": [ZONE]}],
        acting_user=None,
    )
    lot = framework.lots.get(code="WL")
    for tier, count in (("prime", primes), ("supplementary", supplementary)):
        for n in range(1, count + 1):
            provider = market_actions.create_provider(
                f"{tier.title()} {n} (test)",
                quality_score=Decimal(90) - n,
                cqc_location_id=f"1-{1000 + n}",
                council=council,
                acting_user=None,
            )
            market_actions.appoint_provider(
                framework=framework,
                lot=lot,
                provider=provider,
                tier=tier,
                rank=n,
                hourly_rate=Decimal("20.00"),
                acting_user=None,
            )
    return framework


def make_request(
    framework: Framework, person_ref: str = "P-0001", *, acting_user: Any = None, **overrides: Any
) -> Any:
    """A request for a community package in AREA, made through the real action."""
    from homecare.brokerage import actions

    values: dict[str, Any] = {
        "framework": framework,
        "funding": "council",
        "cohort": "older_people",
        "source": "community",
        "start_date": date(2026, 3, 9),
        "now": NOW,
        "acting_user": acting_user,
    }
    values.update(overrides)
    visits = values.pop("visits", SCHEDULE)
    area = values.pop("area_code", AREA)
    return actions.create_request(person_ref, area, visits, **values)


def other_council(name: str = "Otherton Borough Council (test)") -> Any:
    """A second council beside the tests' own, to show that councils are kept apart."""
    from homecare.accounts import actions
    from homecare.accounts.models import Organisation

    return actions.create_organisation(name, kind=Organisation.Kind.COUNCIL, acting_user=None)


def persona(username: str, organisation: Any, role: str) -> Any:
    """A user signed up at ``organisation`` in ``role``, with the tests' password."""
    from homecare.accounts import actions
    from homecare.conftest import PASSWORD

    return actions.create_persona(
        username, password=PASSWORD, organisation=organisation, role=role, acting_user=None
    )
