"""A snapshot of the market that an allocation policy decides from: never the database.

The platform builds a :class:`MarketSnapshot` from its tables; the market simulation builds
one from its own state. Money is ``Decimal`` pounds per hour; hours are carer hours a week.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from carecore.errors import InputError

PROVIDER_STATUSES = ("active", "suspended", "exited")


class Tier(StrEnum):
    """An appointment's tier; declaration order is the cascade order (prime first)."""

    PRIME = "prime"
    SUPPLEMENTARY = "supplementary"
    BACK_UP = "back_up"
    SPECIALIST = "specialist"
    SPOT = "spot"

    @property
    def words(self) -> str:
        """The tier as people write it: "back-up", "prime"."""
        return self.value.replace("_", "-")

    @property
    def cascade_index(self) -> int:
        return list(Tier).index(self)


CASCADE_ORDER: tuple[Tier, ...] = tuple(Tier)


def to_tier(value: object, key: str = "tier") -> Tier:
    """A :class:`Tier` from its name, or :class:`InputError` naming ``key``."""
    try:
        return Tier(str(value))
    except ValueError:
        names = ", ".join(Tier)
        raise InputError(f"unknown tier {value!r} (expected one of: {names})", key=key) from None


@dataclass(frozen=True)
class ProviderState:
    """A provider as the policy sees it: quality score (set by the council) and status."""

    ref: str
    name: str
    quality_score: Decimal
    status: str

    def __post_init__(self) -> None:
        if not self.ref:
            raise InputError("must not be blank", key="ref")
        if not isinstance(self.quality_score, Decimal) or not self.quality_score.is_finite():
            raise InputError(f"expected a Decimal, got {self.quality_score!r}", key="quality_score")
        if self.status not in PROVIDER_STATUSES:
            raise InputError(
                f"must be one of {', '.join(PROVIDER_STATUSES)}, got {self.status!r}", key="status"
            )

    @property
    def is_active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class AppointmentState:
    """A provider's place on a lot: the zones it covers, its tier and rank, tendered rates.

    ``band_rates`` (band code to pounds/hour) win over ``hourly_rate``. ``block_hours_per_week``
    is a guaranteed block (Leeds lead providers), in carer hours. ``cohorts`` empty means the
    appointment serves every cohort; a specialist lot lists the cohorts it serves.
    """

    provider_ref: str
    lot_code: str
    zone_codes: frozenset[str]
    tier: Tier
    rank: int
    hourly_rate: Decimal | None = None
    band_rates: Mapping[str, Decimal] = field(default_factory=dict, hash=False)
    block_hours_per_week: Decimal = Decimal(0)
    cohorts: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "tier", to_tier(self.tier))
        if not isinstance(self.zone_codes, frozenset):
            object.__setattr__(self, "zone_codes", frozenset(self.zone_codes))
        if not isinstance(self.cohorts, frozenset):
            object.__setattr__(self, "cohorts", frozenset(self.cohorts))
        if isinstance(self.rank, bool) or not isinstance(self.rank, int) or self.rank < 1:
            raise InputError(f"must be a whole number from 1, got {self.rank!r}", key="rank")
        if self.block_hours_per_week < 0:
            raise InputError("must not be negative", key="block_hours_per_week")
        rates = {"hourly_rate": self.hourly_rate} if self.hourly_rate is not None else {}
        rates.update({f"band_rates.{band}": rate for band, rate in self.band_rates.items()})
        for key, rate in rates.items():
            if not isinstance(rate, Decimal) or not rate > 0:
                raise InputError(f"expected a positive Decimal, got {rate!r}", key=key)

    def covers(self, zone_code: str, cohort: str | None = None) -> bool:
        """Whether this appointment may take a package in ``zone_code`` for ``cohort``."""
        if zone_code not in self.zone_codes:
            return False
        return cohort is None or not self.cohorts or cohort in self.cohorts

    def rate_for(self, band_code: str) -> Decimal | None:
        return self.band_rates.get(band_code, self.hourly_rate)


