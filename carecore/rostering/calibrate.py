"""From a week of home visits to travel per band: the rounds carers could actually drive.

Each provider's visits in each zone on each day become one routing problem: the carers
start and end at home (homes drawn around the zone's places like the people's), work a
day from 07:00 to 22:30, and are as many as the day's care needs (the larger of the contact
time over six hours and the busiest two hours' contact over an hour and a half). The solver
minimises travel time with lateness dear, and the rounds it finds are measured leg by leg.

What counts: a leg's travel and distance, and any wait before a visit, belong to the band
of the visit it leads to. The legs from home to the first visit and back from the last are
commuting (not working time, and not business mileage), so they are left out. A wait of
more than an hour is a break the carer may spend as they like, not working time.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from carecore.errors import InputError
from carecore.rostering.homes import HomeVisit, spread_home
from carecore.rostering.model import Carer, Pair, RosterProblem, Visit, Weights
from carecore.rostering.round_stats import RoundTotals, totals_by_band
from carecore.rostering.schedule import Evaluation, Round
from carecore.rostering.travel import Point, TravelSource

DAY_START_SECONDS = 7 * 3600
DAY_END_SECONDS = 22 * 3600 + 1800
CARER_CONTACT_HOURS = 6.0
PEAK_HOURS = 2.0
PEAK_CONTACT_SHARE = 0.75
LONGEST_WORKING_WAIT_SECONDS = 3600
# Even a day of two visits gets the search a moment to settle its pairs.
MIN_SECONDS_PER_PROBLEM = 0.1
WEIGHTS = Weights(travel_time=1.0, total_lateness=10.0, overtime=10.0)

Solver = Callable[[RosterProblem, float, int], tuple[tuple[Round, ...], Evaluation]]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RoundPath:
    """One carer's round on the map: home, then each visit's place in order."""

    carer: str
    home: tuple[float, float]
    stops: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class DayRounds:
    """One provider's rounds in one zone on one day, for the map."""

    provider: str
    zone: str
    day: int
    paths: tuple[RoundPath, ...]
    late_visits: int


@dataclass(frozen=True)
class Calibration:
    """Measured rounds: totals per zone and band over the week, and the map days kept."""

    totals: tuple[RoundTotals, ...]
    maps: tuple[DayRounds, ...]
    problems_solved: int
    visits_routed: int
    late_visits: int
    travel_source: str

    def by_band(self) -> dict[str, RoundTotals]:
        """Zones summed into their bands."""
        return totals_by_band(self.totals)


def calibrate(
    visits: Sequence[HomeVisit],
    *,
    travel: TravelSource,
    solve: Solver | None = None,
    seconds_per_visit: float = 0.01,
    seed: int = 1,
    map_day: int = 0,
    zone_map: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> Calibration:
    """Route every provider's visits in every zone on every day and measure the rounds.

    ``solve(problem, seconds, seed)`` returns rounds and their evaluation (default: the
    platform's solver); each problem gets ``seconds_per_visit`` seconds per visit (at least
    ``MIN_SECONDS_PER_PROBLEM``). ``zone_map`` routes visits under other zones (zone code ->
    the zone it is merged into), to see what a change of zones would save; the totals stay
    under each visit's own zone and band. ``progress(done, total)`` is called after each problem.
    """
    if not visits:
        raise InputError("there are no visits to route", key="visits")
    solve = solve or solve_with_pyvrp
    groups: dict[tuple[str, str, int], list[HomeVisit]] = defaultdict(list)
    for visit in visits:
        routed_in = (zone_map or {}).get(visit.zone, visit.zone)
        groups[(visit.provider, routed_in, visit.day)].append(visit)
    rng = np.random.default_rng(seed)
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 6)
    maps: list[DayRounds] = []
    late = 0
    source = ""
    ordered = sorted(groups)
    for done, key in enumerate(ordered, start=1):
        group = groups[key]
        problem, places, homes, source = _problem(key, group, travel, rng)
        seconds = max(MIN_SECONDS_PER_PROBLEM, seconds_per_visit * len(problem.visits))
        rounds, evaluation = solve(problem, seconds, seed)
        late += sum(1 for value in evaluation.lateness if value > 0)
        _add_measures(problem, rounds, evaluation, group, sums)
        if key[2] == map_day:
            maps.append(_map(key, problem, rounds, evaluation, places, homes))
        if progress:
            progress(done, len(ordered))
    totals = tuple(
        RoundTotals(
            zone=zone,
            band=band,
            visits=v[0],
            contact_minutes=v[1] // 60,
            travel_minutes=v[2] // 60,
            travel_metres=v[3],
            waiting_minutes=v[4] // 60,
            rounds=v[5],
        )
        for (zone, band), v in sorted(sums.items())
    )
    return Calibration(
        totals=totals,
        maps=tuple(maps),
        problems_solved=len(ordered),
        visits_routed=len(visits),
        late_visits=late,
        travel_source=source,
    )


def solve_with_pyvrp(
    problem: RosterProblem, seconds: float, seed: int
) -> tuple[tuple[Round, ...], Evaluation]:
    """The platform's solver (PyVRP with the pairs built around it) as a calibration step."""
    from carecore.rostering.solver import solve_rounds

    result = solve_rounds(problem, seconds=seconds, seed=seed)
    return result.rounds, result.evaluation


