"""Pricing one visit: golden Leicestershire prices, enhancements, billing time and bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from carecore.errors import InputError
from carecore.pricing.rate_cards import RateCard, load_rate_card
from carecore.pricing.visit_price import price_visit

DATA = Path(__file__).resolve().parents[1] / "data" / "pricing"
MONDAY = datetime(2021, 6, 7, 8, 0)  # an ordinary Monday in the Leicestershire card
SPRING_BANK_HOLIDAY = datetime(2021, 5, 31, 8, 0)


@pytest.fixture(scope="module")
def leicestershire() -> RateCard:
    return load_rate_card("leicestershire-2020-21")


@pytest.fixture(scope="module")
def test_card() -> RateCard:
    return load_rate_card(DATA / "card_three_periods.toml")


def _card(enhancements: dict[str, object], **period: object) -> RateCard:
    return RateCard.from_dict(
        {
            "name": "test-card",
            "council": "Synthetic Borough Council",
            "effective_from": date(2020, 1, 1),
            "rates": {"TOWN": "20.00"},
            "enhancements": enhancements,
            **period,
        }
    )


# --- golden: the Leicestershire card ---------------------------------------------------------


def test_rural_double_handed_45_minutes_on_a_monday_is_34_42(leicestershire: RateCard) -> None:
    price = price_visit(leicestershire, band="RURAL", minutes=45, carers=2, start=MONDAY)
    # 45 min x £22.95/h = £17.2125 -> £17.21 a carer; two carers at the full rate.
    assert price.per_carer == (Decimal("17.21"), Decimal("17.21"))
    assert price.total == Decimal("34.42")
    assert price.rate_per_hour == Decimal("22.95")
    assert price.billable_minutes == 45
    assert price.day_type == "weekday"
    assert price.enhancements == ()


@pytest.mark.parametrize(
    ("band", "minutes", "expected"),
    [
        ("URBAN", 60, "18.75"),
        ("FRINGE", 60, "19.95"),
        ("RURAL", 60, "22.95"),
        ("ISOLATED", 60, "26.15"),
        ("URBAN", 30, "9.38"),  # 9.375 rounds half up
        ("FRINGE", 45, "14.96"),  # 14.9625
        ("ISOLATED", 20, "8.72"),  # 8.71666...
        ("URBAN", 10, "4.69"),  # below the 15-minute minimum: billed as 15 = 4.6875
        ("RURAL", 90, "34.43"),  # 34.425 rounds half up
    ],
)
def test_leicestershire_single_carer_prices(
    leicestershire: RateCard, band: str, minutes: int, expected: str
) -> None:
    price = price_visit(leicestershire, band=band, minutes=minutes, carers=1, start=MONDAY)
    assert price.total == Decimal(expected)


def test_short_visit_is_billed_for_the_minimum(leicestershire: RateCard) -> None:
    price = price_visit(leicestershire, band="URBAN", minutes=10, carers=1, start=MONDAY)
    assert (price.minutes, price.billable_minutes) == (10, 15)


def test_bank_holiday_adds_half_as_much_again_in_leicestershire(leicestershire: RateCard) -> None:
    price = price_visit(
        leicestershire, band="RURAL", minutes=45, carers=2, start=SPRING_BANK_HOLIDAY
    )
    assert price.day_type == "bank_holiday"
    assert price.holiday == "Spring bank holiday"
    assert [(e.kind, e.percent) for e in price.enhancements] == [("bank_holiday", Decimal(50))]
    # Each carer: base £17.21 and uplift 50% of £17.2125 = £8.60625 -> £8.61.
    assert [line.amount for line in price.lines] == [
        Decimal(x) for x in ["17.21", "8.61", "17.21", "8.61"]
    ]
    assert price.total == Decimal("51.64")


def test_total_equals_the_sum_of_the_lines(leicestershire: RateCard) -> None:
    price = price_visit(
        leicestershire, band="ISOLATED", minutes=37, carers=2, start=SPRING_BANK_HOLIDAY
    )
    assert price.total == sum(line.amount for line in price.lines)
    assert price.total == sum(price.per_carer)
    assert all(line.amount == line.amount.quantize(Decimal("0.01")) for line in price.lines)


def test_band_is_matched_without_regard_to_case(leicestershire: RateCard) -> None:
    price = price_visit(leicestershire, band="rural", minutes=45, carers=1, start=MONDAY)
    assert price.band == "RURAL"


# --- time zone and dates ---------------------------------------------------------------------


def test_naive_start_is_london_wall_clock_time(leicestershire: RateCard) -> None:
    price = price_visit(leicestershire, band="URBAN", minutes=30, carers=1, start=MONDAY)
    assert price.start.utcoffset() == timedelta(hours=1)  # British Summer Time
    assert price.start.hour == 8


def test_the_london_date_decides_the_bank_holiday(leicestershire: RateCard) -> None:
    # 23:30 UTC on Sunday 30 May 2021 is 00:30 on the bank holiday in London.
    start = datetime(2021, 5, 30, 23, 30, tzinfo=UTC)
    price = price_visit(leicestershire, band="URBAN", minutes=30, carers=1, start=start)
    assert price.day_type == "bank_holiday"
    assert price.start.date() == date(2021, 5, 31)


def test_a_visit_outside_the_card_names_start(leicestershire: RateCard) -> None:
    with pytest.raises(InputError, match="no rates on 2021-11-06") as caught:
        price_visit(
            leicestershire, band="URBAN", minutes=30, carers=1, start=datetime(2021, 11, 6, 9)
        )
    assert caught.value.key == "start"


def test_rates_come_from_the_period_in_force(test_card: RateCard) -> None:
    before = price_visit(
        test_card, band="TOWN", minutes=60, carers=1, start=datetime(2020, 3, 31, 9)
    )
    after = price_visit(test_card, band="TOWN", minutes=60, carers=1, start=datetime(2020, 4, 1, 9))
    assert (before.total, after.total) == (Decimal("17.00"), Decimal("17.60"))


# --- enhancements ----------------------------------------------------------------------------


def test_weekend_uplift_applies_on_saturday_and_sunday_only() -> None:
    card = _card({"weekend_percent": 10})
    friday, saturday, sunday = (datetime(2021, 6, d, 9) for d in (4, 5, 6))
    totals = [
        price_visit(card, band="TOWN", minutes=60, carers=1, start=s).total
        for s in (friday, saturday, sunday)
    ]
    assert totals == [Decimal("20.00"), Decimal("22.00"), Decimal("22.00")]


def test_further_carer_is_paid_the_double_handed_percent() -> None:
    card = _card({"double_handed_percent": 80})
    price = price_visit(card, band="TOWN", minutes=60, carers=2, start=MONDAY)
    assert price.per_carer == (Decimal("20.00"), Decimal("16.00"))
    assert price.lines[1].description.endswith("further carer at 80%")


def test_three_carers_each_further_one_at_the_double_handed_percent() -> None:
    card = _card({"double_handed_percent": 50})
    price = price_visit(card, band="TOWN", minutes=60, carers=3, start=MONDAY)
    assert price.total == Decimal("40.00")


CHRISTMAS_SATURDAY = datetime(2021, 12, 25, 9)  # a weekend, and an extra holiday if declared


@pytest.mark.parametrize(
    ("rule", "weekend", "holiday", "kinds", "total"),
    [
        ("replace", 10, 50, ["bank_holiday"], "30.00"),
        ("higher", 10, 50, ["bank_holiday"], "30.00"),
        ("higher", 60, 50, ["weekend"], "32.00"),
        ("stack", 10, 50, ["weekend", "bank_holiday"], "32.00"),
    ],
)
def test_weekend_and_bank_holiday_precedence(
    rule: str, weekend: int, holiday: int, kinds: list[str], total: str
) -> None:
    card = _card(
        {
            "weekend_percent": weekend,
            "bank_holiday_percent": holiday,
            "weekend_and_bank_holiday": rule,
            "extra_holidays": ["12-25"],
        }
    )
    price = price_visit(card, band="TOWN", minutes=60, carers=1, start=CHRISTMAS_SATURDAY)
    assert [e.kind for e in price.enhancements] == kinds
    assert price.total == Decimal(total)
    assert price.holiday == "Christmas Day (on the day, under this card)"


def test_christmas_on_a_saturday_is_only_a_weekend_without_an_extra_holiday() -> None:
    card = _card({"weekend_percent": 10, "bank_holiday_percent": 50})
    price = price_visit(card, band="TOWN", minutes=60, carers=1, start=CHRISTMAS_SATURDAY)
    assert price.day_type == "weekend"
    assert price.total == Decimal("22.00")
    substitute = price_visit(
        card, band="TOWN", minutes=60, carers=1, start=datetime(2021, 12, 27, 9)
    )
    assert substitute.holiday == "Christmas Day (substitute day)"
    assert substitute.total == Decimal("30.00")


def test_stacked_uplifts_each_carer_with_its_own_lines(test_card: RateCard) -> None:
    # 2021-12-25 in the third period: 15-min increments, 80% further carer, stack 10% + 100%.
    price = price_visit(test_card, band="COUNTRY", minutes=40, carers=2, start=CHRISTMAS_SATURDAY)
    assert price.billable_minutes == 45
    # Carer 1: 45 min at £19.80 = £14.85; +10% £1.485 -> £1.49; +100% £14.85.
    # Carer 2 at 80%: £11.88; +10% £1.188 -> £1.19; +100% £11.88.
    amounts = [line.amount for line in price.lines]
    assert amounts == [Decimal(x) for x in ["14.85", "1.49", "14.85", "11.88", "1.19", "11.88"]]
    assert price.total == Decimal("56.14")


def test_no_uplift_lines_when_the_percent_is_zero(leicestershire: RateCard) -> None:
    saturday = datetime(2021, 6, 5, 9)
    price = price_visit(leicestershire, band="URBAN", minutes=60, carers=1, start=saturday)
    assert price.day_type == "weekend"
    assert [line.kind for line in price.lines] == ["base"]


def test_a_card_with_no_bank_holiday_uplift_can_price_beyond_the_holiday_list() -> None:
    card = _card({})
    price = price_visit(card, band="TOWN", minutes=60, carers=1, start=datetime(2031, 1, 1, 9))
    assert price.total == Decimal("20.00")


def test_a_bank_holiday_uplift_beyond_the_holiday_list_is_an_error() -> None:
    card = _card({"bank_holiday_percent": 50})
    with pytest.raises(InputError, match="2014 to 2030") as caught:
        price_visit(card, band="TOWN", minutes=60, carers=1, start=datetime(2031, 1, 1, 9))
    assert caught.value.key == "start"


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"band": "SUBURBAN"}, "band"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": -15}, "minutes"),
        ({"minutes": 1441}, "minutes"),
        ({"minutes": 30.5}, "minutes"),
        ({"carers": 0}, "carers"),
        ({"carers": 5}, "carers"),
        ({"carers": True}, "carers"),
        ({"start": date(2021, 6, 7)}, "start"),
    ],
)
def test_bad_input_names_the_argument(
    leicestershire: RateCard, kwargs: dict[str, object], key: str
) -> None:
    arguments: dict[str, object] = {"band": "URBAN", "minutes": 30, "carers": 1, "start": MONDAY}
    arguments.update(kwargs)
    with pytest.raises(InputError) as caught:
        price_visit(leicestershire, **arguments)  # type: ignore[arg-type]
    assert caught.value.key == key


def test_unknown_band_lists_the_cards_bands(leicestershire: RateCard) -> None:
    with pytest.raises(InputError, match="URBAN, FRINGE, RURAL, ISOLATED"):
        price_visit(leicestershire, band="INNER", minutes=30, carers=1, start=MONDAY)


def test_to_dict_carries_the_breakdown(leicestershire: RateCard) -> None:
    data = price_visit(leicestershire, band="RURAL", minutes=45, carers=2, start=MONDAY).to_dict()
    assert data["total"] == Decimal("34.42")
    assert data["per_carer"] == [Decimal("17.21"), Decimal("17.21")]
    assert data["lines"] == [
        {
            "carer": 1,
            "kind": "base",
            "description": "45 min at £22.95 per hour",
            "percent": Decimal(100),
            "amount": Decimal("17.21"),
        },
        {
            "carer": 2,
            "kind": "base",
            "description": "45 min at £22.95 per hour, further carer at 100%",
            "percent": Decimal(100),
            "amount": Decimal("17.21"),
        },
    ]
    assert "rounded half up" in str(data["rounding"])
