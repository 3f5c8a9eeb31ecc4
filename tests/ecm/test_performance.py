"""The provider league table, checked by hand on a small reconciled month.

Rules (the golden rules): late after 30 min, short under 75% of planned, manual logs need
approval. Provider A in June 2026 (British Summer Time):

P1, 30 min at 08:00, one carer:
  J1 1 Jun  C1 app   08:05-08:35  delivered, 30 min
  J2 2 Jun  C1 app   08:40-09:10  late (40 min after), 30 min
  J3 3 Jun  C2 phone 08:00-08:15  short (15 < 22.5), 15 min
  J4 4 Jun  C3 qr    08:00-08:45  delivered, 45 min (capped at 30 for length of stay)
  J5 5 Jun  C4 app   08:00-08:30  delivered, 30 min
  J6 6 Jun  C4 manual             pending approval (planned, not delivered)
  J7 7 Jun  no log                missed
  J8 8 Jun  C1 app, "cancelled"   cancelled with notice: not a planned visit
P2, 60 min at 18:00, two carers:
  J10 10 Jun C5 app 18:00-19:00, C6 app 18:01-19:01, C7 app 18:02 (extra carer, not counted)
             delivered, 60 min (the longest carer)
  J11 11 Jun C5 app 18:00-18:50 only: delivered (50 >= 45), single-handed, 50 min
  J12 12 Jun C5 phone "no_access": planned, not delivered

Provider B: three planned visits in June and no logs at all. Provider C: two visits in
June, one logged by app (delivered) and one by hand (awaiting approval).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carecore.ecm import (
    ECM_TARGET_PERCENT,
    ContractRules,
    provider_performance,
    rank_providers,
    reconcile,
)
from carecore.ecm.performance import COLUMNS, INTERVALS, MIN_RANKED_VISITS, percent
from carecore.ecm.schema import ACTUAL_SCHEMA, LOG_STATUSES, PLANNED_SCHEMA, VISIT_OUTCOMES
from carecore.errors import InputError
from carecore.stats import wilson_percent
from carecore.units import LONDON

JUNE = date(2026, 6, 1)
JULY = date(2026, 7, 1)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def plan(
    pid: str, provider: str, person: str, start: datetime, minutes: int, carers: int = 1
) -> dict[str, Any]:
    return {
        "planned_id": pid,
        "provider_ref": provider,
        "person_ref": person,
        "band": "URBAN",
        "planned_start": start,
        "planned_minutes": minutes,
        "carers": carers,
        "rate_pence_per_hour": 2000,
    }


def log(
    provider: str,
    person: str,
    carer: str,
    start: datetime,
    minutes: int | None,
    method: str = "app",
    code: str | None = None,
) -> dict[str, Any]:
    return {
        "provider_ref": provider,
        "person_ref": person,
        "carer_id": carer,
        "check_in": start,
        "check_out": None if minutes is None else start + timedelta(minutes=minutes),
        "method": method,
        "exception_code": code,
    }


def frames(plans: list[dict[str, Any]], logs: list[dict[str, Any]]) -> tuple[Any, Any]:
    planned = pl.DataFrame(plans, schema={k: PLANNED_SCHEMA[k] for k in plans[0]})
    actual = pl.DataFrame(logs, schema=ACTUAL_SCHEMA)
    return planned, actual


def june() -> tuple[pl.DataFrame, pl.DataFrame]:
    plans = [plan(f"J{d}", "A", "P1", at(6, d, 8), 30) for d in range(1, 9)]
    plans += [plan(f"J{d}", "A", "P2", at(6, d, 18), 60, carers=2) for d in (10, 11, 12)]
    plans += [plan(f"B{d}", "B", "P3", at(6, d, 9), 45) for d in (1, 2, 3)]
    plans += [plan(f"C{d}", "C", "P4", at(6, d, 10), 30) for d in (1, 2)]
    logs = [
        log("A", "P1", "C1", at(6, 1, 8, 5), 30),
        log("A", "P1", "C1", at(6, 2, 8, 40), 30),
        log("A", "P1", "C2", at(6, 3, 8), 15, "phone"),
        log("A", "P1", "C3", at(6, 4, 8), 45, "qr"),
        log("A", "P1", "C4", at(6, 5, 8), 30),
        log("A", "P1", "C4", at(6, 6, 8), 30, "manual"),
        log("A", "P1", "C1", at(6, 8, 8), None, code="cancelled"),
        log("A", "P2", "C5", at(6, 10, 18), 60),
        log("A", "P2", "C6", at(6, 10, 18, 1), 60),
        log("A", "P2", "C7", at(6, 10, 18, 2), 58),
        log("A", "P2", "C5", at(6, 11, 18), 50),
        log("A", "P2", "C5", at(6, 12, 18), None, "phone", code="no_access"),
        log("C", "P4", "D1", at(6, 1, 10), 30),
        log("C", "P4", "D2", at(6, 2, 10), 30, "manual"),
    ]
    return frames(plans, logs)


def rows(planned: pl.DataFrame, actual: pl.DataFrame, rules: ContractRules) -> dict[Any, Any]:
    result = reconcile(planned, actual, rules, None)
    table = provider_performance(result.visits, result.logs)
    return {(r["provider_ref"], r["month"]): r for r in table.to_dicts()}


def test_every_measure_of_the_hand_checked_month(golden_rules: ContractRules) -> None:
    a = rows(*june(), golden_rules)[("A", JUNE)]
    # 11 planned visits less J8 (cancelled with notice) = 10; delivered J1-J5, J10, J11 = 7.
    assert (a["planned_visits"], a["delivered_visits"]) == (10, 7)
    assert a["delivered_percent"] == Decimal("70.0")  # 7 / 10
    # Only J2 is late: 6 of 7 on time = 85.714...%
    assert (a["on_time_visits"], a["punctual_percent"]) == (6, Decimal("85.7"))
    # Planned 5 x 30 + 2 x 60 = 270; actual 30+30+15+45+30+60+50 = 260;
    # capped (J4's 45 counts 30): 245; 245 / 270 = 90.74...%
    assert (a["planned_minutes"], a["actual_minutes"], a["stay_minutes"]) == (270, 260, 245)
    assert a["stay_percent"] == Decimal("90.7")
    # Carer logs on delivered visits: P1 C1 x2, C2, C3, C4 (5); usual = C1, then the tie
    # C2/C3/C4 broken by id: C2, C3 -> 4 of 5. P2 C5 x2, C6 (3, all usual). 7 of 8 = 87.5%.
    assert (a["carer_logs"], a["usual_carer_logs"]) == (8, 7)
    assert a["continuity_percent"] == Decimal("87.5")
    # Counted logs: P1's 7 (6 visits' logs + the cancellation record), P2's 4 (C7 is an
    # extra carer, not counted): 11; electronic: all but J6's manual log = 10. 90.909...%
    assert (a["counted_logs"], a["electronic_logs"]) == (11, 10)
    assert a["ecm_percent"] == Decimal("90.9")
    assert a["meets_target"] is True


def test_a_provider_with_no_logs_has_its_visits_and_no_shares_to_show(
    golden_rules: ContractRules,
) -> None:
    b = rows(*june(), golden_rules)[("B", JUNE)]
    assert (b["planned_visits"], b["delivered_visits"], b["delivered_percent"]) == (
        3,
        0,
        Decimal("0.0"),
    )
    # Nothing delivered and nothing logged: no share to divide, so none is shown.
    for share in ("punctual_percent", "stay_percent", "continuity_percent", "ecm_percent"):
        assert b[share] is None, share
    assert (b["carer_logs"], b["counted_logs"], b["meets_target"]) == (0, 0, None)


def test_manual_logs_awaiting_approval_count_against_compliance(
    golden_rules: ContractRules,
) -> None:
    c = rows(*june(), golden_rules)[("C", JUNE)]
    # One app log, one manual log awaiting approval: 1 of 2 electronic = 50%, below 85%.
    assert (c["counted_logs"], c["electronic_logs"], c["ecm_percent"]) == (2, 1, Decimal("50.0"))
    assert c["meets_target"] is False
    assert (c["planned_visits"], c["delivered_visits"]) == (2, 1)


def test_the_league_ranks_by_delivered_share_first(golden_rules: ContractRules) -> None:
    result = reconcile(*june(), golden_rules, None)
    ranked = rank_providers(provider_performance(result.visits, result.logs), min_visits=1)
    # A delivered 70%, C 50%, B 0%.
    assert ranked.select("rank", "provider_ref").rows() == [(1, "A"), (2, "C"), (3, "B")]


def test_only_providers_with_enough_planned_visits_are_ranked(
    golden_rules: ContractRules,
) -> None:
    result = reconcile(*june(), golden_rules, None)
    table = provider_performance(result.visits, result.logs)
    # A has 10 planned visits, B 3 and C 2: with a floor of 3, C is listed unranked, last.
    ranked = rank_providers(table, min_visits=3)
    assert ranked.select("rank", "provider_ref").rows() == [(1, "A"), (2, "B"), (None, "C")]
    # At the default floor of 100 visits nobody here is ranked: the table is one of counts.
    assert MIN_RANKED_VISITS == 100
    assert rank_providers(table)["rank"].null_count() == 3
    with pytest.raises(InputError, match="at least 1"):
        rank_providers(table, min_visits=0)


def test_each_counted_share_has_its_wilson_interval(golden_rules: ContractRules) -> None:
    a = rows(*june(), golden_rules)[("A", JUNE)]
    # A delivered 7 of 10 planned visits: Wilson 39.68% to 89.22%, shown rounded outwards.
    assert (a["delivered_visits"], a["planned_visits"]) == (7, 10)
    assert (a["delivered_percent_low"], a["delivered_percent_high"]) == (
        Decimal("39.6"),
        Decimal("89.3"),
    )
    for share, successes, trials in INTERVALS:
        assert (a[f"{share}_low"], a[f"{share}_high"]) == wilson_percent(a[successes], a[trials]), (
            share
        )
    b = rows(*june(), golden_rules)[("B", JUNE)]
    assert b["punctual_percent_low"] is None  # nothing delivered: no share, no interval
    assert "stay_percent_low" not in a  # minutes are not yes-or-no events


def test_a_visit_at_half_past_midnight_on_the_first_belongs_to_that_month(
    golden_rules: ContractRules,
) -> None:
    # 00:30 BST on 1 July is 23:30 UTC on 30 June; 23:30 BST on 30 June is 22:30 UTC.
    planned, actual = frames(
        [
            plan("E1", "A", "P1", at(6, 30, 23, 30), 30),
            plan("E2", "A", "P1", at(7, 1, 0, 30), 30),
            plan("E3", "A", "P1", at(7, 31, 23, 59), 30),
        ],
        [
            log("A", "P1", "C1", at(6, 30, 23, 30), 30),
            log("A", "P1", "C2", at(7, 1, 0, 30), 30, "manual"),
        ],
    )
    by_month = rows(planned, actual, golden_rules)
    assert sorted(by_month) == [("A", JUNE), ("A", JULY)]
    assert by_month[("A", JUNE)]["planned_visits"] == 1
    assert by_month[("A", JUNE)]["electronic_logs"] == 1
    # July: E2 (its manual log) and E3 (missed, late on the 31st).
    assert by_month[("A", JULY)]["planned_visits"] == 2
    assert by_month[("A", JULY)]["counted_logs"] == 1
    assert by_month[("A", JULY)]["electronic_logs"] == 0


def test_shares_are_rounded_half_up_from_integers() -> None:
    frame = pl.DataFrame({"n": [1, 1, 2, 1, 0, 5], "d": [8, 16, 3, 3, 0, 5]})
    shown = frame.select(p=percent("n", "d"))["p"].to_list()
    # 12.5 exactly; 6.25 -> 6.3 (half up); 66.66... -> 66.7; 33.33... -> 33.3; 0/0 none.
    assert shown == [
        Decimal("12.5"),
        Decimal("6.3"),
        Decimal("66.7"),
        Decimal("33.3"),
        None,
        Decimal("100.0"),
    ]


def _direct(electronic: int, manual: int) -> dict[str, Any]:
    """A provider's one visit with ``electronic`` app logs and ``manual`` manual logs."""
    visits = pl.DataFrame(
        [plan("V", "A", "P1", at(6, 1, 8), 30)],
        schema={k: PLANNED_SCHEMA[k] for k in plan("V", "A", "P1", at(6, 1, 8), 30)},
    ).with_columns(
        outcome=pl.lit("delivered"), late=pl.lit(False), actual_minutes=pl.lit(30, pl.Int32)
    )
    methods = ["app"] * electronic + ["manual"] * manual
    logs = pl.DataFrame(
        {
            "provider_ref": "A",
            "person_ref": "P1",
            "carer_id": [f"C{i}" for i in range(len(methods))],
            "method": methods,
            "exception_code": pl.Series([None] * len(methods), dtype=pl.String),
            "log_status": "accepted",
            "planned_id": "V",
        }
    )
    return provider_performance(visits, logs).row(0, named=True)


