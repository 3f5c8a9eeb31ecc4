"""The market's pages: frameworks, providers (status and quality), applications to an open
framework, tender awards made appointments and the day-one import, through the pages, for
every persona; form errors name the field and nothing is half-saved."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from homecare.accounts import actions as accounts
from homecare.accounts.models import Organisation
from homecare.brokerage import actions
from homecare.brokerage.imports import COLUMNS, KINDS
from homecare.brokerage.models import BrokerageRequest
from homecare.brokerage.testing import NOW, ZONE, make_market, make_request
from homecare.commissioning import market_actions
from homecare.commissioning.actions import record_tender_evaluation
from homecare.commissioning.market_forms import IMPORT_KINDS
from homecare.commissioning.models import (
    Appointment,
    Framework,
    FrameworkApplication,
    Provider,
)

pytestmark = pytest.mark.django_db
TENDER = Path(__file__).parent / "data"
SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "data" / "imports"
PERSONAS = ("commissioner", "broker", "provider_a_user", "provider_b_user", "outsider")


@pytest.fixture
def framework(geography: Any, council: Any) -> Framework:
    return make_market(council)


@pytest.fixture
def market_providers(provider_a: Any, provider_b: Any) -> dict[str, Provider]:
    """Provider rows for the two provider personas' organisations."""
    return {
        "a": market_actions.create_provider(
            provider_a.name, cqc_location_id="1-555", cqc_rating="good", acting_user=None
        ),
        "b": market_actions.create_provider(provider_b.name, acting_user=None),
    }


@pytest.fixture
def open_framework(geography: Any, council: Any) -> Framework:
    return market_actions.create_framework(
        council=council,
        name="Open DPS (test)",
        policy_kind="open_framework",
        start_date=date(2026, 4, 6),
        open_to_new_providers=True,
        lots=[
            {"code": "WL", "name": "West Leicester", "zones": [ZONE]},
            {"code": "BK", "name": "Back-up", "kind": "back_up"},
        ],
        acting_user=None,
    )


@pytest.fixture
def application(open_framework: Framework, market_providers: dict[str, Provider]) -> Any:
    return market_actions.apply_to_framework(
        framework=open_framework,
        provider=market_providers["a"],
        lots=list(open_framework.lots.all()),
        hourly_rate=Decimal("21.50"),
        at=NOW,
        acting_user=None,
    )


@pytest.fixture
def evaluation(council: Any, commissioner: Any) -> Any:
    return record_tender_evaluation(
        council=council,
        bids_content=(TENDER / "bids.csv").read_bytes(),
        bids_file_name="bids.csv",
        rules_text=(TENDER / "rules.toml").read_text(),
        acting_user=commissioner,
    )


def _status(client: Any, user: Any, url: str, method: str = "get", **data: Any) -> int:
    client.force_login(user)
    return int(getattr(client, method)(url, data).status_code)


def test_council_pages_are_for_commissioners_and_brokers_only(
    client: Any, personas: dict[str, Any], framework: Framework, application: Any
) -> None:
    provider = Provider.objects.get(name="Prime 1 (test)")
    urls = [
        "/frameworks/",
        f"/frameworks/{framework.pk}/",
        "/providers/",
        f"/providers/{provider.pk}/",
        f"/applications/{application.pk}/",
    ]
    for url in urls:
        got = {name: _status(client, personas[name], url) for name in PERSONAS}
        assert got == {
            "commissioner": 200,
            "broker": 200,
            "provider_a_user": 403,
            "provider_b_user": 403,
            "outsider": 403,
        }, url
    client.logout()
    assert client.get("/frameworks/").status_code == 302  # anonymous: sent to sign in


def test_only_commissioners_import_appoint_awards_and_change_the_market(
    client: Any, personas: dict[str, Any], framework: Framework, application: Any, evaluation: Any
) -> None:
    provider = Provider.objects.get(name="Prime 1 (test)")
    for url in ("/import/", "/import/providers-template.csv", f"/tenders/{evaluation.pk}/appoint/"):
        got = {name: _status(client, personas[name], url) for name in PERSONAS}
        assert got["commissioner"] == 200, url
        assert {got[name] for name in PERSONAS[1:]} == {403}, url
    posts = [
        (f"/providers/{provider.pk}/status/", {"status": "suspended", "reason": "x"}),
        (f"/providers/{provider.pk}/quality/", {"quality_score": "10"}),
        (
            f"/applications/{application.pk}/approve/",
            {"approve-tier": "spot", "approve-checks": "x"},
        ),
        (f"/applications/{application.pk}/reject/", {"reject-reason": "x"}),
    ]
    for url, data in posts:
        for name in PERSONAS[1:]:
            assert _status(client, personas[name], url, "post", **data) == 403, (url, name)
    standing = provider.standings.get()
    application.refresh_from_db()
    assert (standing.status, standing.quality_score) == ("active", Decimal("89"))
    assert application.status == "applied"


