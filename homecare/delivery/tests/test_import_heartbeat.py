"""A slow import that is still working reports itself alive after each chunk of rows it
prepares, so the recovery of stale imports never fails it (issue 13: "an import always ends
as done or failed with a reason", and never failed while alive)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from homecare.brokerage.testing import LONDON, NOW
from homecare.delivery import actions
from homecare.delivery.models import LogUpload, VisitLog
from homecare.delivery.testing import at, csv_bytes, log_row

START = datetime(2026, 4, 7, 10, 0, tzinfo=LONDON)
PER_ROW = timedelta(minutes=5)  # three rows outlast the 15 minutes a silent worker is given


@pytest.fixture
def slow_clock(monkeypatch: pytest.MonkeyPatch, frozen_now: Any) -> list[datetime]:
    """Each log prepared takes five minutes of the frozen clock, and the recovery of stale
    imports runs meanwhile before every one, as its loop would beside the worker."""
    clock = [frozen_now(START)]
    make_log = actions._log

    def slow_log(*args: Any, **kwargs: Any) -> Any:
        clock[0] = frozen_now(clock[0] + PER_ROW)
        actions.fail_stale_imports(now=clock[0])
        return make_log(*args, **kwargs)

    monkeypatch.setattr(actions, "_log", slow_log)
    monkeypatch.setattr(actions, "CHUNK", 2)  # a progress step every two logs
    return clock


def test_a_slow_import_reporting_after_each_chunk_is_never_failed_as_stale(
    slow_clock: list[datetime], prime_1: Any, placed: Any
) -> None:
    rows = [
        log_row(prime_1, ref, at(day, 8), 30)
        for day in (1, 2, 3)
        for ref in placed
        if ref != "P-0003"
    ]
    upload = actions.create_upload(prime_1, "week.csv", csv_bytes(rows), now=NOW, acting_user=None)

    finished = actions.import_upload(upload.pk, now=NOW)

    assert slow_clock[0] - START == 6 * PER_ROW  # 30 minutes: twice the stale time
    assert (finished.status, finished.stopped, finished.logs_created) == ("done", False, 6)
    assert VisitLog.objects.filter(upload=upload).count() == 6
    stored = LogUpload.objects.get(pk=upload.pk)
    assert stored.heartbeat_at is not None and stored.heartbeat_at >= START + 6 * PER_ROW
