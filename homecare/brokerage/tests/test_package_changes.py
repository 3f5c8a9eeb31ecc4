"""A package's life after placement: variations, reviews, suspensions and endings, each from
a date, and the person's package page that shows them.

Packages are made the real ways: a broker's request answered by the provider, or placed by
hand with no acting user (as the importer leaves them). The pages' clock is frozen on
Monday 16 March 2026, a week after the packages start (Monday 9 March).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from carecore.ecm import planned_visits
from carecore.errors import InputError
from homecare.accounts import actions as accounts
from homecare.accounts.plain_words import internal_words_in
from homecare.brokerage import actions, changes, schedules
from homecare.brokerage.models import (
    WAITING_STATES,
    Package,
    Placement,
    ScheduleChange,
    ScheduleVersion,
    State,
)
from homecare.brokerage.testing import LONDON, NOW, make_request
from homecare.commissioning.models import Provider
from homecare.delivery import engine

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 3, 16, 10, 0, tzinfo=LONDON)  # a Monday, a week into care
DAILY = "Daily 08:00 30m"  # 3.5 carer hours a week
WEEKDAYS = "Mon-Fri 08:00 30m"  # 2.5 carer hours a week


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: TODAY)


def _provider_user(name: str, username: str) -> Any:
    provider = Provider.objects.get(name=name)
    return accounts.create_persona(
        username,
        password="x" * 12,
        organisation=provider.organisation,
        role="provider",
        first_name=username.split("_")[0].title(),
        acting_user=None,
    )


@pytest.fixture
def prime_1_user(framework: Any) -> Any:
    return _provider_user("Prime 1 (test)", "priya_prime1")


@pytest.fixture
def prime_2_user(framework: Any) -> Any:
    return _provider_user("Prime 2 (test)", "peter_prime2")


@pytest.fixture
def placed(framework: Any, broker: Any, prime_1_user: Any) -> Package:
    """P-0001's daily package: requested by the broker, offered, accepted by Prime 1."""
    request = make_request(framework, "P-0001", visits=DAILY, acting_user=broker)
    actions.send_next_round(request, now=NOW, acting_user=broker)
    offer = request.offers.get(provider__name="Prime 1 (test)")
    placement = actions.answer_offer(offer, accepted=True, now=NOW, acting_user=prime_1_user)
    assert placement is not None
    return Package.objects.get(pk=request.package_id)


@pytest.fixture
def imported(framework: Any) -> Package:
    """P-0002's package placed by hand by no one (as the importer leaves records)."""
    request = make_request(framework, "P-0002", visits=DAILY)
    provider = Provider.objects.get(name="Prime 1 (test)")
    actions.place_manually(request, provider, reason="imported", now=NOW, acting_user=None)
    return Package.objects.get(pk=request.package_id)


