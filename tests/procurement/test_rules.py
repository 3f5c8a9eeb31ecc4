"""Tender rules from TOML and from the web form's mapping: checks and per-lot overrides."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from carecore.errors import InputError
from carecore.procurement import TenderRules, load_tender_rules

DATA = Path(__file__).resolve().parents[1] / "data" / "procurement"


def _rules(**sections: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "weights": {"quality": 60, "price": 40},
        "appointment": {"tiers": ["prime", "prime"]},
    }
    data.update(sections)
    return data


def _error(data: dict[str, Any]) -> InputError:
    with pytest.raises(InputError) as caught:
        TenderRules.from_mapping(data, source="form")
    return caught.value


def test_the_shipped_rules_files_load() -> None:
    golden = load_tender_rules(DATA / "golden_rules.toml")
    assert golden.default.floor == Decimal("15.00")
    assert golden.for_lot("South").ceiling == Decimal("21.00")
    assert golden.for_lot("North").ceiling == Decimal("19.00")
    leics = load_tender_rules(DATA / "leicestershire_rules.toml")
    assert leics.max_score == Decimal(5)
    assert leics.default.tiers == ("prime", "prime", "supplementary", "supplementary")


def test_defaults_are_lowest_price_marks_out_of_100_and_the_documented_tie_break() -> None:
    rules = TenderRules.from_mapping(_rules()).default
    assert rules.price_formula == "lowest"
    assert rules.max_score == Decimal(100)
    assert rules.tie_break == ("quality", "price", "name")


def test_weights_must_add_up_to_100() -> None:
    error = _error(_rules(weights={"quality": 60, "price": 30}))
    assert error.key == "weights"
    assert error.message == "price and quality weights must add up to 100, got 30 + 60 = 90"


def test_a_missing_weight_or_table_is_named() -> None:
    assert _error(_rules(weights={"quality": 100})).key == "weights.price"
    data = _rules()
    del data["appointment"]
    assert _error(data).key == "appointment"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"colour": "blue"}, "colour"),
        ({"price": {"flor": 15}}, "price.flor"),
        ({"quality": {"minimum": 50}}, "quality.minimum"),
        ({"lots": {"North": {"price": {"celing": 20}}}}, "lots.North.price.celing"),
        ({"lots": {"North": {"rates": {}}}}, "lots.North.rates"),
    ],
)
def test_unknown_keys_are_errors_naming_the_key(data: dict[str, Any], key: str) -> None:
    error = _error(_rules(**data))
    assert error.key == key
    assert "unknown key" in error.message
    assert str(error).startswith(f"form, '{key}': unknown key")


def test_an_unknown_price_formula_lists_the_choices() -> None:
    error = _error(_rules(price={"formula": "cheapest"}))
    assert error.key == "price.formula"
    assert "lowest, relative_to_ceiling, linear" in error.message


def test_formulas_that_need_a_floor_or_ceiling_say_so() -> None:
    assert "needs a ceiling" in _error(_rules(price={"formula": "relative_to_ceiling"})).message
    assert "needs a floor" in _error(_rules(price={"formula": "linear", "ceiling": 20})).message
    error = _error(_rules(price={"formula": "linear", "floor": 20, "ceiling": 20}))
    assert "below the ceiling" in error.message


def test_the_floor_may_not_be_above_the_ceiling() -> None:
    assert _error(_rules(price={"floor": 21, "ceiling": 20})).key == "price.floor"
    error = _error(_rules(price={"floor": {"URBAN": 21}, "ceiling": {"urban": 20}}))
    assert error.key == "price.floor.URBAN"


def test_quality_bar_must_lie_within_the_scale() -> None:
    error = _error(_rules(quality={"max_score": 5, "min_score": 6}))
    assert error.key == "quality.min_score"
    assert _error(_rules(quality={"max_score": 0})).key == "quality.max_score"


def test_negative_or_all_zero_weights_are_refused() -> None:
    assert _error(_rules(price={"band_shares": {"URBAN": -1}})).key == "price.band_shares.URBAN"
    assert _error(_rules(quality={"criteria": {"care": 0}})).key == "quality.criteria"


def test_appoint_counts_become_tiers_in_the_order_written() -> None:
    rules = TenderRules.from_mapping(
        _rules(appointment={"appoint": {"prime": 2, "supplementary": 3}})
    )
    assert rules.default.tiers == ("prime",) * 2 + ("supplementary",) * 3


def test_tiers_and_appoint_together_are_an_error() -> None:
    error = _error(_rules(appointment={"tiers": ["prime"], "appoint": {"prime": 1}}))
    assert error.key == "appointment.appoint"


def test_a_lot_must_appoint_someone() -> None:
    error = _error(_rules(appointment={"tiers": []}))
    assert error.key == "appointment"
    assert "how many providers to appoint" in error.message
    assert _error(_rules(appointment={"appoint": {"prime": -1}})).key == "appointment.appoint.prime"
    assert _error(_rules(appointment={"tiers": ["reserve"]})).key == "appointment.tiers"


def test_a_remaining_tier_alone_makes_an_open_framework() -> None:
    rules = TenderRules.from_mapping(
        _rules(appointment={"tiers": [], "remaining_tier": "supplementary"})
    )
    assert rules.default.tiers == () and rules.default.remaining_tier == "supplementary"


def test_tie_break_always_ends_with_the_name() -> None:
    rules = TenderRules.from_mapping(
        _rules(appointment={"tiers": ["prime"], "tie_break": ["price", "quality"]})
    )
    assert rules.default.tie_break == ("price", "quality", "name")
    error = _error(_rules(appointment={"tiers": ["prime"], "tie_break": ["age"]}))
    assert error.key == "appointment.tie_break"


def test_a_lot_override_changes_only_what_it_names() -> None:
    rules = TenderRules.from_mapping(
        _rules(
            price={"floor": 15, "ceiling": 19},
            lots={
                "Rural Free Zone": {
                    "price": {"ceiling": 24},
                    "appointment": {"appoint": {"supplementary": 5}},
                }
            },
        )
    )
    lot = rules.for_lot("rural free zone")  # names match ignoring case
    assert (lot.floor, lot.ceiling) == (Decimal(15), Decimal(24))
    assert lot.tiers == ("supplementary",) * 5
    assert rules.for_lot("Hinckley") == rules.default


def test_an_override_error_names_the_lot() -> None:
    error = _error(_rules(lots={"Melton": {"weights": {"quality": 70}}}))
    assert error.key == "lots.Melton.weights"
    assert "add up to 100" in error.message


def test_the_web_form_may_send_numbers_as_text() -> None:
    rules = TenderRules.from_mapping(
        _rules(weights={"quality": "62.5", "price": "37.5"}, price={"floor": "£15.00"})
    )
    assert rules.default.quality_weight == Decimal("62.5")
    assert rules.default.floor == Decimal("15.00")
    error = _error(_rules(price={"floor": "fifteen"}))
    assert (error.key, error.message) == ("price.floor", "expected a number, got 'fifteen'")


def test_bad_toml_and_a_missing_file_are_input_errors(tmp_path: Path) -> None:
    broken = tmp_path / "rules.toml"
    broken.write_text("[weights\nquality = 60\n")
    with pytest.raises(InputError, match="not valid TOML"):
        load_tender_rules(broken)
    with pytest.raises(InputError, match="file not found"):
        load_tender_rules(tmp_path / "absent.toml")