def test_another_councils_framework_and_application_are_not_found(
    client: Any, commissioner: Any, application: Any
) -> None:
    other = accounts.create_organisation(
        "Elsewhere Council (test)", kind=Organisation.Kind.COUNCIL, acting_user=None
    )
    theirs = make_market(other, name="Their framework", primes=0, supplementary=0)
    client.force_login(commissioner)
    assert client.get(f"/frameworks/{theirs.pk}/").status_code == 404
    assert "Their framework" not in client.get("/frameworks/").content.decode()
    application.framework.council = other
    application.framework.save()
    assert client.get(f"/applications/{application.pk}/").status_code == 404
    response = client.post(f"/applications/{application.pk}/reject/", {"reject-reason": "no"})
    assert response.status_code == 404


def test_the_frameworks_pages_show_lots_appointments_and_pending_applications(
    client: Any, commissioner: Any, framework: Framework, application: Any
) -> None:
    client.force_login(commissioner)
    listing = client.get("/frameworks/").content.decode()
    assert "Test framework" in listing and "Open DPS (test)" in listing
    page = client.get(f"/frameworks/{framework.pk}/").content.decode()
    assert "Lot: West Leicester" in page
    assert page.index("Prime 1 (test)") < page.index("Prime 2 (test)")
    assert "Prime / lead" in page and "£20.00" in page
    dps = client.get(f"/frameworks/{application.framework_id}/").content.decode()
    pending = dps.split('id="pending"', 1)[1].split("</table>", 1)[0]
    assert (
        "Alderbank Care (test)" in pending
        and "Back-up, West Leicester" in pending
        and "£21.50" in pending
    )


def test_a_status_change_needs_a_reason_and_an_unknown_status_is_refused(
    client: Any, commissioner: Any, framework: Framework
) -> None:
    provider = Provider.objects.get(name="Prime 1 (test)")
    client.force_login(commissioner)
    url = f"/providers/{provider.pk}/status/"
    page = client.post(url, {"status": "suspended", "reason": " "}).content.decode()
    assert '<a href="#reason">Enter the reason for the change</a>' in page
    page = client.post(url, {"status": "retired", "reason": "gone"}).content.decode()
    assert '<a href="#status">Select a status</a>' in page
    standing = provider.standings.get()  # the council's: the only council here
    assert standing.status == "active" and standing.status_reason == ""
    response = client.post(url, {"status": "suspended", "reason": "CQC inspection pending"})
    assert response.status_code == 302
    standing.refresh_from_db()
    assert (standing.status, standing.status_reason) == ("suspended", "CQC inspection pending")


def test_an_exit_warns_how_many_packages_move_then_re_brokers_them(
    client: Any, commissioner: Any, framework: Framework
) -> None:
    provider = Provider.objects.get(name="Prime 1 (test)")
    for ref in ("P-1", "P-2"):
        request = make_request(framework, person_ref=ref)
        actions.place_manually(request, provider, reason="test", now=NOW, acting_user=None)
    client.force_login(commissioner)
    url = f"/providers/{provider.pk}/status/"
    confirm = client.post(url, {"status": "exited", "reason": "contract ended"}).content.decode()
    assert "Its 2 live packages will go back to the waiting list" in confirm
    assert "govuk-warning-text" in confirm
    assert provider.standings.get().status == "active"  # nothing happens before confirming
    response = client.post(
        url, {"status": "exited", "reason": "contract ended", "confirmed": "True"}
    )
    assert response.status_code == 302
    assert provider.standings.get().status == "exited"
    assert not provider.appointments.filter(active=True).exists()
    states = sorted(BrokerageRequest.objects.values_list("state", flat=True))
    assert states == ["requested", "requested", "transferred", "transferred"]
    page = client.get(f"/providers/{provider.pk}/").content.decode()
    assert "2 package(s) went back to the waiting list" in page