def test_the_target_compares_the_exact_share_not_the_rounded_one() -> None:
    assert Decimal(85) == ECM_TARGET_PERCENT
    exactly = _direct(17, 3)  # 17 / 20 = 85% exactly
    assert (exactly["ecm_percent"], exactly["meets_target"]) == (Decimal("85.0"), True)
    below = _direct(2124, 376)  # 2124 / 2500 = 84.96%, shown as 85.0
    assert (below["ecm_percent"], below["meets_target"]) == (Decimal("85.0"), False)


def test_providers_equal_on_every_share_share_a_rank() -> None:
    base = {**{c: 0 for c in COLUMNS}, "month": JUNE, "planned_visits": 100}
    shares = {
        "delivered_percent": Decimal("90.0"),
        "punctual_percent": Decimal("80.0"),
        "stay_percent": Decimal("95.0"),
        "continuity_percent": None,
        "ecm_percent": Decimal("85.0"),
    }
    table = pl.DataFrame(
        [
            {**base, **shares, "provider_ref": "Z"},
            {**base, **shares, "provider_ref": "Y"},
            {**base, **shares, "punctual_percent": Decimal("80.1"), "provider_ref": "X"},
            {**base, **shares, "delivered_percent": None, "provider_ref": "W"},
        ]
    )
    ranked = rank_providers(table)
    assert ranked.select("rank", "provider_ref").rows() == [
        (1, "X"),
        (2, "Y"),
        (2, "Z"),
        (4, "W"),
    ]