def _date(prefix: str, day: date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def _planned(package: Package, provider_name: str, start: date, end: date) -> Any:
    council = package.requests.first().framework.council
    provider = Provider.objects.select_related("organisation").get(name=provider_name)
    return planned_visits(engine.planned_packages(council, provider, start, end), start, end)


def _text(response: Any) -> str:
    html = response.content.decode()
    assert internal_words_in(html) == []
    return html


# --- variations ---------------------------------------------------------------------------


def test_a_broker_cuts_the_hours_from_a_date_and_the_old_schedule_is_kept(
    signed_in: Any, broker: Any, placed: Package
) -> None:
    url = reverse("brokerage:package-vary", args=[placed.pk])
    response = signed_in(broker).post(
        url,
        {
            **_date("effective_from", date(2026, 3, 23)),
            "schedule": WEEKDAYS,
            "reason": "Family help at weekends",
        },
    )
    assert response.status_code == 302
    change = placed.schedule_changes.get()
    assert change.status == ScheduleChange.Status.APPLIED
    versions = list(ScheduleVersion.objects.filter(package=placed).order_by("effective_from"))
    assert [(v.effective_from, v.effective_to, v.carer_hours_per_week) for v in versions] == [
        (date(2026, 3, 9), date(2026, 3, 22), Decimal("3.50")),
        (date(2026, 3, 23), None, Decimal("2.50")),
    ]
    # Today (16 March) the daily schedule is still in force; from the 23rd the new one.
    placed.refresh_from_db()
    assert placed.carer_hours_per_week == Decimal("3.50")
    changed = changes.apply_due_schedules(now=datetime(2026, 3, 23, 0, 5, tzinfo=LONDON))
    placed.refresh_from_db()
    assert changed == 1
    assert placed.carer_hours_per_week == Decimal("2.50")
    assert placed.visits.count() == 5
    assert changes.apply_due_schedules(now=datetime(2026, 3, 24, tzinfo=LONDON)) == 0
    assert placed.history.filter(history_user=None).exists()  # the daily run is audited too


def test_planned_visits_follow_the_schedule_in_force_on_each_day(
    broker: Any, placed: Package
) -> None:
    changes.vary_package(
        placed,
        WEEKDAYS,
        effective_from=date(2026, 3, 23),
        reason="Fewer visits",
        now=TODAY,
        acting_user=broker,
    )
    visits = _planned(placed, "Prime 1 (test)", date(2026, 3, 9), date(2026, 4, 5))
    days = [start.date() for start in visits["planned_start"]]
    assert len(days) == 14 + 10  # every day for two weeks, then weekdays only
    assert date(2026, 3, 22) in days  # a Sunday under the old schedule
    assert date(2026, 3, 29) not in days  # a Sunday under the new one
    assert len(set(visits["planned_id"])) == len(days)


def test_more_hours_wait_for_the_provider_who_may_accept_them(
    signed_in: Any, broker: Any, prime_1_user: Any, placed: Package
) -> None:
    change = changes.vary_package(
        placed,
        "Daily 08:00 30m; Daily 18:00 30m",
        effective_from=date(2026, 3, 23),
        reason="Needs a tea-time call",
        now=TODAY,
        acting_user=broker,
    )
    assert change.status == ScheduleChange.Status.AWAITING_PROVIDER
    assert not placed.schedule_versions.exists()
    url = reverse("brokerage:package-change", args=[change.pk])
    page = signed_in(prime_1_user).get(url)
    assert "Accept" in _text(page)
    response = signed_in(prime_1_user).post(url, {"answer": "yes"})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ScheduleChange.Status.APPLIED
    assert change.decided_by == prime_1_user
    assert schedules.span_on(placed, date(2026, 3, 23)).carer_hours == Decimal("7.00")


def test_more_hours_the_provider_declines_go_back_to_brokerage(
    signed_in: Any, broker: Any, prime_1_user: Any, placed: Package
) -> None:
    old_request = placed.requests.get()
    change = changes.vary_package(
        placed,
        "Daily 08:00 30m; Daily 18:00 30m",
        effective_from=date(2026, 3, 23),
        reason="Needs a tea-time call",
        now=TODAY,
        acting_user=broker,
    )
    url = reverse("brokerage:package-change", args=[change.pk])
    missing = signed_in(prime_1_user).post(url, {"answer": "no"})
    assert "Enter the reason you are declining" in _text(missing)
    response = signed_in(prime_1_user).post(url, {"answer": "no", "reason": "No evening carers"})
    assert response.status_code == 302
    change.refresh_from_db()
    old_request.refresh_from_db()
    assert change.status == ScheduleChange.Status.DECLINED
    assert old_request.state == State.TRANSFERRED
    old_placement = Placement.objects.get(request=old_request)
    assert old_placement.ended_at == datetime(2026, 3, 23, tzinfo=LONDON)
    new_request = change.new_request
    assert new_request.package_id == placed.pk
    assert new_request.state in (*WAITING_STATES,)
    # Offered by the framework's policy again, to others first: Prime 1's refusal is the
    # new request's first round.
    first, second = (
        sorted(new_request.offers.filter(round_number=n).values_list("provider__name", "status"))
        for n in (1, 2)
    )
    assert first == [("Prime 1 (test)", "declined")]
    assert second == [("Prime 2 (test)", "open")]
    placed.refresh_from_db()
    assert placed.carer_hours_per_week == Decimal("7.00")  # it is brokered for the new hours
    # Prime 1 keeps the old schedule until the day before the change, and no longer.
    visits = _planned(placed, "Prime 1 (test)", date(2026, 3, 16), date(2026, 3, 29))
    assert max(visits["planned_start"]).date() == date(2026, 3, 22)
    assert len(visits) == 7


def test_a_change_cannot_start_before_the_schedule_in_force(broker: Any, placed: Package) -> None:
    changes.vary_package(
        placed,
        WEEKDAYS,
        effective_from=date(2026, 3, 23),
        reason="Fewer",
        now=TODAY,
        acting_user=broker,
    )
    with pytest.raises(InputError) as caught:
        changes.vary_package(
            placed,
            DAILY,
            effective_from=date(2026, 3, 20),
            reason="Back",
            now=TODAY,
            acting_user=broker,
        )
    assert caught.value.key == "effective_from"
    assert "23 March 2026" in caught.value.message


def test_the_change_form_shows_every_error_at_once_in_plain_words(
    signed_in: Any, broker: Any, placed: Package
) -> None:
    url = reverse("brokerage:package-vary", args=[placed.pk])
    page = signed_in(broker).get(url)
    assert "Daily 08:00 30m" not in page.content.decode()  # grouped by running days
    assert "Mon-Sun 08:00 30m" in page.content.decode()
    response = signed_in(broker).post(url, {"schedule": "", "reason": ""})
    html = _text(response)
    assert "There is a problem" in html
    assert 'href="#effective_from_day"' in html
    assert 'href="#schedule"' in html
    assert 'href="#reason"' in html
    bad = signed_in(broker).post(
        url,
        {**_date("effective_from", date(2026, 3, 23)), "schedule": "Mon 25:00 30m", "reason": "x"},
    )
    assert "The weekly schedule is not right" in _text(bad)
    both = signed_in(broker).post(url, {"schedule": "Mon 25:00 30m", "reason": "x"})
    html = _text(both)
    assert "The weekly schedule is not right" in html and 'href="#effective_from_day"' in html
    early = signed_in(broker).post(
        url,
        {**_date("effective_from", date(2026, 3, 2)), "schedule": WEEKDAYS, "reason": "x"},
    )
    assert "The date the new schedule starts must be on or after 9 March 2026" in _text(early)


# --- reviews ------------------------------------------------------------------------------


def test_a_providers_review_approved_by_the_council_applies_and_counts_as_hours_removed(
    signed_in: Any, broker: Any, prime_1_user: Any, placed: Package
) -> None:
    url = reverse("brokerage:package-review", args=[placed.pk])
    response = signed_in(prime_1_user).post(
        url,
        {
            **_date("effective_from", date(2026, 3, 30)),
            "schedule": WEEKDAYS,
            "reason": "Reabled: makes her own breakfast at weekends",
        },
    )
    assert response.status_code == 302
    change = placed.schedule_changes.get()
    assert change.status == ScheduleChange.Status.AWAITING_COUNCIL
    listing = signed_in(broker).get(reverse("brokerage:package-list"))
    assert "Reviews to decide (1)" in _text(listing)
    decide = reverse("brokerage:package-change", args=[change.pk])
    assert signed_in(broker).post(decide, {"answer": "yes"}).status_code == 302
    change.refresh_from_db()
    assert change.status == ScheduleChange.Status.APPLIED
    figures = schedules.hours_removed_by_reviews(ScheduleChange.objects.all())
    assert (figures.packages, figures.hours_before, figures.hours_after) == (
        1,
        Decimal("3.50"),
        Decimal("2.50"),
    )
    assert figures.hours_removed == Decimal("1.00")
    listing = signed_in(broker).get(reverse("brokerage:package-list"))
    html = _text(listing)
    assert "Carer hours a week removed" in html
    assert "1 (3.5 before, 2.5 after)" in html


def test_a_rejected_review_needs_a_reason_and_changes_nothing(
    signed_in: Any, broker: Any, prime_1_user: Any, placed: Package
) -> None:
    change = changes.propose_review(
        placed,
        WEEKDAYS,
        provider=Provider.objects.get(name="Prime 1 (test)"),
        effective_from=date(2026, 3, 30),
        reason="Fewer",
        now=TODAY,
        acting_user=prime_1_user,
    )
    url = reverse("brokerage:package-change", args=[change.pk])
    missing = signed_in(broker).post(url, {})
    html = _text(missing)
    assert "Select approve or reject" in html
    assert 'href="#answer"' in html
    assert signed_in(broker).post(url, {"answer": "no", "reason": "Not yet"}).status_code == 302
    change.refresh_from_db()
    assert change.status == ScheduleChange.Status.REJECTED
    assert not placed.schedule_versions.exists()


def test_hours_removed_by_reviews_counts_each_package_once_from_first_to_last_review() -> None:
    def review(package_id: int, pk: int, day: int, before: str, after: str) -> Any:
        return ScheduleChange(
            pk=pk,
            package_id=package_id,
            kind="review",
            status="applied",
            effective_from=date(2026, 3, day),
            carer_hours_before=Decimal(before),
            carer_hours_after=Decimal(after),
        )

    rejected = review(3, 9, 1, "10", "1")
    rejected.status = "rejected"
    figures = schedules.hours_removed_by_reviews(
        [
            review(1, 2, 20, "10", "8"),
            review(1, 1, 10, "12", "10"),
            review(2, 3, 5, "12", "9.41"),
            rejected,
        ]
    )
    assert figures.packages == 2
    assert figures.hours_before == Decimal("24")
    assert figures.hours_after == Decimal("17.41")
    assert figures.hours_removed == Decimal("6.59")
    assert figures.average_before == Decimal("12.00")
    assert figures.average_after == Decimal("8.71")
    assert schedules.hours_removed_by_reviews([]).average_before is None


# --- suspensions and endings --------------------------------------------------------------


def test_a_suspension_stops_visits_from_its_first_to_its_last_day(
    signed_in: Any, broker: Any, placed: Package
) -> None:
    url = reverse("brokerage:package-suspend", args=[placed.pk])
    backwards = signed_in(broker).post(
        url,
        {
            **_date("start_date", date(2026, 3, 20)),
            **_date("end_date", date(2026, 3, 18)),
            "reason": "",
        },
    )
    html = _text(backwards)
    assert "The last day must be on or after the first day" in html
    assert "Enter reason for the suspension" in html
    response = signed_in(broker).post(
        url,
        {
            **_date("start_date", date(2026, 3, 16)),
            **_date("end_date", date(2026, 3, 18)),
            "reason": "In hospital",
        },
    )
    assert response.status_code == 302
    visits = _planned(placed, "Prime 1 (test)", date(2026, 3, 9), date(2026, 3, 22))
    days = {start.date() for start in visits["planned_start"]}
    assert len(days) == 14 - 3
    assert not days & {date(2026, 3, 16), date(2026, 3, 17), date(2026, 3, 18)}
    page = signed_in(broker).get(reverse("brokerage:package", args=[placed.pk]))
    assert "No visits from 16 March 2026 to 18 March 2026: In hospital" in _text(page)


def test_ending_a_package_ends_its_placement_and_visits_from_the_date(
    signed_in: Any, broker: Any, placed: Package
) -> None:
    waiting = changes.vary_package(
        placed,
        "Daily 08:00 30m; Daily 18:00 30m",
        effective_from=date(2026, 3, 23),
        reason="More",
        now=TODAY,
        acting_user=broker,
    )
    url = reverse("brokerage:package-end", args=[placed.pk])
    empty = signed_in(broker).post(url, {})
    html = _text(empty)
    assert 'href="#ends_from_day"' in html and 'href="#reason"' in html
    response = signed_in(broker).post(
        url, {**_date("ends_from", date(2026, 3, 20)), "reason": "residential_care"}
    )
    assert response.status_code == 302
    placed.refresh_from_db()
    assert placed.status == State.ENDED
    assert placed.end_date == date(2026, 3, 19)
    assert placed.ending.get_reason_display() == "Moved into residential care"
    waiting.refresh_from_db()
    assert waiting.status == ScheduleChange.Status.REJECTED  # it can no longer apply
    placement = placed.placements.get()
    assert placement.ended_at == datetime(2026, 3, 20, tzinfo=LONDON)
    visits = _planned(placed, "Prime 1 (test)", date(2026, 3, 9), date(2026, 4, 5))
    assert max(visits["planned_start"]).date() == date(2026, 3, 19)
    page = signed_in(broker).get(reverse("brokerage:package", args=[placed.pk]))
    assert "Care ends from 20 March 2026: moved into residential care." in _text(page)
    again = signed_in(broker).post(url, {**_date("ends_from", date(2026, 3, 20)), "reason": "died"})
    assert "already ended" in _text(again)


def test_variation_suspension_and_ending_together_change_what_is_paid(
    broker: Any, placed: Package, finance: Any
) -> None:
    from homecare.delivery import reconciliation

    changes.vary_package(
        placed,
        WEEKDAYS,
        effective_from=date(2026, 3, 23),
        reason="Fewer",
        now=TODAY,
        acting_user=broker,
    )
    changes.suspend_package_from(
        placed,
        start_date=date(2026, 3, 16),
        end_date=date(2026, 3, 18),
        reason="In hospital",
        now=TODAY,
        acting_user=broker,
    )
    changes.end_package_from(
        placed, ends_from=date(2026, 4, 2), reason="died", now=TODAY, acting_user=broker
    )
    council = placed.requests.first().framework.council
    provider = Provider.objects.get(name="Prime 1 (test)")
    run = reconciliation.run_reconciliation(
        council,
        provider,
        date(2026, 3, 9),
        now=datetime(2026, 4, 6, tzinfo=LONDON),
        acting_user=finance,
    )
    # 14 days, less 3 in hospital; then weekdays 23 March to 1 April (8).
    assert run.planned_visits == 11 + 8


# --- the package page, finding it, and who sees it -----------------------------------------


def test_the_broker_finds_a_person_by_reference_from_the_waiting_list(
    signed_in: Any, broker: Any, placed: Package
) -> None:
    client = signed_in(broker)
    waiting = client.get(reverse("brokerage:waiting-list"))
    assert 'action="/brokerage/packages/find/"' in waiting.content.decode()
    found = client.post(reverse("brokerage:find-person"), {"reference": "p-0001"})
    assert found.status_code == 302
    assert found.url == reverse("brokerage:package", args=[placed.pk])
    missing = client.post(reverse("brokerage:find-person"), {"reference": "P-9999"})
    html = _text(missing)
    assert "No person with reference P-9999" in html
    assert 'href="#reference"' in html


def test_a_person_of_another_council_is_not_found(
    signed_in: Any, placed: Package, geography: Any
) -> None:
    from homecare.accounts.models import Organisation

    other = accounts.create_organisation(
        "Elsewhere Council (test)", kind=Organisation.Kind.COUNCIL, acting_user=None
    )
    stranger = accounts.create_persona(
        "otherbroker",
        password="x" * 12,
        organisation=other,
        role="broker",
        first_name="Olu",
        acting_user=None,
    )
    response = signed_in(stranger).post(reverse("brokerage:find-person"), {"reference": "P-0001"})
    assert "No person with reference P-0001" in response.content.decode()
    page = signed_in(stranger).get(reverse("brokerage:package", args=[placed.pk]))
    assert page.status_code == 404


def test_the_package_page_shows_the_council_everything_in_one_place(
    signed_in: Any, broker: Any, commissioner: Any, placed: Package
) -> None:
    changes.vary_package(
        placed,
        WEEKDAYS,
        effective_from=date(2026, 3, 23),
        reason="Fewer",
        now=TODAY,
        acting_user=broker,
    )
    for user in (broker, commissioner):
        html = _text(signed_in(user).get(reverse("brokerage:package", args=[placed.pk])))
        for words in (
            "P-0001",
            "Prime 1 (test)",
            "Schedule history",
            "From 23 March 2026",
            "Planned visits",
            "Requests and offers",
            "Payments",
            "Complaints",
            "Change the schedule",
            "3.5 carer hours",
            "£20.00 an hour",
        ):
            assert words in html, words


def test_a_provider_sees_only_packages_placed_with_it_and_not_the_offers(
    signed_in: Any,
    prime_1_user: Any,
    prime_2_user: Any,
    provider_a_user: Any,
    outsider: Any,
    placed: Package,
) -> None:
    url = reverse("brokerage:package", args=[placed.pk])
    html = _text(signed_in(prime_1_user).get(url))
    assert "Propose a change after a review" in html
    assert "Requests and offers" not in html and "Complaints" not in html
    assert signed_in(prime_2_user).get(url).status_code == 404
    assert signed_in(provider_a_user).get(url).status_code == 404
    assert signed_in(outsider).get(url).status_code == 403
    assert (
        signed_in(prime_2_user)
        .get(reverse("brokerage:package-review", args=[placed.pk]))
        .status_code
        == 404
    )
    assert (
        signed_in(prime_1_user).get(reverse("brokerage:package-vary", args=[placed.pk])).status_code
        == 403
    )


def test_pages_show_records_made_by_no_one_without_failing(
    signed_in: Any, broker: Any, prime_1_user: Any, imported: Package
) -> None:
    change = changes.vary_package(
        imported,
        WEEKDAYS,
        effective_from=date(2026, 3, 23),
        reason="Imported change",
        now=TODAY,
        acting_user=None,
    )
    changes.suspend_package_from(
        imported,
        start_date=date(2026, 3, 24),
        end_date=date(2026, 3, 25),
        reason="Respite",
        now=TODAY,
        acting_user=None,
    )
    for user in (broker, prime_1_user):
        page = signed_in(user).get(reverse("brokerage:package", args=[imported.pk]))
        assert page.status_code == 200
        assert "the system" in _text(page)
        change_page = signed_in(user).get(reverse("brokerage:package-change", args=[change.pk]))
        assert change_page.status_code == 200
        _text(change_page)
    assert signed_in(broker).get(reverse("brokerage:package-list")).status_code == 200


def test_the_payments_on_the_package_page_are_the_persons_invoice_lines(
    signed_in: Any, broker: Any, prime_1_user: Any, placed: Package, finance: Any
) -> None:
    from homecare.delivery import actions as delivery
    from homecare.delivery import reconciliation
    from homecare.delivery.testing import csv_bytes, log_row

    provider = Provider.objects.get(name="Prime 1 (test)")
    rows = [
        log_row(provider, "P-0001", datetime(2026, 3, 9, 8, 2, tzinfo=LONDON), 31),
        log_row(provider, "P-0001", datetime(2026, 3, 10, 8, 40, tzinfo=LONDON), 28),
    ]
    upload = delivery.create_upload(
        provider, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None
    )
    delivery.import_upload(upload.pk, now=NOW)
    council = placed.requests.first().framework.council
    reconciliation.run_reconciliation(
        council, provider, date(2026, 3, 9), now=TODAY, acting_user=finance
    )
    for user in (broker, prime_1_user):
        html = _text(signed_in(user).get(reverse("brokerage:package", args=[placed.pk])))
        assert "£19.66" in html
        assert "9 March 2026 to 5 April 2026" in html


@pytest.fixture
def finance(council: Any) -> Any:
    return accounts.create_persona(
        "finance",
        password="x" * 12,
        organisation=council,
        role="finance",
        first_name="Fran",
        acting_user=None,
    )


def test_every_table_on_the_package_page_scrolls_on_a_narrow_screen(
    signed_in: Any, broker: Any, placed: Package
) -> None:
    changes.vary_package(
        placed,
        WEEKDAYS,
        effective_from=date(2026, 3, 23),
        reason="Fewer",
        now=TODAY,
        acting_user=broker,
    )
    html = signed_in(broker).get(reverse("brokerage:package", args=[placed.pk])).content.decode()
    # Each table sits in its own scrolling box (the weekly schedule's brings its own).
    assert html.count("<table") == html.count('class="app-table-scroll"') >= 5


def test_the_daily_command_brings_packages_to_the_schedule_in_force(
    broker: Any, placed: Package, monkeypatch: pytest.MonkeyPatch
) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    changes.vary_package(
        placed,
        WEEKDAYS,
        effective_from=date(2026, 3, 23),
        reason="Fewer",
        now=TODAY,
        acting_user=broker,
    )
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 23, 1, 0, tzinfo=LONDON))
    out = StringIO()
    call_command("apply_schedule_changes", stdout=out)
    assert out.getvalue().strip() == "1 package brought to the schedule in force today."
    placed.refresh_from_db()
    assert placed.carer_hours_per_week == Decimal("2.50")