def test_the_quality_score_is_0_to_100_and_set_through_the_page(
    client: Any, commissioner: Any, framework: Framework
) -> None:
    provider = Provider.objects.get(name="Prime 1 (test)")
    client.force_login(commissioner)
    url = f"/providers/{provider.pk}/quality/"
    for typed, message in (
        ("101", "Quality score must be between 0 and 100"),
        ("ninety", "Quality score must be a number, like 72.5"),
        ("", "Enter the quality score"),
    ):
        page = client.post(url, {"quality_score": typed}).content.decode()
        assert f'<a href="#quality_score">{message}</a>' in page, typed
    standing = provider.standings.get()  # the council's: the only council here
    assert standing.quality_score == Decimal("89")
    assert client.post(url, {"quality_score": "72.5"}).status_code == 302
    standing.refresh_from_db()
    assert standing.quality_score == Decimal("72.50")
    assert standing.history.first().history_user == commissioner


def test_a_provider_sees_open_frameworks_and_only_its_own_applications(
    client: Any, provider_a_user: Any, provider_b_user: Any, application: Any, framework: Any
) -> None:
    client.force_login(provider_b_user)
    page = client.get("/open-frameworks/").content.decode()
    assert "Open DPS (test)" in page and "Test framework" not in page  # closed: not listed
    assert "You have not applied to any framework" in page
    client.force_login(provider_a_user)
    page = client.get("/open-frameworks/").content.decode()
    mine = page.split('id="my-applications"', 1)[1]
    assert "Open DPS (test)" in mine and "Applied" in mine
    assert client.get(f"/open-frameworks/{framework.pk}/apply/").status_code == 404


def test_an_application_needs_lots_and_a_rate_and_is_saved_whole(
    client: Any, provider_b_user: Any, open_framework: Framework, market_providers: Any
) -> None:
    client.force_login(provider_b_user)
    url = f"/open-frameworks/{open_framework.pk}/apply/"
    page = client.post(url, {"hourly_rate": "0"}).content.decode()
    assert '<a href="#lots">Select at least one lot</a>' in page
    assert '<a href="#hourly_rate">Your hourly rate must be more than £0</a>' in page
    assert not FrameworkApplication.objects.exists()
    lot = open_framework.lots.get(code="WL")
    assert client.post(url, {"lots": [lot.pk], "hourly_rate": "£22.10"}).status_code == 302
    saved = FrameworkApplication.objects.get()
    assert saved.provider == market_providers["b"] and saved.hourly_rate == Decimal("22.10")
    assert [x.code for x in saved.lots.all()] == ["WL"]
    again = client.post(url, {"lots": [lot.pk], "hourly_rate": "22.10"}).content.decode()
    assert "You have already applied to this framework" in again
    assert FrameworkApplication.objects.count() == 1


def test_approval_needs_a_note_of_the_checks_and_appoints_at_the_back_of_each_lot(
    client: Any, commissioner: Any, application: Any
) -> None:
    client.force_login(commissioner)
    url = f"/applications/{application.pk}/approve/"
    page = client.post(url, {"approve-tier": "supplementary", "approve-checks": ""}).content
    assert b'<a href="#approve-checks">Enter the quality checks you made</a>' in page
    application.refresh_from_db()
    assert application.status == "applied" and not Appointment.objects.exists()
    data = {"approve-tier": "back_up", "approve-checks": "CQC rating Good seen"}
    assert client.post(url, data).status_code == 302
    application.refresh_from_db()
    assert (application.status, application.reason) == ("approved", "CQC rating Good seen")
    assert application.decided_by == commissioner
    made = Appointment.objects.filter(provider=application.provider)
    assert sorted((a.lot.code, a.tier, a.rank, a.hourly_rate) for a in made) == [
        ("BK", "back_up", 1, Decimal("21.50")),
        ("WL", "back_up", 1, Decimal("21.50")),
    ]
    second = client.post(url, data).content.decode()  # already decided: said, not a crash
    assert "this application is already approved" in second


def test_a_rejection_needs_a_reason(client: Any, commissioner: Any, application: Any) -> None:
    client.force_login(commissioner)
    url = f"/applications/{application.pk}/reject/"
    page = client.post(url, {"reject-reason": ""}).content.decode()
    assert '<a href="#reject-reason">Enter the reason for rejecting the application</a>' in page
    assert client.post(url, {"reject-reason": "No CQC registration"}).status_code == 302
    application.refresh_from_db()
    assert (application.status, application.reason) == ("rejected", "No CQC registration")


