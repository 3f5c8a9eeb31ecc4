"""A broker finds a person's package from the waiting list and changes its schedule by
keyboard alone, on a phone: the search, the package page and the change form fit 390 pixels
and pass axe-core; the new schedule is kept beside the old one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_a_broker_finds_a_package_and_cuts_its_schedule_by_keyboard_on_a_phone(
    visit: Any,
) -> None:
    from django.utils import timezone

    from homecare.brokerage.models import Placement
    from homecare.brokerage.package_models import ScheduleVersion
    from homecare.commissioning.demo import COUNCIL

    placement = (
        Placement.objects.filter(  # the broker's own council's (the demo has two)
            ended_at__isnull=True, request__framework__council__name=COUNCIL
        )
        .select_related("package__person")
        .first()
    )
    assert placement is not None, "the demo has no live packages"
    package = placement.package
    page = visit.page
    page.set_viewport_size({"width": 390, "height": 844})
    visit.sign_in("broker")
    visit.goto("/brokerage/")
    visit.type_into("#reference", package.person.reference)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/brokerage/packages/{package.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    visit.check("package found by reference on a phone")

    visit.tab_to("a[href$='/change/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/brokerage/packages/{package.pk}/change/")
    starts = timezone.localdate() + timedelta(days=7)
    visit.type_into("#effective_from_day", str(starts.day))
    visit.type_into("#effective_from_month", str(starts.month))
    visit.type_into("#effective_from_year", str(starts.year))
    visit.type_into("#schedule", "Mon-Fri 09:00 30m")
    visit.type_into("#reason", "Needs less help after the review")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    visit.check("change the schedule on a phone")
    visit.tab_to("form[method=post] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/brokerage/packages/{package.pk}/")
    assert "Needs less help after the review" in page.inner_text("main")
    versions = ScheduleVersion.objects.filter(package=package).order_by("effective_from")
    assert versions.count() >= 2
    assert versions.last().effective_from == starts
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    visit.check("package after a change on a phone")
