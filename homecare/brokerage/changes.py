"""Changing a placed package, each from a date: variations, reviews, suspensions, endings.

Named verb_noun, each in a transaction, each taking ``acting_user`` (``None``: the system)
and ``now`` (the caller's clock). Every row written keeps simple_history rows.

- A **variation** is the council's new weekly schedule from a date. One that adds hours
  waits for the placed provider's answer: accepted, it applies; declined, it applies and the
  package goes back to brokerage (the old request is transferred, the old placement ends the
  day the new schedule starts, a new request is offered by the framework's policy).
- A **review** is the placed provider's proposed schedule from a date; the council approves
  it (it applies as a variation) or rejects it.
- Applying a change closes the schedule in force the day before and stores the new one as a
  :class:`ScheduleVersion`; earlier versions are kept. The package's own visit rows and
  hours follow the schedule in force today (:func:`apply_due_schedules` moves them on when a
  dated change arrives), except that a package back on the waiting list shows the schedule
  it is being brokered for.
- A **suspension** has a first and last day with no visits; an **ending** stops care from a
  day, with a reason, and ends the placement.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from carecore.errors import InputError
from carecore.units import LONDON, as_london
from homecare.brokerage import schedules
from homecare.brokerage.engine import engine_visits, package_spec, save_visit_rows
from homecare.brokerage.models import (
    LIVE_STATES,
    WAITING_STATES,
    Offer,
    Package,
    PackageEnding,
    Placement,
    ScheduleChange,
    ScheduleVersion,
    State,
    Suspension,
)
from homecare.brokerage.steps import (
    audited,
    end_placement,
    locked,
    move,
    new_request,
    withdraw_open_offers,
)

Status = ScheduleChange.Status
HUNDREDTHS = Decimal("0.01")


def shown(day: date) -> str:
    """A date as the pages write it: 3 July 2026."""
    return f"{day.day} {day:%B %Y}"


def london_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LONDON)


def live_placement(package: Package) -> Placement | None:
    return package.placements.filter(ended_at__isnull=True).select_related("provider").first()


def _placed(package: Package, doing: str) -> Placement:
    placement = live_placement(package)
    if placement is None or package.status not in LIVE_STATES:
        raise InputError(f"only a placed package can be {doing}", key="package")
    return placement


def _locked_package(package: Package) -> Package:
    return (
        Package.objects.select_for_update(of=("self",))
        .select_related("person__area__zone", "person__area__band")
        .get(pk=package.pk)
    )


def _check_from(package: Package, effective_from: date) -> None:
    """A change starts on or after the package's start and the current schedule's start."""
    spans = schedules.spans_of(package)
    latest = spans[-1].first if spans else package.start_date
    earliest = max(package.start_date, latest)
    if effective_from < earliest:
        raise InputError(f"must be on or after {shown(earliest)}", key="effective_from")
    if package.end_date is not None and effective_from > package.end_date:
        ends = shown(package.end_date)
        raise InputError(f"must be before the package ends ({ends})", key="effective_from")
    if package.schedule_changes.filter(
        status__in=(Status.AWAITING_PROVIDER, Status.AWAITING_COUNCIL)
    ).exists():
        raise InputError("a change to this package is already waiting for an answer", key="package")


def _new_change(
    package: Package,
    visits: Any,
    *,
    kind: str,
    effective_from: date,
    reason: str,
    provider: Any,
    now: datetime,
    acting_user: Any,
) -> ScheduleChange:
    if not (reason or "").strip():
        raise InputError("must not be blank", key="reason")
    _check_from(package, effective_from)
    spec = package_spec(package, engine_visits(visits))  # the engine checks the schedule
    before = schedules.span_on(package, effective_from).carer_hours
    change = audited(
        ScheduleChange(
            package=package,
            kind=kind,
            status=Status.AWAITING_COUNCIL,
            provider=provider,
            effective_from=effective_from,
            visits=schedules.visits_to_json(spec.visits),
            carer_hours_before=before,
            carer_hours_after=spec.carer_hours_per_week.quantize(HUNDREDTHS),
            contact_hours_after=spec.contact_hours_per_week.quantize(HUNDREDTHS),
            reason=reason.strip(),
            created_at=now,
            created_by=acting_user,
        ),
        acting_user,
    )
    return change


@transaction.atomic
def vary_package(
    package: Package,
    visits: Any,
    *,
    effective_from: date,
    reason: str,
    now: datetime,
    acting_user: Any,
) -> ScheduleChange:
    """The council's new weekly schedule from ``effective_from`` (text, engine visits or rows).

    Fewer or the same hours apply at once; more hours wait for the placed provider's answer.
    """
    package = _locked_package(package)
    placement = _placed(package, "varied")
    change = _new_change(
        package,
        visits,
        kind=ScheduleChange.Kind.VARIATION,
        effective_from=effective_from,
        reason=reason,
        provider=placement.provider,
        now=now,
        acting_user=acting_user,
    )
    if change.carer_hours_after > change.carer_hours_before:
        change.status = Status.AWAITING_PROVIDER
        change.save()
        return change
    change.save()
    return _apply(change, now=now, acting_user=acting_user)


@transaction.atomic
def propose_review(
    package: Package,
    visits: Any,
    *,
    provider: Any,
    effective_from: date,
    reason: str,
    now: datetime,
    acting_user: Any,
) -> ScheduleChange:
    """The placed provider's schedule after its review, for the council to decide."""
    package = _locked_package(package)
    placement = _placed(package, "reviewed")
    if placement.provider_id != provider.pk:
        raise InputError("only the provider placed with the package can review it", key="package")
    change = _new_change(
        package,
        visits,
        kind=ScheduleChange.Kind.REVIEW,
        effective_from=effective_from,
        reason=reason,
        provider=provider,
        now=now,
        acting_user=acting_user,
    )
    change.save()
    return change


