"""Background work: routing a week of carers' rounds for a travel calibration (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_travel_calibration_task(run_id: int) -> str:
    """Route one queued travel calibration; returns its final status."""
    from homecare.commissioning.travel_actions import run_travel_calibration

    return run_travel_calibration(run_id).status
