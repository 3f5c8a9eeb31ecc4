"""Reading a package's schedule over time: versions in force, suspensions, review hours.

A package made before schedule versions existed (or never changed since it was placed) has
no stored version: its visit rows are its one version, in force from its start date. Reads
use ``.all()`` on the package's relations, so a caller that prefetched
``schedule_versions`` and ``suspensions`` pays no query per package.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from carecore.brokerage import Visit
from homecare.brokerage.engine import visit_rows


def visits_to_json(visits: Iterable[Visit]) -> list[dict[str, Any]]:
    """Engine visits as the rows a version stores (times as "07:30")."""
    return [
        {
            "day": v.day,
            "window_start": f"{v.window_start:%H:%M}",
            "window_minutes": v.window_minutes,
            "minutes": v.minutes,
            "carers": v.carers,
            "critical": v.critical,
        }
        for v in sorted(visits, key=lambda v: (v.day, v.window_start))
    ]


def visits_from_json(rows: Iterable[dict[str, Any]]) -> tuple[Visit, ...]:
    return tuple(
        Visit(
            day=int(row["day"]),
            window_start=time.fromisoformat(row["window_start"]),
            window_minutes=int(row["window_minutes"]),
            minutes=int(row["minutes"]),
            carers=int(row["carers"]),
            critical=bool(row["critical"]),
        )
        for row in rows
    )


@dataclass(frozen=True)
class Span:
    """One schedule in force from ``first`` to ``last`` (inclusive; None: open-ended)."""

    first: date
    last: date | None
    visits: tuple[Visit, ...]
    contact_hours: Decimal
    carer_hours: Decimal
    version: Any = None  # the stored ScheduleVersion, None for a package never changed

    def covers(self, day: date) -> bool:
        return self.first <= day and (self.last is None or day <= self.last)


def spans_of(package: Any) -> list[Span]:
    """The package's schedules in date order; versions replaced before they began are left
    out (they were never in force)."""
    versions = sorted(package.schedule_versions.all(), key=lambda v: (v.effective_from, v.pk))
    if not versions:
        return [
            Span(
                package.start_date,
                None,
                visit_rows(package),
                package.contact_hours_per_week,
                package.carer_hours_per_week,
            )
        ]
    return [
        Span(
            v.effective_from,
            v.effective_to,
            visits_from_json(v.visits),
            v.contact_hours_per_week,
            v.carer_hours_per_week,
            v,
        )
        for v in versions
        if v.effective_to is None or v.effective_to >= v.effective_from
    ]


def span_on(package: Any, day: date) -> Span:
    """The schedule in force on ``day``; before the first, the first (what will be in force)."""
    spans = spans_of(package)
    for span in spans:
        if span.covers(day):
            return span
    return spans[0] if day < spans[0].first else spans[-1]


def suspended_days(package: Any, start: date, end: date) -> tuple[tuple[date, date], ...]:
    """The package's dated suspensions clipped to ``start``..``end`` (inclusive)."""
    clipped = [(max(s.start_date, start), min(s.end_date, end)) for s in package.suspensions.all()]
    return tuple((a, b) for a, b in clipped if a <= b)


def suspension_on(package: Any, day: date) -> Any:
    """The suspension covering ``day``, or None."""
    for suspension in package.suspensions.all():
        if suspension.start_date <= day <= suspension.end_date:
            return suspension
    return None


# --- hours removed by providers' reviews --------------------------------------------------


@dataclass(frozen=True)
class ReviewHours:
    """Weekly carer hours of the packages changed by approved reviews, before and after.

    A package reviewed more than once counts once: its hours before its first approved
    review and after its last.
    """

    packages: int
    hours_before: Decimal
    hours_after: Decimal

    @property
    def hours_removed(self) -> Decimal:
        """Net weekly hours removed (negative when reviews added more than they removed)."""
        return self.hours_before - self.hours_after

    @property
    def average_before(self) -> Decimal | None:
        return _average(self.hours_before, self.packages)

    @property
    def average_after(self) -> Decimal | None:
        return _average(self.hours_after, self.packages)


def _average(total: Decimal, count: int) -> Decimal | None:
    return (total / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if count else None


def hours_removed_by_reviews(changes: Iterable[Any]) -> ReviewHours:
    """The review figures from applied review changes (``ScheduleChange`` rows)."""
    by_package: dict[int, list[Any]] = {}
    for change in changes:
        if change.kind == "review" and change.status == "applied":
            by_package.setdefault(change.package_id, []).append(change)
    before = after = Decimal(0)
    for reviews in by_package.values():
        reviews.sort(key=lambda c: (c.effective_from, c.pk))
        before += reviews[0].carer_hours_before
        after += reviews[-1].carer_hours_after
    return ReviewHours(len(by_package), before, after)
