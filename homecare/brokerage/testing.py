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
    an hour. A second council's market of the same providers is made by calling it again
    (a council without the zone is given its own, as :func:`other_council` does).
    """
    from homecare.commissioning.models import Zone

    if not Zone.objects.filter(council=council, code=ZONE).exists():
        give_own_geography(council)
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
    """A request for a community package in AREA (or, for a council without it, in its
    :func:`other_area`), made through the real action."""
    from homecare.brokerage import actions
    from homecare.commissioning.models import Area

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
    own = Area.objects.filter(code=AREA, zone__council=framework.council).exists()
    area = values.pop("area_code", AREA if own else other_area(framework.council))
    return actions.create_request(person_ref, area, visits, **values)


def other_council(name: str = "Otherton Borough Council (test)") -> Any:
    """A second council beside the tests' own, to show that councils are kept apart. It has
    its own zone with the same code as the first council's (``ZONE``) and its own areas (see
    :func:`other_area`), none of the first council's."""
    from homecare.accounts import actions
    from homecare.accounts.models import Organisation

    council = actions.create_organisation(name, kind=Organisation.Kind.COUNCIL, acting_user=None)
    give_own_geography(council)
    return council


def give_own_geography(council: Any) -> None:
    """Give ``council`` a zone of its own with the code ``ZONE`` ("Otherton West") and two
    Urban areas of its own (the first is :func:`other_area`)."""
    from carecore.geography import Geography
    from carecore.geography.default import default_definition
    from carecore.geography.model import Area, Zone
    from homecare.commissioning.actions import import_geography

    areas = tuple(
        Area(f"{other_area(council)[:-1]}{n}", f"Otherton {n}", 52.6, -1.0 - n / 100, 500, "Test")
        for n in (1, 2)
    )
    geo = Geography(
        scheme=default_definition().scheme,
        zones=(Zone(ZONE, "Otherton West", "large", ("Otherton",)),),
        areas=areas,
        zone_of={area.code: ZONE for area in areas},
        band_of={area.code: "URBAN" for area in areas},
    )
    import_geography(geo, council=council, acting_user=None)


def other_area(council: Any) -> str:
    """The code of the first area of a council made by :func:`other_council`."""
    return f"OT{council.pk}-1"


def persona(username: str, organisation: Any, role: str) -> Any:
    """A user signed up at ``organisation`` in ``role``, with the tests' password."""
    from homecare.accounts import actions
    from homecare.conftest import PASSWORD

    return actions.create_persona(
        username, password=PASSWORD, organisation=organisation, role=role, acting_user=None
    )
