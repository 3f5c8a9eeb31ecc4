"""Market simulations in Chromium: a commissioner sets up a small simulation of the demo's
live market by keyboard alone, past an error, runs it and reads the committee report; a run
still in progress shows its progress. axe-core checks every page."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_the_commissioner_runs_a_small_simulation_by_keyboard(visit: Any, settings: Any) -> None:
    from homecare.insight.models import SimulationRun

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    page = visit.page
    visit.sign_in("commissioner")
    page.get_by_role("link", name="Simulations").click()
    page.wait_for_url("**/insight/simulations/")
    page.locator("#no-runs").wait_for()
    visit.check("market simulations, none yet")

    page.get_by_role("button", name="Set up a simulation").click()
    page.wait_for_url("**/insight/simulations/new/")
    assert page.locator('#sources [data-origin="live market"]').count() >= 3
    visit.check("set up a market simulation")

    # Keep only two models (Space toggles a checkbox), then ask for too many replications.
    for model in ("lead-block", "dps"):
        visit.tab_to(f'input[value="{model}"]')
        page.keyboard.press("Space")
    visit.type_into("#replications", "500")
    visit.type_into("#horizon_weeks", "2")
    visit.type_into("#seed", "4")
    visit.tab_to("button.govuk-button")
    page.keyboard.press("Enter")
    page.locator(".govuk-error-summary").wait_for()
    assert "from 1 to 100" in page.locator(".govuk-error-summary").inner_text()
    visit.check("set up a market simulation with an error")

    # The error summary links to the field; fix it and run.
    page.locator(".govuk-error-summary a").first.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "replications"
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    visit.tab_to("button.govuk-button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/insight/simulations/*/", timeout=120_000)
    page.locator("#committee-report").wait_for()
    run = SimulationRun.objects.get()
    assert run.status == "done" and run.delivery_models == ["prime", "open"]
    assert page.locator("#committee-report svg[role=img]").count() == 4
    assert "Finished" in page.locator("#run-status").inner_text()
    visit.check("market simulation report")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the committee report (PDF)").click()
    with open(download.value.path(), "rb") as saved:
        assert saved.read(4) == b"%PDF"


def test_a_run_in_progress_shows_its_progress(visit: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from homecare.accounts import access
    from homecare.insight import access as insight_access
    from homecare.insight.models import SimulationRun

    commissioner = get_user_model().objects.get(username="commissioner")
    council = insight_access.simulation_council_for(access.scope_of_user(commissioner))
    run = SimulationRun.objects.create(
        council=council,
        delivery_models=["prime", "open"],
        replications=4,
        horizon_weeks=52,
        seed=1,
        status=SimulationRun.Status.RUNNING,
        progress_done=3,
        progress_total=8,
        created_at=timezone.now(),
    )
    visit.sign_in("commissioner")
    visit.goto(f"/insight/simulations/{run.pk}/")
    assert "3 of 8 runs done (37%)" in visit.page.locator("#run-status").inner_text()
    assert visit.page.get_by_role("link", name="Refresh the progress").count() == 1
    visit.check("market simulation in progress")
