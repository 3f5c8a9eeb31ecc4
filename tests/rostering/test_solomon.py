"""Solomon VRPTW instances: our reading, our feasibility check, PyVRP on a budget.

Every search here stops on a budget of PyVRP iterations, never on the clock, so its answer
is the same on a busy machine as on an idle one. How near the best known PyVRP gets in a
given time (the six targets within 1% in 10 s) is measured and recorded by
``benchmarks/rostering_solomon.py``, not asserted here.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import vrplib  # type: ignore[import-untyped]
from pyvrp import Client, Depot, Location, ProblemData, SolveParams, VehicleType

from carecore.rostering.solomon import (
    SCALE,
    MaxProcessTime,
    RoutePressure,
    SolomonResult,
    best_known,
    check_routes,
    read_solomon,
    route_distance_tenths,
    solve_solomon,
)

# PyVRP iterations per search: enough for feasible routes on these instances, and for
# the priced search to beat the plain one on RC101, in well under a second each.
ITERATIONS = 300


def _solomon(benchmarks_dir: Path) -> Path:
    return benchmarks_dir / "solomon"


def _instances(benchmarks_dir: Path) -> list[Path]:
    return sorted(_solomon(benchmarks_dir).glob("*.vrp"))


def test_there_are_56_instances_each_with_its_best_known(benchmarks_dir: Path) -> None:
    instances = _instances(benchmarks_dir)
    assert len(instances) == 56
    assert all(path.with_suffix(".sol").is_file() for path in instances)


def test_recomputed_best_known_equals_each_files_stated_cost(benchmarks_dir: Path) -> None:
    for path in _instances(benchmarks_dir):
        data = read_solomon(path)
        stated = vrplib.read_solution(str(path.with_suffix(".sol")))["cost"]
        assert best_known(path.with_suffix(".sol"), data) == pytest.approx(stated, abs=1e-9), (
            path.stem
        )


def test_every_best_known_solution_passes_our_check_within_the_fleet(
    benchmarks_dir: Path,
) -> None:
    for path in _instances(benchmarks_dir):
        data = read_solomon(path)
        routes = vrplib.read_solution(str(path.with_suffix(".sol")))["routes"]
        assert len(routes) <= data.num_vehicles, path.stem
        assert check_routes(data, routes) == [], path.stem


def test_distances_are_truncated_to_one_decimal_not_rounded(benchmarks_dir: Path) -> None:
    data = read_solomon(_solomon(benchmarks_dir) / "R101.vrp")
    # Depot (35, 35) to client 1 (41, 49): sqrt(232) = 15.2315..., kept as 15.2.
    assert data.distance_matrix(0)[0, 1] == 152
    # Depot to client 3 (55, 45): sqrt(500) = 22.3607..., rounding would give 22.4.
    assert data.distance_matrix(0)[0, 3] == 223
    assert route_distance_tenths(data, [[1]]) == 2 * 152


def test_the_objective_is_distance_alone(benchmarks_dir: Path) -> None:
    data = read_solomon(_solomon(benchmarks_dir) / "C101.vrp")
    vehicle = data.vehicle_type(0)
    assert (vehicle.fixed_cost, vehicle.unit_distance_cost, vehicle.unit_duration_cost) == (0, 1, 0)
    assert vehicle.num_available == 25


def _c101(benchmarks_dir: Path) -> tuple[Path, list[list[int]]]:
    path = _solomon(benchmarks_dir) / "C101.vrp"
    return path, [list(r) for r in vrplib.read_solution(str(path.with_suffix(".sol")))["routes"]]


def test_the_check_catches_a_client_served_twice_and_one_never_served(
    benchmarks_dir: Path,
) -> None:
    path, routes = _c101(benchmarks_dir)
    data = read_solomon(path)
    dropped = routes[1].pop()  # client 12 leaves route 2 ...
    routes[0].append(routes[2][0])  # ... and client 20 is also tacked onto route 1
    problems = check_routes(data, routes)
    assert f"client {routes[2][0]} is served 2 times" in problems
    assert f"clients never served: [{dropped}]" in problems


def _by_hand(*, capacity: int = 10, depot_closes: int = 150) -> ProblemData:
    """Depot 0 and clients 1 and 2: 30 from the depot to 1, 40 to 2, 50 between them.

    Each client takes 5 units and 10 of service. Client 1's window is [0, 90], client 2's
    [0, 200]. Route [1, 2]: at 1 by 30, at 2 by 90, home by 140. Route [2, 1]: at 2 by 40,
    at 1 by 100, which is late.
    """
    distances = np.array([[0, 30, 40], [30, 0, 50], [40, 50, 0]])
    return ProblemData(
        locations=[Location(0, 0), Location(30, 0), Location(0, 40)],
        clients=[
            Client(location=1, delivery=[5], service_duration=10, tw_late=90),
            Client(location=2, delivery=[5], service_duration=10, tw_late=200),
        ],
        depots=[Depot(location=0)],
        vehicle_types=[VehicleType(num_available=1, capacity=[capacity], tw_late=depot_closes)],
        # PyVRP's stubs type a matrix's shape as int; numpy's own stubs say tuple.
        distance_matrices=[distances],  # type: ignore[list-item]
        duration_matrices=[distances],  # type: ignore[list-item]
    )


def test_a_route_made_by_hand_that_keeps_every_rule_passes() -> None:
    assert check_routes(_by_hand(), [[1, 2]]) == []
    assert route_distance_tenths(_by_hand(), [[1, 2]]) == 30 + 50 + 40


def test_the_check_catches_a_route_over_capacity() -> None:
    assert check_routes(_by_hand(capacity=8), [[1, 2]]) == [
        "route 1: delivery load [10] over capacity [8]"
    ]


def test_the_check_catches_a_late_arrival() -> None:
    assert check_routes(_by_hand(), [[2, 1]]) == [
        "route 1: client 1 reached at 10, after its window closes at 9"
    ]


def test_the_check_catches_a_late_return_to_the_depot() -> None:
    assert check_routes(_by_hand(depot_closes=130), [[1, 2]]) == [
        "route 1: back at the depot at 14, after it closes at 13"
    ]


def test_the_check_counts_vehicles() -> None:
    assert check_routes(_by_hand(), [[1], [2]]) == ["2 routes but only 1 vehicles"]


def test_the_check_on_a_real_instance_catches_a_reversed_route(benchmarks_dir: Path) -> None:
    path, routes = _c101(benchmarks_dir)
    data = read_solomon(path)
    reversed_first = [list(reversed(routes[0])), *routes[1:]]
    problems = check_routes(data, reversed_first)
    assert problems
    assert all(p.startswith("route 1: ") for p in problems)


def test_the_check_catches_more_routes_than_vehicles(benchmarks_dir: Path) -> None:
    path, _ = _c101(benchmarks_dir)
    data = read_solomon(path)
    one_each = [[client.location] for client in data.clients()]
    assert "100 routes but only 25 vehicles" in check_routes(data, one_each)


def test_the_check_rejects_numbers_that_are_not_clients(benchmarks_dir: Path) -> None:
    path, routes = _c101(benchmarks_dir)
    data = read_solomon(path)
    routes[0].insert(0, 0)  # the depot is not a client to visit
    assert "0 is not a client of this instance" in check_routes(data, routes)


def test_a_result_with_an_inconsistent_gap_is_refused() -> None:
    with pytest.raises(ValueError, match="gap_percent"):
        SolomonResult("X", 110.0, 100.0, 5.0, (), 1.0, 1.0, True)


def test_best_of_two_reports_the_shorter_of_its_two_searches_at_once_or_in_turn(
    benchmarks_dir: Path,
) -> None:
    # RC101 is where the two searches differ (on this budget the priced search is shorter).
    path = _solomon(benchmarks_dir) / "RC101.vrp"
    result = solve_solomon(path, iterations=ITERATIONS)
    assert result.feasible, result.problems
    assert [label for label, _, _ in result.searches] == ["plain", "pressure"]
    by_label = {label: (distance, ok) for label, distance, ok in result.searches}
    assert all(ok for _, ok in by_label.values())
    assert result.distance == min(distance for distance, _ in by_label.values())
    assert result.distance == by_label[result.chosen][0]
    assert result.distance < by_label["plain"][0]
    data = read_solomon(path)
    assert route_distance_tenths(data, result.routes) == round(result.distance * SCALE)
    assert (result.iterations_given, result.seconds_given) == (ITERATIONS, 0.0)
    # Each search has the whole budget whether the two run at once (two processes, as
    # above when two cores are free) or in turn (explicit params keep them in this
    # process), so the answer is the same either way, and on any machine.
    in_turn = solve_solomon(path, iterations=ITERATIONS, params=SolveParams())
    assert (in_turn.routes, in_turn.searches) == (result.routes, result.searches)


def test_the_plain_method_runs_one_search_only(benchmarks_dir: Path) -> None:
    path = _solomon(benchmarks_dir) / "C101.vrp"
    result = solve_solomon(path, iterations=ITERATIONS, method="plain")
    assert [label for label, _, _ in result.searches] == ["plain"]
    assert result.chosen == "plain"
    assert result.feasible, result.problems
    # On a budget alone the answer depends only on the instance, seed and budget.
    again = solve_solomon(path, iterations=ITERATIONS, method="plain")
    assert again.routes == result.routes


def test_a_solve_needs_a_time_limit_or_an_iteration_budget(benchmarks_dir: Path) -> None:
    path = _solomon(benchmarks_dir) / "C101.vrp"
    with pytest.raises(ValueError, match="seconds or iterations"):
        solve_solomon(path)
    with pytest.raises(ValueError, match="iterations"):
        solve_solomon(path, iterations=0)
    with pytest.raises(ValueError, match="seconds"):
        solve_solomon(path, seconds=0)
    with pytest.raises(ValueError, match="time limit or an iteration budget"):
        SolomonResult("X", 100.0, 100.0, 0.0, (), 0.0, 1.0, True)


def test_a_result_longer_than_its_shortest_feasible_search_is_refused() -> None:
    with pytest.raises(ValueError, match="shortest feasible"):
        SolomonResult(
            "X",
            110.0,
            100.0,
            10.0,
            (),
            1.0,
            1.0,
            True,
            searches=(("plain", 110.0, True), ("pressure", 105.0, True)),
            chosen="plain",
        )
    # A shorter search that breaks the rules does not count.
    SolomonResult(
        "X",
        110.0,
        100.0,
        10.0,
        (),
        1.0,
        1.0,
        True,
        searches=(("plain", 110.0, True), ("pressure", 105.0, False)),
        chosen="plain",
    )


def test_route_pressure_refuses_a_share_that_leaves_no_time_for_distance() -> None:
    with pytest.raises(ValueError, match="share"):
        RoutePressure(share=1.0)
    with pytest.raises(ValueError, match="cost_per_route"):
        RoutePressure(cost_per_route=0)


def test_the_processor_time_limit_ignores_time_spent_waiting() -> None:
    stop = MaxProcessTime(0.05)
    assert not stop(0)  # starts the count
    time.sleep(0.1)  # asleep, so no processor time is used
    assert not stop(0)
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:
        pass
    assert stop(0)


def test_the_priced_first_phase_still_ends_on_distance_alone(benchmarks_dir: Path) -> None:
    result = solve_solomon(
        _solomon(benchmarks_dir) / "C101.vrp",
        iterations=ITERATIONS,
        method="plain",
        pressure=RoutePressure(),
    )
    assert result.feasible, result.problems
    assert [label for label, _, _ in result.searches] == ["pressure"]
    data = read_solomon(_solomon(benchmarks_dir) / "C101.vrp")
    # No route price is left in the figure reported: it is the routes' distance.
    assert route_distance_tenths(data, result.routes) == round(result.distance * SCALE)
    assert result.distance == result.searches[0][1]
