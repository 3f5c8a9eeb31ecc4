"""Travel and carbon: a commissioner starts a calibration and reads it; a small synthetic
week routed end to end (with a stand-in solver, so the test is about the platform, not the
solver's search); the live week read from placed packages; who may see what; form errors."""

from __future__ import annotations

import math
import re
from datetime import datetime
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from carecore.rostering.homes import spread_radius_km
from carecore.rostering.model import RosterProblem
from homecare.brokerage import actions as brokerage
from homecare.brokerage.testing import ZONE, make_market, make_request
from homecare.commissioning import travel_actions
from homecare.commissioning.travel_data import live_week
from homecare.commissioning.travel_models import TravelCalibration
from homecare.commissioning.travel_views import LEGIBLE_ROUNDS
from tests.rostering.standins import take_turns

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=LONDON)
SVG = "{http://www.w3.org/2000/svg}"


def _start(council: Any, user: Any, **overrides: Any) -> TravelCalibration:
    values: dict[str, Any] = {
        "source": "demo",
        "people": 30,
        "seconds_per_visit": 0.01,
        "acting_user": user,
        "now": NOW,
    }
    values.update(overrides)
    return travel_actions.start_travel_calibration(council, **values)


def test_the_commissioner_starts_a_calibration_and_sees_it_waiting(
    council: Any, commissioner: Any, signed_in: Any
) -> None:
    client = signed_in(commissioner)
    page = client.get(reverse("commissioning:travel"))
    assert page.status_code == 200
    assert b"No calibration yet" in page.content
    assert b'href="/travel/" aria-current="page"' in page.content  # the navigation offers it
    response = client.post(
        reverse("commissioning:travel"),
        {"source": "demo", "people": "40", "seconds_per_visit": "0.02", "seed": "7"},
    )
    run = TravelCalibration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("commissioning:travel-run", args=[run.pk])
    assert (run.source, run.people, run.seconds_per_visit, run.seed) == ("demo", 40, 0.02, 7)
    assert run.created_by == commissioner and run.status == TravelCalibration.Status.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert "Waiting to start" in page and "Refresh the progress" in page
    assert 'hx-trigger="every 3s"' in page  # refreshes itself while it waits
    listing = client.get(reverse("commissioning:travel")).content.decode()
    assert f"Calibration {run.pk}" in listing and "No calibration yet" not in listing


