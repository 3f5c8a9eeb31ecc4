"""A market scenario from the live market: what the database holds, and the default for the
rest.

The platform knows the council's zones and areas (with their bands and people aged 65+),
the providers appointed on its frameworks with their tiers per zone, the band rates it pays
and how many packages it has been asked to place lately. It does not know how providers
value work, how its workforce turns over or what packages look like in detail: those come
from the shipped default scenario (:func:`carecore.market.default_scenario`). The result is a
plain mapping over ``base = "leicestershire"`` that :func:`carecore.market.load_scenario`
reads, so a run stores exactly what it simulated and can be rebuilt from it; and a list of
:class:`Source` lines saying which figure came from where, for the page and the report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import median
from typing import Any

from django.db.models import Q, Sum

from carecore.market import Scenario, default_scenario, load_scenario
from carecore.units import as_london
from homecare.accounts.models import Organisation
from homecare.brokerage.models import LIVE_STATES, BrokerageRequest, Placement
from homecare.commissioning.market_models import Appointment, Provider
from homecare.commissioning.models import Area, BandRate, RatePeriod, Zone

DEMAND_WEEKS = 13  # recent requests over a quarter estimate the arrival rate
# A zone's care workers are split among its providers by their live carer hours there; with
# none placed yet, by these weights of their tier (a prime holds most of its zone, as the
# default scenario's principals hold about 71%).
TIER_WEIGHTS = {
    "prime": 0.7,
    "supplementary": 0.2,
    "specialist": 0.05,
    "back_up": 0.04,
    "spot": 0.04,
}
ROLE_OF_TIER = {"back_up": "back_up", "spot": "spot"}  # every other tier is "framework"
BEHAVIOUR = ("margin_pence", "choosiness_pence", "bid_markup_pence", "response_hours")
LIVE = "live market"
DEFAULT = "default scenario"


@dataclass(frozen=True)
class Source:
    """One part of the scenario, where it came from (``LIVE`` or ``DEFAULT``) and how."""

    part: str
    origin: str
    detail: str


@dataclass(frozen=True)
class LiveScenario:
    """The mapping to simulate (``load_scenario`` reads it) and where each part came from."""

    mapping: dict[str, Any]
    sources: tuple[Source, ...]

    def build(self) -> Scenario:
        return load_scenario(self.mapping)


def monday_on_or_before(day: date) -> date:
    return day - timedelta(days=day.weekday())


def live_scenario(
    council: Organisation,
    *,
    now: datetime,
    horizon_weeks: int,
    seed: int,
) -> LiveScenario:
    """The council's market at ``now`` as a scenario of ``horizon_weeks`` from this week's
    Monday, with ``seed``; whatever the database lacks comes from the default scenario."""
    base = default_scenario()
    sources: list[Source] = []
    mapping: dict[str, Any] = {
        "base": "leicestershire",
        "scenario": {
            "name": f"live market of {council.name}",
            "description": f"The live home care market of {council.name}",
            "start_date": monday_on_or_before(as_london(now).date()).isoformat(),
            "horizon_weeks": horizon_weeks,
            # A short run keeps a short warm-up: it settles the waiting list, no more.
            "warm_up_weeks": min(base.warm_up_weeks, horizon_weeks),
            "seed": seed,
        },
    }
    geography = _geography(council, base)
    if geography is not None:
        mapping["geography"] = geography
        sources.append(Source("Zones and areas", LIVE, _count_words(geography)))
    else:
        sources.append(Source("Zones and areas", DEFAULT, "no areas are stored"))
    bands = {a["band"] for a in mapping.get("geography", {}).get("areas", [])} or set(
        base.costs.band_rates
    )
    today = as_london(now).date()
    rates = _band_rates(council, today, bands)
    # The default's rate card is read on its own dates (it may have ended long ago); the
    # council's rates in force today win band by band.
    mapping["costs"] = {"rate_card_date": base.start_date.isoformat()}
    if rates:
        mapping["costs"]["band_rates"] = {band: str(rate) for band, rate in rates.items()}
        sources.append(
            Source("Band rates", LIVE, f"your rate card in force today: {_rates_words(rates)}")
        )
    missing = sorted(bands - set(rates))
    if missing:
        words = _no_rates_words(base, missing, not rates, today)
        sources.append(Source("Band rates", DEFAULT, words))
    zones = {z["code"] for z in mapping.get("geography", {}).get("zones", [])} or {
        z.code for z in base.zones
    }
    providers = _providers(council, zones, base)
    if providers:
        mapping["supply"] = {"providers": providers}
        sources.append(
            Source(
                "Providers and their tiers per zone",
                LIVE,
                f"{len(providers)} providers appointed on the council's frameworks",
            )
        )
        sources.append(
            Source(
                "How providers value work",
                DEFAULT,
                "margins, choosiness, bid mark-ups and answer times: the default's medians",
            )
        )
    else:
        sources.append(Source("Providers", DEFAULT, "no provider is appointed on a framework"))
    rate = _demand_rate(council, now, geography or _default_areas(base))
    if rate is not None:
        mapping["demand"] = {"packages_per_week_per_1000_65_plus": rate}
        sources.append(
            Source(
                "New packages a week",
                LIVE,
                f"requests in the last {DEMAND_WEEKS} weeks: {rate:.3f} a week for every "
                "thousand people aged 65 and over",
            )
        )
    else:
        sources.append(Source("New packages a week", DEFAULT, "no requests in recent weeks"))
    sources.append(
        Source(
            "Package shapes, length of care, workforce, brokerage rules and delivery models",
            DEFAULT,
            "as shipped (docs/market.md)",
        )
    )
    return LiveScenario(mapping, tuple(sources))


def _count_words(geography: dict[str, Any]) -> str:
    return f"{len(geography['zones'])} zones, {len(geography['areas'])} areas"


def _rates_words(rates: dict[str, Decimal]) -> str:
    return ", ".join(f"{band.title()} £{rate:,.2f}" for band, rate in sorted(rates.items()))


def _no_rates_words(base: Scenario, missing: list[str], every: bool, today: date) -> str:
    """Why some (or ``every``) band's rates are not the council's, in plain words."""
    defaults = {b: base.costs.band_rates[b] for b in missing if b in base.costs.band_rates}
    which = "" if every else f" for {', '.join(band.title() for band in missing)}"
    used = _rates_words(defaults) if defaults else "the default scenario's rates"
    return (
        f"The council has no rate card in force on {today:%-d %B %Y}{which}, so the simulation "
        f"uses the default scenario's rates instead: {used}."
    )


def _geography(council: Organisation, base: Scenario) -> dict[str, Any] | None:
    """The council's own zones and areas (never another council's) as the scenario's."""
    areas = list(
        Area.objects.filter(zone__council=council).values_list(
            "code", "zone__code", "band__code", "population_65_plus"
        )
    )
    if not areas:
        return None
    used = {zone for _, zone, _, _ in areas}
    zones = [
        {"code": code, "name": name, "has_prime": has_prime}
        for code, name, has_prime in Zone.objects.filter(
            council=council, code__in=used
        ).values_list("code", "name", "has_prime")
    ]
    bands = {band for _, _, band, _ in areas}
    rural = [b for b in base.rural_bands if b in bands]
    return {
        "source": "inline",
        "rural_bands": rural,
        "zones": zones,
        "areas": [
            {"code": code, "zone": zone, "band": band, "population_65_plus": people}
            for code, zone, band, people in areas
        ],
    }


