"""Reference codes: numbered in the text's own order, shared across frames, so that sorting
and joining on codes gives the results text would."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl

from carecore.ecm import PLANNED_SCHEMA, ContractRules, reconcile
from carecore.ecm.refcodes import with_ref_codes

LONDON = ZoneInfo("Europe/London")


def test_codes_follow_text_order_and_agree_across_frames() -> None:
    plans = pl.LazyFrame({"provider_ref": ["P-b", "P-a"], "person_ref": ["z", "a"]})
    logs = pl.LazyFrame(
        {"provider_ref": ["P-c", "P-a", None], "person_ref": ["m", "z", "a"], "carer_id": ["k"] * 3}
    )
    coded_plans, coded_logs = (frame.collect() for frame in with_ref_codes([plans, logs]))
    # Providers P-a < P-b < P-c, people a < m < z, whichever frame they came from.
    assert coded_plans["_prov"].to_list() == [1, 0]
    assert coded_plans["_person"].to_list() == [2, 0]
    assert coded_logs["_prov"].to_list() == [2, 0, None]
    assert coded_logs["_person"].to_list() == [1, 2, 0]
    assert coded_logs["_carer"].to_list() == [0, 0, 0]
    assert "_carer" not in coded_plans.columns


def _unplanned(person: str) -> dict[str, object]:
    at = datetime(2021, 6, 7, 3, 45, tzinfo=LONDON)
    return {
        "provider_ref": "PRV-1",
        "person_ref": person,
        "carer_id": "night-1",
        "check_in": at,
        "check_out": at.replace(minute=59),
        "method": "app",
        "exception_code": None,
    }


def test_exceptions_that_tie_on_time_and_carer_are_ordered_by_person() -> None:
    # Many people's unplanned night logs by the same carer at the same minute tie on every
    # other sort key of the exceptions list. Polars' sorts are not stable, so without the
    # person as the last key their order could follow the input order or the threads.
    people = [f"SU-{n:05d}" for n in range(20_000)]
    plan = pl.DataFrame(
        {
            "planned_id": [f"{p}:1" for p in people],
            "provider_ref": "PRV-1",
            "person_ref": people,
            "band": "URBAN",
            "planned_start": datetime(2021, 6, 7, 9, tzinfo=LONDON),
            "planned_minutes": 30,
            "carers": 1,
        }
    ).with_columns(pl.col("planned_start").cast(PLANNED_SCHEMA["planned_start"]))
    logs = pl.DataFrame([_unplanned(p) for p in people]).with_columns(
        pl.col("check_in", "check_out").cast(pl.Datetime("us", "Europe/London"))
    )
    for seed in (1, 2):
        shuffled = logs.sample(fraction=1.0, shuffle=True, seed=seed)
        result = reconcile(plan, shuffled, ContractRules(), "leicestershire-2020-21")
        unplanned = result.exceptions.filter(pl.col("kind") == "unplanned")
        assert unplanned["person_ref"].to_list() == people