def test_a_small_synthetic_week_is_routed_end_to_end_and_shown(
    council: Any, commissioner: Any, signed_in: Any, geography: Any, leicestershire_card: Any
) -> None:
    run = _start(council, commissioner)
    travel_actions.run_travel_calibration(run.pk, solve=take_turns, now=NOW)
    run.refresh_from_db()
    assert run.status == TravelCalibration.Status.DONE, run.error
    assert run.progress_total > 0 and run.progress_done == run.progress_total
    assert run.report["problems_solved"] == run.progress_total
    assert {row["band"] for row in run.report["bands"]} <= {"URBAN", "FRINGE", "RURAL", "ISOLATED"}
    assert run.report["prices"] and run.rate_card.startswith("Leicestershire 2020-21")
    urban = next(row for row in run.report["prices"] if row["band"] == "URBAN")
    assert Decimal(urban["card_price"]) == Decimal("18.75")  # the council's own card
    assert run.maps and all(day["day"] == 0 for day in run.maps)
    assert run.history.last().history_user == commissioner  # who asked for it
    assert run.history.first().history_user is None  # the task finished it

    client = signed_in(commissioner)
    page = client.get(reverse("commissioning:travel-run", args=[run.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Finished" in html
    assert "hx-trigger" not in html  # a finished run stops refreshing
    for table in ("bands", "prices-table", "carbon-table", "rounds-table"):
        assert f'id="{table}"' in html, table
    assert html.count("<caption") >= 4
    choices = [int(k) for k in re.findall(r'<option value="(\d+)"', html)]
    sizes = {k: len(run.maps[k]["paths"]) for k in choices}
    assert choices and all(sizes.values()), "the chooser lists each provider's rounds per zone"
    assert len(choices) == sum(1 for day in run.maps if day["paths"])
    shown = re.search(r'<option value="(\d+)" selected>', html)
    legible = min(abs(size - LEGIBLE_ROUNDS) for size in sizes.values())
    assert shown and abs(sizes[int(shown.group(1))] - LEGIBLE_ROUNDS) == legible
    other = min(choices, key=lambda k: (sizes[k], k))
    chosen = client.get(reverse("commissioning:travel-run", args=[run.pk]), {"rounds": other})
    html = chosen.content.decode()
    assert f'<option value="{other}" selected>' in html
    svg = re.search(r"<svg xmlns=.*?</svg>", html[html.index('id="rounds-map"') :], re.S)
    assert svg is not None
    tree = ElementTree.fromstring(svg.group(0))
    assert len(tree.findall(f".//{SVG}path[@class='round']")) == sizes[other]
    table = html[html.index('id="rounds-table"') :]
    table = table[: table.index("</table>")]
    assert table.count('<tr class="govuk-table__row">') == sizes[other] + 1  # and a header
    # A zone asked for by its code shows rounds in that zone.
    zone = run.maps[other]["zone"]
    html = client.get(
        reverse("commissioning:travel-run", args=[run.pk]), {"zone": zone}
    ).content.decode()
    shown = re.search(r'<option value="(\d+)" selected>', html)
    assert shown and run.maps[int(shown.group(1))]["zone"] == zone


def test_a_failing_run_records_its_error(council: Any, commissioner: Any) -> None:
    def broken(problem: RosterProblem, seconds: float, seed: int) -> Any:
        raise RuntimeError("the solver fell over")

    run = _start(council, commissioner, people=3)
    travel_actions.run_travel_calibration(run.pk, solve=broken)
    run.refresh_from_db()
    assert run.status == TravelCalibration.Status.FAILED
    assert "the solver fell over" in run.error


def test_the_live_week_has_every_visit_of_each_placed_package(
    council: Any, broker: Any, geography: Any
) -> None:
    framework = make_market(council)
    provider = framework.appointments.first().provider
    placed = make_request(framework, "P-0001", needs=["dementia"])
    make_request(framework, "P-0002")  # still waiting: not routed
    brokerage.place_manually(placed, provider, reason="test", now=NOW, acting_user=broker)
    week = live_week(council)
    # Mon-Fri 07:30 45m x2; Sat-Sun 08:00 30m: seven visits, five of them double-handed.
    assert len(week) == 7
    assert {(v.person, v.provider, v.zone, v.band, v.skill) for v in week} == {
        ("P-0001", provider.name, ZONE, "URBAN", "dementia")
    }
    assert sorted((v.day, v.window_start_minute, v.minutes, v.carers) for v in week)[0] == (
        0, 450, 45, 2,
    )  # fmt: skip
    assert sum(v.carers == 2 for v in week) == 5
    area = geography.area(placed.package.person.area.code)
    home = (week[0].lat, week[0].lon)
    km = math.hypot((home[0] - area.lat) * 111.32, (home[1] - area.lon) * 111.32 * 0.61)
    # Within the disc the area's people fill at urban density.
    assert km <= spread_radius_km("URBAN", area.population_65_plus) * 1.01
    assert (live_week(council)[0].lat, live_week(council)[0].lon) == home  # the same each time


def test_a_live_calibration_routes_the_placed_packages(
    council: Any, broker: Any, commissioner: Any, geography: Any
) -> None:
    framework = make_market(council)
    provider = framework.appointments.first().provider
    for reference in ("P-0001", "P-0002"):
        request = make_request(framework, reference)
        brokerage.place_manually(request, provider, reason="test", now=NOW, acting_user=broker)
    run = _start(council, commissioner, source="live", people=None)
    assert run.people is None
    travel_actions.run_travel_calibration(run.pk, solve=take_turns, now=NOW)
    run.refresh_from_db()
    assert run.status == TravelCalibration.Status.DONE, run.error
    assert run.report["visits_routed"] == 14  # two packages of seven visits
    assert run.progress_total == 7  # one provider in one zone, every day of the week
    assert "the council has no rate card" in run.rate_card  # priced on the engine's default
    assert {day["zone"] for day in run.maps} == {ZONE}


def test_the_live_market_cannot_be_routed_before_anything_is_placed(
    council: Any, commissioner: Any, signed_in: Any
) -> None:
    response = signed_in(commissioner).post(
        reverse("commissioning:travel"),
        {"source": "live", "people": "", "seconds_per_visit": "0.01", "seed": "1"},
    )
    assert response.status_code == 400
    assert "No packages are placed" in response.context["form"].errors["source"][0]
    assert b'href="#source"' in response.content
    assert not TravelCalibration.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"people": "0"}, "people", "People must be a whole number from 1 to 5,000"),
        ({"people": "many"}, "people", "People must be a whole number from 1 to 5,000"),
        ({"people": ""}, "people", "Enter how many people the synthetic market has"),
        ({"seconds_per_visit": "5"}, "seconds_per_visit", "Solver time per visit must be from"),
        ({"seconds_per_visit": "soon"}, "seconds_per_visit", "must be a number of seconds"),
        ({"seed": "-1"}, "seed", "Seed must be a whole number from 0"),
        ({"source": "elsewhere"}, "source", "Choose which visits to route"),
    ],
)
def test_bad_input_names_the_field_in_the_error_summary(
    council: Any, commissioner: Any, signed_in: Any,
    data: dict[str, str], field: str, message: str,
) -> None:  # fmt: skip
    form = {"source": "demo", "people": "30", "seconds_per_visit": "0.01", "seed": "1"}
    form.update(data)
    response = signed_in(commissioner).post(reverse("commissioning:travel"), form)
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    html = response.content.decode()
    assert "govuk-error-summary" in html and f'href="#{field}"' in html
    assert html.count(f'id="{field}"') == 1  # the link lands on the field
    assert not TravelCalibration.objects.exists()


@pytest.mark.parametrize("persona", ["broker", "provider_a_user", "outsider"])
def test_only_commissioners_may_see_travel_calibrations(
    personas: dict[str, Any], signed_in: Any, persona: str, council: Any
) -> None:
    run = TravelCalibration.objects.create(
        council=council, source="demo", people=1, seconds_per_visit=0.01, seed=1, created_at=NOW
    )
    client = signed_in(personas[persona])
    for url in (
        reverse("commissioning:travel"),
        reverse("commissioning:travel-run", args=[run.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("commissioning:travel"), {"source": "demo"}).status_code == 403
    assert b"Travel and carbon" not in client.get(reverse("commissioning:zones")).content


def test_another_councils_calibration_is_not_found(
    commissioner: Any, signed_in: Any, db: Any
) -> None:
    from homecare.accounts import actions
    from homecare.accounts.models import Organisation

    other = actions.create_organisation(
        "Elsewhere Borough Council", kind=Organisation.Kind.COUNCIL, acting_user=None
    )
    run = TravelCalibration.objects.create(
        council=other, source="demo", people=1, seconds_per_visit=0.01, seed=1, created_at=NOW
    )
    response = signed_in(commissioner).get(reverse("commissioning:travel-run", args=[run.pk]))
    assert response.status_code == 404
