"""Golden tests: ranks and scores of two small synthetic tenders, worked out by hand below.

Every bidder is invented. The arithmetic in the comments is the specification: if the code and
a comment disagree, the code is wrong.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from carecore.procurement import (
    Award,
    TenderResult,
    evaluate_tender,
    load_bids,
    load_tender_rules,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "procurement"


def _evaluate(bids: str, rules: str) -> TenderResult:
    tender_rules = load_tender_rules(DATA / rules)
    return evaluate_tender(load_bids(DATA / bids, max_score=tender_rules.max_score), tender_rules)


@pytest.fixture(scope="module")
def golden() -> TenderResult:
    return _evaluate("golden_bids.csv", "golden_rules.toml")


@pytest.fixture(scope="module")
def leicestershire() -> TenderResult:
    return _evaluate("leicestershire_bids.csv", "leicestershire_rules.toml")


def _table(result: TenderResult, lot: str) -> list[tuple[object, ...]]:
    return [
        (row.rank, row.bidder, row.status, row.tier, row.price_score, row.quality_points, row.total)
        for row in result.lot(lot).rows
    ]


def test_north_lot_ranks_quality_above_the_cheapest_bid(golden: TenderResult) -> None:
    # Rules: quality 60, price 40, lowest-price formula, floor £15.00, ceiling £19.00, quality
    # out of 100 with a bar of 50, two lead places.
    # Excluded first: Larkhollow £14.20 < £15.00 floor; Tansywood quality 45 < 50;
    # Nettlebrook £19.50 > £19.00 ceiling. So the lowest VALID price is £16.00 (Bramblewick),
    # not Larkhollow's £14.20 and not Tansywood's £16.00 (excluded, though equal).
    # Quillmoor:   price 16.00 / 17.50 x 40 = 36.5714 -> 36.57; quality 90/100 x 60 = 54.00;
    #              total 90.5714 -> 90.57, rank 1, lead.
    # Bramblewick: price 16.00 / 16.00 x 40 = 40.00; quality 80/100 x 60 = 48.00; total 88.00,
    #              rank 2, lead.
    # Copperwick:  price 16.00 / 18.00 x 40 = 35.5556 -> 35.56; quality 85/100 x 60 = 51.00;
    #              total 86.5556 -> 86.56, rank 3, reserve (only two lead places).
    D = Decimal
    assert _table(golden, "North") == [
        (1, "Quillmoor Home Support Ltd", "appointed", "lead", D("36.57"), D("54.00"), D("90.57")),
        (2, "Bramblewick Homecare Ltd", "appointed", "lead", D("40.00"), D("48.00"), D("88.00")),
        (3, "Copperwick Care Ltd", "reserve", None, D("35.56"), D("51.00"), D("86.56")),
        (None, "Larkhollow Care Ltd", "excluded", None, None, D("57.00"), None),
        (None, "Tansywood Care Ltd", "excluded", None, None, D("27.00"), None),
        (None, "Nettlebrook Visiting Care Ltd", "excluded", None, None, D("42.00"), None),
    ]
    assert golden.lot("North").lowest_valid_price == D("16.00")


def test_north_lot_explains_each_exclusion(golden: TenderResult) -> None:
    reasons = {row.bidder: row.reason for row in golden.lot("North").excluded}
    assert reasons == {
        "Larkhollow Care Ltd": "rate £14.20 is below the floor of £15.00",
        "Tansywood Care Ltd": "quality score 45 is below the minimum of 50",
        "Nettlebrook Visiting Care Ltd": "rate £19.50 is above the ceiling of £19.00",
    }


def test_north_lot_shows_each_working_with_its_numbers(golden: TenderResult) -> None:
    first = golden.lot("North").rows[0]
    assert first.price_working == "£16.00 lowest ÷ £17.50 × 40 = 36.57"
    assert first.quality_working == "90 ÷ 100 × 60 = 54.00"
    assert first.price_used_working == "hourly rate £17.50"


def test_south_lot_breaks_ties_by_quality_then_price_then_name(golden: TenderResult) -> None:
    # South overrides the ceiling to £21.00, so Hollyfen's £20.00 is valid. Lowest is £17.00.
    # Hollyfen:    17.00 / 20.00 x 40 = 34.00 exactly; 80/100 x 60 = 48.00; total 82.00.
    # Fennickwell: 17.00 / 17.00 x 40 = 40.00;          70/100 x 60 = 42.00; total 82.00.
    # Marrowgate:  the same as Fennickwell:                                      total 82.00.
    # Bramblewick: 17.00 / 18.50 x 40 = 36.7568 -> 36.76; 60/100 x 60 = 36.00; total 72.76.
    # Three exact ties at 82: quality first puts Hollyfen (80) above the two 70s; those two tie
    # on price (£17.00) too, so the name decides: Fennickwell before Marrowgate.
    D = Decimal
    assert _table(golden, "South") == [
        (1, "Hollyfen Home Support Ltd", "appointed", "lead", D("34.00"), D("48.00"), D("82.00")),
        (2, "Fennickwell Care Ltd", "appointed", "lead", D("40.00"), D("42.00"), D("82.00")),
        (3, "Marrowgate Care Ltd", "reserve", None, D("40.00"), D("42.00"), D("82.00")),
        (4, "Bramblewick Homecare Ltd", "reserve", None, D("36.76"), D("36.00"), D("72.76")),
    ]


def test_golden_awards_are_the_two_leads_of_each_lot(golden: TenderResult) -> None:
    assert golden.awards == (
        Award("North", "Quillmoor Home Support Ltd", "lead", 1, hourly_rate=Decimal("17.50")),
        Award("North", "Bramblewick Homecare Ltd", "lead", 2, hourly_rate=Decimal("16.00")),
        Award("South", "Hollyfen Home Support Ltd", "lead", 1, hourly_rate=Decimal("20.00")),
        Award("South", "Fennickwell Care Ltd", "lead", 2, hourly_rate=Decimal("17.00")),
    )


def test_melton_weights_band_rates_by_share_of_hours(leicestershire: TenderResult) -> None:
    # Melton's shares of hours: URBAN 35, FRINGE 30, RURAL 25, ISOLATED 10 (total 100).
    # Quality: care 50, workforce 30, social_value 20, each marked out of 5; bar 2.5 overall and
    # 1 on each criterion. Quality 60, price 40. Two prime then two supplementary places.
    # Price used = (U x 35 + F x 30 + R x 25 + I x 10) / 100:
    #   Bramblewick (18.80, 20.00, 23.00, 26.00): (658 + 600 + 575 + 260) / 100 = 20.93
    #   Copperwick  (18.00, 19.50, 22.00, 25.00): (630 + 585 + 550 + 250) / 100 = 20.15
    #   Wrenfold    (19.50, 21.00, 24.50, 28.00): (682.5 + 630 + 612.5 + 280) / 100 = 22.05
    #   Quillmoor   (18.75, 19.95, 22.95, 26.15): (656.25 + 598.5 + 573.75 + 261.5) / 100 = 20.90
    # Excluded: Tansywood rate_URBAN 17.00 < URBAN floor 17.50; Oxlip rate_ISOLATED 29.00 >
    # ISOLATED ceiling 28.50; Hollyfen quality (2x50 + 3x30 + 1x20)/100 = 2.1 < 2.5.
    # Lowest valid price 20.15 (Copperwick). Price score = 40 x 20.15 / p = 806 / p.
    # Quality score = (care x 50 + workforce x 30 + social x 20) / 100; points = score / 5 x 60.
    #   Wrenfold:    806/22.05 = 36.5533 -> 36.55; (250+120+80)/100 = 4.5 -> 54.00;
    #                total 90.5533 -> 90.55, rank 1 prime
    #   Bramblewick: 806/20.93 = 38.5093 -> 38.51; (200+120+60)/100 = 3.8 -> 45.60;
    #                total 84.1093 -> 84.11, rank 2 prime
    #   Quillmoor:   806/20.90 = 38.5646 -> 38.56; (200+90+80)/100 = 3.7 -> 44.40;
    #                total 82.9646 -> 82.96, rank 3 supplementary
    #   Copperwick:  806/20.15 = 40.00;            (150+90+60)/100 = 3.0 -> 36.00;
    #                total 76.00, rank 4 supplementary
    D = Decimal
    assert _table(leicestershire, "Melton")[:4] == [
        (
            1,
            "Wrenfold Community Care Ltd",
            "appointed",
            "prime",
            D("36.55"),
            D("54.00"),
            D("90.55"),
        ),
        (2, "Bramblewick Homecare Ltd", "appointed", "prime", D("38.51"), D("45.60"), D("84.11")),
        (
            3,
            "Quillmoor Home Support Ltd",
            "appointed",
            "supplementary",
            D("38.56"),
            D("44.40"),
            D("82.96"),
        ),
        (
            4,
            "Copperwick Care Ltd",
            "appointed",
            "supplementary",
            D("40.00"),
            D("36.00"),
            D("76.00"),
        ),
    ]
    melton = leicestershire.lot("Melton")
    assert [row.price_used for row in melton.rows[:4]] == [
        D("22.05"),
        D("20.93"),
        D("20.90"),
        D("20.15"),
    ]
    assert {row.bidder: row.reason for row in melton.excluded} == {
        "Tansywood Care Ltd": "rate_URBAN £17.00 is below the URBAN floor of £17.50",
        "Oxlip Visiting Care Ltd": "rate_ISOLATED £29.00 is above the ISOLATED ceiling of £28.50",
        "Hollyfen Home Support Ltd": "quality score 2.1 is below the minimum of 2.5",
    }
    assert melton.rows[0].price_used_working == (
        "(URBAN £19.50 × 35 + FRINGE £21.00 × 30 + RURAL £24.50 × 25 + ISOLATED £28.00 × 10)"
        " ÷ 100 = £22.05"
    )


def test_rural_free_zone_appoints_every_valid_bid_as_supplementary(
    leicestershire: TenderResult,
) -> None:
    harborough = leicestershire.lot("Harborough")
    assert [(award.rank, award.tier) for award in harborough.awards] == [
        (1, "supplementary"),
        (2, "supplementary"),
        (3, "supplementary"),
    ]
    assert [row.bidder for row in harborough.excluded] == ["Oxlip Visiting Care Ltd"]
    assert harborough.rules.tiers == ()


def test_small_town_zone_has_one_prime_and_keeps_a_reserve(leicestershire: TenderResult) -> None:
    lutterworth = leicestershire.lot("Lutterworth")
    assert [(row.rank, row.status, row.tier) for row in lutterworth.rows] == [
        (1, "appointed", "prime"),
        (2, "appointed", "supplementary"),
        (3, "appointed", "supplementary"),
        (4, "reserve", None),
        (None, "excluded", None),
    ]


def test_a_zero_on_one_criterion_excludes_despite_other_scores(
    leicestershire: TenderResult,
) -> None:
    (nettlebrook,) = [
        row for row in leicestershire.lot("Hinckley").excluded if row.bidder.startswith("Nettle")
    ]
    assert nettlebrook.reasons == (
        "quality_workforce score 0 is below the minimum of 1 for each score",
        "quality score 2.1 is below the minimum of 2.5",
    )
