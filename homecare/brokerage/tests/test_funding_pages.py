"""Brokers and commissioners see who pays for a person's care in plain words and change it,
with a reason, from the request's page or the person's package page; errors name the field;
providers see the funding but may not change it, and another council's staff never reach it."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import include, path, reverse

from config import urls as site_urls
from homecare.brokerage import actions
from homecare.brokerage.models import BrokerageRequest, Person
from homecare.brokerage.testing import AREA, NOW, other_council, persona
from homecare.commissioning.models import Provider

# The site's URLs, with the funding pages included as config/urls.py is to include them.
_INCLUDED = any(
    getattr(getattr(p, "urlconf_module", None), "__name__", "") == "homecare.brokerage.funding_urls"
    for p in site_urls.urlpatterns
)
urlpatterns = [
    *site_urls.urlpatterns,
    *([] if _INCLUDED else [path("brokerage/", include("homecare.brokerage.funding_urls"))]),
]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

JOINT = "Joint-funded: NHS pays 40%, the council 60%"


@pytest.fixture(autouse=True)
def _monday(frozen_now: Any) -> None:
    frozen_now(NOW)


@pytest.fixture
def made(new_request: Any) -> BrokerageRequest:
    return new_request("P-0001")


def _errors(response: Any) -> list[str]:
    """The error summary's links, in order."""
    html = response.content.decode()
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">', summary)


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_broker_changes_the_funding_from_the_request_page_and_sees_it_in_plain_words(
    signed_in: Any, broker: Any, made: BrokerageRequest
) -> None:
    client = signed_in(broker)
    page = client.get(reverse("brokerage:request", args=[made.pk]))
    change = reverse("funding:request", args=[made.pk])
    assert "Council-funded" in _text(page) and f'href="{change}"' in page.content.decode()
    form = client.get(change)
    assert form.status_code == 200 and 'id="funding-now"' in form.content.decode()
    answer = {"funding": "joint", "nhs_share_percent": "40", "reason": "CHC panel: joint"}
    done = client.post(change, answer)
    assert done.status_code == 302
    assert done["Location"] == reverse("brokerage:request", args=[made.pk])
    after = client.get(done["Location"])
    assert JOINT in _text(after)
    person = Person.objects.get()
    assert (person.funding, person.nhs_share_percent) == ("joint", Decimal("40.00"))
    listed = _text(client.get(change))
    assert f"Council-funded {JOINT} Broker CHC panel: joint" in listed


def test_a_commissioner_changes_the_funding_from_the_package_page(
    signed_in: Any, commissioner: Any, made: BrokerageRequest
) -> None:
    client = signed_in(commissioner)
    package = made.package
    page = client.get(reverse("brokerage:package", args=[package.pk]))
    change = reverse("funding:package", args=[package.pk])
    assert f'href="{change}"' in page.content.decode()
    done = client.post(change, {"funding": "direct_payment", "reason": "Takes a direct payment"})
    assert done["Location"] == reverse("brokerage:package", args=[package.pk])
    after = _text(client.get(done["Location"]))
    assert "Direct payment: the person buys their own care" in after


@pytest.mark.parametrize(
    ("answer", "fields", "message"),
    [
        ({"funding": "joint", "reason": "R"}, ["nhs_share_percent"], "Enter the NHS share"),
        (
            {"funding": "joint", "nhs_share_percent": "100", "reason": "R"},
            ["nhs_share_percent"],
            "NHS share must be more than 0% and less than 100%",
        ),
        (
            {"funding": "joint", "nhs_share_percent": "forty", "reason": "R"},
            ["nhs_share_percent"],
            "NHS share must be a percentage",
        ),
        (
            {"funding": "nhs_chc", "nhs_share_percent": "40", "reason": "R"},
            ["nhs_share_percent"],
            "Only a joint-funded person has an NHS share",
        ),
        ({"funding": "joint", "nhs_share_percent": "40"}, ["reason"], "Enter the reason"),
        ({"reason": "R"}, ["funding"], "Select who pays"),
        ({"funding": "council", "reason": "R"}, ["funding"], "nothing to change"),
        (
            {"funding": "joint", "nhs_share_percent": "1" * 40, "reason": "x" * 200},
            ["nhs_share_percent", "reason"],
            "100 characters or fewer",
        ),
    ],
)
def test_a_bad_change_of_funding_lists_each_error_linked_to_its_field_and_changes_nothing(
    signed_in: Any,
    broker: Any,
    made: BrokerageRequest,
    answer: dict[str, str],
    fields: list[str],
    message: str,
) -> None:
    response = signed_in(broker).post(reverse("funding:request", args=[made.pk]), answer)
    assert response.status_code == 200
    assert _errors(response) == fields
    assert message in response.content.decode().replace("&#x27;", "'")
    assert (Person.objects.get().funding, Person.objects.get().nhs_share_percent) == (
        "council",
        None,
    )


