"""The platform's own rounds format: read, checked field by field, and the answer written."""

from __future__ import annotations

import json

import pytest

from carecore.errors import InputError
from carecore.rostering.native import problem_from_dict, read_native, rounds_to_dict
from carecore.rostering.schedule import Round, evaluate

DAY = {
    "name": "Hinckley, Monday",
    "travel_time": [[0, 600, 900], [600, 0, 300], [900, 300, 0]],
    "distance": [[0, 5000, 8000], [5000, 0, 2500], [8000, 2500, 0]],
    "carers": [
        {"name": "Ash", "start_location": 0, "shift_start": "07:00", "shift_end": "14:00"},
        {
            "name": "Birch",
            "start_location": 0,
            "shift_start": "07:00",
            "shift_end": "14:00",
            "skills": ["PEG"],
        },
    ],
    "visits": [
        {
            "name": "P1 breakfast",
            "location": 1,
            "earliest_start": "08:00",
            "latest_start": "08:30",
            "duration_minutes": 30,
            "person": "P1",
        },
        {
            "name": "P2 breakfast",
            "location": 2,
            "earliest_start": "08:00",
            "latest_start": "08:30",
            "duration_minutes": 45,
            "person": "P2",
            "skill": "PEG",
        },
        {
            "name": "P2 breakfast 2",
            "location": 2,
            "earliest_start": "08:00",
            "latest_start": "08:30",
            "duration_minutes": 45,
            "person": "P2",
        },
    ],
    "pairs": [{"first": "P2 breakfast", "second": "P2 breakfast 2"}],
    "weights": {"travel_time": 1, "total_lateness": 10},
}


def test_a_day_is_read_with_times_of_day_in_seconds(tmp_path):
    path = tmp_path / "day.json"
    path.write_text(json.dumps(DAY), encoding="utf-8")
    problem = read_native(path)
    assert problem.visits[0].earliest_start == 8 * 3600
    assert problem.visits[1].duration == 45 * 60
    assert problem.carers[0].end_location == 0
    assert problem.pairs[0].first == 1 and problem.pairs[0].second == 2
    assert problem.weights.total_lateness == 10


def test_an_unknown_field_is_an_error_that_names_it():
    bad = {**DAY, "visits": [{**DAY["visits"][0], "duraton_minutes": 30}]}
    with pytest.raises(InputError, match="unknown field 'duraton_minutes'") as caught:
        problem_from_dict(bad)
    assert caught.value.key == "visits[0].duraton_minutes"


def test_a_pair_naming_no_visit_is_an_error():
    bad = {**DAY, "pairs": [{"first": "P2 breakfast", "second": "nobody"}]}
    with pytest.raises(InputError, match="names no visit") as caught:
        problem_from_dict(bad)
    assert caught.value.key == "pairs[0].second"


def test_a_time_that_is_not_a_time_of_day_is_an_error():
    bad = {**DAY, "carers": [{**DAY["carers"][0], "shift_start": "7am"}, DAY["carers"][1]]}
    with pytest.raises(InputError, match="HH:MM") as caught:
        problem_from_dict(bad)
    assert caught.value.key == "carers[0].shift_start"


def test_a_file_that_is_not_json_names_the_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read the rounds file") as caught:
        read_native(path)
    assert caught.value.source == str(path)


def test_the_answer_lists_each_round_with_start_times_and_the_checks():
    problem = problem_from_dict(DAY)
    rounds = (Round(0, (0, 2)), Round(1, (1,)))
    answer = rounds_to_dict(problem, rounds, evaluate(problem, rounds))
    assert answer["feasible"] is True
    assert [r["carer"] for r in answer["routes"]] == ["Ash", "Birch"]
    ash = answer["routes"][0]["visits"]
    # Ash: P1 at 08:00 until 08:30, 5 minutes to P2, where Birch arrived at 07:15.
    assert ash[1]["start"] == 8 * 3600 + 35 * 60
    assert answer["routes"][1]["visits"][0]["start"] == ash[1]["start"]
    assert answer["late_visits"] == 2
