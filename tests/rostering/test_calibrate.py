"""From a week of visits to travel per band: what is measured, and what is left out."""

from __future__ import annotations

import pytest

from carecore.errors import InputError
from carecore.rostering.calibrate import calibrate, carers_needed
from carecore.rostering.homes import HomeVisit
from carecore.rostering.schedule import Round, evaluate
from tests.rostering.standins import AlongTheMeridian, one_carer_in_time_order


def visit(person, lat, band, start_minute, minutes=30):
    return HomeVisit(
        person, "Provider X (test)", "zone-a", band, lat, -1.2, 0, start_minute, 0, minutes
    )


DAY = (
    visit("P1", 52.000, "URBAN", 8 * 60),
    visit("P2", 52.003, "URBAN", 8 * 60 + 30),
    visit("P3", 52.001, "RURAL", 10 * 60),
    visit("P4", 52.002, "URBAN", 12 * 60),
)


def test_travel_and_waiting_belong_to_the_band_of_the_visit_they_lead_to():
    result = calibrate(DAY, travel=AlongTheMeridian(), solve=one_carer_in_time_order)
    rows = {(r.zone, r.band): r for r in result.totals}
    urban, rural = rows[("zone-a", "URBAN")], rows[("zone-a", "RURAL")]
    # P1 -> P2 is 300 s and 3,000 m; P3 -> P4 100 s and 1,000 m; the first leg is the commute.
    assert (urban.visits, urban.contact_minutes) == (3, 90)
    assert (urban.travel_minutes, urban.travel_metres) == (6, 4000)
    # P2 ends 09:05 (it started 08:35 after the 5-minute drive); P3 is reached at 09:08:20 and
    # waits 51 min 40 s for 10:00: working time. P4's wait of 88 min is a break, not counted.
    assert urban.waiting_minutes == 0
    assert (rural.visits, rural.travel_minutes, rural.travel_metres) == (1, 3, 2000)
    assert rural.waiting_minutes == 51
    assert result.travel_source == "test meridian"


def test_the_map_keeps_each_round_of_the_chosen_day():
    result = calibrate(DAY, travel=AlongTheMeridian(), solve=one_carer_in_time_order, map_day=0)
    assert len(result.maps) == 1
    (day,) = result.maps
    assert [stop[0] for stop in day.paths[0].stops] == [52.000, 52.003, 52.001, 52.002]
    assert (
        calibrate(DAY, travel=AlongTheMeridian(), solve=one_carer_in_time_order, map_day=3).maps
        == ()
    )


def test_progress_is_reported_after_each_provider_zone_and_day():
    seen = []
    later = tuple(
        HomeVisit(
            v.person,
            v.provider,
            v.zone,
            v.band,
            v.lat,
            v.lon,
            1,
            v.window_start_minute,
            0,
            v.minutes,
        )
        for v in DAY
    )
    calibrate(
        DAY + later,
        travel=AlongTheMeridian(),
        solve=one_carer_in_time_order,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(1, 2), (2, 2)]


def test_a_double_handed_visit_becomes_a_pair_of_visits_for_two_carers():
    double = HomeVisit(
        "P9", "Provider X (test)", "zone-a", "URBAN", 52.0, -1.2, 0, 480, 30, 45, carers=2
    )
    captured = []

    def capture(problem, seconds, seed):
        captured.append(problem)
        rounds = (Round(0, (0,)), Round(1, (1,)))
        return rounds, evaluate(problem, rounds)

    calibrate((double,), travel=AlongTheMeridian(), solve=capture)
    (problem,) = captured
    assert len(problem.visits) == 2 and len(problem.pairs) == 1
    assert problem.pairs[0].simultaneous
    assert len(problem.carers) >= 2


def test_carers_needed_follows_the_busiest_two_hours():
    morning = tuple(visit(f"P{n}", 52.0, "URBAN", 8 * 60, minutes=60) for n in range(9))
    # Nine hours of care in one morning need six carers at 90 minutes' care each in two hours.
    assert carers_needed(morning) == 6


def test_no_visits_is_a_clear_error():
    with pytest.raises(InputError, match="no visits"):
        calibrate((), travel=AlongTheMeridian(), solve=one_carer_in_time_order)


def test_merged_zones_are_routed_together_but_counted_under_their_own_zones():
    other = tuple(
        HomeVisit(
            v.person + "b",
            v.provider,
            "zone-b",
            v.band,
            v.lat,
            v.lon,
            0,
            v.window_start_minute + 5,
            0,
            v.minutes,
        )
        for v in DAY
    )
    captured = []

    def capture(problem, seconds, seed):
        captured.append(problem)
        return one_carer_in_time_order(problem, seconds, seed)

    result = calibrate(
        DAY + other, travel=AlongTheMeridian(), solve=capture, zone_map={"zone-b": "zone-a"}
    )
    assert len(captured) == 1 and len(captured[0].visits) == 8
    assert {r.zone for r in result.totals} == {"zone-a", "zone-b"}
