"""A day of rounds to plan: visits, carers, double-handed pairs and the travel between them.

Every time and distance is an integer so that the search engines (PyVRP, OR-Tools) take them
as they are: for home care, times are seconds from midnight and distances metres; benchmark
instances given in fractional units are scaled up (``scale`` says by how much) and reported
back in their own units.

A visit has a window for its *start*: starting before ``earliest_start`` is not allowed (the
carer waits), starting after ``latest_start`` is lateness, penalised in the objective rather
than forbidden, as a carer held up still goes. A critical call (medication, a hospital
discharge) gets a tight window and a heavy lateness weight.

A double-handed visit is two visits at the same place that must be done by two different
carers, linked by a :class:`Pair`: the second starts between ``min_gap`` and ``max_gap``
after the first (both zero: at the same time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from carecore.errors import InputError

IntMatrix = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Visit:
    """One visit by one carer. Times in the problem's unit; ``skill`` None = anyone."""

    name: str
    location: int
    earliest_start: int
    latest_start: int
    duration: int
    skill: str | None = None
    person: str = ""
    # Continuity of carer: a soft preference for the carers this person knows.
    preferred_carers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name:
            raise InputError("a visit needs a name", key="name")
        if self.duration < 0:
            raise InputError(f"visit {self.name}: duration is negative", key="duration")
        if self.latest_start < self.earliest_start:
            raise InputError(
                f"visit {self.name}: latest start {self.latest_start} is before the earliest "
                f"start {self.earliest_start}",
                key="latest_start",
            )


@dataclass(frozen=True)
class Carer:
    """A carer's day: where the round starts and ends, the shift, and the skills held."""

    name: str
    start_location: int
    end_location: int
    shift_start: int
    shift_end: int
    skills: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.name:
            raise InputError("a carer needs a name", key="name")
        if self.shift_end < self.shift_start:
            raise InputError(f"carer {self.name}: the shift ends before it starts", key="shift")

    def can_do(self, visit: Visit) -> bool:
        """True when the carer holds the visit's skill (or the visit needs none)."""
        return visit.skill is None or visit.skill in self.skills


@dataclass(frozen=True)
class Pair:
    """Two visits that need two different carers; the second starts ``min_gap``..``max_gap``
    after the first (0, 0: together, a double-handed call)."""

    first: int
    second: int
    min_gap: int = 0
    max_gap: int = 0

    def __post_init__(self) -> None:
        if self.first == self.second:
            raise InputError("a pair needs two different visits", key="pair")
        if not 0 <= self.min_gap <= self.max_gap:
            raise InputError(
                f"pair of visits {self.first} and {self.second}: gaps must satisfy "
                f"0 <= min_gap <= max_gap (got {self.min_gap}, {self.max_gap})",
                key="gap",
            )

    @property
    def simultaneous(self) -> bool:
        return self.min_gap == 0 and self.max_gap == 0


@dataclass(frozen=True)
class Weights:
    """What the objective counts, per unit of each measure (not money).

    Home care: minimise travel time, with lateness dear. The Mankowska benchmark:
    (distance + total lateness + maximum lateness) / 3.
    """

    distance: float = 0.0
    travel_time: float = 1.0
    total_lateness: float = 10.0
    max_lateness: float = 0.0
    overtime: float = 10.0
    # Per visit done by a carer the person does not know (continuity of carer).
    unfamiliar_carer: float = 0.0

    def __post_init__(self) -> None:
        for name in (
            "distance",
            "travel_time",
            "total_lateness",
            "max_lateness",
            "overtime",
            "unfamiliar_carer",
        ):
            if getattr(self, name) < 0:
                raise InputError(f"weight {name} is negative", key=name)


@dataclass(frozen=True, eq=False)
class RosterProblem:
    """Visits, carers and pairs over square integer matrices of travel time and distance."""

    name: str
    visits: tuple[Visit, ...]
    carers: tuple[Carer, ...]
    travel_time: IntMatrix
    distance: IntMatrix
    pairs: tuple[Pair, ...] = ()
    weights: Weights = field(default_factory=Weights)
    # Units per reported unit (1000 when a benchmark's fractional distances were scaled up).
    scale: int = 1
    time_unit: str = "second"

    def __post_init__(self) -> None:
        _check_matrices(self.travel_time, self.distance)
        size = self.travel_time.shape[0]
        for visit in self.visits:
            if not 0 <= visit.location < size:
                raise InputError(
                    f"visit {visit.name}: location {visit.location} is not in the travel "
                    f"matrix (0..{size - 1})",
                    key="location",
                )
            if not any(carer.can_do(visit) for carer in self.carers):
                raise InputError(
                    f"visit {visit.name}: no carer holds the skill {visit.skill!r}", key="skill"
                )
        for carer in self.carers:
            for where in (carer.start_location, carer.end_location):
                if not 0 <= where < size:
                    raise InputError(
                        f"carer {carer.name}: location {where} is not in the travel matrix",
                        key="location",
                    )
        self._check_pairs()
        if self.scale < 1:
            raise InputError("scale must be a positive whole number", key="scale")

    def _check_pairs(self) -> None:
        seen: set[int] = set()
        for pair in self.pairs:
            for index in (pair.first, pair.second):
                if not 0 <= index < len(self.visits):
                    raise InputError(f"a pair names visit {index}, which does not exist")
                if index in seen:
                    raise InputError(
                        f"visit {self.visits[index].name} is in more than one pair", key="pair"
                    )
                seen.add(index)
            first, second = self.visits[pair.first], self.visits[pair.second]
            able_first = {c.name for c in self.carers if c.can_do(first)}
            able_second = {c.name for c in self.carers if c.can_do(second)}
            if not any(a != b for a in able_first for b in able_second):
                raise InputError(
                    f"visits {first.name} and {second.name} need two different carers with "
                    "the skills, and there are not two",
                    key="pair",
                )

    def partner(self) -> dict[int, Pair]:
        """Each paired visit's pair, by visit index."""
        found: dict[int, Pair] = {}
        for pair in self.pairs:
            found[pair.first] = pair
            found[pair.second] = pair
        return found


def _check_matrices(travel_time: IntMatrix, distance: IntMatrix) -> None:
    for name, matrix in (("travel_time", travel_time), ("distance", distance)):
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise InputError(f"the {name} matrix must be square", key=name)
        if not np.issubdtype(matrix.dtype, np.integer):
            raise InputError(f"the {name} matrix must hold whole numbers", key=name)
        if (matrix < 0).any():
            raise InputError(f"the {name} matrix holds a negative value", key=name)
    if travel_time.shape != distance.shape:
        raise InputError("the travel_time and distance matrices differ in size")


def as_int_matrix(rows: Sequence[Sequence[float]], *, scale: int = 1) -> IntMatrix:
    """A square matrix of whole numbers: values times ``scale``, rounded half away from 0."""
    array = np.asarray(rows, dtype=np.float64) * scale
    return np.asarray(np.floor(array + 0.5), dtype=np.int64)
