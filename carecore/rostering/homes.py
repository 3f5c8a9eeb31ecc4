"""A week of home-care visits to route: from the live market or a synthetic one at full scale.

A :class:`HomeVisit` is one visit of one person's weekly schedule, placed at the person's
home. The platform builds them from the database (real schedules, areas and providers); for
the demo, :func:`synthetic_week` draws a market of the size the county reports (seed 002:
1,667 people) from the market scenario's own shapes of care: where people live in
proportion to the population aged 65+, the usual visit times and lengths, the double-handed
share, and each zone's providers in proportion to their workforce.

Homes are spread around their place's centre (a GeoNames town or village, or an LSOA's
population-weighted centre) over a disc as large as the place's people need at its band's
density: a town of 65,000 at 3,500 people per km2 spans a disc of 2.4 km radius, a village's
catchment in the country far more thinly settled. The densities are assumptions, stated in
``PEOPLE_PER_KM2``; without a population, ``HOME_SPREAD_KM`` gives a radius per band.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from carecore.errors import InputError
from carecore.geography import Geography

# ASSUMPTION: how far homes lie from their place's centre (km, uniform over a disc).
HOME_SPREAD_KM: Mapping[str, float] = {
    "URBAN": 0.6,
    "FRINGE": 1.0,
    "RURAL": 1.5,
    "ISOLATED": 2.5,
}
DEFAULT_SPREAD_KM = 1.0
# ASSUMPTION: people per km2 over a place and the country it serves, by band: urban built-up
# areas at about 3,500; villages with their farms far thinner.
PEOPLE_PER_KM2: Mapping[str, float] = {
    "URBAN": 3500.0,
    "FRINGE": 1500.0,
    "RURAL": 300.0,
    "ISOLATED": 60.0,
}
# Census 2021: 148,083 of Leicestershire's 712,353 people (20.8%) are 65 or over (the LSOA
# file in the shared reference data); a place's people are its 65+ over that share.
SHARE_65_PLUS = 0.208
SPREAD_LIMITS_KM = (0.3, 6.0)
SEED_002_PEOPLE = 1667  # people receiving home care in Leicestershire, December 2017
_KM_PER_DEGREE_LAT = 111.32


@dataclass(frozen=True)
class HomeVisit:
    """One weekly visit at a person's home. Times are minutes from midnight, ``day`` 0 = Monday."""

    person: str
    provider: str
    zone: str
    band: str
    lat: float
    lon: float
    day: int
    window_start_minute: int
    window_minutes: int
    minutes: int
    carers: int = 1
    critical: bool = False
    skill: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.day <= 6:
            raise InputError(f"visit of {self.person}: day must be 0 (Monday) to 6", key="day")
        if not 0 <= self.window_start_minute < 24 * 60:
            raise InputError(f"visit of {self.person}: start outside the day", key="start")
        if self.minutes <= 0 or self.window_minutes < 0:
            raise InputError(f"visit of {self.person}: length must be positive", key="minutes")
        if self.carers not in (1, 2):
            raise InputError(f"visit of {self.person}: one or two carers", key="carers")


def spread_radius_km(band: str, population_65_plus: int | None = None) -> float:
    """The radius (km) homes spread over around a place: its people at the band's density,
    within ``SPREAD_LIMITS_KM``; without a population, the band's ``HOME_SPREAD_KM``."""
    if population_65_plus is None or band not in PEOPLE_PER_KM2:
        return HOME_SPREAD_KM.get(band, DEFAULT_SPREAD_KM)
    people = population_65_plus / SHARE_65_PLUS
    radius = math.sqrt(people / (PEOPLE_PER_KM2[band] * math.pi))
    low, high = SPREAD_LIMITS_KM
    return min(max(radius, low), high)


