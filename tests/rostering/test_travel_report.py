"""The calibration report: bands in the card's order, prices beside the card, carbon, charts."""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree

from carecore.rostering.calibrate import calibrate
from carecore.rostering.homes import HomeVisit
from carecore.rostering.travel_report import build_travel_report, default_card_rates
from tests.rostering.standins import AlongTheMeridian, one_carer_in_time_order


def _week(zone="zone-a"):
    visits = []
    for day in range(7):
        for n, (lat, band) in enumerate(
            ((52.000, "URBAN"), (52.010, "URBAN"), (52.030, "RURAL"), (52.050, "RURAL"))
        ):
            visits.append(
                HomeVisit(
                    f"P{n}{zone}",
                    "Provider X (test)",
                    zone,
                    band,
                    lat,
                    -1.2,
                    day,
                    8 * 60 + 40 * n,
                    30,
                    30,
                )
            )
    return tuple(visits)


def _report(**options):
    result = calibrate(_week(), travel=AlongTheMeridian(), solve=one_carer_in_time_order)
    return build_travel_report(result, **options)


def test_the_default_card_is_leicestershires_2020_21_prices():
    assert default_card_rates() == {
        "URBAN": Decimal("18.75"),
        "FRINGE": Decimal("19.95"),
        "RURAL": Decimal("22.95"),
        "ISOLATED": Decimal("26.15"),
    }


def test_measured_bands_come_in_the_cards_order_with_their_prices_beside_it():
    report = _report()
    assert [row["band"] for row in report["bands"]] == ["URBAN", "RURAL"]
    assert [row["band"] for row in report["prices"]] == ["URBAN", "RURAL"]
    urban = report["prices"][0]
    assert urban["card_price"] == "18.75"
    difference = Decimal(urban["derived_price"]) - Decimal(urban["card_price"])
    assert Decimal(urban["difference"]) == difference
    assert urban["verdict"] in ("under-pays", "over-pays", "matches")


def test_the_rural_band_drives_further_per_contact_hour_than_the_urban_one_here():
    bands = {row["band"]: row for row in _report()["bands"]}
    assert Decimal(bands["RURAL"]["miles_per_contact_hour"]) > Decimal(
        bands["URBAN"]["miles_per_contact_hour"]
    )


def test_carbon_rows_add_up_to_the_annual_total():
    carbon = _report()["carbon"]
    assert carbon["factor_kg_per_mile"]
    total = sum(Decimal(row["tonnes_per_year"]) for row in carbon["rows"])
    assert abs(total - Decimal(carbon["total_tonnes_per_year"])) <= Decimal("0.01") * len(
        carbon["rows"]
    )


def test_the_charts_are_svg():
    charts = _report()["charts"]
    for svg in charts.values():
        assert ElementTree.fromstring(svg).tag.endswith("svg")


def test_a_zone_change_that_routes_two_zones_together_reports_its_saving():
    week = _week("zone-a") + _week("zone-b")
    now = calibrate(week, travel=AlongTheMeridian(), solve=one_carer_in_time_order)
    merged = calibrate(
        week,
        travel=AlongTheMeridian(),
        solve=one_carer_in_time_order,
        zone_map={"zone-b": "zone-a"},
    )
    report = build_travel_report(now, alternative=merged, alternative_label="a and b merged")
    change = report["zone_change"]
    assert change["label"] == "a and b merged"
    saved = Decimal(change["miles_per_year_now"]) - Decimal(change["miles_per_year_after"])
    # Each figure is rounded to a tenth on its own, so they agree within a tenth.
    assert abs(Decimal(change["miles_saved_per_year"]) - saved) <= Decimal("0.1")
    # The same places visited by one round instead of two: fewer miles.
    assert Decimal(change["miles_saved_per_year"]) > 0
