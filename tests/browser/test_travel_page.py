"""Travel and carbon in Chromium: a commissioner starts a calibration of a small synthetic
market by keyboard alone, past an error; the run's page updates itself when the routing is
done (here by a stand-in solver, run by the test as the worker would); the chooser of zone
and provider works by keyboard, as a plain form. axe-core checks every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.rostering.standins import take_turns

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/helpers")


def _shoot(page: Any, name: str) -> None:
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"travel_{name}.png"), full_page=True)


def test_the_commissioner_calibrates_travel_by_keyboard(visit: Any) -> None:
    from homecare.commissioning import travel_actions
    from homecare.commissioning.travel_models import TravelCalibration

    page = visit.page
    visit.sign_in("commissioner")
    page.get_by_role("link", name="Travel and carbon").click()
    page.wait_for_url("**/travel/")
    page.locator("#no-runs").wait_for()
    assert "No calibration yet" in page.locator("#no-runs").inner_text()
    visit.check("travel and carbon, none yet")
    _shoot(page, "start")

    visit.type_into("#people", "0")
    visit.tab_to("#start-calibration")
    page.keyboard.press("Enter")
    page.locator(".govuk-error-summary").wait_for()
    assert "People must be a whole number" in page.locator(".govuk-error-summary").inner_text()
    visit.check("travel and carbon with an error")

    # The error summary links to the field; fix it and start.
    page.locator(".govuk-error-summary a").first.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "people"
    page.keyboard.press("Control+A")
    page.keyboard.type("30")
    visit.tab_to("#start-calibration")
    page.keyboard.press("Enter")
    page.wait_for_url("**/travel/*/")
    assert "Waiting to start" in page.locator("#run-status").inner_text()
    visit.check("travel calibration waiting")
    _shoot(page, "waiting")

    # The worker's part, done here with the stand-in solver; the page picks it up by itself.
    run = TravelCalibration.objects.get()
    assert run.people == 30
    travel_actions.run_travel_calibration(run.pk, solve=take_turns)
    page.locator("#bands").wait_for(timeout=30_000)
    assert "Finished" in page.locator("#run-status").inner_text()
    page.reload()  # audit the page as served, not as swapped in
    assert page.locator("#rounds-map ~ figure svg path.round").count() >= 1
    visit.check("travel calibration finished")
    _shoot(page, "finished")

    # Choose other rounds by keyboard: the select, then its button (a plain GET form).
    visit.tab_to("#rounds")
    first = page.locator("#rounds").input_value()
    last = (
        page.evaluate("document.activeElement.selectedIndex")
        == page.locator("#rounds option").count() - 1
    )
    page.keyboard.press("ArrowUp" if last else "ArrowDown")
    chosen = page.locator("#rounds").input_value()
    assert chosen != first
    visit.tab_to("#zone-chooser button")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/travel/{run.pk}/?rounds={chosen}#rounds-map")
    assert page.locator("#rounds").input_value() == chosen
    run.refresh_from_db()
    rounds = len(run.maps[int(chosen)]["paths"])
    assert page.locator("#rounds-map ~ figure svg path.round").count() == rounds
    visit.check("travel calibration, other rounds")
    _shoot(page, "other_rounds")


def test_a_calibration_in_progress_shows_its_progress(visit: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from homecare.accounts import access
    from homecare.commissioning.travel_models import TravelCalibration

    commissioner = get_user_model().objects.get(username="commissioner")
    run = TravelCalibration.objects.create(
        council=access.council_for_commissioner(commissioner),
        source="demo",
        people=1667,
        seconds_per_visit=0.01,
        seed=2021,
        status=TravelCalibration.Status.RUNNING,
        progress_done=30,
        progress_total=120,
        created_at=timezone.now(),
    )
    visit.sign_in("commissioner")
    visit.goto(f"/travel/{run.pk}/")
    status = visit.page.locator("#run-status").inner_text()
    assert "30 of 120 days of rounds planned (25%)" in status
    assert visit.page.get_by_role("link", name="Refresh the progress").count() == 1
    visit.check("travel calibration in progress")
    _shoot(visit.page, "running")
