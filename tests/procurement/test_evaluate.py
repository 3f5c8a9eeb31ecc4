"""Scoring rules one at a time: formulas, band and criterion weighting, exact ranking, results."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

import pytest

from carecore.errors import InputError
from carecore.procurement import (
    Award,
    Bid,
    TenderRules,
    evaluate_tender,
)
from homecare.commands._common import _plain

D = Decimal


def _rules(price: dict[str, Any] | None = None, **extra: Any) -> TenderRules:
    data: dict[str, Any] = {
        "weights": {"quality": 60, "price": 40},
        "price": price or {},
        "appointment": {"tiers": ["prime", "prime"]},
    }
    data.update(extra)
    return TenderRules.from_mapping(data, source="rules.toml")


def _bid(name: str, rate: str, quality: str = "70", lot: str = "North", row: int = 2) -> Bid:
    return Bid(name, lot, hourly_rate=D(rate), quality_score=D(quality), source="bids.csv", row=row)


def test_relative_to_ceiling_gives_the_lowest_full_marks_and_the_ceiling_none() -> None:
    # (20 - 17) / (20 - 16) x 40 = 30; the ceiling bid (20 - 20) / 4 x 40 = 0.
    rules = _rules({"formula": "relative_to_ceiling", "ceiling": 20})
    lot = evaluate_tender([_bid("A", "16"), _bid("B", "17"), _bid("C", "20")], rules).lots[0]
    assert [row.price_score for row in lot.rows] == [D("40.00"), D("30.00"), D("0.00")]
    assert lot.rows[1].price_working == (
        "(£20.00 ceiling − £17.00) ÷ (£20.00 ceiling − £16.00 lowest) × 40 = 30.00"
    )


def test_linear_scores_against_floor_and_ceiling_whatever_the_other_bids() -> None:
    # (20 - 17) / (20 - 15) x 40 = 24 even though 17 is the lowest bid.
    rules = _rules({"formula": "linear", "floor": 15, "ceiling": 20})
    lot = evaluate_tender([_bid("A", "17"), _bid("B", "19")], rules).lots[0]
    assert [row.price_score for row in lot.rows] == [D("24.00"), D("8.00")]
    assert "£15.00 floor" in lot.rows[0].price_working


def test_relative_to_ceiling_when_every_bid_sits_at_the_ceiling() -> None:
    rules = _rules({"formula": "relative_to_ceiling", "ceiling": 20})
    lot = evaluate_tender([_bid("A", "20"), _bid("B", "20", "80")], rules).lots[0]
    assert [row.price_score for row in lot.rows] == [D("40.00"), D("40.00")]


def test_band_rates_without_shares_are_a_plain_mean() -> None:
    bid = Bid(
        "A", "North", band_rates={"INNER": D("18.00"), "OUTER": D("21.00")}, quality_score=D(50)
    )
    row = evaluate_tender([bid], _rules()).lots[0].rows[0]
    assert row.price_used == D("19.50")
    assert row.price_used_working == "mean of INNER £18.00, OUTER £21.00 = £19.50"


def test_band_shares_match_band_names_ignoring_case() -> None:
    bid = Bid(
        "A", "North", band_rates={"Inner": D("18.00"), "Outer": D("21.00")}, quality_score=D(50)
    )
    rules = _rules({"band_shares": {"INNER": 2, "OUTER": 1}})
    assert evaluate_tender([bid], rules).lots[0].rows[0].price_used == D("19.00")


def test_a_band_with_no_share_or_a_share_with_no_band_is_an_error() -> None:
    bid = Bid(
        "A",
        "North",
        band_rates={"INNER": D("18.00"), "OUTER": D("21.00")},
        quality_score=D(50),
        source="bids.csv",
        row=2,
    )
    with pytest.raises(InputError) as caught:
        evaluate_tender([bid], _rules({"band_shares": {"INNER": 1}}))
    assert str(caught.value) == (
        "bids.csv, row 2, 'rate_OUTER': the rules (price.band_shares) give no weight for 'OUTER'"
    )
    with pytest.raises(InputError, match="no rate_RURAL column"):
        evaluate_tender([bid], _rules({"band_shares": {"INNER": 1, "OUTER": 1, "RURAL": 1}}))


def test_band_floors_with_single_rate_bids_are_an_error() -> None:
    with pytest.raises(InputError, match="the floor per band"):
        evaluate_tender([_bid("A", "16")], _rules({"floor": {"URBAN": 15}}))


def test_criteria_without_weights_are_a_plain_mean_and_with_weights_weighted() -> None:
    bid = Bid("A", "North", hourly_rate=D(16), quality_scores={"care": D(80), "staff": D(40)})
    plain = evaluate_tender([bid], _rules()).lots[0].rows[0]
    assert plain.quality_score == D("60.00")  # (80 + 40) / 2
    weighted = evaluate_tender([bid], _rules(quality={"criteria": {"care": 3, "staff": 1}}))
    assert weighted.lots[0].rows[0].quality_score == D("70.00")  # (80x3 + 40x1) / 4
    assert weighted.lots[0].rows[0].quality_points == D("42.00")


def test_criteria_weights_with_a_single_score_are_an_error() -> None:
    with pytest.raises(InputError, match="weight quality criteria"):
        evaluate_tender([_bid("A", "16")], _rules(quality={"criteria": {"care": 1}}))


def test_a_score_above_the_rules_maximum_is_an_error_naming_the_row() -> None:
    with pytest.raises(InputError) as caught:
        evaluate_tender([_bid("A", "16", "7", row=9)], _rules(quality={"max_score": 5}))
    assert str(caught.value) == "bids.csv, row 9, 'quality': score 7 is above the maximum of 5"


def test_ranking_uses_exact_totals_not_the_rounded_ones() -> None:
    # A: 40 + 80 x 0.6 = 88 exactly. B: 16/17.50 x 40 = 36.571428... + 85.71 x 0.6 = 51.426,
    # total 87.997428..., shown as 88.00 too. Rounded totals would tie and the quality
    # tie-break would put B first; the exact totals put A first.
    lot = evaluate_tender([_bid("B", "17.50", "85.71"), _bid("A", "16", "80")], _rules()).lots[0]
    assert [(row.bidder, row.total) for row in lot.rows] == [("A", D("88.00")), ("B", D("88.00"))]


def test_the_tie_break_order_comes_from_the_rules() -> None:
    # A and B both total 82 (see the golden South lot); price first puts cheaper A on top.
    bids = [_bid("A", "17", "70"), _bid("B", "20", "80")]
    by_quality = evaluate_tender(bids, _rules({"ceiling": 21})).lots[0]
    assert [row.bidder for row in by_quality.rows] == ["B", "A"]
    rules = _rules({"ceiling": 21}, appointment={"tiers": ["prime"], "tie_break": ["price"]})
    assert [row.bidder for row in evaluate_tender(bids, rules).lots[0].rows] == ["A", "B"]


def test_too_few_valid_bids_leave_places_unfilled() -> None:
    rules = _rules(appointment={"tiers": ["prime", "prime", "supplementary"]})
    lot = evaluate_tender([_bid("A", "16")], rules).lots[0]
    assert lot.unfilled_tiers == ("prime", "supplementary")
    assert lot.awards == (Award("North", "A", "prime", 1, hourly_rate=D(16)),)


def test_a_lot_in_the_rules_with_no_bids_is_reported_empty() -> None:
    rules = _rules(lots={"South": {"price": {"floor": 15}}})
    result = evaluate_tender([_bid("A", "16")], rules)
    assert [lot.lot for lot in result.lots] == ["North", "South"]
    assert result.lot("South").rows == () and result.lot("South").unfilled_tiers == (
        "prime",
        "prime",
    )


def test_an_all_excluded_lot_awards_nothing() -> None:
    lot = evaluate_tender([_bid("A", "14")], _rules({"floor": 15})).lots[0]
    assert lot.awards == () and lot.lowest_valid_price is None
    assert lot.rows[0].status == "excluded"


def test_duplicate_bids_built_in_code_are_refused() -> None:
    with pytest.raises(InputError, match="duplicate bid"):
        evaluate_tender([_bid("A", "16"), _bid("a", "17")], _rules())


def test_an_award_is_a_frozen_value() -> None:
    award = Award("North", "A", "prime", 1, hourly_rate=D(16))
    with pytest.raises(dataclasses.FrozenInstanceError):
        award.tier = "supplementary"  # type: ignore[misc]
    assert hash(award) == hash(Award("North", "A", "prime", 1, hourly_rate=D(16)))


def test_the_result_dict_is_plain_json() -> None:
    result = evaluate_tender([_bid("A", "16"), _bid("B", "14")], _rules({"floor": 15}))
    data = json.loads(json.dumps(result.to_dict(), default=_plain))
    assert data["awards"] == [
        {
            "lot": "North",
            "bidder": "A",
            "tier": "prime",
            "rank": 1,
            "hourly_rate": 16,
            "band_rates": {},
        }
    ]
    assert data["excluded"] == [
        {
            "lot": "North",
            "bidder": "B",
            "row": 2,
            "reasons": ["rate £14.00 is below the floor of £15.00"],
        }
    ]
    first = data["lots"][0]["bids"][0]
    assert first["price_working"] == "£16.00 lowest ÷ £16.00 × 40 = 40.00"
    assert (first["status"], first["total"]) == ("appointed", 82.0)