def test_a_missing_column_is_named() -> None:
    with pytest.raises(InputError, match=r"visits, 'provider_ref': missing column.*outcome"):
        provider_performance(pl.DataFrame({"planned_id": ["V"]}), pl.DataFrame())


# --- properties ----------------------------------------------------------------------------

# 45 days from here span the end of March and the clock change; hours are added in UTC so
# that every moment exists (London's 01:00 on 29 March 2026 does not).
START = datetime(2026, 3, 20, tzinfo=UTC)

visit_rows = st.lists(
    st.tuples(
        st.sampled_from(["A", "B"]),
        st.sampled_from(["P1", "P2", "P3"]),
        st.integers(min_value=0, max_value=45 * 24 - 1),  # hours after START
        st.integers(min_value=1, max_value=120),  # planned minutes
        st.sampled_from(VISIT_OUTCOMES),
        st.booleans(),  # late
        st.integers(min_value=0, max_value=240),  # actual minutes
    ),
    min_size=1,
    max_size=30,
)
log_rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=40),  # which visit (modulo), or unmatched if large
        st.sampled_from(["C1", "C2", "C3", "C4", "C5", "C6"]),
        st.sampled_from(["phone", "app", "qr", "manual"]),
        st.sampled_from(LOG_STATUSES),
        st.sampled_from([None, None, "cancelled", "no_access"]),
    ),
    max_size=60,
)