def test_the_demo_has_reviews_variations_and_a_stay_in_hospital(db: Any) -> None:
    from homecare.brokerage.models import Suspension
    from homecare.commissioning.demo import COUNCIL, load_demo

    load_demo(now=TODAY)
    first = ScheduleChange.objects.filter(package__person__council__name=COUNCIL)
    statuses = sorted(first.values_list("kind", "status"))
    assert statuses == [
        ("review", "applied"),
        ("review", "awaiting_council"),
        ("variation", "applied"),
        ("variation", "awaiting_provider"),
    ]
    assert Suspension.objects.filter(package__person__council__name=COUNCIL).count() == 1
    assert schedules.hours_removed_by_reviews(first).hours_removed > 0


def test_a_package_ended_from_next_week_stays_in_the_providers_list_until_then(
    signed_in: Any, broker: Any, placed: Package, prime_1_user: Any, monkeypatch: Any
) -> None:
    from django.utils import timezone

    changes.end_package_from(
        placed,
        ends_from=date(2026, 3, 20),
        reason="residential_care",
        now=TODAY,
        acting_user=broker,
    )
    mine = reverse("brokerage:packages")
    assert "P-0001" in signed_in(prime_1_user).get(mine).content.decode()
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 20, 0, 1, tzinfo=LONDON))
    assert "P-0001" not in signed_in(prime_1_user).get(mine).content.decode()
