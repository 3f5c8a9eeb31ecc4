"""Behaviour of tender evaluation over many generated tenders (Hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from carecore.procurement import (
    PRICE_FORMULAS,
    Bid,
    LotResult,
    TenderRules,
    evaluate_tender,
)

FLOOR_PENCE, CEILING_PENCE = 1500, 2500
BANDS = ("URBAN", "RURAL")
NAMES = [f"Bidder {letter} Ltd" for letter in "ABCDEFGH"]

FAST = settings(max_examples=150, deadline=None)


def _money(pence: int) -> Decimal:
    return Decimal(pence) / 100


@st.composite
def lots(draw: st.DrawFn, *, banded: bool | None = None, wide: bool = False) -> list[Bid]:
    """2 to 6 bids for one lot; prices inside the floor and ceiling unless ``wide``."""
    count = draw(st.integers(2, 6))
    with_bands = draw(st.booleans()) if banded is None else banded
    low, high = (1200, 2800) if wide else (FLOOR_PENCE, CEILING_PENCE)
    # A few round prices and scores recur often, so that exact ties (and tie-breaks) happen.
    pence = st.one_of(st.sampled_from([1600, 1700, 2000, 2125]), st.integers(low, high))
    scores = st.one_of(st.sampled_from([60, 70, 80]), st.integers(0, 100))
    bids = []
    for name in NAMES[:count]:
        quality = Decimal(draw(scores))
        if with_bands:
            rates = {band: _money(draw(pence)) for band in BANDS}
            bids.append(Bid(name, "Lot 1", band_rates=rates, quality_score=quality))
        else:
            bids.append(Bid(name, "Lot 1", hourly_rate=_money(draw(pence)), quality_score=quality))
    return bids


@st.composite
def tender_rules(
    draw: st.DrawFn, *, price_weight: int | None = None, shares: bool = True
) -> TenderRules:
    # The extremes 0 and 100 come up often: there only the tie-breaks separate some bids.
    weights = st.one_of(st.sampled_from([0, 40, 100]), st.integers(0, 100))
    weight = draw(weights) if price_weight is None else price_weight
    data: dict[str, Any] = {
        "weights": {"price": weight, "quality": 100 - weight},
        "price": {
            "formula": draw(st.sampled_from(PRICE_FORMULAS)),
            "floor": _money(FLOOR_PENCE),
            "ceiling": _money(CEILING_PENCE),
        },
        "quality": {"min_score": draw(st.sampled_from([0, 30, 50]))},
        "appointment": {"tiers": ["prime"] * draw(st.integers(1, 3))},
    }
    if shares and draw(st.booleans()):
        data["price"]["band_shares"] = {"URBAN": draw(st.integers(1, 9)), "RURAL": 3}
    return TenderRules.from_mapping(data)


def _banded(rules: TenderRules) -> bool | None:
    """Bids priced per band when the rules weight bands; otherwise either kind."""
    return True if rules.default.band_shares else None


def _row(lot: LotResult, bidder: str) -> Any:
    return next(row for row in lot.rows if row.bidder == bidder)


def _cheaper(bid: Bid, pence: int) -> Bid:
    """The bid with every rate lowered by ``pence``, but never below the floor."""

    def lower(rate: Decimal) -> Decimal:
        return max(rate - _money(pence), _money(FLOOR_PENCE))

    if bid.hourly_rate is not None:
        return replace(bid, hourly_rate=lower(bid.hourly_rate))
    return replace(bid, band_rates={band: lower(rate) for band, rate in bid.band_rates.items()})


@FAST
@given(st.data())
def test_lowering_a_valid_bids_price_never_lowers_its_price_score_or_rank(data: Any) -> None:
    rules = data.draw(tender_rules())
    bids = data.draw(lots(banded=_banded(rules)))
    before = evaluate_tender(bids, rules).lots[0]
    valid = [row.bidder for row in before.rows if row.rank is not None]
    if not valid:
        return
    target = data.draw(st.sampled_from(valid))
    index = next(i for i, bid in enumerate(bids) if bid.bidder == target)
    cut = data.draw(st.integers(1, 500))
    changed = [*bids[:index], _cheaper(bids[index], cut), *bids[index + 1 :]]
    after = evaluate_tender(changed, rules).lots[0]
    old, new = _row(before, target), _row(after, target)
    assert new.rank is not None
    assert new.exact_total is not None and old.exact_total is not None
    assert new.price_score >= old.price_score
    assert new.rank <= old.rank


@FAST
@given(st.data())
def test_raising_quality_never_lowers_a_valid_bids_rank(data: Any) -> None:
    rules = data.draw(tender_rules())
    bids = data.draw(lots(banded=_banded(rules)))
    before = evaluate_tender(bids, rules).lots[0]
    valid = [row.bidder for row in before.rows if row.rank is not None]
    if not valid:
        return
    target = data.draw(st.sampled_from(valid))
    index = next(i for i, bid in enumerate(bids) if bid.bidder == target)
    old_score = bids[index].quality_score
    assert old_score is not None
    new_score = data.draw(st.integers(int(old_score), 100))
    better = replace(bids[index], quality_score=Decimal(new_score))
    after = evaluate_tender([*bids[:index], better, *bids[index + 1 :]], rules).lots[0]
    assert _row(after, target).rank <= _row(before, target).rank


@FAST
@given(st.data())
def test_an_excluded_bid_never_gets_an_award(data: Any) -> None:
    rules = data.draw(tender_rules(shares=False))
    bids = data.draw(lots(banded=False, wide=True))
    lot = evaluate_tender(bids, rules).lots[0]
    floor, ceiling = _money(FLOOR_PENCE), _money(CEILING_PENCE)
    minimum = rules.default.min_quality or 0
    by_name = {bid.bidder: bid for bid in bids}
    for award in lot.awards:
        bid = by_name[award.bidder]
        assert bid.hourly_rate is not None and bid.quality_score is not None
        assert floor <= bid.hourly_rate <= ceiling
        assert bid.quality_score >= minimum
    excluded = {row.bidder for row in lot.rows if row.status == "excluded"}
    assert excluded.isdisjoint(award.bidder for award in lot.awards)
    assert all(row.reasons for row in lot.rows if row.status == "excluded")


@FAST
@given(st.data())
def test_weights_of_100_for_quality_rank_purely_by_quality(data: Any) -> None:
    rules = data.draw(tender_rules(price_weight=0))
    bids = data.draw(lots(banded=_banded(rules)))
    lot = evaluate_tender(bids, rules).lots[0]
    ranked = [row for row in lot.rows if row.rank is not None]
    scores = [row.bid.quality_score for row in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(row.price_score == 0 for row in ranked)


@FAST
@given(st.data())
def test_the_order_of_the_bid_file_does_not_change_the_result(data: Any) -> None:
    rules = data.draw(tender_rules())
    bids = data.draw(lots(banded=_banded(rules), wide=True))
    shuffled = data.draw(st.permutations(bids))
    first = evaluate_tender(bids, rules).lots[0]
    second = evaluate_tender(shuffled, rules).lots[0]
    assert first.awards == second.awards
    assert [(row.bidder, row.rank, row.total) for row in first.rows if row.rank] == [
        (row.bidder, row.rank, row.total) for row in second.rows if row.rank
    ]


@FAST
@given(st.data())
def test_places_awarded_are_the_tiers_or_the_valid_bids_whichever_is_fewer(data: Any) -> None:
    rules = data.draw(tender_rules())
    lot = evaluate_tender(data.draw(lots(banded=_banded(rules), wide=True)), rules).lots[0]
    valid = sum(1 for row in lot.rows if row.rank is not None)
    assert len(lot.awards) == min(valid, len(rules.default.tiers))
    assert [award.rank for award in lot.awards] == list(range(1, len(lot.awards) + 1))
