"""Test-wide fixtures and the PostgreSQL switch.

Tests marked ``postgres`` run against TEST_POSTGRES_URL (database alias ``postgres``). Without
it they are skipped with a message; with HOMECARE_REQUIRE_POSTGRES=1 (as in .ci/run) a missing
or unreachable server fails the run instead of skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests draw the same examples on every run and every machine, so a run's verdict does
# not depend on luck; HYPOTHESIS_PROFILE=explore draws new ones each time to look for more.
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.register_profile("explore")
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

REPO_ROOT = Path(__file__).resolve().parent
SHARED_DATA = Path(os.environ.get("HOMECARE_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))

_POSTGRES_SKIP_REASON = (
    "PostgreSQL tests skipped: set TEST_POSTGRES_URL=postgresql://USER@HOST:5432/DB to run them "
    "(.ci/run does)."
)


def _postgres_problem() -> str | None:
    """None when the PostgreSQL tests can run, else why not."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        return _POSTGRES_SKIP_REASON
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as connection:
            connection.execute("select 1")
    except Exception as exc:  # any failure to connect means the tests cannot run
        return f"PostgreSQL at TEST_POSTGRES_URL is unreachable: {exc}"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    postgres_items = [item for item in items if item.get_closest_marker("postgres")]
    if not postgres_items:
        return
    problem = _postgres_problem()
    if problem is None:
        return
    if os.environ.get("HOMECARE_REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError(f"HOMECARE_REQUIRE_POSTGRES=1 but {problem}")
    config.stash[_skipped_key] = len(postgres_items)
    skip = pytest.mark.skip(reason=problem)
    for item in postgres_items:
        item.add_marker(skip)


_skipped_key = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = terminalreporter.config.stash.get(_skipped_key, 0)
    if skipped:
        terminalreporter.write_line(f"{skipped} {_POSTGRES_SKIP_REASON}", yellow=True)


@pytest.fixture
def shared_data() -> Path:
    """The folder of real reference data beside the project; skip clearly when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data folder {SHARED_DATA} is absent (set HOMECARE_SHARED_DATA)")
    return SHARED_DATA