def carers_needed(group: Sequence[HomeVisit]) -> int:
    """Carers for a day: contact over six hours, or the busiest two hours' contact."""
    contact = sum(v.minutes * v.carers for v in group) / 60
    starts = sorted(v.window_start_minute for v in group)
    busiest = 0.0
    for start in starts:
        busiest = max(
            busiest,
            sum(
                v.minutes * v.carers
                for v in group
                if start <= v.window_start_minute < start + PEAK_HOURS * 60
            )
            / 60,
        )
    by_day = contact / CARER_CONTACT_HOURS
    by_peak = busiest / (PEAK_HOURS * PEAK_CONTACT_SHARE)
    return max(2 if any(v.carers == 2 for v in group) else 1, math.ceil(max(by_day, by_peak)))


def _problem(
    key: tuple[str, str, int],
    group: Sequence[HomeVisit],
    travel: TravelSource,
    rng: np.random.Generator,
) -> tuple[RosterProblem, list[Point], list[Point], str]:
    provider, zone, day = key
    people = sorted({(v.person, v.lat, v.lon, v.band) for v in group})
    place_of = {person: i for i, (person, *_rest) in enumerate(people)}
    points = [Point(lat, lon) for _, lat, lon, _ in people]
    bands = [band for *_rest, band in people]
    count = carers_needed(group)
    # Carers live among the people they visit: each home near a random person's place.
    homes, home_bands = [], []
    for _ in range(count):
        _person, lat, lon, band = people[int(rng.integers(len(people)))]
        homes.append(Point(*spread_home(lat, lon, band, rng)))
        home_bands.append(band)
    matrix = travel.matrix(points + homes, bands + home_bands)
    visits: list[Visit] = []
    pairs: list[Pair] = []
    for v in sorted(group, key=lambda x: (x.window_start_minute, x.person)):
        start = v.window_start_minute * 60
        window = (0 if v.critical else v.window_minutes) * 60
        indices = []
        for copy in range(v.carers):
            indices.append(len(visits))
            visits.append(
                Visit(
                    name=f"{v.person}@{v.window_start_minute // 60:02d}:"
                    f"{v.window_start_minute % 60:02d}" + (f"#{copy + 1}" if v.carers == 2 else ""),
                    location=place_of[v.person],
                    earliest_start=start,
                    latest_start=start + window,
                    duration=v.minutes * 60,
                    skill=v.skill,
                    person=v.person,
                )
            )
        if len(indices) == 2:
            pairs.append(Pair(indices[0], indices[1]))
    carers = tuple(
        Carer(
            name=f"carer {n + 1}",
            start_location=len(points) + n,
            end_location=len(points) + n,
            shift_start=DAY_START_SECONDS,
            shift_end=DAY_END_SECONDS,
            skills=frozenset(v.skill for v in group if v.skill),
        )
        for n in range(count)
    )
    problem = RosterProblem(
        name=f"{provider} {zone} day {day}",
        visits=tuple(visits),
        carers=carers,
        travel_time=matrix.seconds,
        distance=matrix.metres,
        pairs=tuple(pairs),
        weights=WEIGHTS,
    )
    return problem, points, homes, matrix.source


def _add_measures(
    problem: RosterProblem,
    rounds: Sequence[Round],
    evaluation: Evaluation,
    group: Sequence[HomeVisit],
    sums: dict[tuple[str, str], list[int]],
) -> None:
    band_of = {v.person: (v.zone, v.band) for v in group}
    for r in rounds:
        if not r.visits:
            continue
        carer = problem.carers[r.carer]
        where, free_at = carer.start_location, carer.shift_start
        touched: set[tuple[str, str]] = set()
        for position, index in enumerate(r.visits):
            visit = problem.visits[index]
            key = band_of[visit.person]
            touched.add(key)
            row = sums[key]
            leg = int(problem.travel_time[where, visit.location])
            start = evaluation.starts[index]
            row[0] += 1
            row[1] += visit.duration
            if position > 0:  # the first leg is the commute from home
                row[2] += leg
                row[3] += int(problem.distance[where, visit.location])
                wait = start - (free_at + leg)
                if 0 < wait <= LONGEST_WORKING_WAIT_SECONDS:
                    row[4] += wait
            where, free_at = visit.location, start + visit.duration
        for key in touched:
            sums[key][5] += 1


def _map(
    key: tuple[str, str, int],
    problem: RosterProblem,
    rounds: Sequence[Round],
    evaluation: Evaluation,
    places: Sequence[Point],
    homes: Sequence[Point],
) -> DayRounds:
    paths = []
    for r in rounds:
        if not r.visits:
            continue
        home = homes[r.carer]
        stops = tuple(
            (places[problem.visits[i].location].lat, places[problem.visits[i].location].lon)
            for i in r.visits
        )
        paths.append(RoundPath(problem.carers[r.carer].name, (home.lat, home.lon), stops))
    late = sum(1 for value in evaluation.lateness if value > 0)
    return DayRounds(provider=key[0], zone=key[1], day=key[2], paths=tuple(paths), late_visits=late)
