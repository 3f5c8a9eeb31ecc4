"""Fixtures for the rostering tests: the published benchmark instances beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from carecore.rostering.benchmark_data import benchmarks_dir as find_benchmarks_dir


@pytest.fixture(scope="session")
def benchmarks_dir() -> Path:
    """The folder of routing benchmarks, or skip with the reason when it is not there."""
    found = find_benchmarks_dir()
    if found is None:
        pytest.skip(
            "routing benchmark instances not found: put them in ../shared/data/benchmarks/ "
            "beside the checkout or name the folder in HOMECARE_BENCHMARKS_DIR"
        )
    return found
