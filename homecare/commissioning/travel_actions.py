"""Every write of a travel calibration: starting one, and the background task's work.

``start_travel_calibration`` checks the choices, saves the run and queues the task;
``run_travel_calibration`` is what the task does: it builds the week of visits (a synthetic
market at full scale, or the council's placed packages), routes every provider's visits in
every zone on every day with the engine (:func:`carecore.rostering.calibrate.calibrate`),
saving progress after each day's problem, then keeps the engine's report and one day's
rounds for the map. Progress is written with ``update()`` outside any long transaction so the
run's page sees it while the task works; any failure is recorded on the run, never lost.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from carecore.rostering.calibrate import DayRounds, RoundPath, Solver
from carecore.rostering.homes import HomeVisit
from carecore.units import as_london
from homecare.accounts.models import Organisation, audited, update_now
from homecare.commissioning.travel_data import live_package_count, live_week
from homecare.commissioning.travel_models import TravelCalibration

MAX_PEOPLE = 5000
MIN_SECONDS_PER_VISIT = 0.001
MAX_SECONDS_PER_VISIT = 1.0
MAX_SEED = 2**32 - 1
DEFAULT_SEED = 2021


@transaction.atomic
def start_travel_calibration(
    council: Organisation,
    *,
    source: str,
    people: int | None,
    seconds_per_visit: float,
    acting_user: Any,
    now: datetime,
    seed: int = DEFAULT_SEED,
) -> TravelCalibration:
    """Save a calibration of ``council``'s travel and queue it for the background worker.

    ``source`` is ``"demo"`` (``people`` synthetic people) or ``"live"`` (the placed packages;
    ``people`` is ignored). Raises ``ValidationError`` keyed by the form field at fault.
    """
    if council.kind != Organisation.Kind.COUNCIL:
        raise ValidationError({"__all__": f"{council} is not a council"})
    if source not in TravelCalibration.Source.values:
        raise ValidationError({"source": "Choose which market to route"})
    if source == TravelCalibration.Source.DEMO:
        if people is None or not 1 <= people <= MAX_PEOPLE:
            raise ValidationError(
                {"people": f"People must be a whole number from 1 to {MAX_PEOPLE:,}"}
            )
    else:
        people = None
        if not live_package_count(council):
            raise ValidationError(
                {"source": "No packages are placed with providers yet: route the synthetic market"}
            )
    if not MIN_SECONDS_PER_VISIT <= seconds_per_visit <= MAX_SECONDS_PER_VISIT:
        raise ValidationError(
            {
                "seconds_per_visit": "Solver time per visit must be from "
                f"{MIN_SECONDS_PER_VISIT} to {MAX_SECONDS_PER_VISIT:g} seconds"
            }
        )
    if not 0 <= seed <= MAX_SEED:
        raise ValidationError({"seed": f"Seed must be a whole number from 0 to {MAX_SEED:,}"})
    run = TravelCalibration(
        council=council,
        source=source,
        people=people,
        seconds_per_visit=seconds_per_visit,
        seed=seed,
        created_by=acting_user,
        created_at=now,
    )
    audited(run, acting_user).save()
    from homecare.commissioning.travel_tasks import run_travel_calibration_task

    transaction.on_commit(lambda: run_travel_calibration_task.enqueue(run.pk))
    return run


def week_of(run: TravelCalibration) -> tuple[HomeVisit, ...]:
    """The visits a run routes: a synthetic market, or the council's placed packages."""
    if run.source == TravelCalibration.Source.LIVE:
        return live_week(run.council)
    from carecore.geography import default_geography
    from carecore.market.loading import default_scenario
    from carecore.rostering.homes import synthetic_week

    return synthetic_week(
        default_scenario(), default_geography(), people=run.people or 1, seed=run.seed
    )


def council_rates(council: Organisation, day: date) -> tuple[str, dict[str, Decimal] | None]:
    """The council's rate card in force on ``day`` (else its latest period), as a label and
    its pounds per contact hour by band code; ``("", None)`` when the council has no card."""
    from homecare.commissioning.models import RatePeriod

    periods = RatePeriod.objects.filter(card__council=council).select_related("card")
    current = (
        periods.filter(effective_from__lte=day)
        .exclude(effective_to__lt=day)
        .order_by("-effective_from", "-pk")
        .first()
    ) or periods.order_by("-effective_from", "-pk").first()
    if current is None:
        return "", None
    rates = {rate.band: rate.hourly_rate for rate in current.rates.all()}
    ends = f" to {current.effective_to:%-d %B %Y}" if current.effective_to else ""
    label = f"{current.card.label}, from {current.effective_from:%-d %B %Y}{ends}"
    return label, rates or None


def run_travel_calibration(
    run_id: int, *, solve: Solver | None = None, now: datetime | None = None
) -> TravelCalibration:
    """Route a queued run (the background task; the system acts). ``solve`` replaces the
    platform's solver (tests). Progress is saved after each day's routing problem."""
    run = TravelCalibration.objects.select_related("council").get(pk=run_id)
    if run.status != TravelCalibration.Status.QUEUED:
        return run
    update_now(run, status=TravelCalibration.Status.RUNNING, started_at=now or timezone.now())
    try:
        from carecore.rostering.calibrate import calibrate
        from carecore.rostering.travel import travel_source_from
        from carecore.rostering.travel_report import DEFAULT_CARD, build_travel_report

        visits = week_of(run)
        problems = len({(v.provider, v.zone, v.day) for v in visits})
        update_now(run, progress_done=0, progress_total=problems)
        calibration = calibrate(
            visits,
            travel=travel_source_from(None),
            solve=solve,
            seconds_per_visit=run.seconds_per_visit,
            seed=run.seed,
            progress=lambda done, total: update_now(run, progress_done=done, progress_total=total),
        )
        label, rates = council_rates(run.council, as_london(now or timezone.now()).date())
        if rates is None:  # the engine then prices against its own default card
            label = f"{DEFAULT_CARD}, the platform's default: the council has no rate card"
        report = build_travel_report(calibration, rate_card=rates)
    except Exception as exc:  # the run page must say what went wrong, whatever it was
        detail = traceback.format_exception_only(exc)[-1].strip()
        _finish(run, TravelCalibration.Status.FAILED, now, error=detail)
        return run
    _finish(
        run,
        TravelCalibration.Status.DONE,
        now,
        report=report,
        maps=[asdict(day) for day in calibration.maps],
        rate_card=label,
    )
    return run


def _finish(run: TravelCalibration, status: str, now: datetime | None, **values: Any) -> None:
    run.refresh_from_db()
    for name, value in values.items():
        setattr(run, name, value)
    run.status = status
    run.finished_at = now or timezone.now()
    audited(run, None).save()


def map_rounds(run: TravelCalibration) -> tuple[DayRounds, ...]:
    """The map day's rounds a finished run kept, as the engine's objects again."""
    return tuple(_day_rounds(row) for row in run.maps)


def _day_rounds(row: Mapping[str, Any]) -> DayRounds:
    def point(value: Any) -> tuple[float, float]:
        return (float(value[0]), float(value[1]))

    return DayRounds(
        provider=str(row["provider"]),
        zone=str(row["zone"]),
        day=int(row["day"]),
        paths=tuple(
            RoundPath(
                carer=str(path["carer"]),
                home=point(path["home"]),
                stops=tuple(point(stop) for stop in path["stops"]),
            )
            for path in row["paths"]
        ),
        late_visits=int(row["late_visits"]),
    )
