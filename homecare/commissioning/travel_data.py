"""The council's live week of visits for the travel calibration, read from the database.

Every package placed or started through one of the council's frameworks whose placement has
not ended gives one :class:`carecore.rostering.homes.HomeVisit` per weekly visit, with its
provider and the person's area (zone, band, centre). The platform stores areas, not addresses,
so each home is spread around its area's centre by :func:`carecore.rostering.homes.spread_home`
with a generator seeded by the person's reference: the same person lands in the same place on
every run, and no address is ever needed.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import numpy as np

from carecore.rostering.homes import HomeVisit, spread_home
from homecare.accounts.models import Organisation

if TYPE_CHECKING:
    from django.db.models import QuerySet

PLACED_STATES = ("placed", "started")


def home_seed(reference: str) -> int:
    """A stable seed from a person's reference (Python's ``hash`` changes between runs)."""
    return int.from_bytes(hashlib.sha256(reference.encode()).digest()[:8], "big")


def live_placements(council: Organisation) -> QuerySet[Any]:
    """The live placements of placed or started packages through ``council``'s frameworks."""
    from homecare.brokerage.models import Placement

    return (
        Placement.objects.filter(
            ended_at__isnull=True,
            request__framework__council=council,
            package__status__in=PLACED_STATES,
        )
        .select_related("provider", "package__person__area__zone", "package__person__area__band")
        .prefetch_related("package__visits")
        .order_by("package__person__reference", "package_id")
    )


def live_package_count(council: Organisation) -> int:
    """How many packages :func:`live_week` would route."""
    return live_placements(council).count()


def live_week(council: Organisation) -> tuple[HomeVisit, ...]:
    """One week of the council's placed care as home visits (minutes from midnight)."""
    visits: list[HomeVisit] = []
    for placement in live_placements(council):
        package = placement.package
        person = package.person
        area = person.area
        lat, lon = spread_home(
            area.lat,
            area.lon,
            area.band.code,
            np.random.default_rng(home_seed(person.reference)),
            area.population_65_plus,
        )
        skill = str(package.needs[0]) if package.needs else None
        for visit in package.visits.all():
            visits.append(
                HomeVisit(
                    person=person.reference,
                    provider=placement.provider.name,
                    zone=area.zone.code,
                    band=area.band.code,
                    lat=lat,
                    lon=lon,
                    day=visit.day,
                    window_start_minute=visit.window_start.hour * 60 + visit.window_start.minute,
                    window_minutes=visit.window_minutes,
                    minutes=visit.minutes,
                    carers=visit.carers,
                    critical=visit.critical,
                    skill=skill,
                )
            )
    return tuple(visits)
