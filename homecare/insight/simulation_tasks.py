"""Background work: running a market simulation (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_simulation_task(run_id: int) -> str:
    """Simulate one queued run; returns its final status."""
    from homecare.insight.simulation_actions import run_simulation

    return run_simulation(run_id).status