def _decide(change: ScheduleChange, expected: str, now: datetime, acting_user: Any) -> Any:
    change = ScheduleChange.objects.select_for_update().get(pk=change.pk)
    if change.status != expected:
        status = change.get_status_display().lower()
        raise InputError(f"this change is already answered ({status})", key="change")
    change.decided_at, change.decided_by = now, acting_user
    return change


@transaction.atomic
def decide_review(
    change: ScheduleChange, *, approved: bool, reason: str = "", now: datetime, acting_user: Any
) -> ScheduleChange:
    """The council approves a provider's review (applied from its date) or rejects it."""
    change = _decide(change, Status.AWAITING_COUNCIL, now, acting_user)
    if not approved and not reason.strip():
        raise InputError("say why the review is rejected", key="reason")
    change.decision_reason = reason.strip()
    _placed(change.package, "changed")
    if not approved:
        change.status = Status.REJECTED
        audited(change, acting_user).save()
        return change
    return _apply(change, now=now, acting_user=acting_user)


@transaction.atomic
def answer_variation(
    change: ScheduleChange, *, accepted: bool, reason: str = "", now: datetime, acting_user: Any
) -> ScheduleChange:
    """The placed provider accepts more hours, or declines and the package is re-brokered."""
    change = _decide(change, Status.AWAITING_PROVIDER, now, acting_user)
    if not accepted and not reason.strip():
        raise InputError("say why the increase is declined", key="reason")
    change.decision_reason = reason.strip()
    placement = _placed(change.package, "changed")
    if accepted:
        return _apply(change, now=now, acting_user=acting_user)
    return _rebroker(change, placement, now=now, acting_user=acting_user)


def _rebroker(
    change: ScheduleChange, placement: Placement, *, now: datetime, acting_user: Any
) -> ScheduleChange:
    from homecare.brokerage.actions import send_next_round

    old = locked(placement.request_id)
    hours = f"{change.carer_hours_after.normalize():f}"
    move(
        old,
        State.TRANSFERRED,
        at=now,
        acting_user=acting_user,
        reason=f"The provider declined {hours} hours a week from {shown(change.effective_from)}: "
        f"{change.decision_reason}",
    )
    end_placement(old, london_midnight(change.effective_from), acting_user)
    package = Package.objects.get(pk=change.package_id)
    package.status = State.REQUESTED
    audited(package, acting_user).save()
    change.new_request = new_request(package, old.framework, now=now, acting_user=acting_user)
    change.status = Status.DECLINED
    _add_version(change, now=now, acting_user=acting_user)
    _record_decline(change, placement, now=now, acting_user=acting_user)
    send_next_round(change.new_request, now=now, acting_user=acting_user)
    return change


