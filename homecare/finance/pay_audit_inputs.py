"""The pay-floor audit's inputs for one council and one month, read once, and its results.

The visit logs of the council's own people with each provider, checked in during the month
(London time), are read as plain values in one query with each person's area (its centre's
latitude and longitude, and its band, which sets the driving speed). Each provider's pay
returns are read in one more. The engine (:func:`carecore.pay_audit.audit_pay`) then rebuilds
each carer's working days and judges them against the pay floors.

What the audit assumes is stated on its page, from :func:`assumptions`:

- Travel comes from the platform's travel source, the one carers' rounds are routed with
  (:func:`carecore.rostering.travel.travel_source_from`): straight-line distance times a road
  factor, at a speed set by each end's band; a band with no speed of its own is driven at the
  source's default speed. A person is placed at their area's centre, so visits in one area
  count no travel between them (the audit never overstates travel).
- Only the council's own people's visits are seen: a carer's visits that day for another
  council's people are not, and their time would count as a wait or a break.
- Logs a finance officer rejected are left out, as are logs with no check-out (each counted).
- Carers' ages are not in the logs: each floor's adult rate is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from carecore.errors import InputError
from carecore.pay_audit import LoggedVisit, PayAudit, audit_pay, travel_lookup
from carecore.pricing.pay_floors import KINDS, PayFloor, PayFloorTable, load_pay_floors
from carecore.rostering.travel import StraightLineTravel, TravelSource, travel_source_from
from carecore.units import LONDON
from homecare.delivery.models import VisitLog
from homecare.delivery.performance import add_months, council_providers
from homecare.finance.models import PayReturn
from homecare.finance.pay_returns import policy_of

FLOOR_TITLES = {
    "national_living_wage": "National Living Wage",
    "real_living_wage": "Real Living Wage",
    "london_living_wage": "London Living Wage",
}
SHORT_TITLES = {
    "national_living_wage": "NLW",
    "real_living_wage": "RLW",
    "london_living_wage": "LLW",
}
LOG_VALUES = (
    "provider_id",
    "carer_id",
    "check_in",
    "check_out",
    "approval",
    "person__area__lat",
    "person__area__lon",
    "person__area__band__code",
)


@dataclass(frozen=True)
class ProviderAudit:
    """One provider's month: its returns (newest first), its logs and, when a return was in
    force in the month, the engine's audit."""

    provider: Any
    returns: tuple[PayReturn, ...]
    applied: tuple[PayReturn, ...]  # the returns in force on some day of the month, oldest first
    logs: int
    rejected: int
    audit: PayAudit | None

    @property
    def status(self) -> str:
        """``audited``, ``no_return`` (none filed, or none in force by the month's end) or
        ``no_logs``."""
        if not self.logs:
            return "no_logs"
        return "audited" if self.audit is not None else "no_return"


@dataclass(frozen=True)
class MonthAudit:
    council: Any
    month: date
    last_day: date
    providers: tuple[ProviderAudit, ...]
    travel_source: str
    unknown_bands: tuple[str, ...]
    floors: tuple[tuple[str, tuple[PayFloor, ...]], ...]  # each kind's rates in the month


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first moment of ``month`` and of the next, in London."""
    first = datetime.combine(month.replace(day=1), time(), tzinfo=LONDON)
    return first, datetime.combine(add_months(month, 1), time(), tzinfo=LONDON)


def travel_for(bands: Sequence[str], source: TravelSource | None = None) -> tuple[Any, list[str]]:
    """The platform's travel source, with any of ``bands`` it has no speed for driven at its
    default speed (the bands so treated are returned, to be stated)."""
    travel = source or travel_source_from(None)
    if not isinstance(travel, StraightLineTravel):
        return travel, []
    known = {code.upper() for code in travel.speeds_mph_by_band}
    unknown = sorted({b.strip().upper() for b in bands if b and b.strip().upper() not in known})
    if not unknown:
        return travel, []
    speeds = dict(travel.speeds_mph_by_band)
    speeds.update({code: travel.default_speed_mph for code in unknown})
    return replace(travel, speeds_mph_by_band=speeds), unknown


def floors_in_month(
    month: date, last_day: date, table: PayFloorTable
) -> tuple[tuple[str, tuple[PayFloor, ...]], ...]:
    """Each floor's adult rates in force on some day of the month, oldest first."""
    result = []
    for kind in KINDS:
        found: dict[date, PayFloor] = {}
        for day in (month, last_day):
            try:
                floor = table.on(day, kind)
            except InputError:
                continue
            found.setdefault(floor.effective_from, floor)
        # A rate starting inside the month (1 April's NLW) is found on its last day.
        result.append((kind, tuple(found[d] for d in sorted(found))))
    return tuple(result)


