"""The shipped boundary is what the derivation makes from the real LSOA file."""

from __future__ import annotations

import json

import numpy as np

from carecore.geography.default import default_definition_path
from carecore.geography.outline_build import _simplify_ring, _trace, build_boundaries


def test_tracing_a_block_gives_one_counter_clockwise_ring_of_its_corners():
    mask = np.zeros((3, 4), dtype=bool)
    mask[1:3, 1:3] = True
    assert _trace(mask) == [[(1, 1), (3, 1), (3, 3), (1, 3)]]


def test_cells_touching_at_a_corner_are_traced_as_two_rings():
    mask = np.array([[True, False], [False, True]])
    rings = _trace(mask)
    assert sorted(rings) == [[(0, 0), (1, 0), (1, 1), (0, 1)], [(1, 1), (2, 1), (2, 2), (1, 2)]]


def test_a_hole_is_traced_clockwise():
    mask = np.ones((3, 3), dtype=bool)
    mask[1, 1] = False
    outer, hole = sorted(_trace(mask), key=len, reverse=True)[:2]
    assert len(outer) == len(hole) == 4

    def area(ring):
        return sum(
            ring[k - 1][0] * ring[k][1] - ring[k][0] * ring[k - 1][1] for k in range(len(ring))
        )

    assert area(outer) > 0 > area(hole)


def test_simplifying_drops_points_that_stray_less_than_the_tolerance():
    ring = [(0.0, 0.0), (1.0, 0.01), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]
    assert _simplify_ring(ring, 0.05) == [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]


def test_the_shipped_boundary_is_rebuilt_exactly_from_the_lsoa_file(shared_data):
    shipped = default_definition_path().parent / "leicestershire_boundaries.json"
    rebuilt = json.loads(json.dumps(build_boundaries(shared_data / "leics_lsoa21.csv")))
    assert rebuilt == json.loads(shipped.read_text(encoding="utf-8"))
