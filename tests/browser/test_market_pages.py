"""The market's pages in Chromium: a provider applies to an open framework, the commissioner
approves it by keyboard; a day-one import with a bad row and its report; a provider's page
and the exit warning; tender awards made appointments. axe-core checks every page."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from homecare.commissioning.demo import COUNCIL, PROVIDER_B

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / "tests" / "data" / "imports"
TENDER = REPO_ROOT / "homecare" / "commissioning" / "tests" / "data"
DPS = "Open home care DPS (demo)"


def _tab_to_link(page: Any, text: str, limit: int = 200) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if text in page.evaluate("document.activeElement && document.activeElement.innerText"):
            return
    pytest.fail(f"could not reach the link {text!r} with the Tab key")


def _open_framework() -> Any:
    from homecare.accounts.models import Organisation
    from homecare.commissioning import market_actions

    return market_actions.create_framework(
        council=Organisation.objects.get(name=COUNCIL),
        name=DPS,
        policy_kind="open_framework",
        start_date=date(2026, 4, 6),
        open_to_new_providers=True,
        lots=[
            {"code": "OPEN-CN", "name": "Charnwood North", "zones": ["charnwood-north"]},
            {"code": "OPEN-BK", "name": "Back-up", "kind": "back_up"},
        ],
        acting_user=None,
    )


def test_a_provider_applies_and_the_commissioner_approves_by_keyboard(
    visit: Any, browser: Any
) -> None:
    from homecare.commissioning.models import Appointment, FrameworkApplication

    framework = _open_framework()
    page = visit.page
    visit.sign_in("provider-b")
    page.get_by_role("link", name="Frameworks open to new providers", exact=True).click()
    page.wait_for_url("**/open-frameworks/")
    visit.check("market 01 open frameworks")
    page.get_by_role("link", name=f"Apply to {DPS}").click()
    page.wait_for_url(f"**/open-frameworks/{framework.pk}/apply/")
    visit.check("market 02 apply")
    page.click("#send-application")
    page.locator(".govuk-error-summary").wait_for()
    assert "Select at least one lot" in page.inner_text(".govuk-error-summary")
    visit.check("market 03 apply errors")
    page.get_by_label("OPEN-CN: Charnwood North").check()
    page.fill("#hourly_rate", "21.75")
    page.click("#send-application")
    page.wait_for_url("**/open-frameworks/")
    assert "Applied" in page.inner_text("#my-applications")
    application = FrameworkApplication.objects.get(framework=framework)

    boss = visit.in_new_context(browser)
    boss.sign_in("commissioner")
    boss.page.get_by_role("link", name="Frameworks", exact=True).click()
    boss.page.wait_for_url("**/frameworks/")
    boss.check("market 04 frameworks")
    boss.page.get_by_role("link", name=DPS).click()
    boss.page.wait_for_url(f"**/frameworks/{framework.pk}/")
    boss.check("market 05 framework with a pending application")
    _tab_to_link(boss.page, PROVIDER_B)
    boss.page.keyboard.press("Enter")
    boss.page.wait_for_url(f"**/applications/{application.pk}/")
    boss.check("market 06 application")
    boss.tab_to("#approve")
    boss.page.keyboard.press("Enter")  # no note of the checks: refused, named
    boss.page.wait_for_selector(".govuk-error-summary")
    assert "Enter the quality checks you made" in boss.page.inner_text(".govuk-error-summary")
    boss.check("market 07 approve errors")
    boss.tab_to("#approve-checks")
    boss.page.keyboard.type("CQC rating Good seen; insurance certificate checked")
    boss.tab_to("#approve")
    boss.page.keyboard.press("Enter")
    boss.page.wait_for_url(f"**/frameworks/{framework.pk}/")
    assert "is appointed in lot(s) OPEN-CN" in boss.page.inner_text(".govuk-notification-banner")
    assert PROVIDER_B in boss.page.locator("#lot-open-cn ~ div").first.inner_text()
    boss.check("market 08 framework after approval")
    made = Appointment.objects.get(framework=framework)
    assert (made.provider.name, made.tier, str(made.hourly_rate)) == (
        PROVIDER_B,
        "supplementary",
        "21.75",
    )
    boss.page.context.close()


def test_the_commissioner_imports_a_file_with_a_bad_row_and_reads_the_report(visit: Any) -> None:
    from homecare.commissioning.models import Provider

    before = Provider.objects.count()
    page = visit.page
    visit.sign_in("commissioner")
    visit.goto("/import/")
    visit.check("market 09 import")
    page.check("#kind")  # providers, the first kind
    page.set_input_files("#file", str(SAMPLES / "providers_bad.csv"))
    page.click("#import-file")
    page.wait_for_selector("#report")
    assert "Nothing was loaded" in page.inner_text("#report-verdict")
    first = page.locator("#rejected tbody tr").first.inner_text()
    assert first.split("\t")[:2] == ["3", "cqc_location_id"]
    assert page.locator("#rejected tbody tr").count() == 3
    assert page.inner_text("#rows-loaded") == "0"
    visit.check("market 10 import report")
    assert Provider.objects.count() == before


def test_a_providers_page_warns_before_an_exit_and_tender_awards_become_appointments(
    visit: Any,
) -> None:
    from django.contrib.auth import get_user_model

    from homecare.accounts.models import Organisation
    from homecare.commissioning import market_actions
    from homecare.commissioning.actions import record_tender_evaluation
    from homecare.commissioning.models import Provider

    page = visit.page
    visit.sign_in("commissioner")
    visit.goto("/providers/")
    visit.check("market 11 providers")
    # A provider with live packages, whose exit would send them back to the waiting list.
    from homecare.brokerage.models import Placement

    live = Placement.objects.filter(ended_at__isnull=True).order_by("provider__name").first()
    assert live is not None, "the demo has no live packages"
    exiting = live.provider.name
    page.get_by_role("link", name=exiting, exact=True).click()
    page.wait_for_url("**/providers/*/")
    page.wait_for_load_state("load")
    visit.check("market 12 provider")
    page.check("#status-exited")
    page.fill("#reason", "Contract ended")
    page.click("#change-status")
    page.wait_for_selector("#confirm-exit")
    assert "will go back to the waiting list" in page.inner_text("#exit-warning")
    visit.check("market 13 confirm exit")
    page.get_by_role("link", name="Cancel").click()
    council = Organisation.objects.get(name=COUNCIL)
    cancelled = market_actions.standing_of(Provider.objects.get(name=exiting), council)
    assert cancelled.status == "active"  # the council's standing: cancelling changed nothing

    evaluation = record_tender_evaluation(
        council=council,
        bids_content=(TENDER / "bids.csv").read_bytes(),
        bids_file_name="bids.csv",
        rules_text=(TENDER / "rules.toml").read_text(),
        acting_user=get_user_model().objects.get(username="commissioner"),
    )
    target = market_actions.create_framework(
        council=council,
        name="Tendered framework (demo)",
        policy_kind="prime_cascade",
        start_date=date(2026, 4, 6),
        lots=[{"code": code, "name": code} for code in ("North", "South")],
        acting_user=None,
    )
    visit.goto(f"/tenders/{evaluation.pk}/")
    page.select_option("#framework", str(target.pk))
    page.click("#appoint-awards")
    page.wait_for_selector("#appointments-made")
    assert "appointments in place" in page.inner_text("#appoint-summary")
    visit.check("market 14 awards appointed")
    visit.goto(f"/tenders/{evaluation.pk}/appoint/")
    visit.check("market 15 appoint awards form")