def spread_home(
    lat: float,
    lon: float,
    band: str,
    rng: np.random.Generator,
    population_65_plus: int | None = None,
) -> tuple[float, float]:
    """A home around a place's centre: uniform over a disc (see :func:`spread_radius_km`)."""
    radius_km = spread_radius_km(band, population_65_plus) * math.sqrt(rng.random())
    angle = 2 * math.pi * rng.random()
    north_km, east_km = radius_km * math.cos(angle), radius_km * math.sin(angle)
    km_per_degree_lon = _KM_PER_DEGREE_LAT * math.cos(math.radians(lat))
    return lat + north_km / _KM_PER_DEGREE_LAT, lon + east_km / km_per_degree_lon


def synthetic_week(
    scenario: object,
    geography: Geography,
    *,
    people: int = SEED_002_PEOPLE,
    seed: int = 2021,
) -> tuple[HomeVisit, ...]:
    """A week of visits for ``people`` synthetic people, drawn from a market scenario.

    ``scenario`` is a :class:`carecore.market.scenario.Scenario` (typed loosely so the
    rostering engine does not import the market's modules at import time).
    """
    from carecore.market.scenario import Scenario

    if not isinstance(scenario, Scenario):
        raise InputError("synthetic_week needs a market scenario", key="scenario")
    if people < 1:
        raise InputError("people must be at least 1", key="people")
    rng = np.random.default_rng(seed)
    areas = [a for a in scenario.areas if a.population_65_plus > 0]
    weights = np.array([a.population_65_plus for a in areas], dtype=float)
    chosen = rng.choice(len(areas), size=people, p=weights / weights.sum())
    providers = _providers_by_zone(scenario)
    demand = scenario.demand
    patterns = demand.patterns
    pattern_p = _normalised([p.weight for p in patterns])
    lengths = [m for m, _ in demand.visit_minutes]
    length_p = _normalised([share for _, share in demand.visit_minutes])
    visits: list[HomeVisit] = []
    for number, index in enumerate(chosen, start=1):
        area = areas[int(index)]
        place = geography.area(area.code)
        lat, lon = spread_home(place.lat, place.lon, area.band, rng, place.population_65_plus)
        provider = _pick_provider(providers.get(area.zone, ()), rng)
        pattern = patterns[int(rng.choice(len(patterns), p=pattern_p))]
        double = rng.random() < demand.double_handed_share
        minutes = [int(lengths[int(rng.choice(len(lengths), p=length_p))]) for _ in pattern.times]
        offsets = [
            int(rng.integers(-demand.jitter_minutes, demand.jitter_minutes + 1)) // 5 * 5
            for _ in pattern.times
        ]
        last = len(pattern.times) - 1
        for day in pattern.days:
            for slot, moment in enumerate(pattern.times):
                start = moment.hour * 60 + moment.minute + offsets[slot]
                visits.append(
                    HomeVisit(
                        person=f"SYN-{number:05d}",
                        provider=provider,
                        zone=area.zone,
                        band=area.band,
                        lat=lat,
                        lon=lon,
                        day=day,
                        window_start_minute=start,
                        window_minutes=demand.window_minutes,
                        minutes=minutes[slot],
                        # Getting up and going to bed are the double-handed calls.
                        carers=2 if double and slot in (0, last) else 1,
                    )
                )
    return tuple(visits)


def _providers_by_zone(scenario: object) -> dict[str, tuple[tuple[str, float], ...]]:
    from carecore.market.scenario import Scenario

    assert isinstance(scenario, Scenario)
    found: dict[str, list[tuple[str, float]]] = {}
    for provider in scenario.supply.providers:
        if provider.role != "framework":
            continue
        for zone, weight in provider.zones.items():
            found.setdefault(zone, []).append((provider.name, weight))
    return {zone: tuple(items) for zone, items in found.items()}


def _pick_provider(choices: Sequence[tuple[str, float]], rng: np.random.Generator) -> str:
    if not choices:
        return "Spot purchase"
    p = _normalised([weight for _, weight in choices])
    return choices[int(rng.choice(len(choices), p=p))][0]


def _normalised(weights: Sequence[float]) -> npt.NDArray[np.float64]:
    array = np.asarray(weights, dtype=np.float64)
    shares: npt.NDArray[np.float64] = array / array.sum()
    return shares