@dataclass(frozen=True)
class MarketSnapshot:
    """Providers, appointments, declared free hours per (provider, zone) and block hours used.

    A provider with no declaration for a zone has *unknown* capacity (see the policies'
    ``respect_capacity``); a declaration of 0 means full.
    """

    providers: Mapping[str, ProviderState]
    appointments: tuple[AppointmentState, ...]
    free_hours: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)
    block_hours_used: Mapping[str, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.appointments, tuple):
            object.__setattr__(self, "appointments", tuple(self.appointments))
        for ref, provider in self.providers.items():
            if ref != provider.ref:
                raise InputError(
                    f"keyed {ref!r} but the provider is {provider.ref!r}", key="providers"
                )
        for index, appointment in enumerate(self.appointments):
            if appointment.provider_ref not in self.providers:
                raise InputError(
                    f"unknown provider {appointment.provider_ref!r}",
                    key=f"appointments[{index}].provider_ref",
                )

    def provider(self, ref: str) -> ProviderState:
        try:
            return self.providers[ref]
        except KeyError:
            raise InputError(f"unknown provider {ref!r}", key="provider_ref") from None

    def is_active(self, ref: str) -> bool:
        provider = self.providers.get(ref)
        return provider is not None and provider.is_active

    def active_providers(self) -> tuple[ProviderState, ...]:
        """Active providers in reference order."""
        return tuple(p for ref, p in sorted(self.providers.items()) if p.is_active)

    def appointments_in_zone(
        self, zone_code: str, *, tier: Tier | str | None = None, cohort: str | None = None
    ) -> tuple[AppointmentState, ...]:
        """Appointments covering ``zone_code`` (optionally of one tier and serving ``cohort``)."""
        wanted = to_tier(tier) if tier is not None else None
        return tuple(
            a
            for a in self.appointments
            if a.covers(zone_code, cohort) and (wanted is None or a.tier == wanted)
        )

    def by_tier(self, tier: Tier | str) -> tuple[AppointmentState, ...]:
        wanted = to_tier(tier)
        return tuple(a for a in self.appointments if a.tier == wanted)

    def providers_in_zone(
        self, zone_code: str, *, tier: Tier | str | None = None, cohort: str | None = None
    ) -> tuple[str, ...]:
        """Active providers with an appointment covering the zone, best first: quality score
        descending, then the best (lowest) rank, then reference, so the order is total."""
        best_rank: dict[str, int] = {}
        for a in self.appointments_in_zone(zone_code, tier=tier, cohort=cohort):
            if self.is_active(a.provider_ref):
                best_rank[a.provider_ref] = min(a.rank, best_rank.get(a.provider_ref, a.rank))
        return tuple(
            sorted(
                best_rank,
                key=lambda ref: (-self.providers[ref].quality_score, best_rank[ref], ref),
            )
        )

    def rate_for(
        self, provider_ref: str, band_code: str, zone_code: str | None = None
    ) -> Decimal | None:
        """The provider's tendered rate for a band (pounds/hour): from an appointment covering
        ``zone_code`` if any, best tier first; ``None`` if it has no rate (spot price)."""
        mine = [a for a in self.appointments if a.provider_ref == provider_ref]
        if zone_code is not None:
            mine.sort(key=lambda a: (zone_code not in a.zone_codes, a.tier.cascade_index, a.rank))
        else:
            mine.sort(key=lambda a: (a.tier.cascade_index, a.rank))
        for appointment in mine:
            rate = appointment.rate_for(band_code)
            if rate is not None:
                return rate
        return None

    def declared_free_hours(self, provider_ref: str, zone_code: str) -> Decimal | None:
        """Carer hours a week the provider says it can take on in the zone; ``None`` if it has
        not declared."""
        return self.free_hours.get((provider_ref, zone_code))

    def has_room(self, provider_ref: str, zone_code: str, hours: Decimal) -> bool:
        """Whether declared free hours cover ``hours``; an undeclared provider counts as having
        room, so a council that does not collect declarations still gets offers out."""
        free = self.declared_free_hours(provider_ref, zone_code)
        return free is None or free >= hours

    def block_hours_remaining(self, provider_ref: str) -> Decimal:
        """Guaranteed block hours a week not yet used (never below 0)."""
        block = sum(
            (a.block_hours_per_week for a in self.appointments if a.provider_ref == provider_ref),
            Decimal(0),
        )
        return max(Decimal(0), block - self.block_hours_used.get(provider_ref, Decimal(0)))