def _property_frames(
    visits: list[tuple[Any, ...]], logs: list[tuple[Any, ...]]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    vrows = [
        {
            "planned_id": f"V{i}",
            "provider_ref": provider,
            "person_ref": person,
            "planned_start": (START + timedelta(hours=hours)).astimezone(LONDON),
            "planned_minutes": minutes,
            "outcome": outcome,
            "late": late,
            "actual_minutes": actual,
        }
        for i, (provider, person, hours, minutes, outcome, late, actual) in enumerate(visits)
    ]
    lrows = []
    for which, carer, method, status, code in logs:
        visit = vrows[which % len(vrows)] if which < 35 else None
        lrows.append(
            {
                "provider_ref": visit["provider_ref"] if visit else "A",
                "person_ref": visit["person_ref"] if visit else "P9",
                "carer_id": carer,
                "method": method,
                "exception_code": code,
                "log_status": status,
                "planned_id": visit["planned_id"] if visit else None,
            }
        )
    visit_frame = pl.DataFrame(
        vrows,
        schema={
            "planned_id": pl.String,
            "provider_ref": pl.String,
            "person_ref": pl.String,
            "planned_start": PLANNED_SCHEMA["planned_start"],
            "planned_minutes": pl.Int32,
            "outcome": pl.String,
            "late": pl.Boolean,
            "actual_minutes": pl.Int32,
        },
    )
    log_frame = pl.DataFrame(
        lrows,
        schema={
            "provider_ref": pl.String,
            "person_ref": pl.String,
            "carer_id": pl.String,
            "method": pl.String,
            "exception_code": pl.String,
            "log_status": pl.String,
            "planned_id": pl.String,
        },
    )
    return visit_frame, log_frame


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(visit_rows, log_rows, st.randoms(use_true_random=False))
def test_shares_stay_within_0_and_100_and_shuffling_rows_changes_nothing(
    visits: list[tuple[Any, ...]], logs: list[tuple[Any, ...]], rng: random.Random
) -> None:
    visit_frame, log_frame = _property_frames(visits, logs)
    table = provider_performance(visit_frame, log_frame)
    for column in (c for c in COLUMNS if c.endswith("_percent")):
        values = table[column].drop_nulls().to_list()
        assert all(Decimal(0) <= v <= Decimal(100) for v in values), column
    assert (table["delivered_visits"] <= table["planned_visits"]).all()
    assert (table["on_time_visits"] <= table["delivered_visits"]).all()
    assert (table["stay_minutes"] <= table["planned_minutes"]).all()
    assert (table["usual_carer_logs"] <= table["carer_logs"]).all()
    assert (table["electronic_logs"] <= table["counted_logs"]).all()
    order_v = list(range(visit_frame.height))
    order_l = list(range(log_frame.height))
    rng.shuffle(order_v)
    rng.shuffle(order_l)
    shuffled = provider_performance(visit_frame[order_v], log_frame[order_l])
    assert shuffled.equals(table)
    assert rank_providers(shuffled).equals(rank_providers(table))


@settings(max_examples=100, deadline=None)
@given(visit_rows, log_rows)
def test_counting_more_usual_carers_never_lowers_continuity(
    visits: list[tuple[Any, ...]], logs: list[tuple[Any, ...]]
) -> None:
    visit_frame, log_frame = _property_frames(visits, logs)
    usual = [
        provider_performance(visit_frame, log_frame, usual_carers=k)["usual_carer_logs"]
        for k in (1, 3, 6)
    ]
    assert (usual[0] <= usual[1]).all() and (usual[1] <= usual[2]).all()
    # Six carers exist in all: with six usual carers every delivered-visit log is usual.
    everyone = provider_performance(visit_frame, log_frame, usual_carers=6)
    assert (everyone["usual_carer_logs"] == everyone["carer_logs"]).all()