def test_a_provider_sees_the_funding_of_its_package_but_may_not_change_it(
    signed_in: Any, broker: Any, made: BrokerageRequest
) -> None:
    prime = Provider.objects.get(name="Prime 1 (test)")
    actions.place_manually(made, prime, reason="By hand", now=NOW, acting_user=broker)
    user = persona("prime_user", prime.organisation, "provider")
    client = signed_in(user)
    page = client.get(reverse("brokerage:package", args=[made.package.pk]))
    assert page.status_code == 200 and "Council-funded" in _text(page)
    assert "change the funding" not in page.content.decode()
    for name, pk in (("funding:package", made.package.pk), ("funding:request", made.pk)):
        refused = client.post(reverse(name, args=[pk]), {"funding": "nhs_chc", "reason": "R"})
        assert refused.status_code == 403
    assert Person.objects.get().funding == "council"


def test_another_council_s_broker_finds_no_such_page(
    signed_in: Any, made: BrokerageRequest
) -> None:
    stranger = persona("their_broker", other_council(), "broker")
    client = signed_in(stranger)
    for name, pk in (("funding:package", made.package.pk), ("funding:request", made.pk)):
        assert client.get(reverse(name, args=[pk])).status_code == 404
        gone = client.post(reverse(name, args=[pk]), {"funding": "nhs_chc", "reason": "R"})
        assert gone.status_code == 404
    assert Person.objects.get().funding == "council"


def _answers(framework: Any, **changes: str) -> dict[str, Any]:
    return {
        "person_ref": "P-0002",
        "area": AREA,
        "framework": str(framework.pk),
        "funding": "council",
        "cohort": "older_people",
        "source": "community",
        "priority": "normal",
        "start_day": "9",
        "start_month": "3",
        "start_year": "2026",
        "patterns": "1",
        "calls-1": "1",
        "days_quick-1": "every",
        "call-1-1-time": "08:00",
        "call-1-1-minutes": "30",
        "call-1-1-carers": "1",
        "call-1-1-window_minutes": "30",
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"funding": "joint"}, "Enter the NHS share"),
        ({"funding": "joint", "nhs_share_percent": "0"}, "NHS share must be more than 0%"),
        ({"funding": "council", "nhs_share_percent": "40"}, "Only a joint-funded person"),
    ],
)
def test_the_new_request_form_refuses_a_missing_or_stray_share_on_its_field(
    signed_in: Any, broker: Any, framework: Any, changes: dict[str, str], message: str
) -> None:
    response = signed_in(broker).post(
        reverse("brokerage:new-request"), _answers(framework, **changes)
    )
    assert response.status_code == 200
    assert _errors(response) == ["nhs_share_percent"]
    assert message in response.content.decode()
    assert not BrokerageRequest.objects.exists()


def test_the_check_page_says_who_pays_for_a_joint_funded_request(
    signed_in: Any, broker: Any, framework: Any
) -> None:
    client = signed_in(broker)
    answers = _answers(framework, funding="joint", nhs_share_percent="40")
    checked = client.post(reverse("brokerage:new-request"), answers)
    assert checked.status_code == 302
    assert JOINT in _text(client.get(checked["Location"]))


def test_a_joint_funded_request_sent_from_the_form_keeps_its_share(
    signed_in: Any, broker: Any, framework: Any
) -> None:
    client = signed_in(broker)
    answers = _answers(framework, funding="joint", nhs_share_percent="37.5")
    checked = client.post(reverse("brokerage:new-request"), answers)
    token = checked["Location"].split("check=", 1)[1]
    sent = client.post(reverse("brokerage:new-request"), {"confirm": token, "send": "1"})
    assert sent.status_code == 302
    person = Person.objects.get()
    assert (person.funding, person.nhs_share_percent) == ("joint", Decimal("37.50"))