def _record_decline(
    change: ScheduleChange, placement: Placement, *, now: datetime, acting_user: Any
) -> None:
    """The provider's refusal as the new request's first round, answered: the policy then
    offers the package to others first (every policy skips providers already asked)."""
    from homecare.commissioning.models import Appointment, Tier

    request = change.new_request
    tier = placement.offer.tier if placement.offer_id else None  # type: ignore[union-attr]
    if tier is None:
        appointments = Appointment.objects.filter(
            framework_id=request.framework_id, provider_id=placement.provider_id
        )
        tier = appointments.values_list("tier", flat=True).first() or Tier.SPOT
    hours = f"{change.carer_hours_after.normalize():f}"
    offer = Offer(
        request=request,
        provider_id=placement.provider_id,
        round_number=1,
        tier=tier,
        kind="offer",
        sent_at=now,
        deadline=now,
        status=Offer.Status.DECLINED,
        answered_at=now,
        answered_by=acting_user,
        reason=f"Declined {hours} hours a week from {shown(change.effective_from)}: "
        f"{change.decision_reason}",
    )
    audited(offer, acting_user).save()
    request.round_number = 1
    request.save(update_fields=["round_number"])


def _apply(change: ScheduleChange, *, now: datetime, acting_user: Any) -> ScheduleChange:
    change.status = Status.APPLIED
    _add_version(change, now=now, acting_user=acting_user)
    return change


def _initial_version(package: Package, now: datetime) -> ScheduleVersion:
    """The package's schedule before its first change, stored as its first version."""
    span = schedules.spans_of(package)[0]
    version = ScheduleVersion(
        package=package,
        effective_from=package.start_date,
        visits=schedules.visits_to_json(span.visits),
        contact_hours_per_week=span.contact_hours,
        carer_hours_per_week=span.carer_hours,
        created_at=now,
    )
    audited(version, None).save()
    return version


def _add_version(change: ScheduleChange, *, now: datetime, acting_user: Any) -> ScheduleVersion:
    """Close the schedule in force the day before the change and store the change's."""
    package = change.package
    versions = list(package.schedule_versions.order_by("effective_from", "pk"))
    if not versions:
        versions = [_initial_version(package, now)]
    current = next((v for v in reversed(versions) if v.effective_to is None), versions[-1])
    if change.effective_from < current.effective_from:
        raise InputError(
            f"must be on or after {shown(current.effective_from)}", key="effective_from"
        )
    current.effective_to = change.effective_from - timedelta(days=1)
    audited(current, acting_user).save()
    # The hours this change replaces, as they are now (another change may have come first).
    change.carer_hours_before = current.carer_hours_per_week
    audited(change, acting_user).save()
    version = ScheduleVersion(
        package=package,
        effective_from=change.effective_from,
        visits=change.visits,
        contact_hours_per_week=change.contact_hours_after,
        carer_hours_per_week=change.carer_hours_after,
        change=change,
        created_at=now,
        created_by=acting_user,
    )
    audited(version, acting_user).save()
    sync_package_schedule(package, today=as_london(now).date(), acting_user=acting_user)
    return version


def sync_package_schedule(package: Package, *, today: date, acting_user: Any) -> bool:
    """Make the package's visit rows and hours those of its schedule in force ``today`` (the
    newest one when it is waiting for brokerage); True when they changed."""
    package = Package.objects.get(pk=package.pk)
    spans = schedules.spans_of(package)
    waiting = package.status in WAITING_STATES
    span = spans[-1] if waiting else schedules.span_on(package, today)
    wanted = schedules.visits_to_json(span.visits)
    if wanted == schedules.visits_to_json(schedules.visit_rows(package)):
        return False
    package.visits.all().delete()
    save_visit_rows(package, span.visits)
    package.contact_hours_per_week = span.contact_hours
    package.carer_hours_per_week = span.carer_hours
    audited(package, acting_user).save()
    return True


