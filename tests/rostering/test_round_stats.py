"""Round totals per zone and band, in the units the cost-of-care model prices."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from carecore.errors import InputError
from carecore.reports.travel_charts import travel_share_chart
from carecore.rostering.round_stats import RoundTotals, combine, totals_by_band

SVG = "{http://www.w3.org/2000/svg}"


def totals(
    zone: str = "Z1",
    band: str = "URBAN",
    *,
    contact: int = 2500,
    travel: int = 500,
    metres: int = 201_168,
    waiting: int = 125,
    visits: int = 50,
    rounds: int = 5,
) -> RoundTotals:
    return RoundTotals(
        zone=zone,
        band=band,
        visits=visits,
        contact_minutes=contact,
        travel_minutes=travel,
        travel_metres=metres,
        waiting_minutes=waiting,
        rounds=rounds,
    )


def test_per_contact_hour_figures_are_worked_exactly() -> None:
    # 2,500 contact minutes are 41 2/3 hours. 500 travel minutes: 500 x 60 / 2500 = 12 a
    # contact hour. 201,168 m = 125 x 1,609.344 m = 125 miles: 125 x 60 / 2500 = 3 miles a
    # contact hour. 125 waiting minutes: 3 a contact hour.
    t = totals()
    assert t.travel_miles == Decimal(125)
    assert t.travel_minutes_per_contact_hour == Decimal(12)
    assert t.miles_per_contact_hour == Decimal(3)
    assert t.waiting_minutes_per_contact_hour == Decimal(3)


def test_paid_time_is_contact_travel_and_waiting() -> None:
    # Paid time 2500 + 500 + 125 = 3125 minutes: travel 500 / 3125 = 0.16, contact 0.8,
    # waiting 0.04.
    t = totals()
    assert t.paid_minutes == 3125
    assert t.travel_share_of_paid_time == Decimal("0.16")
    assert t.contact_share_of_paid_time == Decimal("0.8")
    assert t.waiting_share_of_paid_time == Decimal("0.04")


def test_a_mile_is_exactly_1609_344_metres() -> None:
    assert totals(metres=1_609_344).travel_miles == Decimal(1000)


def test_combining_zones_pools_their_hours_rather_than_averaging_their_rates() -> None:
    # A: 30 min travel over 1 contact hour (30 a contact hour). B: 30 over 9 hours (3.33).
    # Pooled: 60 minutes over 10 hours = 6 a contact hour; an average of rates would be 16.67.
    a = totals("A", contact=60, travel=30, metres=0, waiting=0, visits=2, rounds=1)
    b = totals("B", contact=540, travel=30, metres=0, waiting=0, visits=9, rounds=2)
    both = combine([a, b])
    assert both.zone == "A+B"
    assert (both.contact_minutes, both.travel_minutes, both.visits, both.rounds) == (600, 60, 11, 3)
    assert both.travel_minutes_per_contact_hour == Decimal(6)


def test_combining_can_name_the_merged_zone() -> None:
    assert combine([totals("A"), totals("B")], zone="North").zone == "North"


def test_zones_of_different_bands_cannot_be_combined() -> None:
    with pytest.raises(InputError, match="one band"):
        combine([totals("A", "URBAN"), totals("B", "RURAL")])


def test_combining_nothing_is_refused() -> None:
    with pytest.raises(InputError, match="nothing to combine"):
        combine([])


def test_totals_by_band_combines_each_bands_zones_under_the_bands_name() -> None:
    grouped = totals_by_band(
        [totals("A", "URBAN"), totals("B", "RURAL"), totals("C", "URBAN", travel=100)]
    )
    assert list(grouped) == ["URBAN", "RURAL"]
    assert grouped["URBAN"].zone == "URBAN"
    assert grouped["URBAN"].travel_minutes == 600
    assert grouped["RURAL"].travel_minutes == 500


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("travel_minutes", -1, "cannot be negative"),
        ("travel_metres", 1.5, "whole number"),
        ("visits", True, "whole number"),
        ("zone", "  ", "expected a name"),
    ],
)
def test_bad_totals_are_refused_naming_the_field(field: str, value: object, words: str) -> None:
    values: dict[str, object] = {
        "zone": "Z1",
        "band": "URBAN",
        "visits": 1,
        "contact_minutes": 60,
        "travel_minutes": 10,
        "travel_metres": 1000,
        "waiting_minutes": 0,
        "rounds": 1,
    }
    values[field] = value
    with pytest.raises(InputError, match=words) as caught:
        RoundTotals(**values)  # type: ignore[arg-type]
    assert caught.value.key == field


def test_no_contact_time_has_no_figure_per_contact_hour() -> None:
    empty = totals(contact=0, travel=10, waiting=0)
    with pytest.raises(InputError, match="no contact time"):
        _ = empty.travel_minutes_per_contact_hour
    assert empty.travel_share_of_paid_time == Decimal(1)


def test_no_paid_time_has_no_shares() -> None:
    with pytest.raises(InputError, match="no paid time"):
        _ = totals(contact=0, travel=0, waiting=0).travel_share_of_paid_time


def test_the_travel_share_chart_shows_every_band_as_valid_svg() -> None:
    bands = {
        "URBAN": totals("A", "URBAN"),
        "FRINGE": totals("B", "FRINGE", travel=700),
        "RURAL": totals("C", "RURAL", travel=900),
        "ISOLATED": totals("D", "ISOLATED", travel=1300),
    }
    svg = travel_share_chart(bands)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and "travelling" in (title.text or "")
    assert desc is not None
    # URBAN: 500 of 3125 paid minutes travelling = 16.0%.
    assert "URBAN: travel 16.0% of paid time (contact 80.0%, waiting 4.0%)" in (desc.text or "")
    texts = " ".join(node.text or "" for node in root.iter(f"{SVG}text"))
    for band in bands:
        assert band in texts
