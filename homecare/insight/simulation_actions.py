"""Every write of a simulation run: starting one, and the background task's progress.

``start_simulation`` builds the scenario from the live market, checks it (an error names the
part at fault), saves the run and queues the task; ``run_simulation`` is what the task does:
it simulates every model and replication, saving progress after each, then the results and
the committee report. Progress is written with ``update()`` outside any long transaction so
that the run's page sees it while the task works.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from carecore.errors import InputError
from carecore.market import Comparison, ReplicationResult, Scenario, load_scenario, summarise
from carecore.units import as_london
from homecare.accounts.models import Organisation, audited, update_now
from homecare.insight.scenarios import live_scenario
from homecare.insight.simulation_models import SimulationRun

MAX_REPLICATIONS = 100
_DECIMALS = {"delivered_carer_hours", "cost_per_hour"}
_FIELDS = {f.name for f in fields(ReplicationResult)}


@transaction.atomic
def start_simulation(
    *,
    council: Organisation,
    models: Sequence[str],
    replications: int,
    horizon_weeks: int,
    seed: int,
    now: datetime,
    acting_user: Any,
) -> SimulationRun:
    """Set up a comparison of ``models`` on the council's live market and queue it.

    Raises ``ValidationError`` keyed by the form field at fault (or ``__all__`` for a
    scenario the live market cannot make, naming its part).
    """
    if council.kind != Organisation.Kind.COUNCIL:
        raise ValidationError({"council": f"{council} is not a council"})
    if not models:
        raise ValidationError({"models": "Choose at least one delivery model"})
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise ValidationError(
            {"replications": f"Replications must be from 1 to {MAX_REPLICATIONS}"}
        )
    live = live_scenario(council, now=now, horizon_weeks=horizon_weeks, seed=seed)
    try:
        scenario = live.build()
        for name in models:
            scenario.model(name)
    except InputError as exc:
        field = "models" if exc.key == "model" else "__all__"
        raise ValidationError({field: f"The scenario cannot be built: {exc}"}) from None
    run = SimulationRun(
        council=council,
        delivery_models=list(models),
        replications=replications,
        horizon_weeks=horizon_weeks,
        seed=seed,
        parameters=live.mapping,
        sources=[{"part": s.part, "origin": s.origin, "detail": s.detail} for s in live.sources],
        progress_total=len(models) * replications,
        created_by=acting_user,
        created_at=now,
    )
    audited(run, acting_user).save()
    from homecare.insight.simulation_tasks import run_simulation_task

    transaction.on_commit(lambda: run_simulation_task.enqueue(run.pk))
    return run


def run_simulation(run_id: int, *, now: datetime | None = None) -> SimulationRun:
    """Simulate a queued run (the background task; the system acts). Progress is saved after
    each replication; any failure is recorded on the run, never lost."""
    run = SimulationRun.objects.get(pk=run_id)
    if run.status != SimulationRun.Status.QUEUED:
        return run
    update_now(run, status=SimulationRun.Status.RUNNING, started_at=now or timezone.now())
    results: list[ReplicationResult] = []
    try:
        scenario = scenario_of(run)

        def saved(result: ReplicationResult) -> None:
            results.append(result)
            update_now(run, progress_done=len(results))

        from carecore.market import compare

        comparison = compare(
            scenario, run.delivery_models, run.replications, run.seed, on_result=saved
        )
        report = report_body(run, comparison, scenario)
    except Exception as exc:  # the run page must say what went wrong, whatever it was
        detail = traceback.format_exception_only(exc)[-1].strip()
        _finish(run, SimulationRun.Status.FAILED, now, error=detail)
        return run
    _finish(
        run,
        SimulationRun.Status.DONE,
        now,
        results=[r.to_dict() for r in comparison.results],
        report_html=report,
    )
    return run


def _finish(run: SimulationRun, status: str, now: datetime | None, **values: Any) -> None:
    run.refresh_from_db()
    for name, value in values.items():
        setattr(run, name, value)
    run.status = status
    run.finished_at = now or timezone.now()
    audited(run, None).save()


def scenario_of(run: SimulationRun) -> Scenario:
    """The scenario a run simulated, rebuilt from its stored mapping."""
    return load_scenario(run.parameters)


def comparison_of(run: SimulationRun) -> Comparison:
    """A finished run's comparison, rebuilt from its stored replications (the summaries are
    worked out again by the engine, so they match what the task saw)."""
    rows = [_result(row) for row in run.results]
    summaries = tuple(summarise(r for r in rows if r.model == name) for name in run.delivery_models)
    name = rows[0].scenario if rows else ""
    return Comparison(name, run.seed, run.replications, summaries, tuple(rows))


def _result(row: dict[str, Any]) -> ReplicationResult:
    values = {k: v for k, v in row.items() if k in _FIELDS}
    for name in _DECIMALS:
        if values.get(name) is not None:
            values[name] = Decimal(values[name])
    return ReplicationResult(**values)


def report_notes(run: SimulationRun) -> list[str]:
    """Background paragraphs saying which parts came from the live market."""
    live = [s["part"].lower() for s in run.sources if s["origin"] == "live market"]
    default = [s["part"].lower() for s in run.sources if s["origin"] != "live market"]
    notes = []
    if live:
        day = as_london(run.created_at)
        notes.append(f"From the council's live market on {day.day} {day:%B %Y}: {'; '.join(live)}.")
    if default:
        notes.append(f"From the platform's default scenario: {'; '.join(default)}.")
    # Rates not the council's own change every cost figure: say why, in the source's words.
    notes += [
        s["detail"]
        for s in run.sources
        if s["part"] == "Band rates" and s["origin"] != "live market"
    ]
    return notes


def report_body(run: SimulationRun, comparison: Comparison, scenario: Scenario) -> str:
    from carecore.reports.committee import committee_report_body

    return committee_report_body(
        comparison, scenario, background_notes=report_notes(run), top_heading=2
    )
