"""Rate cards: loading from TOML, checking themselves, and choosing the period in force."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from carecore.errors import InputError
from carecore.params import read_toml
from carecore.pricing.rate_cards import (
    SHIPPED_DIR,
    Enhancements,
    RateCard,
    RatePeriod,
    load_rate_card,
    shipped_rate_cards,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "pricing"


def _card(**overrides: object) -> dict[str, object]:
    table: dict[str, object] = {
        "name": "test-card",
        "council": "Synthetic Borough Council",
        "effective_from": date(2021, 4, 1),
        "rates": {"TOWN": 18.0},
    }
    table.update(overrides)
    return table


# --- shipped cards ---------------------------------------------------------------------------


def test_shipped_cards_are_leicestershire_and_an_illustrative_leeds() -> None:
    assert shipped_rate_cards() == ["leeds-illustrative", "leicestershire-2020-21"]


@pytest.mark.parametrize("name", shipped_rate_cards())
def test_every_shipped_card_is_named_as_its_file(name: str) -> None:
    assert load_rate_card(name).name == name


def test_leicestershire_card_has_the_four_band_rates_of_seed_000_paragraph_14() -> None:
    card = load_rate_card("leicestershire-2020-21")
    period = card.rates_on(date(2021, 6, 7))
    assert dict(period.rates) == {
        "URBAN": Decimal("18.75"),
        "FRINGE": Decimal("19.95"),
        "RURAL": Decimal("22.95"),
        "ISOLATED": Decimal("26.15"),
    }
    assert card.council == "Leicestershire County Council"
    assert card.illustrative is False


def test_leicestershire_card_runs_from_april_2020_to_the_day_before_the_new_framework() -> None:
    card = load_rate_card("leicestershire-2020-21")
    assert (card.effective_from, card.effective_to) == (date(2020, 4, 1), date(2021, 11, 5))
    assert card.rates_on(date(2021, 11, 5)).effective_to == date(2021, 11, 5)
    with pytest.raises(InputError, match="no rates on 2021-11-06"):
        card.rates_on(date(2021, 11, 6))
    with pytest.raises(InputError, match="no rates on 2020-03-31"):
        card.rates_on(date(2020, 3, 31))


def test_leicestershire_card_marks_its_unsourced_enhancements_as_illustrative() -> None:
    text = (SHIPPED_DIR / "leicestershire-2020-21.toml").read_text(encoding="utf-8")
    enhancements = text.split("[enhancements]", 1)[1]
    lines = [line for line in enhancements.splitlines() if "=" in line]
    assert lines, "the card has no enhancement keys"
    assert enhancements.count("# ILLUSTRATIVE") >= 3
    assert "minimum_billable_minutes" in text.split("# ILLUSTRATIVE: not stated", 1)[1]


def test_rural_band_costs_more_than_urban_in_leicestershire() -> None:
    period = load_rate_card("leicestershire-2020-21").rates_on(date(2021, 1, 4))
    assert period.rate_for("URBAN") < period.rate_for("FRINGE") < period.rate_for("RURAL")
    assert period.rate_for("RURAL") < period.rate_for("ISOLATED")


def test_leeds_card_is_marked_illustrative_with_inner_and_outer_bands() -> None:
    card = load_rate_card("leeds-illustrative")
    assert card.illustrative is True
    assert card.bands == ("INNER", "OUTER")
    assert "ILLUSTRATIVE" in (SHIPPED_DIR / "leeds-illustrative.toml").read_text().splitlines()[0]


def test_leeds_card_changes_rates_on_the_first_of_april_2017() -> None:
    card = load_rate_card("leeds-illustrative")
    assert card.rates_on(date(2017, 3, 31)).rate_for("INNER") == Decimal("15.50")
    assert card.rates_on(date(2017, 4, 1)).rate_for("INNER") == Decimal("16.10")
    assert card.rates_on(date(2030, 1, 1)).rate_for("OUTER") == Decimal("17.05")


# --- loading and checking --------------------------------------------------------------------


def test_card_loads_from_a_path_as_well_as_a_shipped_name() -> None:
    card = load_rate_card(DATA / "card_three_periods.toml")
    assert card.name == "test-three-periods"
    assert [p.effective_from for p in card.periods] == [
        date(2019, 4, 1),
        date(2020, 4, 1),
        date(2021, 6, 1),
    ]


def test_rates_on_picks_the_period_in_force_and_refuses_a_gap() -> None:
    card = load_rate_card(DATA / "card_three_periods.toml")
    assert card.rates_on(date(2020, 3, 31)).rate_for("town") == Decimal("17.00")
    assert card.rates_on(date(2020, 4, 1)).rate_for("town") == Decimal("17.60")
    assert card.rates_on(datetime(2021, 6, 1, 7, 30)).rate_for("town") == Decimal("18.20")
    with pytest.raises(InputError, match="no rates on 2021-05-15"):
        card.rates_on(date(2021, 5, 15))


def test_rates_read_from_toml_floats_are_exact_decimals() -> None:
    card = load_rate_card(DATA / "card_three_periods.toml")
    assert card.rates_on(date(2020, 6, 1)).rate_for("COUNTRY") == Decimal("19.10")


def test_unknown_card_name_is_an_input_error_listing_the_shipped_cards() -> None:
    with pytest.raises(InputError, match="leicestershire-2020-21") as caught:
        load_rate_card("rutland-2020")
    assert caught.value.key == "card"


def test_unknown_key_in_a_card_file_names_the_key_and_the_file() -> None:
    with pytest.raises(InputError) as caught:
        load_rate_card(DATA / "card_unknown_key.toml")
    assert caught.value.key == "enhancements.weekend_precent"
    assert "card_unknown_key.toml" in str(caught.value)


def test_unknown_key_inside_periods_names_the_period() -> None:
    data = read_toml(DATA / "card_three_periods.toml")
    data["periods"][1]["minimum_minutes"] = 15
    with pytest.raises(InputError) as caught:
        RateCard.from_dict(data, source="cards.toml")
    assert caught.value.key == "periods[1].minimum_minutes"


def test_unknown_top_level_key_is_an_error() -> None:
    with pytest.raises(InputError) as caught:
        RateCard.from_dict(_card(counsil="typo"))
    assert caught.value.key == "counsil"


def test_bad_rate_names_the_band() -> None:
    with pytest.raises(InputError) as caught:
        RateCard.from_dict(_card(rates={"TOWN": "eighteen"}), source="x.toml")
    assert caught.value.key == "rates.TOWN"
    assert caught.value.source == "x.toml"


def test_zero_or_negative_rate_is_refused() -> None:
    with pytest.raises(InputError, match="above zero"):
        RateCard.from_dict(_card(rates={"TOWN": 0}))


def test_band_names_must_differ_other_than_in_case() -> None:
    with pytest.raises(InputError, match="distinct"):
        RateCard.from_dict(_card(rates={"TOWN": 18, "town": 19}))


def test_missing_name_or_rates_is_named() -> None:
    table = _card()
    del table["name"]
    with pytest.raises(InputError) as caught:
        RateCard.from_dict(table)
    assert caught.value.key == "name"
    table = _card()
    del table["rates"]
    with pytest.raises(InputError) as caught:
        RateCard.from_dict(table)
    assert caught.value.key == "rates"


def test_overlapping_periods_are_refused() -> None:
    periods = [
        {"effective_from": date(2020, 4, 1), "effective_to": date(2021, 4, 1), "rates": {"A": 1}},
        {"effective_from": date(2021, 4, 1), "rates": {"A": 2}},
    ]
    with pytest.raises(InputError, match="overlaps"):
        RateCard.from_dict({"name": "x", "council": "Synthetic", "periods": periods})


def test_only_the_last_period_may_be_open_ended() -> None:
    periods = [
        {"effective_from": date(2020, 4, 1), "rates": {"A": 1}},
        {"effective_from": date(2021, 4, 1), "rates": {"A": 2}},
    ]
    with pytest.raises(InputError, match="overlaps"):
        RateCard.from_dict({"name": "x", "council": "Synthetic", "periods": periods})


def test_periods_and_top_level_period_keys_cannot_be_mixed() -> None:
    table = _card(periods=[{"effective_from": date(2020, 4, 1), "rates": {"A": 1}}])
    with pytest.raises(InputError, match="not both"):
        RateCard.from_dict(table)


def test_effective_to_before_effective_from_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        RateCard.from_dict(_card(effective_to=date(2021, 3, 1)))
    assert caught.value.key == "effective_to"


def test_a_date_with_a_time_is_not_an_effective_date() -> None:
    with pytest.raises(InputError, match="without a time"):
        RateCard.from_dict(_card(effective_from=datetime(2021, 4, 1, 9)))


def test_only_pounds_are_supported() -> None:
    with pytest.raises(InputError) as caught:
        RateCard.from_dict(_card(currency="EUR"))
    assert caught.value.key == "currency"


def test_card_name_must_be_a_slug() -> None:
    with pytest.raises(InputError) as caught:
        RateCard.from_dict(_card(name="Leicestershire 2020"))
    assert caught.value.key == "name"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("weekend_percent", -5, "percent from 0"),
        ("bank_holiday_percent", "lots", "expected a number"),
        ("double_handed_percent", 2000, "percent from 0"),
        ("weekend_and_bank_holiday", "both", "replace, higher, stack"),
        ("extra_holidays", ["25-12"], "MM-DD"),
        ("extra_holidays", "12-25", "list"),
    ],
)
def test_bad_enhancement_is_named(key: str, value: object, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        RateCard.from_dict(_card(enhancements={key: value}), source="card.toml")
    assert caught.value.key == f"enhancements.{key}"
    assert caught.value.source == "card.toml"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("minimum_billable_minutes", -1),
        ("minimum_billable_minutes", 7.5),
        ("billing_increment_minutes", 0),
        ("increment_rounding", "down"),
    ],
)
def test_bad_billing_time_is_named(key: str, value: object) -> None:
    with pytest.raises(InputError) as caught:
        RateCard.from_dict(_card(**{key: value}))
    assert caught.value.key == key


def test_enhancements_default_to_every_carer_at_the_full_rate_and_no_uplift() -> None:
    enhancements = Enhancements()
    assert enhancements.double_handed_percent == 100
    assert enhancements.weekend_percent == enhancements.bank_holiday_percent == 0
    assert enhancements.weekend_and_bank_holiday == "replace"


def test_card_round_trips_through_to_dict() -> None:
    card = load_rate_card(DATA / "card_three_periods.toml")
    data = card.to_dict()
    del data["bands"]
    assert RateCard.from_dict(data) == card


# --- billable minutes ------------------------------------------------------------------------


def _period(**kwargs: object) -> RatePeriod:
    return RatePeriod(effective_from=date(2021, 4, 1), rates={"A": Decimal(18)}, **kwargs)  # type: ignore[arg-type]


def test_billable_minutes_are_raised_to_the_minimum() -> None:
    period = _period(minimum_billable_minutes=30)
    assert [period.billable_minutes(m) for m in (5, 30, 31)] == [30, 30, 31]


def test_billable_minutes_round_up_to_the_increment() -> None:
    period = _period(billing_increment_minutes=15)
    assert [period.billable_minutes(m) for m in (1, 15, 16, 44, 45, 46)] == [15, 15, 30, 45, 45, 60]


def test_billable_minutes_round_to_the_nearest_increment_with_halves_up() -> None:
    period = _period(billing_increment_minutes=10, increment_rounding="nearest")
    assert [period.billable_minutes(m) for m in (1, 4, 5, 14, 15, 16)] == [10, 10, 10, 10, 20, 20]
    odd = _period(billing_increment_minutes=15, increment_rounding="nearest")
    assert [odd.billable_minutes(m) for m in (22, 23)] == [15, 30]


def test_increment_applies_before_the_minimum() -> None:
    period = _period(billing_increment_minutes=15, minimum_billable_minutes=20)
    assert [period.billable_minutes(m) for m in (5, 16, 31)] == [20, 30, 45]
