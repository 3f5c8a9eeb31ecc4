"""The demo's changes to placed packages: reviews (one approved, one to decide), a cut in
hours, an increase waiting for the provider, and a stay in hospital.

All start after ``now`` (nothing in the demo happens after ``now``, and visit logs and
invoices already made stay right). Made through :mod:`homecare.brokerage.changes`, as a
council and its providers would; skipped when the demo already has changes.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from carecore.brokerage import Visit
from carecore.errors import InputError
from carecore.units import as_london
from homecare.brokerage import changes, schedules
from homecare.brokerage.models import LIVE_STATES, Package, ScheduleChange


def _fewer(visits: tuple[Visit, ...]) -> tuple[Visit, ...] | None:
    """The schedule less its last visit of the week (None when it has only one)."""
    ordered = sorted(visits, key=lambda v: (v.day, v.start_minute))
    return tuple(ordered[:-1]) if len(ordered) > 1 else None


def _more(visits: tuple[Visit, ...]) -> tuple[Visit, ...]:
    """The schedule and a tea-time call on Sunday."""
    return (*visits, Visit(6, time(16, 0), 30, 30, 1, False))


def load_package_changes(council: Any, *, now: datetime, acting_user: Any = None) -> int:
    """Changes to the council's live placed packages, from next week; returns how many."""
    if ScheduleChange.objects.filter(package__requests__framework__council=council).exists():
        return 0
    today = as_london(now).date()
    packages = (
        Package.objects.filter(
            requests__framework__council=council,
            status__in=LIVE_STATES,
            placements__ended_at__isnull=True,
        )
        .distinct()
        .order_by("pk")
    )
    steps = [_approved_review, _review_to_decide, _cut, _increase, _hospital]
    made = 0
    for package in packages:
        if not steps:
            break
        try:
            steps[0](package, today=today, now=now, acting_user=acting_user)
        except InputError:
            continue  # this package cannot take the change (overlapping visit): the next
        steps.pop(0)
        made += 1
    return made


def _visits(package: Package, today: Any) -> tuple[Visit, ...]:
    return schedules.span_on(package, today).visits


def _review(package: Package, *, day: Any, now: datetime, acting_user: Any) -> ScheduleChange:
    fewer = _fewer(_visits(package, day))
    if fewer is None:
        raise InputError("one visit only", key="visits")
    placement = changes.live_placement(package)
    return changes.propose_review(
        package,
        fewer,
        provider=placement.provider,  # type: ignore[union-attr]
        effective_from=day,
        reason="Review visit: manages the last call of the week with family help",
        now=now,
        acting_user=acting_user,
    )


def _approved_review(package: Package, *, today: Any, now: datetime, acting_user: Any) -> None:
    change = _review(package, day=today + timedelta(days=7), now=now, acting_user=acting_user)
    changes.decide_review(
        change, approved=True, reason="Agreed at the review", now=now, acting_user=acting_user
    )


def _review_to_decide(package: Package, *, today: Any, now: datetime, acting_user: Any) -> None:
    _review(package, day=today + timedelta(days=14), now=now, acting_user=acting_user)


def _cut(package: Package, *, today: Any, now: datetime, acting_user: Any) -> None:
    fewer = _fewer(_visits(package, today))
    if fewer is None:
        raise InputError("one visit only", key="visits")
    changes.vary_package(
        package,
        fewer,
        effective_from=today + timedelta(days=7),
        reason="Social worker's review: the evening call is no longer needed",
        now=now,
        acting_user=acting_user,
    )


def _increase(package: Package, *, today: Any, now: datetime, acting_user: Any) -> None:
    changes.vary_package(
        package,
        _more(_visits(package, today)),
        effective_from=today + timedelta(days=7),
        reason="Needs a Sunday tea-time call",
        now=now,
        acting_user=acting_user,
    )


def _hospital(package: Package, *, today: Any, now: datetime, acting_user: Any) -> None:
    changes.suspend_package_from(
        package,
        start_date=today + timedelta(days=3),
        end_date=today + timedelta(days=10),
        reason="In hospital",
        now=now,
        acting_user=acting_user,
    )
