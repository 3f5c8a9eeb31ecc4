"""Seeded synthetic days of home care, for tests and benchmarks of the solver's scale."""

from __future__ import annotations

import numpy as np

from carecore.rostering.model import Carer, Pair, RosterProblem, Visit, Weights


def home_care_day(seed: int, visits: int, carers: int) -> RosterProblem:
    """A day of home care in seconds and metres: windows of 30 minutes from 07:00, visits of
    30 to 60 minutes, travel at 8 m/s across 10 km, about 15% of visits double-handed."""
    rng = np.random.default_rng(seed)
    places = rng.uniform(0, 10_000, size=(visits + carers, 2))
    metres = np.rint(np.hypot(*(places[:, None, :] - places[None, :, :]).transpose(2, 0, 1)))
    distance = metres.astype(np.int64)
    travel = np.rint(metres / 8).astype(np.int64)
    made: list[Visit] = []
    pairs: list[Pair] = []
    while len(made) < visits:
        opens = int(rng.integers(7 * 3600, 21 * 3600))
        length = int(rng.integers(30, 61)) * 60
        place = len(made)
        copies = 2 if rng.random() < 0.08 and len(made) + 2 <= visits else 1
        for _ in range(copies):
            made.append(Visit(f"v{len(made)}", place, opens, opens + 1800, length))
        if copies == 2:
            pairs.append(Pair(len(made) - 2, len(made) - 1))
    team = tuple(
        Carer(f"c{k}", visits + k, visits + k, 7 * 3600, 22 * 3600 + 1800) for k in range(carers)
    )
    return RosterProblem(
        name=f"home-care-{seed}",
        visits=tuple(made),
        carers=team,
        travel_time=travel,
        distance=distance,
        pairs=tuple(pairs),
        weights=Weights(travel_time=1.0, total_lateness=10.0, overtime=10.0),
    )
