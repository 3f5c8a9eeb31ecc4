"""The broker's pages: the new request form, the waiting list and each request's page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from homecare.accounts import actions as accounts
from homecare.brokerage import actions
from homecare.brokerage.forms import RequestForm
from homecare.brokerage.models import BrokerageRequest, Offer, Package, Person, Placement
from homecare.brokerage.testing import AREA, NOW, ZONE
from homecare.commissioning.models import Provider

pytestmark = pytest.mark.django_db

NEW = reverse("brokerage:new-request")


def _form(framework: Any, **changes: Any) -> dict[str, Any]:
    """Two calls on Mondays: 07:30 for 45 minutes with two carers, and a time-critical 12:00."""
    data: dict[str, Any] = {
        "person_ref": "P-PAGE-1",
        "area": AREA,
        "framework": str(framework.pk),
        "funding": "council",
        "cohort": "older_people",
        "source": "community",
        "priority": "normal",
        "start_day": "9",
        "start_month": "3",
        "start_year": "2026",
        "needs": "medication, hoist",
        "patterns": "1",
        "calls-1": "4",
        "days_quick-1": "chosen",
        "days-1": ["0"],
        "call-1-1-time": "07:30",
        "call-1-1-window_minutes": "30",
        "call-1-1-minutes": "45",
        "call-1-1-carers": "2",
        "call-1-2-time": "12:00",
        "call-1-2-window_minutes": "30",
        "call-1-2-minutes": "30",
        "call-1-2-carers": "1",
        "call-1-2-critical": "on",
    }
    data.update(changes)
    return data


@pytest.fixture(autouse=True)
def _monday(frozen_now: Any) -> None:
    frozen_now(NOW)  # the start dates above are a week ahead


def _send(client: Any, data: dict[str, Any]) -> Any:
    """Continue to the check page, then press "Send offers"."""
    checked = client.post(NEW, data)
    assert checked.status_code == 302, checked.content.decode()[:1000]
    token = checked["Location"].split("check=", 1)[1]
    return client.post(NEW, {"confirm": token, "send": "1"})


def test_a_broker_creates_a_request_and_the_first_round_goes_out_by_email(
    signed_in: Any, broker: Any, framework: Any, django_capture_on_commit_callbacks: Any
) -> None:
    prime = Provider.objects.get(name="Prime 1 (test)")
    user = accounts.create_persona(
        "prime_user",
        password="x" * 12,
        organisation=prime.organisation,
        role="provider",
        acting_user=None,
    )
    user.email = "offers@prime-one.invalid"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(signed_in(broker), _form(framework))
    request = BrokerageRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("brokerage:request", args=[request.pk])
    assert request.state == "offered"
    assert request.created_by == broker
    package = request.package
    assert package.visits.count() == 2
    assert package.needs == ["hoist", "medication"]
    assert str(package.carer_hours_per_week) == "2.00"  # 45 min x2 + 30 min, once a week
    assert request.offers.get().provider == prime
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["offers@prime-one.invalid"]
    assert "West Leicester" in email.subject or "Leicester" in email.body
    assert "P-PAGE-1" not in email.subject + email.body  # no personal data by email
    assert "medication" not in email.body
    assert reverse("brokerage:offers") in email.body


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"call-1-2-minutes": "0"}, "Call 2: minutes of care must be at least 1"),
        ({"call-1-2-time": "08:00"}, "Call 1 and call 2 overlap on Monday"),
        ({"call-1-2-time": "25:99"}, "Call 2: time must be a time like 07:30"),
        ({"person_ref": ""}, "Enter the person&#x27;s reference"),
        ({"area": "NOWHERE"}, "Select an area"),
        ({"start_month": "13"}, "Start date must be a real date"),
        (
            {
                "call-1-1-time": "",
                "call-1-1-minutes": "",
                "call-1-2-time": "",
                "call-1-2-minutes": "",
            },
            "Enter at least one call",
        ),
    ],
)
def test_bad_input_is_named_in_the_error_summary_and_nothing_is_saved(
    signed_in: Any, broker: Any, framework: Any, changes: dict[str, str], message: str
) -> None:
    response = signed_in(broker).post(NEW, _form(framework, **changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert message in html
    assert response.context["form"].errors
    assert not Person.objects.exists() and not Package.objects.exists()


def test_the_overlap_error_names_the_calls_the_broker_sees_when_spare_rows_come_first(
    signed_in: Any, broker: Any, framework: Any
) -> None:
    data = _form(framework, **{"call-1-2-time": "08:00"})
    # Move call 2 to row 4, leaving row 3 empty.
    for name in ("time", "window_minutes", "minutes", "carers", "critical"):
        data[f"call-1-4-{name}"] = data.pop(f"call-1-2-{name}", "")
    response = signed_in(broker).post(NEW, data)
    html = response.content.decode()
    assert "Call 1 and call 4 overlap on Monday" in html
    assert 'href="#call-1-4-time"' in html


def test_add_another_call_shows_one_more_row_and_keeps_what_was_typed(
    signed_in: Any, broker: Any, framework: Any
) -> None:
    response = signed_in(broker).post(NEW, {**_form(framework), "add_call": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="call-1-5-time"' in html
    assert 'value="P-PAGE-1"' in html
    assert 'id="days-1" name="days-1" type="checkbox" value="0" checked' in html
    assert "govuk-error-summary" not in html
    assert not BrokerageRequest.objects.exists()


def test_the_form_caps_a_forged_row_count() -> None:
    form = RequestForm(areas=[], frameworks=[], initial={"calls-1": "10000"})
    assert form.call_counts[1] == 12


def test_the_waiting_list_separates_hospital_discharge_from_community(
    signed_in: Any, broker: Any, new_request: Any
) -> None:
    community = new_request("P-1")
    hospital = new_request("P-2", source="hospital_discharge")
    response = signed_in(broker).get(reverse("brokerage:waiting-list"))
    tables = {key: rows for key, _, rows in response.context["tables"]}
    assert [r.pk for r in tables["community"]] == [community.pk]
    assert [r.pk for r in tables["hospital"]] == [hospital.pk]
    assert "P-1" not in response.content.decode()  # references stay on the request page


def _waiting_pks(response: Any) -> set[int]:
    return {r.pk for _, _, rows in response.context["tables"] for r in rows}


def test_the_waiting_list_filters_by_zone_priority_and_what_it_waits_for(
    signed_in: Any, broker: Any, new_request: Any
) -> None:
    from homecare.commissioning.models import Area

    other_zone = Area.objects.exclude(zone__code=ZONE).select_related("zone").first()
    here = new_request("P-1", priority="urgent")
    there = new_request("P-2", area_code=other_zone.code)
    offered = new_request("P-3")
    actions.send_next_round(offered, now=NOW, acting_user=broker)
    client = signed_in(broker)
    url = reverse("brokerage:waiting-list")
    assert _waiting_pks(client.get(url)) == {here.pk, there.pk, offered.pk}
    assert _waiting_pks(client.get(url, {"zone": ZONE})) == {here.pk, offered.pk}
    assert _waiting_pks(client.get(url, {"priority": "urgent"})) == {here.pk}
    assert _waiting_pks(client.get(url, {"waiting_for": "offers"})) == {offered.pk}
    assert _waiting_pks(client.get(url, {"waiting_for": "round"})) == {here.pk, there.pk}
    both = client.get(url, {"zone": other_zone.zone.code, "waiting_for": "round"})
    assert _waiting_pks(both) == {there.pk}
    assert 'href="/brokerage/"' in both.content.decode()  # "Clear filters"


def test_an_unknown_filter_value_is_shown_as_an_error_and_narrows_nothing(
    signed_in: Any, broker: Any, new_request: Any
) -> None:
    request = new_request("P-1")
    response = signed_in(broker).get(reverse("brokerage:waiting-list"), {"zone": "atlantis"})
    assert response.status_code == 200
    assert _waiting_pks(response) == {request.pk}
    assert "Select zone from the list" in response.content.decode()


def test_the_waiting_list_refreshes_itself_through_htmx_and_can_be_paused(
    signed_in: Any, broker: Any, settings: Any
) -> None:
    settings.HOMECARE_WAITING_LIST_REFRESH_SECONDS = 45
    html = signed_in(broker).get(reverse("brokerage:waiting-list"), {"zone": ZONE}).content
    page = html.decode()
    assert 'hx-trigger="every 45s"' in page
    assert f'hx-get="/brokerage/?zone={ZONE}"' in page  # the refresh keeps the filters
    assert "vendor/htmx/htmx.min.js" in page
    assert 'id="live-updates"' in page and "Update the list every 45 seconds" in page


def test_a_request_page_shows_offers_answers_and_history(
    signed_in: Any, broker: Any, new_request: Any
) -> None:
    request = new_request("P-HIST")
    actions.send_next_round(request, now=NOW, acting_user=broker)
    offer = request.offers.get()
    actions.answer_offer(offer, accepted=False, reason="no carers free", now=NOW, acting_user=None)
    html = signed_in(broker).get(reverse("brokerage:request", args=[request.pk])).content.decode()
    assert "P-HIST" in html
    assert "no carers free" in html
    assert "Prime 1 (test)" in html and "Declined" in html
    assert "Requested to offered" in html


def test_a_broker_places_by_hand_with_a_reason_and_a_missing_reason_is_an_error(
    signed_in: Any, broker: Any, new_request: Any
) -> None:
    request = new_request()
    provider = Provider.objects.get(name="Supplementary 1 (test)")
    url = reverse("brokerage:request", args=[request.pk])
    client = signed_in(broker)
    bad = client.post(url, {"action": "place", "place-provider": provider.pk, "place-reason": ""})
    assert bad.status_code == 200
    assert 'href="#place-reason"' in bad.content.decode()
    assert not Placement.objects.exists()
    good = client.post(
        url, {"action": "place", "place-provider": provider.pk, "place-reason": "spot purchase"}
    )
    assert good.status_code == 302
    placement = Placement.objects.get()
    assert (placement.provider, placement.by, placement.reason) == (
        provider,
        broker,
        "spot purchase",
    )


def test_a_broker_transfers_a_placed_package_to_another_provider(
    signed_in: Any, broker: Any, new_request: Any
) -> None:
    request = new_request()
    spot = Provider.objects.get(name="Supplementary 1 (test)")
    lead = Provider.objects.get(name="Prime 1 (test)")
    actions.place_manually(request, spot, reason="contingency", now=NOW, acting_user=broker)
    response = signed_in(broker).post(
        reverse("brokerage:request", args=[request.pk]),
        {"action": "transfer", "transfer-provider": lead.pk, "transfer-reason": "to the lead"},
    )
    new = BrokerageRequest.objects.exclude(pk=request.pk).get()
    assert response["Location"] == reverse("brokerage:request", args=[new.pk])
    assert new.placed_provider == lead
    request.refresh_from_db()
    assert request.state == "transferred"


def test_a_broker_withdraws_a_request_and_its_open_offers_close(
    signed_in: Any, broker: Any, new_request: Any
) -> None:
    request = new_request()
    actions.send_next_round(request, now=NOW, acting_user=broker)
    signed_in(broker).post(
        reverse("brokerage:request", args=[request.pk]),
        {"action": "withdraw", "withdraw-reason": "person moved away"},
    )
    request.refresh_from_db()
    assert request.state == "withdrawn"
    assert request.offers.get().status == Offer.Status.WITHDRAWN


def test_sending_a_round_while_one_is_open_says_why_not(
    signed_in: Any, broker: Any, new_request: Any
) -> None:
    request = new_request()
    actions.send_next_round(request, now=NOW, acting_user=broker)
    response = signed_in(broker).post(
        reverse("brokerage:request", args=[request.pk]), {"action": "next_round"}, follow=True
    )
    assert "No round sent: round 1 is still open" in response.content.decode()
    assert Offer.objects.count() == 1
