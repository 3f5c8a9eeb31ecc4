"""Parameter sweeps: values, dotted keys, the run store, resuming and stale runs."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from carecore.errors import InputError
from carecore.market import Scenario, load_scenario, run_replication, summarise
from carecore.market import sweep as sweep_module
from carecore.market.sweep import (
    RURAL_UPLIFT,
    SweepResult,
    parse_values,
    result_from_dict,
    scenario_hash,
    sweep,
    with_parameter,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SMALL = REPO_ROOT / "tests" / "market" / "data" / "small_county.toml"


@pytest.fixture(scope="module")
def short(small: Scenario) -> Scenario:
    """The small county over 12 weeks: a sweep of a dozen runs takes well under a second."""
    return replace(small, horizon_weeks=12, warm_up_weeks=2)


class Interrupted(Exception):
    """Stands in for Ctrl-C part way through a sweep."""


def _stop_after(count: int):  # type: ignore[no-untyped-def]
    def progress(done: int, total: int) -> None:
        if done >= count:
            raise Interrupted

    return progress


def _sweep(*args: Any, **kwargs: Any) -> SweepResult:
    """A sweep in this process (one worker), unless a test asks for Dask: a cluster per
    call would take seconds."""
    kwargs.setdefault("workers", 1)
    return sweep(*args, **kwargs)


def _stored(store: Path) -> list[Path]:
    return sorted(store.rglob("*.json"))


# --- values ---------------------------------------------------------------------------------


def test_a_range_includes_both_ends_exactly() -> None:
    assert parse_values("0:30:5") == tuple(Decimal(v) for v in (0, 5, 10, 15, 20, 25, 30))
    tenths = parse_values("0:1:0.1")
    assert len(tenths) == 11 and tenths[-1] == Decimal(1)  # no float drift short of the end
    assert parse_values("0:10:4") == (Decimal(0), Decimal(4), Decimal(8))
    assert parse_values(" 1.5, 3 ,-2") == (Decimal("1.5"), Decimal(3), Decimal(-2))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("30:0:5", "below the start"),
        ("0:30:0", "step must be above 0"),
        ("0:30", "start:stop:step"),
        ("0:x:5", "'x' is not a number"),
        ("", "give a range"),
        ("1,2,1", "repeated"),
        ("0:100000:1", "more than 1000"),
        ("nan:1:1", "not a finite number"),
    ],
)
def test_bad_values_are_refused_naming_the_problem(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_values(text)
    assert caught.value.key == "values"


# --- parameters -----------------------------------------------------------------------------


def test_a_dotted_key_sets_the_number_in_its_own_type(small: Scenario) -> None:
    margin = with_parameter(small, "supply.capacity_margin", Decimal("1.3"))
    assert margin.supply.capacity_margin == 1.3 and isinstance(margin.supply.capacity_margin, float)
    assert small.supply.capacity_margin == 1.08  # the original is untouched

    rate = with_parameter(small, "costs.band_rates.RURAL", Decimal("24.10"))
    assert rate.costs.band_rates["RURAL"] == Decimal("24.10")
    assert rate.costs.band_rates["URBAN"] == small.costs.band_rates["URBAN"]

    weeks = with_parameter(small, "scenario.horizon_weeks", Decimal(20))
    assert weeks.horizon_weeks == 20 and isinstance(weeks.horizon_weeks, int)

    obliged = with_parameter(small, "models.prime.obligation_pence_per_hour", Decimal(0))
    assert obliged.models["prime"].obligation_pence_per_hour == 0.0
    assert obliged.models["open"] == small.models["open"]

    provider = with_parameter(small, "supply.providers.P3.margin_pence", Decimal(45))
    assert [p.margin_pence for p in provider.supply.providers if p.ref == "P3"] == [45.0]

    people = with_parameter(small, "geography.areas.V1.population_65_plus", Decimal(3000))
    assert [a.population_65_plus for a in people.areas if a.code == "V1"] == [3000]


def test_the_rural_uplift_raises_rural_and_isolated_rates_to_the_penny(small: Scenario) -> None:
    raised = with_parameter(small, RURAL_UPLIFT, Decimal(10))
    assert raised.costs.band_rates == {
        "URBAN": Decimal("18.75"),
        "FRINGE": Decimal("19.95"),
        "RURAL": Decimal("25.25"),  # 25.245 half up
        "ISOLATED": Decimal("28.77"),  # 28.765 half up
    }
    assert with_parameter(small, RURAL_UPLIFT, Decimal(0)).costs == small.costs


@pytest.mark.parametrize(
    ("key", "value", "named", "message"),
    [
        ("supply.capacity_margn", "1", "supply.capacity_margn", "unknown key 'capacity_margn'"),
        ("costs.band_rates.SUBURBAN", "20", "costs.band_rates.SUBURBAN", "unknown key"),
        ("supply.providers.P9.margin_pence", "1", "supply.providers.P9", "no item 'P9'"),
        ("scenario.horizon_weeks", "2.5", "scenario.horizon_weeks", "whole number"),
        ("scenario.name", "1", "scenario.name", "not a number"),
        ("supply.capacity_margin", "-1", "supply.capacity_margin", "at least 0"),
        ("supply.capacity_margin.x", "1", "supply.capacity_margin.x", "has no key 'x'"),
        ("demand..growth_per_year", "1", "parameter", "dotted key"),
        (RURAL_UPLIFT, "-100", RURAL_UPLIFT, "above -100"),
    ],
)
def test_a_bad_key_or_value_is_refused_naming_the_key(
    small: Scenario, key: str, value: str, named: str, message: str
) -> None:
    with pytest.raises(InputError, match=message) as caught:
        with_parameter(small, key, Decimal(value))
    assert caught.value.key == named


# --- the store ------------------------------------------------------------------------------


def test_the_scenario_hash_follows_the_content_in_every_process(small: Scenario) -> None:
    assert scenario_hash(load_scenario(SMALL)) == scenario_hash(small)
    assert scenario_hash(with_parameter(small, RURAL_UPLIFT, Decimal(5))) != scenario_hash(small)
    assert scenario_hash(replace(small, seed=small.seed + 1)) != scenario_hash(small)
    probe = (
        "from carecore.market import load_scenario\n"
        "from carecore.market.sweep import scenario_hash\n"
        f"print(scenario_hash(load_scenario({str(SMALL)!r})))"
    )
    other = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert other.stdout.strip() == scenario_hash(small)


def test_a_stored_result_reads_back_equal(short: Scenario) -> None:
    result = run_replication(short, "dps", 1, 7)
    back = result_from_dict(json.loads(json.dumps(result.to_dict())))
    assert back == result
    assert isinstance(back.cost_per_hour, Decimal) and isinstance(back.spend_pence, int)
    with pytest.raises(ValueError, match="fields differ"):
        result_from_dict({**result.to_dict(), "extra": 1})


# --- sweeping -------------------------------------------------------------------------------


def test_a_sweep_summarises_each_value_and_model(short: Scenario, tmp_path: Path) -> None:
    values = parse_values("0:30:30")
    result = _sweep(short, RURAL_UPLIFT, values, ["prime", "open"], replications=2, seed=3)
    assert [(p.value, p.model) for p in result.points] == [
        (Decimal(0), "prime"),
        (Decimal(0), "open"),
        (Decimal(30), "prime"),
        (Decimal(30), "open"),
    ]
    assert result.runs == 8 and result.reused == 0
    # Each point is the summary of its own runs, with the value applied.
    raised = with_parameter(short, RURAL_UPLIFT, Decimal(30))
    expected = summarise(run_replication(raised, "open", r, 3) for r in range(2))
    assert result.summary(30, "open") == expected
    # Dearer rural hours cost more per hour on average: the value reached the engine.
    for model in ("prime", "open"):
        low = result.summary(0, model)["cost_per_hour"].mean
        high = result.summary(30, model)["cost_per_hour"].mean
        assert low is not None and high is not None and high > low
    data = json.loads(json.dumps(result.to_dict()))
    assert data["parameter"] == RURAL_UPLIFT and data["values"] == ["0", "30"]
    assert data["points"][3]["summary"]["estimates"]["median_days_to_place"]["n"] == 2


def test_an_interrupted_sweep_resumes_without_redoing_runs(short: Scenario, tmp_path: Path) -> None:
    store = tmp_path / "runs"
    values = parse_values("0:20:10")
    args = (short, RURAL_UPLIFT, values, ["prime", "dps"])
    with pytest.raises(Interrupted):
        _sweep(*args, replications=2, seed=8, store=store, progress=_stop_after(5))
    assert len(_stored(store)) == 5  # every finished run was kept
    assert not list(store.rglob("*.tmp"))

    calls: list[tuple[int, int]] = []
    made: list[str] = []
    real = sweep_module.run_tasks

    def counting(tasks, **kwargs):  # type: ignore[no-untyped-def]
        made.extend(f"{t.model}/{t.replication}" for t in tasks)
        return real(tasks, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sweep_module, "run_tasks", counting)
        resumed = _sweep(
            *args,
            replications=2,
            seed=8,
            store=store,
            progress=lambda done, total: calls.append((done, total)),
        )
    assert resumed.reused == 5 and len(made) == 12 - 5
    assert calls[0] == (5, 12) and calls[-1] == (12, 12)
    assert len(_stored(store)) == 12
    fresh = _sweep(*args, replications=2, seed=8)
    assert resumed == fresh  # identical totals
    assert resumed.to_dict()["points"] == fresh.to_dict()["points"]
    again = _sweep(*args, replications=2, seed=8, store=store)
    assert again.reused == 12 and again == fresh


def test_a_changed_scenario_or_seed_never_reuses_stored_runs(
    short: Scenario, tmp_path: Path
) -> None:
    store = tmp_path / "runs"
    values = (Decimal(0), Decimal(15))
    first = _sweep(short, RURAL_UPLIFT, values, ["open"], replications=2, seed=2, store=store)
    assert first.reused == 0 and len(_stored(store)) == 4

    changed = with_parameter(short, "supply.capacity_margin", Decimal("1.4"))
    other = _sweep(changed, RURAL_UPLIFT, values, ["open"], replications=2, seed=2, store=store)
    assert other.reused == 0
    assert other == _sweep(changed, RURAL_UPLIFT, values, ["open"], replications=2, seed=2)
    assert other != first

    reseeded = _sweep(short, RURAL_UPLIFT, values, ["open"], replications=2, seed=3, store=store)
    assert reseeded.reused == 0
    assert reseeded == _sweep(short, RURAL_UPLIFT, values, ["open"], replications=2, seed=3)

    # Another value is another scenario; the runs already there are still found.
    wider = _sweep(
        short, RURAL_UPLIFT, (*values, Decimal(30)), ["open"], replications=2, seed=2, store=store
    )
    assert wider.reused == 4 and wider.runs == 6


def test_a_damaged_or_foreign_stored_run_is_made_again(short: Scenario, tmp_path: Path) -> None:
    store = tmp_path / "runs"
    args = (short, "demand.growth_per_year", (Decimal("0.1"),), ["prime"])
    clean = _sweep(*args, replications=2, seed=1, store=store)
    first, second = _stored(store)
    first.write_text(first.read_text()[:40])  # cut short, as if by a full disk
    record = json.loads(second.read_text())
    record["scenario_hash"] = "0" * 64  # copied in from another scenario's folder
    record["result"]["spend_pence"] = 1
    second.write_text(json.dumps(record))
    again = _sweep(*args, replications=2, seed=1, store=store)
    assert again.reused == 0 and again == clean
    assert json.loads(second.read_text())["scenario_hash"] != "0" * 64  # rewritten


def test_a_run_that_fails_to_write_leaves_no_partial_file(
    short: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(sweep_module.json, "dump", broken)
    with pytest.raises(OSError, match="disk full"):
        _sweep(short, RURAL_UPLIFT, (Decimal(0),), ["open"], replications=1, store=tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_sweep_on_dask_gives_the_same_result_and_store(short: Scenario, tmp_path: Path) -> None:
    values = (Decimal(0), Decimal(25))
    on_dask = _sweep(
        short, RURAL_UPLIFT, values, ["lead-block"], replications=2, seed=6,
        store=tmp_path, workers=2,
    )  # fmt: skip
    assert len(_stored(tmp_path)) == 4
    here = _sweep(short, RURAL_UPLIFT, values, ["lead-block"], replications=2, seed=6)
    assert on_dask == here
    resumed = _sweep(
        short, RURAL_UPLIFT, values, ["lead-block"], replications=2, seed=6, store=tmp_path
    )
    assert resumed.reused == 4 and resumed == here


def test_bad_sweep_arguments_fail_before_any_run(short: Scenario, tmp_path: Path) -> None:
    one = (Decimal(1),)
    with pytest.raises(InputError, match="unknown delivery model"):
        _sweep(short, RURAL_UPLIFT, one, ["prime", "closed"], store=tmp_path)
    with pytest.raises(InputError, match="no values"):
        _sweep(short, RURAL_UPLIFT, (), ["prime"])
    with pytest.raises(InputError, match="must be 1 or more"):
        _sweep(short, RURAL_UPLIFT, one, ["prime"], replications=0)
    with pytest.raises(InputError, match="at least 0"):
        _sweep(
            short, "supply.capacity_margin", (Decimal(1), Decimal(-1)), ["prime"], store=tmp_path
        )
    assert _stored(tmp_path) == []  # the good first value did not run either
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(InputError, match="is a file, not a folder"):
        _sweep(short, RURAL_UPLIFT, one, ["prime"], store=a_file)


def test_a_sweep_result_looks_up_points_and_refuses_missing_ones(short: Scenario) -> None:
    result = _sweep(short, RURAL_UPLIFT, (Decimal(5),), ["dps"], replications=1, seed=1)
    assert isinstance(result, SweepResult)
    assert result.summary("5", "dps") is result.points[0].summary
    with pytest.raises(InputError, match="no results for value 6"):
        result.summary(6, "dps")


def test_a_sweep_gives_comparisons_for_the_committee_reports_sensitivity(short: Scenario) -> None:
    result = _sweep(short, RURAL_UPLIFT, (Decimal(0), Decimal(10)), ["prime", "dps"], 1, 2)
    pairs = result.comparisons()
    assert [value for value, _ in pairs] == [Decimal(0), Decimal(10)]
    assert pairs[1][1].models == ("prime", "dps")
    assert pairs[1][1].summary("dps") is result.summary(10, "dps")
