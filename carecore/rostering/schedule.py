"""Times and measures of a set of rounds: the one evaluation every solver is judged by.

Given the order of visits in each carer's round, the start times follow: each visit starts
as early as the carer can be there and its window allows, and each pair's second visit
starts within its gaps of the first. Starting later than that never helps (lateness only
grows with the start time), so the earliest times that satisfy every rule, found by pushing
starts later until nothing moves, are the best timing of those rounds. If starts would be
pushed later for ever, two rounds wait on each other (carer A's first visit needs carer B
at a visit B only reaches after A's second): the rounds cannot be timed at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from carecore.rostering.model import RosterProblem

UNASSIGNED = -1


@dataclass(frozen=True)
class Round:
    """One carer's visits in order (indices into the problem's visits)."""

    carer: int
    visits: tuple[int, ...]


@dataclass(frozen=True)
class RoundMeasures:
    """One round's totals in the problem's units."""

    carer: int
    travel_time: int
    distance: int
    waiting: int
    contact: int
    start: int
    end: int
    overtime: int
    # The legs from the round's start place and back to its end place (home, for a carer):
    # commuting, not working time under the minimum-wage rules; included in travel_time.
    commute_time: int = 0
    commute_distance: int = 0

    @property
    def travel_between_visits(self) -> int:
        return self.travel_time - self.commute_time


@dataclass(frozen=True)
class Evaluation:
    """Every start time and the objective's parts for a set of rounds.

    ``problems`` lists the broken hard rules in words (a visit nobody does, or done twice, a
    skill the carer lacks, a pair done by one carer or out of its gaps, rounds that wait on
    each other); the rounds are feasible when it is empty. Lateness, overtime and unfamiliar
    carers are soft: they cost, they do not make rounds infeasible.
    """

    starts: tuple[int, ...]
    carer_of: tuple[int, ...]
    rounds: tuple[RoundMeasures, ...]
    lateness: tuple[int, ...]
    unfamiliar_visits: int
    objective: float
    problems: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.problems

    @property
    def distance(self) -> int:
        return sum(r.distance for r in self.rounds)

    @property
    def travel_time(self) -> int:
        return sum(r.travel_time for r in self.rounds)

    @property
    def total_lateness(self) -> int:
        return sum(self.lateness)

    @property
    def max_lateness(self) -> int:
        return max(self.lateness, default=0)

    @property
    def overtime(self) -> int:
        return sum(r.overtime for r in self.rounds)


def evaluate(problem: RosterProblem, rounds: Sequence[Round]) -> Evaluation:
    """Time the rounds (earliest starts that keep every rule) and measure them."""
    carer_of = [UNASSIGNED] * len(problem.visits)
    problems = _assignment_problems(problem, rounds, carer_of)
    starts, cyclic = _earliest_starts(problem, rounds)
    if cyclic:
        problems.append("the rounds wait on each other: paired visits cannot be timed")
    problems.extend(_pair_problems(problem, starts, carer_of))
    measures = tuple(_measure(problem, r, starts) for r in rounds)
    lateness = tuple(
        max(0, starts[i] - v.latest_start) if starts[i] != UNASSIGNED else 0
        for i, v in enumerate(problem.visits)
    )
    unfamiliar = _unfamiliar_visits(problem, carer_of)
    weights = problem.weights
    objective = (
        weights.distance * sum(m.distance for m in measures)
        + weights.travel_time * sum(m.travel_time for m in measures)
        + weights.total_lateness * sum(lateness)
        + weights.max_lateness * max(lateness, default=0)
        + weights.overtime * sum(m.overtime for m in measures)
        + weights.unfamiliar_carer * unfamiliar * problem.scale
    ) / problem.scale
    return Evaluation(
        starts=tuple(starts),
        carer_of=tuple(carer_of),
        rounds=measures,
        lateness=lateness,
        unfamiliar_visits=unfamiliar,
        objective=objective,
        problems=tuple(problems),
    )


def _assignment_problems(
    problem: RosterProblem, rounds: Sequence[Round], carer_of: list[int]
) -> list[str]:
    found: list[str] = []
    used_carers: set[int] = set()
    for r in rounds:
        if not 0 <= r.carer < len(problem.carers):
            found.append(f"a round names carer {r.carer}, who does not exist")
            continue
        if r.carer in used_carers:
            found.append(f"carer {problem.carers[r.carer].name} has two rounds")
        used_carers.add(r.carer)
        carer = problem.carers[r.carer]
        for index in r.visits:
            visit = problem.visits[index]
            if carer_of[index] != UNASSIGNED:
                found.append(f"visit {visit.name} is in two rounds")
            carer_of[index] = r.carer
            if not carer.can_do(visit):
                found.append(f"carer {carer.name} lacks the skill {visit.skill} for {visit.name}")
    for index, visit in enumerate(problem.visits):
        if carer_of[index] == UNASSIGNED:
            found.append(f"visit {visit.name} is in no round")
    return found


def _earliest_starts(problem: RosterProblem, rounds: Sequence[Round]) -> tuple[list[int], bool]:
    """The least start times keeping windows' opening, travel and pairs' gaps.

    Each sweep times every round forward, then pulls each pair into its gaps by moving the
    earlier-than-allowed visit later. A dependency chain crosses at most two pair links per
    pair, so once more sweeps than that still move something, the chain is a cycle.
    """
    starts = [UNASSIGNED] * len(problem.visits)
    floor = [v.earliest_start for v in problem.visits]
    valid = [r for r in rounds if 0 <= r.carer < len(problem.carers)]
    for _ in range(2 * len(problem.pairs) + 2):
        for r in valid:
            _time_round(problem, r, floor, starts)
        moved = False
        for pair in problem.pairs:
            first, second = starts[pair.first], starts[pair.second]
            if first == UNASSIGNED or second == UNASSIGNED:
                continue
            if second < first + pair.min_gap:
                floor[pair.second] = first + pair.min_gap
                moved = True
            elif first < second - pair.max_gap:
                floor[pair.first] = second - pair.max_gap
                moved = True
        if not moved:
            return starts, False
    return starts, True


def _time_round(problem: RosterProblem, r: Round, floor: list[int], starts: list[int]) -> None:
    carer = problem.carers[r.carer]
    where, free_at = carer.start_location, carer.shift_start
    for index in r.visits:
        visit = problem.visits[index]
        arrival = free_at + int(problem.travel_time[where, visit.location])
        start = max(arrival, floor[index])
        starts[index] = start
        floor[index] = start
        where, free_at = visit.location, start + visit.duration


def _measure(problem: RosterProblem, r: Round, starts: list[int]) -> RoundMeasures:
    carer = problem.carers[r.carer] if 0 <= r.carer < len(problem.carers) else None
    if carer is None or not r.visits:
        shift = carer.shift_start if carer else 0
        return RoundMeasures(r.carer, 0, 0, 0, 0, shift, shift, 0)
    where, free_at = carer.start_location, carer.shift_start
    travel = distance = waiting = contact = 0
    first_start = starts[r.visits[0]]
    for index in r.visits:
        visit = problem.visits[index]
        leg = int(problem.travel_time[where, visit.location])
        travel += leg
        distance += int(problem.distance[where, visit.location])
        waiting += max(0, starts[index] - (free_at + leg))
        contact += visit.duration
        where, free_at = visit.location, starts[index] + visit.duration
    travel += int(problem.travel_time[where, carer.end_location])
    distance += int(problem.distance[where, carer.end_location])
    end = free_at + int(problem.travel_time[where, carer.end_location])
    first_location = problem.visits[r.visits[0]].location
    out_leg = int(problem.travel_time[carer.start_location, first_location])
    leave = first_start - out_leg
    commute_time = out_leg + int(problem.travel_time[where, carer.end_location])
    commute_distance = int(problem.distance[carer.start_location, first_location]) + int(
        problem.distance[where, carer.end_location]
    )
    return RoundMeasures(
        carer=r.carer,
        travel_time=travel,
        distance=distance,
        waiting=waiting,
        contact=contact,
        start=leave,
        end=end,
        overtime=max(0, end - carer.shift_end),
        commute_time=commute_time,
        commute_distance=commute_distance,
    )


def _pair_problems(problem: RosterProblem, starts: list[int], carer_of: list[int]) -> list[str]:
    found: list[str] = []
    for pair in problem.pairs:
        first, second = problem.visits[pair.first], problem.visits[pair.second]
        a, b = carer_of[pair.first], carer_of[pair.second]
        if a != UNASSIGNED and a == b:
            found.append(f"visits {first.name} and {second.name} need two carers and have one")
        s1, s2 = starts[pair.first], starts[pair.second]
        if UNASSIGNED not in (s1, s2) and not pair.min_gap <= s2 - s1 <= pair.max_gap:
            found.append(
                f"visit {second.name} starts {s2 - s1} after {first.name}, outside "
                f"{pair.min_gap}..{pair.max_gap}"
            )
    return found


def _unfamiliar_visits(problem: RosterProblem, carer_of: list[int]) -> int:
    count = 0
    for index, visit in enumerate(problem.visits):
        carer = carer_of[index]
        if visit.preferred_carers and carer != UNASSIGNED:
            count += problem.carers[carer].name not in visit.preferred_carers
    return count


@dataclass(frozen=True)
class SolveResult:
    """What a solver returns: the rounds, their evaluation, and how the search was run.

    ``seconds_given`` is the time limit, 0 when the search ran on a budget of work alone
    (no clock); ``seconds_used`` is measured, for reports and benchmarks only.
    """

    problem_name: str
    solver: str
    rounds: tuple[Round, ...]
    evaluation: Evaluation
    seconds_given: float
    seconds_used: float
    seed: int
