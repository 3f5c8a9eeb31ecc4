"""A market scenario: frozen dataclasses that check themselves (loaded by
:mod:`carecore.market.loading` from TOML, unknown keys being errors).

Units are in the names: weeks and hours of simulated time, pence (float where it is a
provider's private valuation, never paid), pounds as ``Decimal`` where the council pays.
Hours of care are carer hours (a double-handed visit counts twice), as the council pays them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from itertools import pairwise
from typing import Any

from carecore.errors import InputError
from carecore.market.checks import number, share, whole
from carecore.units import to_pence

ROLES = ("framework", "back_up", "spot")


@dataclass(frozen=True)
class AreaDemand:
    """A place care is delivered in: its zone, price band and people aged 65 and over."""

    code: str
    zone: str
    band: str
    population_65_plus: int

    def __post_init__(self) -> None:
        whole(self.population_65_plus, f"areas.{self.code}.population_65_plus", low=0)


@dataclass(frozen=True)
class ZoneSpec:
    """A contract zone; ``has_prime`` false (a Rural Free Zone) means no prime or lead there."""

    code: str
    name: str
    has_prime: bool = True


@dataclass(frozen=True)
class Surge:
    """Demand times ``factor`` from scenario week ``from_week`` up to ``to_week``."""

    from_week: float
    to_week: float
    factor: float

    def __post_init__(self) -> None:
        if not self.to_week > self.from_week:
            raise InputError("must be after from_week", key="demand.surges.to_week")
        number(self.factor, "demand.surges.factor", low=0.0)


@dataclass(frozen=True)
class VisitPattern:
    """A weekly schedule shape: visits starting at ``times`` on each of ``days`` (0 Monday)."""

    name: str
    weight: float
    times: tuple[time, ...]
    days: tuple[int, ...]

    def __post_init__(self) -> None:
        key = f"demand.patterns.{self.name}"
        number(self.weight, f"{key}.weight", low=0.0)
        if not self.times:
            raise InputError("a pattern needs at least one visit time", key=f"{key}.times")
        if list(self.times) != sorted(set(self.times)):
            raise InputError("times must be distinct and in order", key=f"{key}.times")
        if not self.days or any(not 0 <= d <= 6 for d in self.days):
            raise InputError("days must be 0 (Monday) to 6 (Sunday)", key=f"{key}.days")


@dataclass(frozen=True)
class LengthComponent:
    """One kind of care episode: its share of new packages and mean length (exponential)."""

    name: str
    share: float
    mean_weeks: float

    def __post_init__(self) -> None:
        share(self.share, f"demand.length_of_care.{self.name}.share")
        number(self.mean_weeks, f"demand.length_of_care.{self.name}.mean_weeks", low=0.01)


def _check_shares(items: tuple[tuple[str, float], ...], key: str) -> None:
    total = sum(w for _, w in items)
    if not items or abs(total - 1.0) > 1e-6:
        raise InputError(f"shares must add up to 1, got {total:g}", key=key)


@dataclass(frozen=True)
class Demand:
    """New packages: how many, where, what shape, how long, and how reviews shrink them.

    Packages arrive in each area at ``packages_per_week_per_1000_65_plus`` for every 1,000
    people aged 65+, times growth ``(1 + growth_per_year) ** years``, times a seasonal
    factor ``1 + amplitude x cos(2 pi (iso_week - peak_week) / 52)``, times any surge.
    """

    packages_per_week_per_1000_65_plus: float
    patterns: tuple[VisitPattern, ...]
    visit_minutes: tuple[tuple[int, float], ...]
    length_of_care: tuple[LengthComponent, ...]
    growth_per_year: float = 0.0
    seasonality_amplitude: float = 0.0
    seasonality_peak_week: float = 1.0
    surges: tuple[Surge, ...] = ()
    hospital_discharge_share: float = 0.45
    double_handed_share: float = 0.25
    jitter_minutes: int = 30
    window_minutes: int = 30
    review_after_weeks: float = 6.0
    review_shrink_share: float = 0.5
    review_keep: float = 0.6
    end_reasons: tuple[tuple[str, float], ...] = (("death", 1.0),)

    def __post_init__(self) -> None:
        number(
            self.packages_per_week_per_1000_65_plus,
            "demand.packages_per_week_per_1000_65_plus",
            low=0.0,
        )
        number(self.growth_per_year, "demand.growth_per_year", low=-0.5, high=1.0)
        number(self.seasonality_amplitude, "demand.seasonality_amplitude", low=0.0, high=0.95)
        number(self.seasonality_peak_week, "demand.seasonality_peak_week", low=1.0, high=53.0)
        share(self.hospital_discharge_share, "demand.hospital_discharge_share")
        share(self.double_handed_share, "demand.double_handed_share")
        whole(self.jitter_minutes, "demand.jitter_minutes", low=0, high=120)
        whole(self.window_minutes, "demand.window_minutes", low=0, high=240)
        number(self.review_after_weeks, "demand.review_after_weeks", low=0.0)
        share(self.review_shrink_share, "demand.review_shrink_share")
        number(self.review_keep, "demand.review_keep", low=0.05, high=1.0)
        if not self.patterns or not sum(p.weight for p in self.patterns) > 0:
            raise InputError("at least one pattern with a weight above 0", key="demand.patterns")
        for minutes, weight in self.visit_minutes:
            whole(minutes, f"demand.visit_minutes.{minutes}", low=5, high=240)
            number(weight, f"demand.visit_minutes.{minutes}", low=0.0)
        if not sum(w for _, w in self.visit_minutes) > 0:
            raise InputError("the weights must not all be zero", key="demand.visit_minutes")
        _check_shares(
            tuple((c.name, c.share) for c in self.length_of_care), "demand.length_of_care"
        )
        _check_shares(self.end_reasons, "demand.end_reasons")
        self._check_patterns_fit()

    def _check_patterns_fit(self) -> None:
        """Visits of a pattern must not overlap, nor cross midnight when moved by up to the
        jitter (a PackageSpec would refuse them mid-run)."""
        longest = max(m for m, _ in self.visit_minutes)
        for pattern in self.patterns:
            starts = [t.hour * 60 + t.minute for t in pattern.times]
            for first, second in pairwise(starts):
                if first + longest > second:
                    raise InputError(
                        f"visits of {longest} minutes would overlap",
                        key=f"demand.patterns.{pattern.name}.times",
                    )
            if starts[0] - self.jitter_minutes < 0 or (
                starts[-1] + self.jitter_minutes + longest > 24 * 60
            ):
                raise InputError(
                    "a visit moved by the jitter would cross midnight",
                    key=f"demand.patterns.{pattern.name}.times",
                )

    @property
    def mean_length_weeks(self) -> float:
        return sum(c.share * c.mean_weeks for c in self.length_of_care)


@dataclass(frozen=True)
class ProviderSpec:
    """A provider: its share of each zone's care workers and how it values work.

    ``zones`` maps zone code to a weight; each zone's workforce is split among its providers
    in proportion to their weights. ``role``: ``framework`` (appointed by every delivery
    model), ``back_up`` (a back-up lot) or ``spot`` (outside the framework; used only by the
    spot-purchase rule). ``margin_pence`` is the least margin per worker hour it takes work
    for when idle; ``choosiness_pence`` is added at full utilisation (pence per worker hour).
    """

    ref: str
    name: str
    quality: Decimal
    zones: Mapping[str, float] = field(hash=False)
    role: str = "framework"
    margin_pence: float = 50.0
    choosiness_pence: float = 200.0
    bid_markup_pence: float = 100.0
    response_hours: float = 2.0

    def __post_init__(self) -> None:
        key = f"supply.providers.{self.ref}"
        if not self.ref.strip():
            raise InputError("must not be blank", key="supply.providers.ref")
        if not isinstance(self.quality, Decimal) or not 0 <= self.quality <= 100:
            raise InputError(f"must be 0 to 100, got {self.quality!r}", key=f"{key}.quality")
        if self.role not in ROLES:
            raise InputError(
                f"must be one of {', '.join(ROLES)}, got {self.role!r}", key=f"{key}.role"
            )
        if not self.zones or not sum(self.zones.values()) > 0:
            raise InputError("a provider needs a zone with a weight above 0", key=f"{key}.zones")
        for name in ("margin_pence", "choosiness_pence", "bid_markup_pence"):
            number(getattr(self, name), f"{key}.{name}", low=0.0)
        number(self.response_hours, f"{key}.response_hours", low=0.01)


@dataclass(frozen=True)
class Supply:
    """Care workers, their turnover and recruitment, and what providers' work costs them.

    The workforce in a zone starts at ``capacity_margin`` x the worker hours the zone's
    expected caseload needs, divided by ``hours_per_worker``. Each worker leaves at
    ``turnover_per_year``; providers recruit towards a target that leaves ``vacancy_rate``
    of posts empty on average (so hiring runs at ``turnover x (1 - v) / v`` a year of the gap).
    """

    providers: tuple[ProviderSpec, ...]
    hours_per_worker: float = 30.0
    turnover_per_year: float = 0.35
    vacancy_rate: float = 0.10
    capacity_margin: float = 1.05
    workforce_growth_per_year: float | None = None
    principals_per_zone: int = 1
    pay_pence_per_paid_hour: float = 1207.0
    overhead_pence_per_hour: float = 250.0
    admin_pence_per_package_week: float = 500.0
    awkward_pence_per_hour: float = 100.0
    awkward_before: time = time(7, 30)
    awkward_from: time = time(21, 0)
    reference_visit_minutes: float = 45.0
    silence_share: float = 0.05
    noise_pence: float = 60.0

    def __post_init__(self) -> None:
        number(self.hours_per_worker, "supply.hours_per_worker", low=1.0, high=80.0)
        number(self.turnover_per_year, "supply.turnover_per_year", low=0.0, high=5.0)
        number(self.vacancy_rate, "supply.vacancy_rate", low=0.001, high=0.9)
        number(self.capacity_margin, "supply.capacity_margin", low=0.0)
        if self.workforce_growth_per_year is not None:
            number(self.workforce_growth_per_year, "supply.workforce_growth_per_year", low=-0.5)
        whole(self.principals_per_zone, "supply.principals_per_zone", low=0, high=10)
        for name in (
            "pay_pence_per_paid_hour",
            "overhead_pence_per_hour",
            "admin_pence_per_package_week",
            "awkward_pence_per_hour",
            "noise_pence",
        ):
            number(getattr(self, name), f"supply.{name}", low=0.0)
        number(self.reference_visit_minutes, "supply.reference_visit_minutes", low=5.0)
        share(self.silence_share, "supply.silence_share")
        refs = [p.ref for p in self.providers]
        if len(set(refs)) != len(refs):
            raise InputError("two providers share a ref", key="supply.providers")

    @property
    def hires_per_year_per_vacancy(self) -> float:
        """Recruitment rate that holds vacancies at ``vacancy_rate`` in the steady state."""
        return self.turnover_per_year * (1 - self.vacancy_rate) / self.vacancy_rate


@dataclass(frozen=True)
class Brokerage:
    """When brokers work and what they do with a package nobody takes.

    New requests, retries and spot purchases go out in office hours (``office_opens`` to
    ``office_closes``, Monday to Friday if ``weekdays_only``); later rounds after a time-out
    go out at once, as the platform's time-out task sends them. A package the policy has
    exhausted is offered again from the start after ``retry_hours``, the wait doubling after
    each exhausted try up to ``retry_max_hours``. Once it has waited
    ``spot_after_days``, each try first asks the spot agencies at the band rate plus
    ``spot_premium``.
    """

    office_opens: int = 8
    office_closes: int = 18
    weekdays_only: bool = True
    retry_hours: float = 24.0
    retry_max_hours: float = 168.0
    spot_after_days: float = 7.0
    spot_premium: float = 0.15

    def __post_init__(self) -> None:
        whole(self.office_opens, "brokerage.office_opens", low=0, high=23)
        whole(self.office_closes, "brokerage.office_closes", low=1, high=24)
        if self.office_closes <= self.office_opens:
            raise InputError("must be after office_opens", key="brokerage.office_closes")
        number(self.retry_hours, "brokerage.retry_hours", low=0.25)
        if self.retry_max_hours < self.retry_hours:
            raise InputError("must be at least retry_hours", key="brokerage.retry_max_hours")
        number(self.spot_after_days, "brokerage.spot_after_days", low=0.0)
        number(self.spot_premium, "brokerage.spot_premium", low=0.0, high=5.0)


@dataclass(frozen=True)
class Costs:
    """What the council pays (``band_rates``, pounds per carer hour) and what travel costs.

    ``travel_minutes_per_contact_hour`` and ``miles_per_contact_hour`` are per band at a
    visit of the supply's reference length; ``kg_co2e_per_mile`` converts miles to CO2e.
    """

    band_rates: Mapping[str, Decimal] = field(hash=False)
    travel_minutes_per_contact_hour: Mapping[str, float] = field(hash=False)
    miles_per_contact_hour: Mapping[str, float] = field(hash=False)
    rate_source: str = ""
    pence_per_mile: int = 45
    kg_co2e_per_mile: float = 0.28276
    emission_factor_source: str = ""

    def __post_init__(self) -> None:
        whole(self.pence_per_mile, "costs.pence_per_mile", low=0)
        number(self.kg_co2e_per_mile, "costs.kg_co2e_per_mile", low=0.0)
        for band, rate in self.band_rates.items():
            if not isinstance(rate, Decimal) or not rate > 0:
                raise InputError(
                    f"expected positive pounds, got {rate!r}", key=f"costs.band_rates.{band}"
                )

    @property
    def bands(self) -> tuple[str, ...]:
        return tuple(self.band_rates)

    def rate_pence(self, band: str) -> int:
        """The band's rate in whole pence per carer hour (half up, for a card with more
        decimals than pence)."""
        return to_pence(self.band_rates[band])


@dataclass(frozen=True)
class DeliveryModel:
    """A way of buying care: an allocation policy (the table ``load_policy`` takes) and the
    market structure it implies.

    ``appoint_principals``: each zone's principal providers (the largest, see
    :attr:`Supply.principals_per_zone`) are appointed as primes / leads; otherwise every
    framework provider is a supplementary provider on one open list. ``block_factor`` > 0
    guarantees each principal a block of that many times its carer hours at the start (Leeds:
    "based on current levels of activity"). ``obligation_pence_per_hour`` lowers a principal's
    acceptance threshold (per worker hour) when it is offered work as prime or lead, because
    its contract expects it to take most packages.
    """

    name: str
    policy: Mapping[str, Any] = field(hash=False)
    description: str = ""
    appoint_principals: bool = False
    block_factor: float = 0.0
    obligation_pence_per_hour: float = 0.0

    def __post_init__(self) -> None:
        number(self.block_factor, f"models.{self.name}.block_factor", low=0.0, high=10.0)
        number(
            self.obligation_pence_per_hour, f"models.{self.name}.obligation_pence_per_hour", low=0.0
        )

    @property
    def bidding(self) -> bool:
        """Whether providers answer with a bid rate (a mini-competition)."""
        return self.policy.get("kind") == "mini_competition"


@dataclass(frozen=True)
class ProviderExit:
    """A provider leaving the market (failing) at scenario week ``week``; ``staff_moving`` of
    its care workers join the other providers in their zones (when Allied Healthcare failed in
    2018, councils moved its packages and many of its carers to other providers)."""

    provider: str
    week: float
    staff_moving: float = 0.0

    def __post_init__(self) -> None:
        share(self.staff_moving, "exits.staff_moving")


@dataclass(frozen=True)
class Scenario:
    """Everything one simulation needs. The results cover ``horizon_weeks`` after a warm-up
    of ``warm_up_weeks`` that is simulated but not counted. ``start_date`` is a Monday; the
    simulation clock starts at its midnight, Europe/London."""

    name: str
    start_date: date
    horizon_weeks: int
    warm_up_weeks: int
    seed: int
    zones: tuple[ZoneSpec, ...]
    areas: tuple[AreaDemand, ...]
    rural_bands: tuple[str, ...]
    demand: Demand
    supply: Supply
    brokerage: Brokerage
    costs: Costs
    models: Mapping[str, DeliveryModel] = field(hash=False)
    exits: tuple[ProviderExit, ...] = ()
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        whole(self.horizon_weeks, "scenario.horizon_weeks", low=1, high=52 * 50)
        whole(self.warm_up_weeks, "scenario.warm_up_weeks", low=0, high=52 * 10)
        whole(self.seed, "scenario.seed", low=0)
        if self.start_date.weekday() != 0:
            raise InputError(
                f"must be a Monday, got {self.start_date:%A %d %B %Y}", key="scenario.start_date"
            )
        self._check_places()
        self._check_providers()
        if not self.models:
            raise InputError("at least one delivery model is needed", key="models")
        providers = {p.ref for p in self.supply.providers}
        if len({e.provider for e in self.exits}) != len(self.exits):
            raise InputError("a provider can fail only once", key="exits")
        for index, leaving in enumerate(self.exits):
            if leaving.provider not in providers:
                raise InputError(
                    f"unknown provider {leaving.provider!r}", key=f"exits[{index}].provider"
                )
            number(leaving.week, f"exits[{index}].week", low=0.0)

    def _check_places(self) -> None:
        zones = {z.code for z in self.zones}
        if len(zones) != len(self.zones):
            raise InputError("two zones share a code", key="geography.zones")
        bands = set(self.costs.bands)
        for area in self.areas:
            if area.zone not in zones:
                raise InputError(
                    f"unknown zone {area.zone!r}", key=f"geography.areas.{area.code}.zone"
                )
            if area.band not in bands:
                raise InputError(
                    f"band {area.band!r} has no rate (rates for: {', '.join(sorted(bands))})",
                    key=f"geography.areas.{area.code}.band",
                )
        for band in self.rural_bands:
            if band not in bands:
                raise InputError(f"unknown band {band!r}", key="geography.rural_bands")
        for name in ("travel_minutes_per_contact_hour", "miles_per_contact_hour"):
            missing = bands - set(getattr(self.costs, name))
            if missing:
                raise InputError(f"missing band {sorted(missing)[0]!r}", key=f"costs.{name}")

    def _check_providers(self) -> None:
        zones = {z.code for z in self.zones}
        for provider in self.supply.providers:
            for zone in provider.zones:
                if zone not in zones:
                    raise InputError(
                        f"unknown zone {zone!r}",
                        key=f"supply.providers.{provider.ref}.zones.{zone}",
                    )

    @property
    def total_weeks(self) -> int:
        return self.warm_up_weeks + self.horizon_weeks

    def model(self, name: str) -> DeliveryModel:
        try:
            return self.models[name]
        except KeyError:
            known = ", ".join(self.models)
            raise InputError(
                f"unknown delivery model {name!r} (this scenario has: {known})", key="model"
            ) from None
