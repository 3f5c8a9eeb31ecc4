"""Conversions between brokerage rows and the engine's objects (``carecore.brokerage``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from carecore.brokerage import PackageSpec, Visit, parse_schedule, schedule_from_rows
from carecore.errors import InputError

if TYPE_CHECKING:
    from homecare.brokerage.models import Package


def engine_visits(visits: str | Iterable[Any]) -> tuple[Visit, ...]:
    """Visits from schedule text, engine visits, or rows (mappings of Visit fields)."""
    if isinstance(visits, str):
        return parse_schedule(visits)
    items = list(visits)
    if all(isinstance(item, Visit) for item in items):
        return tuple(items)
    if all(isinstance(item, Mapping) for item in items):
        return schedule_from_rows(items)
    raise InputError("expected schedule text, visits or rows of visits", key="visits")


def visit_rows(package: Package) -> tuple[Visit, ...]:
    return tuple(
        Visit(
            day=v.day,
            window_start=v.window_start,
            window_minutes=v.window_minutes,
            minutes=v.minutes,
            carers=v.carers,
            critical=v.critical,
        )
        for v in package.visits.all()
    )


def save_visit_rows(package: Package, visits: Iterable[Visit]) -> None:
    """Store the engine's visits as the package's weekly visit rows (after any old ones go)."""
    from homecare.brokerage.models import Visit as VisitRow

    VisitRow.objects.bulk_create(
        VisitRow(
            package=package,
            day=v.day,
            window_start=v.window_start,
            window_minutes=v.window_minutes,
            minutes=v.minutes,
            carers=v.carers,
            critical=v.critical,
        )
        for v in visits
    )


def package_spec(package: Package, visits: Sequence[Visit] | None = None) -> PackageSpec:
    """The engine's package for a stored one (the person, area, zone and band are joined)."""
    person = package.person
    area = person.area
    return PackageSpec(
        ref=str(package.pk),
        area_code=area.code,
        zone_code=area.zone.code,
        band_code=area.band.code,
        cohort=person.cohort,
        funding=person.funding,
        source=package.source,
        priority=package.priority,
        start_date=package.start_date,
        visits=tuple(visits) if visits is not None else visit_rows(package),
        needs=frozenset(package.needs or ()),
    )
