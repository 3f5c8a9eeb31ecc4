"""The market: providers, frameworks, appointments from tender awards, capacity, applications,
exits that re-broker, and the snapshot the allocation policies read."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from carecore.errors import InputError
from homecare.brokerage import actions, lifecycle
from homecare.brokerage.models import BrokerageRequest, Placement
from homecare.brokerage.testing import NOW, ZONE, make_market, make_request
from homecare.commissioning import market_actions
from homecare.commissioning.actions import record_tender_evaluation
from homecare.commissioning.models import (
    Appointment,
    Framework,
    FrameworkApplication,
    Provider,
    Zone,
)
from homecare.commissioning.snapshot import market_snapshot

pytestmark = pytest.mark.django_db
TENDER = Path(__file__).parent / "data"


@pytest.fixture
def framework(geography: Any, council: Any) -> Framework:
    return make_market(council)


@pytest.fixture
def new_request(framework: Framework) -> Any:
    def make(person_ref: str = "P-0001", **overrides: Any) -> Any:
        overrides.setdefault("framework", framework)
        return make_request(
            framework=overrides.pop("framework"), person_ref=person_ref, **overrides
        )

    return make


def test_a_term_is_read_as_initial_years_and_extensions(geography: Any, council: Any) -> None:
    framework = make_market(council)
    assert (framework.initial_years, framework.extension_years) == (3, (1, 1))
    with pytest.raises(ValidationError, match="term"):
        market_actions.create_framework(
            council=council,
            name="Bad term",
            policy_kind="prime_cascade",
            start_date=date(2026, 1, 1),
            term="three years",
            acting_user=None,
        )


def test_policy_settings_are_checked_by_the_engine_before_saving(council: Any) -> None:
    with pytest.raises(InputError) as caught:
        market_actions.create_framework(
            council=council,
            name="Typo",
            policy_kind="prime_cascade",
            policy_settings={"batch_sise": 2},
            start_date=date(2026, 1, 1),
            acting_user=None,
        )
    assert "batch_sise" in str(caught.value)
    assert not Framework.objects.exists()


def test_a_cqc_location_id_is_1_dash_digits_and_quality_is_0_to_100(db: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        market_actions.create_provider("Oddly (test)", cqc_location_id="X-12", acting_user=None)
    assert "cqc_location_id" in caught.value.message_dict
    with pytest.raises(ValidationError, match="100"):
        market_actions.create_provider("Keen (test)", quality_score=101, acting_user=None)
    provider = market_actions.create_provider(
        "Fine (test)", cqc_location_id="1-123456789", quality_score=75, acting_user=None
    )
    assert provider.organisation.kind == "provider"
    assert not Provider.objects.exclude(pk=provider.pk).exists()


def test_tender_awards_become_appointments_in_one_step_and_again_changes_nothing(
    geography: Any, council: Any, commissioner: Any
) -> None:
    evaluation = record_tender_evaluation(
        council=council,
        bids_content=(TENDER / "bids.csv").read_bytes(),
        bids_file_name="bids.csv",
        rules_text=(TENDER / "rules.toml").read_text(),
        acting_user=commissioner,
    )
    awards = evaluation.result["awards"]
    assert awards
    lots = [{"code": code, "name": code, "zones": [ZONE]} for code in {a["lot"] for a in awards}]
    framework = market_actions.create_framework(
        council=council,
        name="From tender",
        policy_kind="prime_cascade",
        start_date=date(2026, 4, 1),
        lots=lots,
        acting_user=commissioner,
    )
    first = market_actions.appoint_from_tender_awards(
        evaluation, framework, acting_user=commissioner
    )
    assert len(first.appointments) == len(awards) == Appointment.objects.count()
    assert set(first.providers_created) == {a["bidder"] for a in awards}
    history = Appointment.history.count()
    again = market_actions.appoint_from_tender_awards(
        evaluation, framework, acting_user=commissioner
    )
    assert again.providers_created == ()
    assert Appointment.objects.count() == len(awards)
    assert Appointment.history.count() == history
    assert Appointment.history.filter(history_user=commissioner).exists()


def test_awards_for_a_lot_the_framework_lacks_write_nothing(
    geography: Any, council: Any, commissioner: Any
) -> None:
    evaluation = record_tender_evaluation(
        council=council,
        bids_content=(TENDER / "bids.csv").read_bytes(),
        bids_file_name="bids.csv",
        rules_text=(TENDER / "rules.toml").read_text(),
        acting_user=commissioner,
    )
    framework = make_market(council, primes=0, supplementary=0)
    with pytest.raises(ValidationError, match="no lot"):
        market_actions.appoint_from_tender_awards(evaluation, framework, acting_user=None)
    assert not Appointment.objects.exists()


def test_the_latest_capacity_declaration_for_a_week_wins(geography: Any, council: Any) -> None:
    framework = make_market(council, primes=1, supplementary=0)
    provider = Provider.objects.get()
    zone = Zone.objects.get(code=ZONE)
    monday = NOW.date()
    for hours, minutes in ((40, 0), (12, 5)):
        market_actions.declare_capacity(
            provider=provider,
            zone=zone,
            week_starting=monday,
            free_hours=hours,
            at=NOW + timedelta(minutes=minutes),
            acting_user=None,
        )
    snapshot = market_snapshot(framework, at=NOW + timedelta(days=2))
    assert snapshot.free_hours == {(str(provider.pk), ZONE): Decimal("12")}
    with pytest.raises(ValidationError, match="Monday"):
        market_actions.declare_capacity(
            provider=provider,
            zone=zone,
            week_starting=monday + timedelta(days=1),
            free_hours=1,
            at=NOW,
            acting_user=None,
        )


def test_the_snapshot_carries_tiers_rates_and_block_hours_used(
    geography: Any, council: Any, new_request: Any
) -> None:
    framework = make_market(council, name="Snap", primes=1, supplementary=1)
    request = new_request(framework=framework)
    prime = Provider.objects.get(name="Prime 1 (test)")
    actions.place_manually(request, prime, reason="spot", now=NOW, acting_user=None)
    snapshot = market_snapshot(framework, at=NOW)
    assert snapshot.providers_in_zone(ZONE, tier="prime") == (str(prime.pk),)
    assert snapshot.rate_for(str(prime.pk), "URBAN", ZONE) == Decimal("20.00")
    assert snapshot.block_hours_used == {str(prime.pk): Decimal("8.50")}


def test_an_open_framework_admits_an_approved_applicant_and_not_a_rejected_one(
    geography: Any, council: Any, commissioner: Any
) -> None:
    framework = make_market(council, name="DPS", policy_kind="open_framework", primes=1)
    framework.open_to_new_providers = True
    framework.save()
    lot = framework.lots.get()
    newcomer = market_actions.create_provider("Newcomer (test)", acting_user=None)
    late = market_actions.create_provider("Latecomer (test)", acting_user=None)
    applications = [
        market_actions.apply_to_framework(
            framework=framework,
            provider=p,
            lots=[lot],
            hourly_rate=Decimal("21.50"),
            at=NOW,
            acting_user=None,
        )
        for p in (newcomer, late)
    ]
    (appointment,) = market_actions.approve_application(
        applications[0], at=NOW, acting_user=commissioner
    )
    assert (appointment.provider, appointment.tier, appointment.rank) == (
        newcomer,
        "supplementary",
        3,
    )
    with pytest.raises(ValidationError, match="reason"):
        market_actions.reject_application(
            applications[1], reason="", at=NOW, acting_user=commissioner
        )
    market_actions.reject_application(
        applications[1], reason="CQC inadequate", at=NOW, acting_user=commissioner
    )
    assert not Appointment.objects.filter(provider=late).exists()
    with pytest.raises(ValidationError, match="already approved"):
        market_actions.approve_application(applications[0], at=NOW, acting_user=commissioner)
    statuses = dict(FrameworkApplication.objects.values_list("provider__name", "status"))
    assert statuses == {"Newcomer (test)": "approved", "Latecomer (test)": "rejected"}


def test_a_closed_framework_takes_no_applications(geography: Any, council: Any) -> None:
    framework = make_market(council, primes=0, supplementary=0)
    provider = market_actions.create_provider("Hopeful (test)", acting_user=None)
    with pytest.raises(ValidationError, match="not open"):
        market_actions.apply_to_framework(
            framework=framework,
            provider=provider,
            lots=list(framework.lots.all()),
            hourly_rate=None,
            at=NOW,
            acting_user=None,
        )


def test_a_provider_with_an_application_waiting_cannot_apply_again(
    geography: Any, council: Any
) -> None:
    framework = make_market(council, name="DPS", policy_kind="open_framework", primes=1)
    framework.open_to_new_providers = True
    framework.save()
    provider = market_actions.create_provider("Eager (test)", acting_user=None)
    apply = {
        "framework": framework,
        "provider": provider,
        "lots": list(framework.lots.all()),
        "hourly_rate": Decimal("21.50"),
        "at": NOW,
        "acting_user": None,
    }
    first = market_actions.apply_to_framework(**apply)
    with pytest.raises(ValidationError, match="already has an application"):
        market_actions.apply_to_framework(**apply)
    market_actions.reject_application(first, reason="CQC inadequate", at=NOW, acting_user=None)
    market_actions.apply_to_framework(**apply)  # after a decision, a new application is fine
    assert FrameworkApplication.objects.filter(provider=provider).count() == 2


def test_an_exit_re_brokers_every_live_package_of_the_provider(
    framework: Framework, new_request: Any, commissioner: Any, council: Any
) -> None:
    leaving = Provider.objects.get(name="Prime 1 (test)")
    staying = Provider.objects.get(name="Prime 2 (test)")
    kept = new_request("P-KEEP")
    actions.place_manually(kept, staying, reason="spot", now=NOW, acting_user=None)
    moved = []
    for ref in ("P-1", "P-2"):
        request = new_request(ref)
        actions.place_manually(request, leaving, reason="spot", now=NOW, acting_user=None)
        moved.append(request)
    lifecycle.start_package(moved[0].package, at=NOW, acting_user=None)

    new = market_actions.set_provider_status(
        leaving,
        "exited",
        council=council,
        reason="handed back contract",
        at=NOW,
        acting_user=commissioner,
    )

    assert sorted(r.package.person.reference for r in new) == ["P-1", "P-2"]
    assert all(r.state == "requested" for r in new)
    for request in moved:
        request.refresh_from_db()
        assert request.state == "transferred"
        assert request.package.status == "requested"
    assert not Placement.objects.filter(provider=leaving, ended_at__isnull=True).exists()
    assert Placement.objects.filter(provider=staying, ended_at__isnull=True).count() == 1
    assert not Appointment.objects.filter(provider=leaving, active=True).exists()
    standing = leaving.standings.get(council=council)
    assert standing.status == "exited"
    assert standing.history.filter(history_user=commissioner).exists()
    (offer,) = actions.send_next_round(new[0], now=NOW, acting_user=None)
    assert offer.provider == staying  # the exited prime is no longer offered anything
    assert BrokerageRequest.objects.count() == 5


def test_the_demo_market_has_every_zone_as_a_lot_and_loads_twice_without_change() -> None:
    from homecare.commissioning.demo import FRAMEWORK, load_demo

    load_demo()
    framework = Framework.objects.get(name=FRAMEWORK)
    assert framework.lots.count() == 14
    assert Appointment.objects.filter(framework=framework).count() == 70
    rural = Appointment.objects.filter(lot__code="harborough-rural-free")
    assert "prime" not in set(rural.values_list("tier", flat=True))  # no primes there
    before = (Appointment.history.count(), Framework.history.count(), Provider.history.count())
    load_demo()
    assert Appointment.objects.filter(framework=framework).count() == 70
    after = (Appointment.history.count(), Framework.history.count(), Provider.history.count())
    assert after == before