@transaction.atomic
def apply_due_schedules(*, now: datetime, acting_user: Any = None) -> int:
    """Bring every changed package's visit rows and hours to the schedule in force today
    (run daily by ``apply_schedule_changes``); returns how many packages changed."""
    today = as_london(now).date()
    packages = Package.objects.filter(schedule_versions__isnull=False, status__in=LIVE_STATES)
    changed = 0
    for package in packages.distinct().order_by("pk"):
        changed += sync_package_schedule(package, today=today, acting_user=acting_user)
    return changed


# --- suspensions and endings --------------------------------------------------------------


@transaction.atomic
def suspend_package_from(
    package: Package,
    *,
    start_date: date,
    end_date: date,
    reason: str,
    now: datetime,
    acting_user: Any,
) -> Suspension:
    """No visits planned or paid from ``start_date`` to ``end_date`` (both included)."""
    package = _locked_package(package)
    _placed(package, "suspended")
    if not (reason or "").strip():
        raise InputError("must not be blank", key="reason")
    if start_date < package.start_date:
        raise InputError(f"must be on or after {shown(package.start_date)}", key="start_date")
    if end_date < start_date:
        raise InputError("must be the same as or after the start date", key="end_date")
    overlap = package.suspensions.filter(start_date__lte=end_date, end_date__gte=start_date)
    clash = overlap.first()
    if clash is not None:
        raise InputError(
            f"overlaps the suspension from {shown(clash.start_date)} to {shown(clash.end_date)}",
            key="start_date",
        )
    suspension = Suspension(
        package=package,
        start_date=start_date,
        end_date=end_date,
        reason=reason.strip(),
        created_at=now,
        created_by=acting_user,
    )
    audited(suspension, acting_user).save()
    return suspension


@transaction.atomic
def end_package_from(
    package: Package,
    *,
    ends_from: date,
    reason: str,
    note: str = "",
    now: datetime,
    acting_user: Any,
) -> PackageEnding:
    """Care ends from ``ends_from`` (no visits that day or after) for ``reason``; the
    placement ends then and the request ends (or is withdrawn if care never started)."""
    from homecare.brokerage.lifecycle import current_request

    package = _locked_package(package)
    if package.status not in LIVE_STATES or hasattr(package, "ending"):
        raise InputError("this package has already ended", key="package")
    if reason not in PackageEnding.Reason.values:
        raise InputError("choose why the package ends", key="reason")
    placement = live_placement(package)
    earliest = package.start_date
    if placement is not None:
        earliest = max(earliest, as_london(placement.at).date())
    if ends_from < earliest:
        raise InputError(f"must be on or after {shown(earliest)}", key="ends_from")
    ending = PackageEnding(
        package=package,
        ends_from=ends_from,
        reason=reason,
        note=(note or "").strip(),
        created_at=now,
        created_by=acting_user,
    )
    audited(ending, acting_user).save()
    request = locked(current_request(package).pk)
    why = f"{ending.get_reason_display()}: care ends from {shown(ends_from)}"
    if request.state in WAITING_STATES or (
        request.state == State.PLACED and placement and ends_from <= as_london(placement.at).date()
    ):
        move(request, State.WITHDRAWN, at=now, acting_user=acting_user, reason=why)
        withdraw_open_offers(request, acting_user)
    else:
        if request.state == State.PLACED:
            move(request, State.STARTED, at=now, acting_user=acting_user, reason="care had started")
        move(request, State.ENDED, at=now, acting_user=acting_user, reason=why)
    end_placement(request, london_midnight(ends_from), acting_user)
    _close_pending(package, why, now=now, acting_user=acting_user)
    package.refresh_from_db()
    package.end_date = ends_from - timedelta(days=1)
    audited(package, acting_user).save()
    return ending


def _close_pending(package: Package, why: str, *, now: datetime, acting_user: Any) -> None:
    """A change still waiting for an answer when the package ends can no longer apply."""
    waiting = package.schedule_changes.filter(
        status__in=(Status.AWAITING_PROVIDER, Status.AWAITING_COUNCIL)
    )
    for change in waiting:
        change.status = Status.REJECTED
        change.decided_at, change.decided_by = now, acting_user
        change.decision_reason = f"The package ended ({why})"
        audited(change, acting_user).save()
