"""The demo's second council: a smaller, invented council beside the first, sharing providers.

Ferncaster Council (demo) and its towns are made up (no real place has these names), as are
its people, its rates and provider C. It is loaded by ``homecare.commissioning.demo.load_demo``
after the first council, through the same actions and the same market and call-monitoring
machinery, so it is believable by the same rules: a framework with a lot per zone, capacity
declared, a year and more of brokered packages, visit logs, a reconciliation run, complaints
and package changes.

Its zones and areas are its own (beside the first council's, which it cannot see) and use
the first council's band scheme (Urban, Fringe, Rural, Isolated), priced by Ferncaster's own
rate card.
Providers are shared as in a real market: provider A and Calderwyn Home Care serve both
councils, provider C (whose sign-in the demo prints) only Ferncaster. Both councils number
people "P-" and digits; Ferncaster's people whose requests were withdrawn have the same
references as the first council's people (see ``Plan.shared_reference``), so every page and
search must tell them apart by council.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings

from carecore.geography.model import Area, Geography, Zone
from homecare.accounts.models import Organisation
from homecare.commissioning.demo import COUNCIL_2, PROVIDER_A, PROVIDER_C

BOTH = "Calderwyn Home Care (demo)"  # one of the first council's back-ups, here too
FRAMEWORK_2 = "Ferncaster home care framework (demo)"
CARD_2 = "ferncaster-home-care-rates"
RATES_2 = {
    "URBAN": Decimal("22.40"),
    "FRINGE": Decimal("23.10"),
    "RURAL": Decimal("24.60"),
    "ISOLATED": Decimal("27.30"),
}
SEED_2 = 2031
SHARE = 5  # the second council's packages: a fifth of the first's (at least the minimum)
SHORT_ZONES_2 = ("ferncaster-marlcombe",)  # every provider full there these two weeks
FILE_TAG = "ferncaster"  # its logs' file names, so a provider's two councils' files differ

# (code, name, kind, has prime), then its areas: (code, name, lat, lon, people 65+, band).
# Invented places, drawn east of the first council's so the zones map shows them apart.
ZONES_2 = (
    (
        ("ferncaster-town", "Ferncaster Town", "large", True),
        (
            ("FC-01", "Ferncaster Central", 52.669, -0.728, 2410, "URBAN"),
            ("FC-02", "Ferncaster North", 52.684, -0.721, 1980, "URBAN"),
            ("FC-03", "Kesterby", 52.655, -0.701, 1120, "FRINGE"),
        ),
    ),
    (
        ("ferncaster-larkmoor", "Larkmoor and Stannock", "medium", True),
        (
            ("FC-04", "Larkmoor", 52.602, -0.712, 1340, "URBAN"),
            ("FC-05", "Stannock", 52.615, -0.655, 610, "RURAL"),
            ("FC-06", "Sallowby", 52.589, -0.668, 430, "RURAL"),
        ),
    ),
    (
        ("ferncaster-marlcombe", "Marlcombe Vale", "rural_free", False),
        (
            ("FC-07", "Marlcombe", 52.706, -0.619, 520, "RURAL"),
            ("FC-08", "Cotterby", 52.724, -0.662, 260, "ISOLATED"),
        ),
    ),
)
# (provider, tier in each zone in ZONES_2's order ("" where not appointed), margin over
# the Urban rate): C is the town's prime, A Larkmoor's, Calderwyn the back-up everywhere.
APPOINTMENTS_2 = (
    (PROVIDER_C, ("prime", "supplementary", "supplementary"), Decimal("0.90")),
    (PROVIDER_A, ("supplementary", "prime", "supplementary"), Decimal("1.20")),
    (BOTH, ("back_up", "back_up", ""), Decimal("1.45")),
)


def second_geography(geo: Geography) -> Geography:
    """The second council's own zones and areas, in ``geo``'s (the first council's) band
    scheme."""
    zones = tuple(
        Zone(code=code, name=name, kind=kind, towns=tuple(a[1] for a in areas), has_prime=prime)
        for (code, name, kind, prime), areas in ZONES_2
    )
    areas = [
        (zone[0], Area(code, name, lat, lon, people, district="Ferncaster"), band)
        for zone, rows in ZONES_2
        for code, name, lat, lon, people, band in rows
    ]
    return Geography(
        scheme=geo.scheme,
        zones=zones,
        areas=tuple(area for _, area, _ in areas),
        zone_of={area.code: zone for zone, area, _ in areas},
        band_of={area.code: band for _, area, band in areas},
        outline=geo.outline,
        source=geo.source,
    )


def _rate_card(start: Any) -> Any:
    from carecore.pricing.rate_cards import RateCard, RatePeriod

    return RateCard(
        name=CARD_2,
        council=COUNCIL_2,
        periods=(RatePeriod(effective_from=start, rates=RATES_2, minimum_billable_minutes=15),),
        illustrative=True,
        source="Invented for the demo",
        notes="Ferncaster is an invented council: these rates are illustrative.",
    )


def load_second_council(
    council: Organisation, *, now: datetime, acting_user: Any = None
) -> Organisation:
    """Load the second council's rates, market, visit logs, complaints and package changes
    (each step skipped when already loaded); returns the council."""
    from homecare.brokerage.demo import PACKAGES, Plan, broker_market, history_start
    from homecare.brokerage.package_demo import load_package_changes
    from homecare.commissioning import actions, market_actions
    from homecare.commissioning.demo import framework_start
    from homecare.commissioning.models import Provider
    from homecare.delivery.demo import load_delivery
    from homecare.insight.demo import load_complaints

    start = framework_start(history_start(now).date())
    card = actions.import_rate_card(_rate_card(start), council=council, acting_user=acting_user)
    framework = market_actions.create_framework(
        council=council,
        name=FRAMEWORK_2,
        policy_kind="prime_cascade",
        policy_settings={},
        start_date=start,
        term="4+2",
        lots=[{"code": z[0], "name": z[1], "zones": [z[0]]} for z, _ in ZONES_2],
        acting_user=acting_user,
    )
    market_actions.set_framework_rate_card(framework, card, acting_user=acting_user)
    market_actions.create_provider(
        PROVIDER_C,
        cqc_location_id="1-900000021",
        cqc_rating="good",
        quality_score=80,
        council=council,
        acting_user=acting_user,
    )
    lots = {lot.code: lot for lot in framework.lots.all()}
    for rank, (name, tiers, margin) in enumerate(APPOINTMENTS_2, start=1):
        provider = Provider.objects.get(name=name)
        for (zone, _), tier in zip(ZONES_2, tiers, strict=True):
            if tier:
                market_actions.appoint_provider(
                    framework=framework,
                    lot=lots[zone[0]],
                    provider=provider,
                    tier=tier,
                    rank=1 if tier == "prime" else rank,
                    hourly_rate=RATES_2["URBAN"] + margin,
                    acting_user=acting_user,
                )
    plan = Plan(
        packages=getattr(settings, "HOMECARE_DEMO_PACKAGES", PACKAGES) // SHARE,
        reference="P-5{:05d}",
        shared_reference="P-{:06d}",  # the first council's numbering
        short_zones=SHORT_ZONES_2,
        named=(PROVIDER_C, PROVIDER_A),
    )
    broker_market(framework, plan, seed=SEED_2, now=now, acting_user=acting_user)
    load_delivery(
        council, [Provider.objects.get(name=PROVIDER_C)], now=now, file_tag=FILE_TAG,
        acting_user=acting_user,
    )  # fmt: skip
    load_complaints(council, now=now, acting_user=acting_user)
    load_package_changes(council, now=now, acting_user=acting_user)
    return council
