"""Every provider reconciled for a period in one background run.

The period is the four weeks from Monday 9 March 2026 (to Sunday 5 April). P-0001 and P-0002
are placed with Prime 1, P-0003 with Prime 2 (daily 08:00 for 30 minutes at £20.00 an hour);
Supplementary 1 has nothing placed. Prime 1's logs, worked by hand (as in the delivery
tests): P-0001 day 1 08:02 for 31 min, 1033p; day 2 08:40 for 28 min (late), 933p; P-0002
day 1 manual, not paid until approved. Prime 1's invoice: 1966p. Prime 2 logged nothing: 0p.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from carecore.errors import InputError
from homecare.brokerage.testing import LONDON, NOW
from homecare.delivery import actions, reconciliation
from homecare.delivery.models import ReconciliationRun
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row
from homecare.delivery.tests.conftest import *  # noqa: F403 (the delivery tests' fixtures)
from homecare.finance import period_runs
from homecare.finance.models import PeriodRun
from homecare.finance.period_tasks import recover_stale_period_runs

AFTER = datetime(2026, 4, 7, 9, 0, tzinfo=LONDON)  # the Tuesday after the period ended


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.HOMECARE_ECM_RULES = "rotherham-actual"
    settings.HOMECARE_ECM_BAD_ROWS = "reject"


@pytest.fixture
def logged(prime_1: Any, placed: Any) -> Any:
    rows = [
        log_row(prime_1, "P-0001", at(1, 8, 2), 31),
        log_row(prime_1, "P-0001", at(2, 8, 40), 28),
        log_row(prime_1, "P-0002", at(1, 8, 0), 30, method="manual"),
    ]
    created = actions.create_upload(prime_1, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None)
    return actions.import_upload(created.pk, now=NOW)


def start(council: Any, user: Any, *, now: datetime = AFTER) -> PeriodRun:
    return period_runs.start_period_run(council, PERIOD_START, now=now, acting_user=user)


def test_one_run_reconciles_every_placed_provider_in_the_background(
    council: Any,
    finance: Any,
    prime_1: Any,
    prime_2: Any,
    logged: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        queued = start(council, finance)
    assert queued.status == "queued" and queued.progress_total == 2
    done = PeriodRun.objects.get(pk=queued.pk)
    assert (done.status, done.progress_done, done.progress_total, done.error) == (
        "done",
        2,
        2,
        "",
    )
    assert [entry["name"] for entry in done.results] == ["Prime 1 (test)", "Prime 2 (test)"]
    assert all(entry["outcome"] == "reconciled" and not entry["error"] for entry in done.results)
    runs = {run.provider: run for run in ReconciliationRun.objects.filter(council=council)}
    assert set(runs) == {prime_1, prime_2}  # Supplementary 1 has nothing placed
    assert runs[prime_1].invoice.total_pence == 1966
    assert runs[prime_2].invoice.total_pence == 0
    assert runs[prime_1].invoice.status == "draft"  # provisional until finance approves it
    assert runs[prime_1].ran_by == finance
    assert [entry["run"] for entry in done.results] == [runs[prime_1].pk, runs[prime_2].pk]
    assert done.finished_at is not None and done.heartbeat_at is not None


def test_a_period_must_start_on_a_monday_and_have_ended(council: Any, finance: Any) -> None:
    with pytest.raises(InputError, match="Monday") as caught:
        period_runs.start_period_run(
            council, PERIOD_START + timedelta(days=1), now=AFTER, acting_user=finance
        )
    assert caught.value.key == "period_start"
    # On Sunday 5 April, the period's last day, it has not ended yet.
    last_day = datetime(2026, 4, 5, 23, 0, tzinfo=LONDON)
    with pytest.raises(InputError, match="has not ended yet: it ends on Sunday 5 April 2026"):
        start(council, finance, now=last_day)
    assert start(council, finance, now=last_day + timedelta(hours=1)).status == "queued"


def test_a_second_run_of_the_period_is_refused_while_one_is_under_way(
    council: Any, finance: Any, placed: Any
) -> None:
    first = start(council, finance)  # queued: its task is not run in this test
    with pytest.raises(InputError, match="already being reconciled"):
        start(council, finance)
    PeriodRun.objects.filter(pk=first.pk).update(status="running")
    with pytest.raises(InputError, match="already being reconciled"):
        start(council, finance)
    PeriodRun.objects.filter(pk=first.pk).update(status="done")
    assert start(council, finance).pk != first.pk
    # Another period is another matter.
    other = period_runs.start_period_run(
        council, PERIOD_START - timedelta(days=28), now=AFTER, acting_user=finance
    )
    assert other.status == "queued"


def test_an_approved_provider_is_left_as_it_was(
    council: Any, finance: Any, prime_1: Any, prime_2: Any, logged: Any
) -> None:
    approved = reconciliation.run_reconciliation(
        council, prime_2, PERIOD_START, now=NOW, acting_user=finance
    )
    reconciliation.approve_invoice(approved, now=NOW, acting_user=finance)
    done = period_runs.run_period(start(council, finance).pk, now=AFTER)
    entries = {entry["name"]: entry for entry in done.results}
    assert entries["Prime 2 (test)"]["outcome"] == "already approved"
    assert entries["Prime 2 (test)"]["run"] == approved.pk
    assert ReconciliationRun.objects.get(pk=approved.pk).times_run == 1
    assert entries["Prime 1 (test)"]["outcome"] == "reconciled"
    assert done.status == "done"


def test_a_provider_the_reconciliation_refuses_gets_the_reason_and_the_others_go_on(
    council: Any,
    finance: Any,
    prime_1: Any,
    prime_2: Any,
    logged: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = reconciliation.run_reconciliation

    def refusing(council: Any, provider: Any, *args: Any, **kwargs: Any) -> Any:
        if provider == prime_1:
            raise InputError("invoice lines sum to 1p, not 2p", key="invoice")
        return real(council, provider, *args, **kwargs)

    monkeypatch.setattr(reconciliation, "run_reconciliation", refusing)
    done = period_runs.run_period(start(council, finance).pk, now=AFTER)
    entries = {entry["name"]: entry for entry in done.results}
    assert entries["Prime 1 (test)"]["outcome"] == "refused"
    assert entries["Prime 1 (test)"]["error"] == "invoice lines sum to 1p, not 2p"
    assert entries["Prime 1 (test)"]["run"] is None
    assert entries["Prime 2 (test)"]["outcome"] == "reconciled"
    assert (done.status, done.progress_done) == ("done", 2)


def test_an_unexpected_error_fails_the_run_with_its_message_and_keeps_what_was_done(
    council: Any,
    finance: Any,
    prime_1: Any,
    prime_2: Any,
    logged: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = reconciliation.run_reconciliation

    def breaking(council: Any, provider: Any, *args: Any, **kwargs: Any) -> Any:
        if provider == prime_2:
            raise RuntimeError("the database went away")
        return real(council, provider, *args, **kwargs)

    monkeypatch.setattr(reconciliation, "run_reconciliation", breaking)
    done = period_runs.run_period(start(council, finance).pk, now=AFTER)
    assert done.status == "failed"
    assert done.error == "RuntimeError: the database went away"
    assert done.progress_done == 1 and done.finished_at == AFTER
    assert [entry["name"] for entry in done.results] == ["Prime 1 (test)"]
    assert ReconciliationRun.objects.get(provider=prime_1).invoice.total_pence == 1966
    assert not ReconciliationRun.objects.filter(provider=prime_2).exists()


def test_progress_and_a_heartbeat_are_saved_after_each_provider(
    council: Any,
    finance: Any,
    prime_1: Any,
    prime_2: Any,
    logged: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = reconciliation.run_reconciliation
    seen: list[tuple[str, int, list[str]]] = []

    def watched(council: Any, provider: Any, *args: Any, **kwargs: Any) -> Any:
        stored = PeriodRun.objects.get(council=council)  # as the page reads it meanwhile
        seen.append((stored.status, stored.progress_done, [e["name"] for e in stored.results]))
        return real(council, provider, *args, **kwargs)

    monkeypatch.setattr(reconciliation, "run_reconciliation", watched)
    queued = start(council, finance)
    period_runs.run_period(queued.pk, now=AFTER)
    assert seen == [("running", 0, []), ("running", 1, ["Prime 1 (test)"])]
    assert PeriodRun.objects.get(pk=queued.pk).heartbeat_at == AFTER


def test_a_run_is_done_once_and_a_finished_run_is_left_alone(
    council: Any, finance: Any, logged: Any
) -> None:
    queued = start(council, finance)
    done = period_runs.run_period(queued.pk, now=AFTER)
    again = period_runs.run_period(queued.pk, now=AFTER + timedelta(hours=1))
    assert again.status == "done" and again.finished_at == done.finished_at
    assert ReconciliationRun.objects.get(provider__name="Prime 1 (test)").times_run == 1


def test_a_run_whose_worker_stopped_reporting_is_failed_with_the_reason(
    council: Any, finance: Any, placed: Any, settings: Any
) -> None:
    settings.HOMECARE_PERIOD_RUN_STALE_MINUTES = 15
    stuck = start(council, finance)
    alive = period_runs.start_period_run(
        council, PERIOD_START - timedelta(days=28), now=AFTER, acting_user=finance
    )
    PeriodRun.objects.filter(pk=stuck.pk).update(
        status="running", heartbeat_at=AFTER - timedelta(minutes=16), progress_done=1
    )
    PeriodRun.objects.filter(pk=alive.pk).update(
        status="running", heartbeat_at=AFTER - timedelta(minutes=14)
    )
    failed = recover_stale_period_runs(now=AFTER)
    assert [period.pk for period in failed] == [stuck.pk]
    stuck.refresh_from_db()
    assert stuck.status == "failed" and stuck.finished_at == AFTER
    assert stuck.error.startswith(
        "the run stopped: the worker running it last reported at 08:44 on 7 April 2026 and "
        "had not reported for more than 15 minutes"
    )
    assert PeriodRun.objects.get(pk=alive.pk).status == "running"
    # The officer may start the period again at once.
    assert start(council, finance).status == "queued"


def test_a_worker_whose_run_was_failed_as_stale_stops_and_keeps_the_failure(
    council: Any,
    finance: Any,
    prime_1: Any,
    prime_2: Any,
    logged: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = reconciliation.run_reconciliation

    def slow(council: Any, provider: Any, *args: Any, **kwargs: Any) -> Any:
        # The first provider takes an hour: the recovery beside the worker fails the run.
        period_runs.fail_stale_period_runs(now=AFTER + timedelta(hours=1))
        return real(council, provider, *args, **kwargs)

    monkeypatch.setattr(reconciliation, "run_reconciliation", slow)
    ended = period_runs.run_period(start(council, finance).pk, now=AFTER)
    assert ended.status == "failed" and "stopped" in ended.error
    assert ended.progress_done == 0  # the worker saw the failure and went no further
    assert ReconciliationRun.objects.filter(provider=prime_2).count() == 0