def _default_areas(base: Scenario) -> dict[str, Any]:
    return {"areas": [{"population_65_plus": a.population_65_plus} for a in base.areas]}


def _band_rates(council: Organisation, day: date, bands: set[str]) -> dict[str, Decimal]:
    """The band rates of the council's rate card period in force on ``day`` (the latest
    started, if several cards overlap)."""
    period = (
        RatePeriod.objects.filter(card__council=council, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-effective_from", "-pk")
        .first()
    )
    if period is None:
        return {}
    rows = BandRate.objects.filter(period=period, band__in=bands)
    return {row.band: row.hourly_rate for row in rows}


def _providers(council: Organisation, zones: set[str], base: Scenario) -> list[dict[str, Any]]:
    """Each provider active on the council's frameworks (as the council stands it, with the
    council's quality score), as a ``[[supply.providers]]`` row."""
    from homecare.commissioning.market_actions import council_standings

    appointments = (
        Appointment.objects.filter(framework__council=council, active=True)
        .values_list("provider_id", "tier", "lot__zones__code")
        .order_by("provider_id")
    )
    tiers: dict[int, dict[str, str]] = defaultdict(dict)
    for provider_id, tier, zone in appointments:
        if zone in zones:
            current = tiers[provider_id].get(zone)
            # A provider in two lots covering one zone keeps its strongest tier there.
            if current is None or TIER_WEIGHTS[tier] > TIER_WEIGHTS[current]:
                tiers[provider_id][zone] = tier
    standings = council_standings(council.pk, list(tiers))
    tiers = defaultdict(
        dict,
        {pk: held for pk, held in tiers.items() if standings[pk][1] == Provider.Status.ACTIVE},
    )
    if not tiers:
        return []
    hours = _live_hours(council)
    behaviour = {
        name: median(getattr(p, name) for p in base.supply.providers) for name in BEHAVIOUR
    }
    rows = []
    for provider in Provider.objects.filter(pk__in=tiers).order_by("pk"):
        held = tiers[provider.pk]
        weights = {
            zone: round(float(hours.get((provider.pk, zone), 0)) or TIER_WEIGHTS[tier], 4)
            for zone, tier in sorted(held.items())
        }
        roles = {ROLE_OF_TIER.get(tier, "framework") for tier in held.values()}
        rows.append(
            {
                "ref": f"P{provider.pk}",
                "name": provider.name,
                "quality": str(standings[provider.pk][0]),
                "role": "framework" if "framework" in roles else sorted(roles)[0],
                "zones": weights,
                **behaviour,
            }
        )
    return rows


def _live_hours(council: Organisation) -> dict[tuple[int, str], Decimal]:
    """Carer hours a week placed with each provider in each zone, through the council."""
    rows = (
        Placement.objects.filter(
            request__framework__council=council,
            ended_at__isnull=True,
            package__status__in=LIVE_STATES,
        )
        .values("provider_id", "package__person__area__zone__code")
        .annotate(hours=Sum("package__carer_hours_per_week"))
    )
    return {
        (row["provider_id"], row["package__person__area__zone__code"]): row["hours"] or Decimal(0)
        for row in rows
    }


def _demand_rate(council: Organisation, now: datetime, geography: dict[str, Any]) -> float | None:
    """New packages a week for every thousand people aged 65+, from the council's requests
    of the last :data:`DEMAND_WEEKS` weeks (one request a package; re-brokering excluded)."""
    since = now - timedelta(weeks=DEMAND_WEEKS)
    packages = (
        BrokerageRequest.objects.filter(
            framework__council=council, created_at__gte=since, created_at__lt=now
        )
        .values("package")
        .distinct()
        .count()
    )
    older = sum(a["population_65_plus"] for a in geography["areas"])
    if not packages or not older:
        return None
    return round(packages / DEMAND_WEEKS / (older / 1000), 4)
