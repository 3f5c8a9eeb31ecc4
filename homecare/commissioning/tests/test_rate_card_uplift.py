"""A commissioner uplifts a rate card: by a percentage (to the penny) or a rate per band, from
a date, on a new card or as a new period of the same card; checked before saving, audited,
and refused to anyone but the card's council's commissioners."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from carecore.errors import InputError
from homecare.commissioning import actions
from homecare.commissioning.models import BandRate, RateCard, RatePeriod

pytestmark = pytest.mark.django_db

# The 2020-21 card's rates: Urban 18.75, Fringe 19.95, Rural 22.95, Isolated 26.15.
ANSWERS = {
    "how": "percent",
    "percent": "3.7",
    "day": "1",
    "month": "4",
    "year": "2022",
    "where": "new",
    "name": "Leicestershire home care rates 2022 to 2023",
    "notes": "Uplift for the National Living Wage.",
}


def _url(card: Any) -> str:
    return reverse("commissioning:rate-card-uplift", args=[card.pk])


def _rates(card: RateCard) -> dict[str, Decimal]:
    period = card.periods.order_by("-effective_from").first()
    assert period is not None
    return {rate.band: rate.hourly_rate for rate in period.rates.all()}


def test_a_percentage_uplift_rounds_each_band_to_the_nearest_penny_halves_up() -> None:
    assert actions.uplifted_rate(Decimal("18.75"), Decimal("3.7")) == Decimal("19.44")  # 19.44375
    assert actions.uplifted_rate(Decimal("19.95"), Decimal("3.7")) == Decimal("20.69")  # 20.68815
    assert actions.uplifted_rate(Decimal("10.10"), Decimal("2.5")) == Decimal("10.35")  # 10.3525
    # Exactly half a penny goes up, never to the even penny.
    assert actions.uplifted_rate(Decimal("10.50"), Decimal("0.5")) == Decimal("10.55")  # 10.5525
    assert actions.uplifted_rate(Decimal("0.10"), Decimal("5")) == Decimal("0.11")  # 0.105


def test_the_commissioner_checks_then_saves_a_percentage_uplift_on_a_new_card(
    signed_in: Any, commissioner: Any, leicestershire_card: Any
) -> None:
    client = signed_in(commissioner)
    card_page = client.get(reverse("commissioning:rate-card", args=[leicestershire_card.pk]))
    assert _url(leicestershire_card) in card_page.content.decode()
    check = client.post(_url(leicestershire_card), ANSWERS)
    html = check.content.decode()
    assert "Check the new rates before saving them" in html
    assert "rounded to the nearest penny, a half penny rounded up" in html
    for now, new in (("£18.75", "£19.44"), ("£19.95", "£20.69"), ("£22.95", "£23.80")):
        assert now in html and new in html
    assert RateCard.objects.count() == 1, "nothing is saved before the check"

    saved = client.post(_url(leicestershire_card), {**ANSWERS, "confirm": "yes"})
    card = RateCard.objects.get(title=ANSWERS["name"])
    assert saved.status_code == 302
    assert saved.url == reverse("commissioning:rate-card", args=[card.pk])
    assert _rates(card) == {
        "URBAN": Decimal("19.44"),  # 18.75 x 1.037 = 19.44375
        "FRINGE": Decimal("20.69"),  # 19.95 x 1.037 = 20.68815
        "RURAL": Decimal("23.80"),  # 22.95 x 1.037 = 23.79915
        "ISOLATED": Decimal("27.12"),  # 26.15 x 1.037 = 27.11755
    }
    period = card.periods.get()
    assert (period.effective_from, period.effective_to) == (date(2022, 4, 1), None)
    assert period.minimum_billable_minutes == 15 and period.bank_holiday_percent == 50
    assert card.council == leicestershire_card.council
    assert card.notes == ANSWERS["notes"] and not card.illustrative
    page = client.get(saved.url).content.decode()
    assert "Leicestershire home care rates 2022 to 2023" in page
    assert "The new rates have been saved." in page
    assert "£27.12" in page


def test_the_history_names_the_commissioner_who_made_the_new_rates(
    commissioner: Any, leicestershire_card: Any
) -> None:
    card = actions.uplift_rate_card(
        leicestershire_card,
        name="Next year",
        effective_from=date(2022, 4, 1),
        percent=Decimal("2"),
        illustrative=True,
        acting_user=commissioner,
    )
    assert card.history.get().history_user == commissioner
    assert RatePeriod.history.filter(card_id=card.pk).get().history_user == commissioner
    rates = BandRate.history.filter(period__card=card)
    assert rates.count() == 4 and {row.history_user for row in rates} == {commissioner}
    assert card.illustrative


def test_a_new_rate_per_band_goes_on_the_same_card_and_ends_the_latest_period(
    signed_in: Any, commissioner: Any, council: Any
) -> None:
    open_card = RateCard.objects.create(name="testshire-rates", council=council)
    first = RatePeriod.objects.create(
        card=open_card, effective_from=date(2025, 4, 1), minimum_billable_minutes=20
    )
    for position, (band, rate) in enumerate((("URBAN", "21.10"), ("RURAL", "24.35"))):
        BandRate.objects.create(
            period=first, band=band, hourly_rate=Decimal(rate), position=position
        )
    answers = {
        "how": "rates",
        "rate_URBAN": "£22.00",
        "rate_RURAL": "25.5",
        "day": "6",
        "month": "4",
        "year": "2026",
        "where": "this",
    }
    client = signed_in(commissioner)
    check = client.post(_url(open_card), answers).content.decode()
    assert "its latest rates will end on 5 April 2026" in check
    saved = client.post(_url(open_card), {**answers, "confirm": "yes"})
    assert saved.url == reverse("commissioning:rate-card", args=[open_card.pk])
    periods = list(open_card.periods.order_by("effective_from"))
    assert [(p.effective_from, p.effective_to) for p in periods] == [
        (date(2025, 4, 1), date(2026, 4, 5)),
        (date(2026, 4, 6), None),
    ]
    assert _rates(open_card) == {"URBAN": Decimal("22.00"), "RURAL": Decimal("25.50")}
    assert periods[1].minimum_billable_minutes == 20
    ended = RatePeriod.history.filter(id=first.pk).latest("history_date")
    assert ended.history_user == commissioner and ended.effective_to == date(2026, 4, 5)


def test_every_mistake_is_shown_at_once_on_the_field_it_concerns(
    signed_in: Any, commissioner: Any, leicestershire_card: Any
) -> None:
    client = signed_in(commissioner)
    bad = {"how": "percent", "percent": "lots", "day": "31", "month": "2", "year": "2022"}
    html = client.post(_url(leicestershire_card), {**bad, "where": "new", "name": ""}).content
    page = html.decode()
    assert "There is a problem" in page
    summary = page.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    assert 'href="#percent"' in summary and "Uplift must be a number, like 3.5" in summary
    assert 'href="#day"' in summary and "Date the new rates start must be a real date" in summary
    assert 'href="#name"' in summary and "Enter a name for the new card" in summary
    rates = {"how": "rates", "rate_URBAN": "19", "rate_FRINGE": "twenty", "rate_RURAL": ""}
    early = {"day": "1", "month": "1", "year": "2020", "where": "this"}
    page = client.post(_url(leicestershire_card), {**rates, **early}).content.decode()
    summary = page.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    assert "New Fringe rate must be an amount in pounds, like 21.35" in summary
    assert 'href="#rate_RURAL"' in summary and "Enter the new Rural rate" in summary
    assert "Enter the new Isolated rate" in summary
    assert "must start after 1 April 2020" in summary
    assert RateCard.objects.count() == 1 and RatePeriod.objects.count() == 1


def test_the_action_refuses_bad_input_naming_the_field(
    commissioner: Any, leicestershire_card: Any
) -> None:
    def uplift(**changes: Any) -> None:
        arguments: dict[str, Any] = {
            "name": "Another card",
            "effective_from": date(2022, 4, 1),
            "percent": Decimal("3"),
            "illustrative": False,
            "acting_user": commissioner,
            **changes,
        }
        actions.uplift_rate_card(leicestershire_card, **arguments)

    for changes, key in (
        ({"percent": Decimal("0")}, "percent"),
        ({"percent": Decimal("2.125")}, "percent"),
        ({"percent": None, "new_rates": {"URBAN": Decimal("19")}}, "rates.FRINGE"),
        ({"percent": None, "new_rates": dict.fromkeys("x")}, "rates.URBAN"),
        ({"effective_from": date(2020, 4, 1)}, "effective_from"),
        ({"name": leicestershire_card.name}, "name"),
        ({"name": "  "}, "name"),
    ):
        with pytest.raises(InputError) as caught:
            uplift(**changes)
        assert caught.value.key == key, changes
    assert RateCard.objects.count() == 1


@pytest.mark.parametrize("persona", ("broker", "provider_a_user", "outsider"))
def test_only_the_councils_commissioners_may_uplift_its_cards(
    persona: str, personas: dict[str, Any], signed_in: Any, leicestershire_card: Any
) -> None:
    client = signed_in(personas[persona])
    assert client.get(_url(leicestershire_card)).status_code == 403
    answers = {**ANSWERS, "confirm": "yes"}
    assert client.post(_url(leicestershire_card), answers).status_code == 403
    if persona != "outsider":
        card_page = client.get(reverse("commissioning:rate-card", args=[leicestershire_card.pk]))
        assert _url(leicestershire_card) not in card_page.content.decode()
    assert RateCard.objects.count() == 1


def test_a_commissioner_of_another_council_does_not_find_the_card_to_uplift(
    signed_in: Any, leicestershire_card: Any
) -> None:
    from homecare.accounts import actions as accounts
    from homecare.accounts.models import Organisation

    other = accounts.create_organisation(
        "Otherwold Borough Council", kind=Organisation.Kind.COUNCIL, acting_user=None
    )
    stranger = accounts.create_persona(
        "other-commissioner",
        password="x" * 12,
        organisation=other,
        role="commissioner",
        acting_user=None,
    )
    client = signed_in(stranger)
    assert client.get(_url(leicestershire_card)).status_code == 404
    assert client.post(_url(leicestershire_card), {**ANSWERS, "confirm": "yes"}).status_code == 404
    assert RateCard.objects.count() == 1