def _returns_by_provider(provider_ids: Sequence[int]) -> dict[int, list[PayReturn]]:
    returns: dict[int, list[PayReturn]] = {}
    query = PayReturn.objects.filter(provider_id__in=provider_ids).select_related("filed_by")
    for pay_return in query.order_by("provider_id", "-effective_from"):
        returns.setdefault(pay_return.provider_id, []).append(pay_return)
    return returns


def audit_month(
    council: Any,
    month: date,
    *,
    only: list[Any] | None = None,
    source: TravelSource | None = None,
    floors: PayFloorTable | None = None,
) -> MonthAudit:
    """Audit every provider of ``council`` (``only`` these) for the month of ``month``."""
    month = month.replace(day=1)
    start, end = month_bounds(month)
    last_day = add_months(month, 1) - timedelta(days=1)
    table = floors or load_pay_floors()
    logs = VisitLog.objects.filter(person__council=council, check_in__gte=start, check_in__lt=end)
    if only is not None:
        logs = logs.filter(provider__in=only)
    by_provider: dict[int, list[LoggedVisit]] = {}
    rejected: dict[int, int] = {}
    counts: dict[int, int] = {}
    for provider_id, carer, check_in, check_out, approval, lat, lon, band in logs.values_list(
        *LOG_VALUES
    ):
        counts[provider_id] = counts.get(provider_id, 0) + 1
        if approval == VisitLog.Approval.REJECTED:
            rejected[provider_id] = rejected.get(provider_id, 0) + 1
            continue
        visit = LoggedVisit(carer, check_in, check_out, float(lat), float(lon), band or "")
        by_provider.setdefault(provider_id, []).append(visit)
    providers = {p.pk: p for p in council_providers(council, only)}
    if set(counts) - set(providers):  # logs of a provider no longer placed with the council
        from homecare.commissioning.models import Provider

        for extra in Provider.objects.filter(pk__in=set(counts) - set(providers)):
            providers[extra.pk] = extra
    places = {v.place for visits in by_provider.values() for v in visits}
    travel, unknown = travel_for(sorted({p.band for p in places}), source)
    times = travel_lookup(travel, places)  # the source asked once for the whole month
    basis = _describe(travel)
    returns = _returns_by_provider(list(providers))
    results = []
    for provider in sorted(providers.values(), key=lambda p: p.name):
        filed = returns.get(provider.pk, [])
        in_force = [r for r in filed if r.effective_from <= last_day]
        audit = None
        if counts.get(provider.pk) and in_force:
            audit = audit_pay(
                by_provider.get(provider.pk, []),
                travel=times,
                policy=[policy_of(r) for r in in_force],
                floors=table,
                travel_basis=basis,
            )
        results.append(
            ProviderAudit(
                provider=provider,
                returns=tuple(filed),
                applied=_applied(in_force, month),
                logs=counts.get(provider.pk, 0),
                rejected=rejected.get(provider.pk, 0),
                audit=audit,
            )
        )
    return MonthAudit(
        council=council,
        month=month,
        last_day=last_day,
        providers=tuple(results),
        travel_source=basis,
        unknown_bands=tuple(unknown),
        floors=floors_in_month(month, last_day, table),
    )


def _applied(in_force: Sequence[PayReturn], month: date) -> tuple[PayReturn, ...]:
    """The returns in force on some day of the month, oldest first: the last one from before
    it began and every one starting inside it (``in_force`` is newest first)."""
    inside = [r for r in in_force if r.effective_from > month]
    before = [r for r in in_force if r.effective_from <= month][:1]
    return tuple(reversed(inside + before))


def _describe(travel: Any) -> str:
    """The travel source in plain words, with its figures and where they come from."""
    if isinstance(travel, StraightLineTravel):
        speeds = ", ".join(
            f"{mph} mph in {code.lower()} areas" for code, mph in travel.speeds_mph_by_band.items()
        )
        text = (
            f"the straight-line distance between the two areas' centres times a road factor of "
            f"{travel.road_factor}, driven at {speeds or f'{travel.default_speed_mph} mph'} "
            f"(half the distance at each end's speed)"
        )
        return f"{text}. {travel.basis[0].upper()}{travel.basis[1:]}." if travel.basis else text
    describe = getattr(travel, "describe", None)
    return str(describe()) if callable(describe) else "the platform's travel source"