def test_tender_awards_become_appointments_from_the_tender_page(
    client: Any, commissioner: Any, council: Any, evaluation: Any, geography: Any
) -> None:
    awards = evaluation.result["awards"]
    lacking = market_actions.create_framework(
        council=council, name="No lots", policy_kind="prime_cascade",
        start_date=date(2026, 4, 1), acting_user=None,
    )  # fmt: skip
    target = market_actions.create_framework(
        council=council,
        name="From tender",
        policy_kind="prime_cascade",
        start_date=date(2026, 4, 1),
        lots=[{"code": code, "name": code} for code in {a["lot"] for a in awards}],
        acting_user=None,
    )
    client.force_login(commissioner)
    tender_page = client.get(f"/tenders/{evaluation.pk}/").content.decode()
    assert f'action="/tenders/{evaluation.pk}/appoint/"' in tender_page
    assert "Appoint the awarded providers to a framework" in tender_page
    url = f"/tenders/{evaluation.pk}/appoint/"
    page = client.post(url, {"framework": lacking.pk}).content.decode()
    assert '<a href="#framework">the framework has no lot' in page
    assert not Appointment.objects.exists()
    page = client.post(url, {"framework": target.pk}).content.decode()
    assert f"{len(awards)} appointments in place" in page
    assert Appointment.objects.filter(framework=target).count() == len(awards)
    for award in awards:
        assert award["bidder"] in page


def _upload(
    kind: str, name: str, mode: str = "all", content: bytes | None = None
) -> dict[str, Any]:
    data = content if content is not None else (SAMPLES / name).read_bytes()
    return {"kind": kind, "mode": mode, "file": SimpleUploadedFile(name, data)}


def _rejected_rows(page: str) -> list[tuple[str, str]]:
    """(row, column) of each line of the rejected rows table."""
    table = page.split('id="rejected"', 1)[1].split("</table>", 1)[0]
    return re.findall(
        r'scope="row"[^>]*>(\d+)</th>\s*<td class="govuk-table__cell">([^<]+)<', table
    )


def test_an_all_or_nothing_import_with_a_bad_row_reports_it_and_writes_nothing(
    client: Any, commissioner: Any
) -> None:
    client.force_login(commissioner)
    page = client.post("/import/", _upload("providers", "providers_bad.csv")).content.decode()
    assert "Nothing was loaded: 3 of 4 rows are wrong" in page
    assert _rejected_rows(page) == [
        ("3", "cqc_location_id"),
        ("4", "cqc_rating"),
        ("5", "quality_score"),
    ]
    assert not Provider.objects.exists()


def test_the_good_rows_only_are_loaded_when_asked(client: Any, commissioner: Any) -> None:
    client.force_login(commissioner)
    page = client.post("/import/", _upload("providers", "providers_bad.csv", "good")).content
    assert b"1 good row loaded; 3 rows rejected" in page
    assert list(Provider.objects.values_list("name", flat=True)) == ["Harebell Home Care (sample)"]


def test_a_file_that_cannot_be_read_is_an_error_on_the_file_field(
    client: Any, commissioner: Any
) -> None:
    client.force_login(commissioner)
    cases = (
        (_upload("people", "wrong.csv", content=b"name,cqc_rating\nX,good\n"), "missing column(s)"),
        (_upload("providers", "p.xlsx", content=b"not a workbook"), "not an XLSX workbook"),
        (_upload("providers", "p.txt", content=b"name\nX\n"), "must be a CSV or XLSX file"),
        ({"mode": "all"}, "Select what the file holds"),
    )
    for data, message in cases:
        page = client.post("/import/", data).content.decode()
        assert "There is a problem" in page and message in page, message
    assert not Provider.objects.exists()


def test_a_whole_market_loads_through_the_page_in_order(
    client: Any, commissioner: Any, council: Any, geography: Any
) -> None:
    make_market(council, name="Day one framework", primes=0, supplementary=0)
    client.force_login(commissioner)
    for kind in KINDS:
        page = client.post("/import/", _upload(kind, f"{kind}.csv")).content.decode()
        assert "rows loaded" in page and 'id="rejected"' not in page, kind
    assert BrokerageRequest.objects.filter(state="started").count() == 2


def test_each_kind_has_a_template_csv_with_the_importers_columns_in_load_order(
    client: Any, commissioner: Any
) -> None:
    assert tuple(value for value, _, _ in IMPORT_KINDS) == KINDS
    client.force_login(commissioner)
    page = client.get("/import/").content.decode()
    assert page.index("1. Providers") < page.index("2. Appointments") < page.index("4. Packages")
    for kind in KINDS:
        response = client.get(f"/import/{kind}-template.csv")
        assert response["Content-Disposition"].startswith("attachment")
        header = next(csv.reader(io.StringIO(response.content.decode())))
        assert header == [*COLUMNS[kind][0], *COLUMNS[kind][1]]
    assert client.get("/import/invoices-template.csv").status_code == 404
