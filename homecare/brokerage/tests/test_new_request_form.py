"""The new-request form: a weekly pattern, every error at once, and a check page before offers.

The clock is frozen at the brokerage tests' Monday (2 March 2026), so "14 days ago" is fixed.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from homecare.accounts import actions as accounts
from homecare.brokerage.forms import RequestForm
from homecare.brokerage.models import BrokerageRequest, Offer, Package, Person
from homecare.brokerage.testing import AREA, NOW

pytestmark = pytest.mark.django_db

NEW = reverse("brokerage:new-request")


@pytest.fixture(autouse=True)
def _monday(frozen_now: Any) -> None:
    frozen_now(NOW)


def answers(framework: Any, **changes: Any) -> dict[str, Any]:
    """Four calls a day, every day, starting next Monday."""
    data: dict[str, Any] = {
        "person_ref": "P-004512",
        "area": AREA,
        "framework": str(framework.pk),
        "funding": "council",
        "cohort": "older_people",
        "source": "community",
        "priority": "normal",
        "start_day": "9",
        "start_month": "3",
        "start_year": "2026",
        "needs": "medication",
        "patterns": "1",
        "calls-1": "4",
        "days_quick-1": "every",
    }
    for n, (time, minutes, carers) in enumerate(
        [("07:30", "45", "2"), ("12:00", "30", "1"), ("16:30", "30", "1"), ("20:00", "30", "1")],
        start=1,
    ):
        data |= {
            f"call-1-{n}-time": time,
            f"call-1-{n}-minutes": minutes,
            f"call-1-{n}-carers": carers,
            f"call-1-{n}-window_minutes": "30",
        }
    data.update(changes)
    return data


def _continue(client: Any, data: dict[str, Any]) -> Any:
    return client.post(NEW, data)


def _token(response: Any) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return parse_qs(urlparse(response["Location"]).query)["check"][0]


def _errors(response: Any) -> list[str]:
    html = response.content.decode()
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">', summary)


def test_the_first_submit_only_checks_and_creates_nothing(
    signed_in: Any, broker: Any, framework: Any
) -> None:
    client = signed_in(broker)
    token = _token(_continue(client, answers(framework)))
    assert not BrokerageRequest.objects.exists() and not Offer.objects.exists()
    page = client.get(f"{NEW}?check={token}")
    html = page.content.decode()
    assert "Check your answers before sending offers" in html
    assert "P-004512" in html and "Send offers" in html
    assert f'href="{NEW}?change={token}#person_ref"' in html
    assert 'name="confirm"' in html
    assert not BrokerageRequest.objects.exists()


def test_enter_in_the_form_presses_continue_which_never_sends(
    signed_in: Any, broker: Any, framework: Any
) -> None:
    client = signed_in(broker)
    html = client.get(NEW).content.decode()
    form = html.split('action="/brokerage/requests/new/"', 1)[1]
    first_button = re.search(r"<button[^>]*>([^<]*)</button>", form)
    assert first_button is not None and first_button.group(1) == "Continue"
    # The browser sends the default button's name with the fields: still only a check.
    _token(_continue(client, {**answers(framework), "continue": "1"}))
    assert not BrokerageRequest.objects.exists()


def test_send_offers_on_the_check_page_creates_the_request_and_offers_once(
    signed_in: Any, broker: Any, framework: Any
) -> None:
    client = signed_in(broker)
    token = _token(_continue(client, answers(framework)))
    sent = client.post(NEW, {"confirm": token, "send": "1"})
    made = BrokerageRequest.objects.get()
    assert sent["Location"] == reverse("brokerage:request", args=[made.pk])
    assert made.state == "offered"
    offers = Offer.objects.count()
    assert offers >= 1
    again = client.post(NEW, {"confirm": token, "send": "1"})  # a second press
    assert again["Location"] == reverse("brokerage:request", args=[made.pk])
    assert BrokerageRequest.objects.count() == 1 and Offer.objects.count() == offers


def test_a_press_from_a_second_tab_that_never_saw_the_first_send_makes_nothing_new(
    signed_in: Any, broker: Any, framework: Any
) -> None:
    client = signed_in(broker)
    token = _token(_continue(client, answers(framework)))
    before = dict(client.session.items())  # what the other tab's press carries
    client.post(NEW, {"confirm": token, "send": "1"})
    made = BrokerageRequest.objects.get()
    offers = Offer.objects.count()
    session = client.session
    session.update(before)  # the first press's note of what it made is not there
    session.save()
    again = client.post(NEW, {"confirm": token, "send": "1"})
    assert again["Location"] == reverse("brokerage:request", args=[made.pk])
    assert BrokerageRequest.objects.count() == 1 and Offer.objects.count() == offers


def test_the_confirmation_without_the_send_button_sends_nothing(
    signed_in: Any, broker: Any, framework: Any
) -> None:
    client = signed_in(broker)
    token = _token(_continue(client, answers(framework)))
    response = client.post(NEW, {"confirm": token})
    assert response.status_code == 302 and "check=" in response["Location"]
    assert not BrokerageRequest.objects.exists()


def test_four_calls_a_day_on_seven_days_is_four_rows_and_28_visits_for_the_engine(
    signed_in: Any, broker: Any, framework: Any
) -> None:
    html = signed_in(broker).get(NEW).content.decode()
    assert html.count('name="call-1-') == 4 * 5  # four call rows of five fields
    client = signed_in(broker)
    token = _token(_continue(client, answers(framework)))
    check = client.get(f"{NEW}?check={token}").content.decode()
    assert "28 visits a week" in check
    client.post(NEW, {"confirm": token, "send": "1"})
    package = Package.objects.get()
    assert package.visits.count() == 28
    assert sorted({v.day for v in package.visits.all()}) == list(range(7))
    # (45 x 2 + 30 + 30 + 30) carer minutes a day, seven days: 21 hours.
    assert str(package.carer_hours_per_week) == "21.00"
    assert str(package.contact_hours_per_week) == "15.75"


def test_weekdays_and_chosen_days_make_their_visits(framework: Any) -> None:
    form = _form(
        framework,
        **{"days_quick-1": "weekdays", "patterns": "2", "calls-2": "1", "days_quick-2": "chosen"},
        **{"days-2": ["5", "6"], "call-2-1-time": "10:00", "call-2-1-minutes": "60"},
    )
    assert form.is_valid(), form.errors
    days = sorted(v["day"] for v in form.visits)
    assert days == sorted([d for d in range(5) for _ in range(4)] + [5, 6])


def test_chosen_days_with_none_ticked_is_an_error(framework: Any) -> None:
    form = _form(framework, **{"days_quick-1": "chosen"})
    assert not form.is_valid()
    assert form.errors["days-1"] == ["Select the days of the week"]


def _form(framework: Any, **changes: Any) -> RequestForm:
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, value in answers(framework, **changes).items():
        data.setlist(key, value if isinstance(value, list) else [value])
    from datetime import date

    return RequestForm(
        data,
        areas=[("West Leicester", [(AREA, "Anstey")])],
        frameworks=[(str(framework.pk), str(framework))],
        councils={str(framework.pk): framework.council},
        today=date(2026, 3, 2),
    )


def test_every_error_is_shown_at_once_naming_each_field(
    signed_in: Any, broker: Any, framework: Any, council_format: Any
) -> None:
    data = answers(
        framework,
        person_ref="Mrs Jane Smith, 4 High Street",
        funding="",
        start_day="31",
        start_month="2",
        **{"call-1-2-minutes": "lots", "call-1-3-time": "25:99", "call-1-4-minutes": "5000"},
    )
    response = _continue(signed_in(broker), data)
    assert response.status_code == 200
    assert _errors(response) == [
        "person_ref",
        "funding",
        "start_day",
        "call-1-2-minutes",
        "call-1-3-time",
        "call-1-4-minutes",
    ]
    html = response.content.decode()
    assert (
        "Enter the person&#x27;s reference in the council&#x27;s format, for example P-004512"
        in html
    )
    assert "Call 4: minutes of care must be 720 or fewer" in html
    assert "Call 3: time must be a time like 07:30" in html
    assert "<title>Error: New request" in html
    assert not Person.objects.exists()


def test_the_council_s_reference_pattern_refuses_a_name_and_address(
    framework: Any, council_format: Any
) -> None:
    form = _form(framework, person_ref="Mrs Jane Smith, 4 High Street")
    assert not form.is_valid()
    assert form.errors["person_ref"] == [
        "Enter the person's reference in the council's format, for example P-004512"
    ]
    assert _form(framework, person_ref="P-004512").is_valid()
    assert "P- followed by digits" in str(form["person_ref"].help_text)


def test_a_late_start_needs_a_reason(framework: Any) -> None:
    late = {"start_day": "2", "start_month": "2", "start_year": "2026"}  # 28 days ago
    form = _form(framework, **late)
    assert not form.is_valid()
    assert form.late_start
    assert "enter the reason for the late start" in form.errors["late_start_reason"][0]
    with_reason = _form(framework, **late, late_start_reason="Discharged on 2 February")
    assert with_reason.is_valid(), with_reason.errors
    recent = _form(framework, start_day="20", start_month="2", start_year="2026")
    assert recent.is_valid() and not recent.late_start


def test_a_start_seven_years_ago_is_refused_even_with_a_reason(framework: Any) -> None:
    form = _form(framework, start_year="2019", late_start_reason="typed by mistake")
    assert not form.is_valid()
    assert form.errors["start_day"][0].startswith("Start date must be between")


def test_the_late_start_reason_is_kept_on_the_package_s_audit_trail(
    signed_in: Any, broker: Any, framework: Any
) -> None:
    client = signed_in(broker)
    data = answers(framework, start_day="2", start_month="2", late_start_reason="Backdated")
    first = _continue(client, data)
    token = _token(first)
    assert "Reason for the late start" in client.get(f"{NEW}?check={token}").content.decode()
    client.post(NEW, {"confirm": token, "send": "1"})
    package = Package.objects.get()
    reasons = list(package.history.values_list("history_change_reason", flat=True))
    assert "Late start: Backdated" in reasons


@pytest.mark.parametrize("minutes", ["5000", "721"])
def test_more_than_720_minutes_is_refused_whatever_is_confirmed(
    framework: Any, minutes: str
) -> None:
    form = _form(framework, **{"call-1-1-minutes": minutes, "lengths_checked": "on"})
    assert not form.is_valid()
    assert form.errors["call-1-1-minutes"] == [
        "Call 1: minutes of care must be 720 or fewer (12 hours)"
    ]


def test_an_unusual_visit_length_needs_the_broker_s_confirmation(framework: Any) -> None:
    form = _form(framework, **{"call-1-2-minutes": "241", "call-1-3-minutes": "10"})
    assert not form.is_valid()
    message = form.errors["lengths_checked"][0]
    assert "call 2 is 241 minutes and call 3 is 10 minutes" in message
    assert "I have checked these visit lengths" in message
    confirmed = _form(
        framework, **{"call-1-2-minutes": "241", "call-1-3-minutes": "10", "lengths_checked": "on"}
    )
    assert confirmed.is_valid(), confirmed.errors


def test_the_confirmation_box_appears_with_the_warning(
    signed_in: Any, broker: Any, framework: Any
) -> None:
    client = signed_in(broker)
    plain = client.get(NEW).content.decode()
    assert 'id="lengths_checked"' not in plain
    response = _continue(client, answers(framework, **{"call-1-1-minutes": "10"}))
    html = response.content.decode()
    assert 'id="lengths_checked"' in html and "govuk-warning-text" in html
    assert _errors(response) == ["lengths_checked"]


def test_overlapping_calls_are_named_in_the_broker_s_words(framework: Any) -> None:
    form = _form(framework, **{"call-1-2-time": "08:00"})
    assert not form.is_valid()
    assert form.errors["call-1-2-time"][0].startswith("Call 1 and call 2 overlap on Monday")


def test_change_shows_the_answers_again_and_continue_keeps_one_draft(
    signed_in: Any, broker: Any, framework: Any
) -> None:
    client = signed_in(broker)
    token = _token(_continue(client, answers(framework)))
    change = client.get(f"{NEW}?change={token}").content.decode()
    assert 'value="P-004512"' in change and f'name="draft" value="{token}"' in change
    again = _token(_continue(client, {**answers(framework, needs="hoist"), "draft": token}))
    assert again == token
    assert "hoist" in client.get(f"{NEW}?check={token}").content.decode()


def test_add_another_call_and_set_keep_what_was_typed(
    signed_in: Any, broker: Any, framework: Any
) -> None:
    client = signed_in(broker)
    more = client.post(NEW, {**answers(framework), "add_call": "1"}).content.decode()
    assert 'id="call-1-5-time"' in more and 'value="P-004512"' in more
    assert "govuk-error-summary" not in more
    sets = client.post(NEW, {**answers(framework), "add_pattern": "1"}).content.decode()
    assert 'id="call-2-1-time"' in sets and 'id="days_quick-2-every"' in sets
    assert not BrokerageRequest.objects.exists()


def test_forged_counts_are_capped(framework: Any) -> None:
    form = _form(framework, patterns="500", **{"calls-1": "10000"})
    assert form.pattern_count == 7 and form.call_counts[1] == 12


def test_the_people_importer_refuses_a_reference_not_in_the_council_s_format(
    geography: Any, council_format: Any
) -> None:
    from homecare.brokerage.imports import import_file

    content = (
        "reference,area_code,funding,cohort\n"
        f'"Mrs Jane Smith, 4 High Street",{AREA},council,older_people\n'
        f"P-004512,{AREA},council,older_people\n"
    ).encode()
    report = import_file(
        "people", "people.csv", content=content, good_rows_only=True, now=NOW, acting_user=None
    )
    assert [(e.row, e.column) for e in report.rejected] == [(2, "reference")]
    assert "for example P-004512" in report.rejected[0].reason
    assert list(Person.objects.values_list("reference", flat=True)) == ["P-004512"]


def test_a_council_s_reference_format_must_be_a_pattern_its_example_matches(council: Any) -> None:
    from carecore.errors import InputError

    with pytest.raises(InputError) as broken:
        accounts.set_person_reference_format(
            council, pattern="P-[0-9", description="", example="", acting_user=None
        )
    assert broken.value.key == "person_reference_pattern"
    with pytest.raises(InputError) as mismatch:
        accounts.set_person_reference_format(
            council, pattern=r"P-[0-9]+", description="", example="Q-1", acting_user=None
        )
    assert mismatch.value.key == "person_reference_example"
    council.refresh_from_db()
    assert council.person_reference_pattern == ""  # nothing was saved
    saved = accounts.set_person_reference_format(
        council, pattern=r" P-[0-9]+ ", description="P- and digits", example="P-1", acting_user=None
    )
    assert saved.history.first().person_reference_pattern == "P-[0-9]+"  # audited, trimmed
