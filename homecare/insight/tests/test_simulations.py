"""Market simulations in the insight app: a scenario built from a small hand-made market,
a tiny run through the immediate task backend, who may see what, and form errors."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from homecare.brokerage.testing import make_request
from homecare.commissioning import market_actions
from homecare.commissioning.models import Area, BandRate, PricingBand, RateCard, RatePeriod, Zone
from homecare.insight import simulation_actions
from homecare.insight.models import SimulationRun
from homecare.insight.scenarios import DEFAULT, LIVE, live_scenario

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=LONDON)  # a Wednesday
AREA = "GN2657268"  # the area make_request places its person in


@pytest.fixture
def market(council: Any) -> dict[str, Any]:
    """Two zones, three areas, a rate card in force and a framework with three providers:
    Oakridge is prime in North and supplementary in South, Pinefold prime in South, Quarry
    Lane back-up in both."""
    urban = PricingBand.objects.create(scheme="test", code="URBAN", name="Urban", rank=0)
    rural = PricingBand.objects.create(scheme="test", code="RURAL", name="Rural", rank=2)
    north = Zone.objects.create(council=council, code="north", name="North Zone", kind="large")
    south = Zone.objects.create(council=council, code="south", name="South Zone", kind="large")
    for code, zone, band, people in (
        (AREA, north, urban, 3000),
        ("T-NORTH-R", north, rural, 1000),
        ("T-SOUTH-U", south, urban, 4000),
    ):
        Area.objects.create(
            code=code, name=code, lat=52.6, lon=-1.2, population_65_plus=people,
            district="Test", zone=zone, band=band,
        )  # fmt: skip
    card = RateCard.objects.create(name="testshire-2025-26", council=council)
    period = RatePeriod.objects.create(card=card, effective_from=date(2025, 4, 1))
    BandRate.objects.create(period=period, band="URBAN", hourly_rate=Decimal("21.10"))
    BandRate.objects.create(period=period, band="RURAL", hourly_rate=Decimal("24.35"))
    framework = market_actions.create_framework(
        council=council,
        name="Testshire home care",
        policy_kind="prime_cascade",
        start_date=date(2025, 4, 7),
        lots=[
            {"code": "N", "name": "North", "zones": ["north"]},
            {"code": "S", "name": "South", "zones": ["south"]},
        ],
        acting_user=None,
    )
    providers = {
        name: market_actions.create_provider(
            f"{name} Care (test)", quality_score=quality, council=council, acting_user=None
        )
        for name, quality in (("Oakridge", 88), ("Pinefold", 75), ("Quarry Lane", 60))
    }
    for lot, name, tier in (
        ("N", "Oakridge", "prime"),
        ("S", "Oakridge", "supplementary"),
        ("S", "Pinefold", "prime"),
        ("N", "Quarry Lane", "back_up"),
        ("S", "Quarry Lane", "back_up"),
    ):
        market_actions.appoint_provider(
            framework=framework, lot=framework.lots.get(code=lot), provider=providers[name],
            tier=tier, rank=1, hourly_rate=Decimal("21.10"), acting_user=None,
        )  # fmt: skip
    return {"framework": framework, "providers": providers}


def _by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in rows}


def test_the_live_scenario_takes_zones_rates_and_providers_from_the_database(
    council: Any, market: dict[str, Any]
) -> None:
    live = live_scenario(council, now=NOW, horizon_weeks=4, seed=7)
    scenario = live.build()
    assert [z.code for z in scenario.zones] == ["north", "south"]
    assert sorted(a.code for a in scenario.areas) == sorted([AREA, "T-NORTH-R", "T-SOUTH-U"])
    rates = scenario.costs.band_rates
    assert (rates["URBAN"], rates["RURAL"]) == (Decimal("21.10"), Decimal("24.35"))
    assert scenario.rural_bands == ("RURAL",)
    assert scenario.start_date == date(2026, 3, 2)  # the Monday of the week
    assert (scenario.horizon_weeks, scenario.seed) == (4, 7)
    providers = _by_name(live.mapping["supply"]["providers"])
    assert set(providers) == {
        "Oakridge Care (test)",
        "Pinefold Care (test)",
        "Quarry Lane Care (test)",
    }
    oak, pine, quarry = (
        providers[f"{n} Care (test)"] for n in ("Oakridge", "Pinefold", "Quarry Lane")
    )
    # With nothing placed yet, a zone's workers are split by tier: the prime holds most.
    assert oak["zones"] == {"north": 0.7, "south": 0.2}
    assert pine["zones"] == {"south": 0.7}
    assert (oak["role"], pine["role"], quarry["role"]) == ("framework", "framework", "back_up")
    assert (oak["quality"], quarry["quality"]) == ("88.00", "60.00")
    origins = {(s.part, s.origin) for s in live.sources}
    assert ("Zones and areas", LIVE) in origins and ("Band rates", LIVE) in origins
    assert ("New packages a week", DEFAULT) in origins  # no requests yet
    assert any(s.origin == DEFAULT and "workforce" in s.part for s in live.sources)


def test_demand_is_estimated_from_the_councils_recent_requests(
    council: Any, market: dict[str, Any]
) -> None:
    make_request(market["framework"], "P-0001", now=NOW - timedelta(days=2))
    make_request(market["framework"], "P-0002", now=NOW - timedelta(days=1))
    live = live_scenario(council, now=NOW, horizon_weeks=4, seed=7)
    # Two packages in 13 weeks over 8,000 people aged 65+.
    expected = round(2 / 13 / 8.0, 4)
    assert live.mapping["demand"]["packages_per_week_per_1000_65_plus"] == expected
    assert live.build().demand.packages_per_week_per_1000_65_plus == expected
    assert ("New packages a week", LIVE) in {(s.part, s.origin) for s in live.sources}


def test_without_a_market_every_part_comes_from_the_default(council: Any, db: Any) -> None:
    live = live_scenario(council, now=NOW, horizon_weeks=2, seed=1)
    assert {s.origin for s in live.sources} == {DEFAULT}
    assert len(live.build().zones) == 14


def test_a_tiny_run_through_the_task_backend_stores_results_and_the_report(
    council: Any, market: dict[str, Any], commissioner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run = simulation_actions.start_simulation(
            council=council, models=["prime", "open"], replications=2, horizon_weeks=2,
            seed=3, now=NOW, acting_user=commissioner,
        )  # fmt: skip
    run.refresh_from_db()
    assert run.status == SimulationRun.Status.DONE, run.error
    assert (run.progress_done, run.progress_total) == (4, 4)
    assert [(r["model"], r["replication"]) for r in run.results] == [
        ("prime", 0), ("prime", 1), ("open", 0), ("open", 1),
    ]  # fmt: skip
    comparison = simulation_actions.comparison_of(run)
    median = comparison.summary("prime")["median_days_to_place"]
    assert median.n == 2
    assert '<article class="committee-report">' in run.report_html
    assert "From the council&#x27;s live market" in run.report_html
    assert run.history.first().history_user is None  # the task finished it
    assert run.history.last().history_user == commissioner  # who asked for it


def test_a_failing_run_records_its_error(
    council: Any, market: dict[str, Any], commissioner: Any
) -> None:
    run = simulation_actions.start_simulation(
        council=council, models=["prime"], replications=1, horizon_weeks=1, seed=1, now=NOW,
        acting_user=commissioner,
    )  # fmt: skip
    SimulationRun.objects.filter(pk=run.pk).update(parameters={"scenario": {"name": "x"}})
    simulation_actions.run_simulation(run.pk)
    run.refresh_from_db()
    assert run.status == SimulationRun.Status.FAILED
    assert "scenario.start_date" in run.error


def test_the_commissioner_sets_up_and_reads_a_run(
    council: Any, market: dict[str, Any], commissioner: Any, signed_in: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    client = signed_in(commissioner)
    page = client.get(reverse("insight:new-simulation"))
    assert page.status_code == 200
    assert b"Oakridge Care (test)" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("insight:new-simulation"),
            {"models": ["dps"], "replications": "1", "horizon_weeks": "1", "seed": "5"},
        )
    run = SimulationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("insight:simulation", args=[run.pk])
    page = client.get(response["Location"])
    assert b"Download the committee report (PDF)" in page.content
    assert b'id="committee-report"' in page.content
    listing = client.get(reverse("insight:simulations"))
    assert f"Simulation {run.pk}".encode() in listing.content
    pdf = client.get(reverse("insight:simulation-pdf", args=[run.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"replications": "101"},
            "replications",
            "Replications must be a whole number from 1 to 100",
        ),
        (
            {"replications": "0"},
            "replications",
            "Replications must be a whole number from 1 to 100",
        ),
        ({"horizon_weeks": "ten"}, "horizon_weeks", "Weeks to simulate must be a whole number"),
        ({"seed": "-1"}, "seed", "Seed must be a whole number from 0"),
        ({"models": []}, "models", "Choose at least one delivery model"),
        ({"models": ["monopoly"]}, "models", "Choose delivery models from the list"),
    ],
)
def test_bad_input_names_the_field(
    council: Any, market: dict[str, Any], commissioner: Any, signed_in: Any,
    data: dict[str, Any], field: str, message: str,
) -> None:  # fmt: skip
    form = {"models": ["prime"], "replications": "2", "horizon_weeks": "4", "seed": "1"}
    form.update(data)
    response = signed_in(commissioner).post(reverse("insight:new-simulation"), form)
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert f'href="#{field}"'.encode() in response.content  # the error summary links it
    assert not SimulationRun.objects.exists()


@pytest.mark.parametrize("persona", ["broker", "provider_a_user", "outsider"])
def test_only_commissioners_may_see_simulations(
    personas: dict[str, Any], signed_in: Any, persona: str, council: Any, db: Any
) -> None:
    run = SimulationRun.objects.create(
        council=council, delivery_models=["prime"], replications=1, horizon_weeks=1, seed=1,
        created_at=NOW,
    )  # fmt: skip
    client = signed_in(personas[persona])
    for url in (
        reverse("insight:simulations"),
        reverse("insight:new-simulation"),
        reverse("insight:simulation", args=[run.pk]),
        reverse("insight:simulation-pdf", args=[run.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_another_councils_run_is_not_found(commissioner: Any, signed_in: Any, db: Any) -> None:
    from homecare.accounts import actions
    from homecare.accounts.models import Organisation

    other = actions.create_organisation(
        "Elsewhere Borough Council", kind=Organisation.Kind.COUNCIL, acting_user=None
    )
    run = SimulationRun.objects.create(
        council=other, delivery_models=["prime"], replications=1, horizon_weeks=1, seed=1,
        created_at=NOW,
    )  # fmt: skip
    response = signed_in(commissioner).get(reverse("insight:simulation", args=[run.pk]))
    assert response.status_code == 404
