"""The pay-floor audit from visit logs (carecore.pay_audit): hand-checked days, the edge cases
the rules name, and properties over many inputs (Hypothesis).

The hand-checked day, worked to the penny. Carer C1 on Monday 2 March 2026 (floors that day:
NLW £12.21, Real Living Wage £13.45, London Living Wage £14.80). Travel table: P1 to P2 15
minutes, P2 to P3 20 minutes, P3 to P1 25 minutes. Break after 60 minutes.

    A 08:00-08:30 at P1   B 08:45-09:45 at P2   C 10:30-11:00 at P3   D 13:00-13:30 at P1

    A to B: gap 15, travel 15, wait 0
    B to C: gap 45, travel 20, wait 25 (at most 60: working time)
    C to D: gap 120, travel 25, wait 95 (over 60: a break, not working time)
    contact 150 min, travel 60 min, waiting 25 min: working 235 min = 3 11/12 hours

Policy: £12.50 an hour for contact and waiting, travel at its own rate of £6.00 an hour.

    contact 1250p x 150/60 = 3125p; travel 600p x 60/60 = 600p; waiting 1250p x 25/60 = 520 5/6p
    pay 4245 5/6p, shown as 4246p (half up)
    effective pay 4245 5/6p / (235/60) h = 254750/235 p/h = £10.8404255319...
    NLW: 1221p x 235/60 = 4782.25p needed; short 536.41..p -> 537p (rounded up);
         £12.21 - £10.84042553... = £1.36957446808... an hour short
    RLW: 1345p x 235/60 = 5267.91..p; short 1022.08..p -> 1023p
    LLW: 1480p x 235/60 = 5796.66..p; short 1550.83..p -> 1551p
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carecore.errors import InputError
from carecore.pay_audit import (
    LoggedVisit,
    PayPolicy,
    Place,
    audit_pay,
    travel_table,
)
from carecore.pricing.pay_check import check_pay
from carecore.rostering.travel import StraightLineTravel
from carecore.units import LONDON

P1, P2, P3 = (
    Place(52.63, -1.13, "URBAN"),
    Place(52.64, -1.10, "URBAN"),
    Place(52.60, -1.20, "RURAL"),
)
TABLE = {
    (P1, P2): 900,
    (P2, P3): 1200,
    (P3, P1): 1500,
    (P2, P1): 900,
    (P3, P2): 1200,
    (P1, P3): 1500,
}
DAY = date(2026, 3, 2)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def visit(
    start: datetime, minutes: int | None, place: Place = P1, carer: str = "C1"
) -> LoggedVisit:
    out = None if minutes is None else start + timedelta(minutes=minutes)
    return LoggedVisit(carer, start, out, place.lat, place.lon, place.band)


HAND_CHECKED = [
    visit(at(8), 30, P1),
    visit(at(8, 45), 60, P2),
    visit(at(10, 30), 30, P3),
    visit(at(13), 30, P1),
]
OWN_RATE = PayPolicy(
    hourly_pay=Decimal("12.50"), travel_pay="own_rate", travel_rate=Decimal("6.00")
)


def test_the_hand_checked_day_to_the_penny() -> None:
    audit = audit_pay(HAND_CHECKED, travel=TABLE, policy=OWN_RATE)
    (day,) = audit.days
    assert (day.carer_id, day.day, day.visits) == ("C1", DAY, 4)
    assert (day.contact_minutes, day.travel_minutes, day.waiting_minutes) == (150, 60, 25)
    assert day.break_seconds == 95 * 60
    assert day.working_hours * 12 == 47  # 3 11/12 hours
    assert day.paid_pence == 4246
    assert day.effective_pay == Decimal(254750) / Decimal(235) / 100
    assert str(day.effective_pay).startswith("10.8404255319")
    nlw = day.verdict("national_living_wage")
    assert nlw is not None and nlw.below and nlw.floor.amount == Decimal("12.21")
    assert nlw.shortfall_pence == 537
    assert nlw.shortfall_per_hour == Decimal("12.21") - day.effective_pay
    assert str(nlw.shortfall_per_hour).startswith("1.3695744680")
    rlw, llw = day.verdict("real_living_wage"), day.verdict("london_living_wage")
    assert rlw is not None and (rlw.floor.amount, rlw.shortfall_pence) == (Decimal("13.45"), 1023)
    assert llw is not None and (llw.floor.amount, llw.shortfall_pence) == (Decimal("14.80"), 1551)
    summary = audit.floor("national_living_wage")
    assert (summary.days, summary.days_below, summary.shortfall_pence) == (1, 1, 537)
    assert summary.share_below == 1
    assert summary.mean_shortfall_per_hour == nlw.shortfall_per_hour


def test_the_verdict_is_the_pay_checks_for_contact_paid_and_travel_unpaid() -> None:
    policy = PayPolicy(hourly_pay=Decimal("12.60"), travel_pay="unpaid", waiting_paid=False)
    (day,) = audit_pay(HAND_CHECKED, travel=TABLE, policy=policy).days
    check = check_pay(
        hourly_pay=Decimal("12.60"),
        paid_hours=Decimal(150) / 60,
        unpaid_hours=Decimal(85) / 60,
        day=DAY,
    )
    nlw = day.verdict("national_living_wage")
    assert nlw is not None
    assert nlw.below is not check.meets_floor
    assert Decimal(nlw.shortfall_pence) / 100 == check.shortfall
    assert day.paid_pence == 3150 and check.total_pay == Decimal("31.50")


def test_one_visit_a_day_has_no_travel_and_pays_its_hourly_rate() -> None:
    policy = PayPolicy(hourly_pay=Decimal("12.21"), travel_pay="unpaid")
    (day,) = audit_pay([visit(at(9), 45, P2)], travel=TABLE, policy=policy).days
    assert (day.travel_seconds, day.waiting_seconds, day.contact_minutes) == (0, 0, 45)
    assert day.effective_pay == Decimal("12.21")
    nlw = day.verdict("national_living_wage")
    assert nlw is not None and not nlw.below and nlw.shortfall_pence == 0  # exactly the floor


def test_a_gap_longer_than_the_break_counts_no_waiting_but_still_its_travel() -> None:
    policy = PayPolicy(hourly_pay=Decimal("13.00"), break_after_minutes=30)
    visits = [visit(at(8), 30, P1), visit(at(10), 30, P2)]  # gap 90: travel 15, wait 75
    (day,) = audit_pay(visits, travel=TABLE, policy=policy).days
    assert (day.travel_minutes, day.waiting_seconds, day.break_seconds) == (15, 0, 75 * 60)
    # A wait of exactly the break is still working time.
    exact = [visit(at(8), 30, P1), visit(at(9, 15), 30, P2)]  # gap 45: travel 15, wait 30
    (day,) = audit_pay(exact, travel=TABLE, policy=policy).days
    assert (day.waiting_minutes, day.break_seconds) == (30, 0)


def test_unpaid_travel_takes_a_day_below_the_nlw_though_contact_pay_is_above_it() -> None:
    """Seed 000 section 10: the law counts travel between calls as working time."""
    rounds = [visit(at(7 + n), 30, (P1, P2, P3)[n % 3]) for n in range(8)]  # 8 x 30 min
    unpaid = PayPolicy(hourly_pay=Decimal("12.50"), travel_pay="unpaid", waiting_paid=False)
    (day,) = audit_pay(rounds, travel=TABLE, policy=unpaid).days
    assert Decimal("12.50") > Decimal("12.21")  # the contact rate is above the NLW
    nlw = day.verdict("national_living_wage")
    assert nlw is not None and nlw.below and day.effective_pay < Decimal("12.21")
    hourly = PayPolicy(hourly_pay=Decimal("12.50"), travel_pay="hourly")
    (paid_day,) = audit_pay(rounds, travel=TABLE, policy=hourly).days
    assert paid_day.effective_pay == Decimal("12.50")
    assert paid_day.working_seconds == day.working_seconds
    verdict = paid_day.verdict("national_living_wage")
    assert verdict is not None and not verdict.below


def test_travel_is_never_more_than_the_gap() -> None:
    visits = [visit(at(8), 30, P1), visit(at(8, 35), 30, P3)]  # 5 minutes apart, 25 to drive
    (day,) = audit_pay(visits, travel=TABLE, policy=OWN_RATE).days
    assert (day.travel_minutes, day.waiting_seconds) == (5, 0)


def test_overlapping_logs_of_one_carer_are_merged_not_counted_twice() -> None:
    visits = [
        visit(at(8), 60, P1),
        visit(at(8, 30), 60, P2),  # overlaps the first: one block 08:00-09:30
        visit(at(9, 30), 30, P3),  # touches the block's end: its own block, no gap
        visit(at(9, 40), 10, P3),  # inside the previous: merged
    ]
    audit = audit_pay(visits, travel=TABLE, policy=OWN_RATE)
    (day,) = audit.days
    assert day.contact_minutes == 120  # 08:00 to 10:00, each minute once
    assert (day.merged_logs, audit.merged_logs, day.visits) == (2, 2, 4)
    assert day.travel_seconds == 0 and day.waiting_seconds == 0


def test_a_merged_block_is_left_from_its_last_check_out() -> None:
    visits = [visit(at(8), 90, P1), visit(at(8, 30), 30, P2), visit(at(10), 30, P3)]
    (day,) = audit_pay(visits, travel=TABLE, policy=OWN_RATE).days
    assert day.travel_minutes == 25  # P1 (checked out last, 09:30) to P3, not P2 to P3


def test_logs_without_a_check_out_are_left_out_and_counted() -> None:
    visits = [*HAND_CHECKED, visit(at(15), None, P2), visit(at(16), 0, P2)]
    audit = audit_pay(visits, travel=TABLE, policy=OWN_RATE)
    assert (audit.no_check_out, audit.bad_times) == (1, 1)
    assert audit.days[0].paid_pence == 4246


def test_days_belong_to_carers_and_london_dates() -> None:
    visits = [
        visit(at(8), 30, P1, carer="C1"),
        visit(at(9), 30, P2, carer="C2"),
        visit(at(8, day=date(2026, 3, 3)), 30, P1, carer="C1"),
        # 00:30 on 29 March 2026 in London is 00:30 GMT; 23:30 UTC the day before is 28 March.
        LoggedVisit("C1", datetime(2026, 3, 28, 23, 30, tzinfo=LONDON), None, 52.6, -1.1),
    ]
    audit = audit_pay(visits, travel=TABLE, policy=OWN_RATE)
    assert [(d.carer_id, d.day) for d in audit.days] == [
        ("C1", DAY),
        ("C1", date(2026, 3, 3)),
        ("C2", DAY),
    ]


def test_travel_paid_per_visit_pays_each_logged_visit() -> None:
    policy = PayPolicy(
        hourly_pay=Decimal("12.00"), travel_pay="per_visit", per_visit_pay=Decimal("1.50")
    )
    (day,) = audit_pay(HAND_CHECKED, travel=TABLE, policy=policy).days
    # 1200 x 150/60 = 3000; 4 x 150 = 600; waiting 1200 x 25/60 = 500
    assert day.paid_pence == 4100


def test_the_policy_in_force_each_day_and_days_before_any() -> None:
    later = date(2026, 3, 3)
    policies = [
        PayPolicy(hourly_pay=Decimal("12.00"), travel_pay="unpaid", effective_from=DAY),
        PayPolicy(hourly_pay=Decimal("15.00"), travel_pay="unpaid", effective_from=later),
    ]
    visits = [
        visit(at(9, day=date(2026, 3, 1)), 60),
        visit(at(9), 60),
        visit(at(9, day=later), 60),
    ]
    audit = audit_pay(visits, travel=TABLE, policy=policies)
    assert audit.days_without_policy == 1
    assert [d.paid_pence for d in audit.days] == [1200, 1500]


def test_a_day_outside_the_floor_data_has_no_verdict_for_that_floor() -> None:
    late = date(2026, 12, 1)  # NLW data runs to March 2027, the Living Wage to October 2026
    audit = audit_pay([visit(at(9, day=late), 60)], travel=TABLE, policy=OWN_RATE)
    (day,) = audit.days
    assert day.verdict("national_living_wage") is not None
    assert day.verdict("real_living_wage") is None
    assert audit.floor("real_living_wage").days == 0
    assert audit.floor("real_living_wage").share_below is None


def test_a_frame_gives_the_same_audit_as_dataclasses() -> None:
    frame = pl.DataFrame(
        {
            "carer_id": [v.carer_id for v in HAND_CHECKED],
            "check_in": [v.check_in for v in HAND_CHECKED],
            "check_out": [v.check_out for v in HAND_CHECKED],
            "lat": [v.lat for v in HAND_CHECKED],
            "lon": [v.lon for v in HAND_CHECKED],
            "band": [v.band for v in HAND_CHECKED],
        }
    )
    assert audit_pay(frame, travel=TABLE, policy=OWN_RATE).days == (
        audit_pay(HAND_CHECKED, travel=TABLE, policy=OWN_RATE).days
    )


def test_a_travel_source_is_asked_once_and_named() -> None:
    calls: list[int] = []
    source = StraightLineTravel(
        road_factor=Decimal("1.3"), speeds_mph_by_band={"URBAN": 18, "RURAL": 30}
    )

    class Counting:
        def matrix(self, points: Sequence[object], bands: Sequence[str] | None = None) -> object:
            calls.append(len(points))
            return source.matrix(points, bands)  # type: ignore[arg-type]

        def describe(self) -> str:
            return source.describe()

    audit = audit_pay(HAND_CHECKED, travel=Counting(), policy=OWN_RATE)
    assert calls == [3]
    assert audit.travel_source.startswith("straight-line: great-circle x 1.3")
    table = travel_table(source, [P1, P2, P3])
    assert audit.days[0].travel_seconds == table[(P1, P2)] + table[(P2, P3)] + table[(P3, P1)]


def test_a_missing_pair_in_a_travel_table_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no travel time"):
        audit_pay(HAND_CHECKED, travel={(P1, P2): 60}, policy=OWN_RATE)


def test_the_summary_and_the_worst_days() -> None:
    unpaid = PayPolicy(hourly_pay=Decimal("12.50"), travel_pay="unpaid", waiting_paid=False)
    visits = [
        *(visit(at(8 + n), 30, (P1, P2, P3)[n % 3], carer="C1") for n in range(6)),  # below
        visit(at(9), 60, P1, carer="C2"),  # one visit: at the contact rate, above the NLW
        *(visit(at(8 + n), 30, (P1, P3)[n % 2], carer="C3") for n in range(4)),  # below
    ]
    audit = audit_pay(visits, travel=TABLE, policy=unpaid, worst=2)
    nlw = audit.floor("national_living_wage")
    assert (nlw.days, nlw.days_below) == (3, 2)
    below = [v for d in audit.days if (v := d.verdict("national_living_wage")) and v.below]
    assert nlw.mean_shortfall_per_hour == sum(v.shortfall_per_hour for v in below) / 2
    assert nlw.shortfall_pence == sum(v.shortfall_pence for v in below)
    # C1: pay 37.50 over 5.5 hours (6.82 an hour); C3: 25.00 over 3.5 hours (7.14 an hour).
    assert [d.carer_id for d in audit.worst] == ["C1", "C3"]
    assert audit.worst[0].effective_pay <= audit.worst[1].effective_pay
    assert [f.amount for f in nlw.floors] == [Decimal("12.21")]


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"hourly_pay": Decimal(0)}, "hourly_pay"),
        ({"hourly_pay": Decimal("12.345")}, "hourly_pay"),
        ({"hourly_pay": Decimal(12), "travel_pay": "mileage"}, "travel_pay"),
        ({"hourly_pay": Decimal(12), "travel_pay": "own_rate"}, "travel_rate"),
        ({"hourly_pay": Decimal(12), "travel_pay": "per_visit"}, "per_visit_pay"),
        ({"hourly_pay": Decimal(12), "travel_rate": Decimal(5)}, "travel_rate"),
        ({"hourly_pay": Decimal(12), "break_after_minutes": -1}, "break_after_minutes"),
    ],
)
def test_a_bad_policy_names_its_field(values: dict[str, object], key: str) -> None:
    with pytest.raises(InputError) as caught:
        PayPolicy(**values)  # type: ignore[arg-type]
    assert caught.value.key == key


# --- properties -------------------------------------------------------------------------------

PLACES = (P1, P2, P3)
logs = st.lists(
    st.tuples(
        st.sampled_from(["C1", "C2"]),
        st.integers(min_value=0, max_value=2),  # day
        st.integers(min_value=6 * 60, max_value=21 * 60),  # minute of the day
        st.one_of(st.none(), st.integers(min_value=0, max_value=120)),  # minutes (None: no out)
        st.integers(min_value=0, max_value=2),  # place
    ),
    min_size=1,
    max_size=30,
)
travel_seconds = st.fixed_dictionaries(
    {(a, b): st.integers(min_value=0, max_value=3600) for a in PLACES for b in PLACES if a != b}
)


def _visits(rows: list[tuple[str, int, int, int | None, int]]) -> list[LoggedVisit]:
    made = []
    for carer, day, minute, minutes, place in rows:
        start = at(0, day=DAY + timedelta(days=day)) + timedelta(minutes=minute)
        made.append(visit(start, minutes, PLACES[place], carer=carer))
    return made


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(rows=logs, table=travel_seconds, seed=st.integers(), break_after=st.integers(0, 120))
def test_row_order_changes_nothing(
    rows: list[tuple[str, int, int, int | None, int]],
    table: dict[tuple[Place, Place], int],
    seed: int,
    break_after: int,
) -> None:
    visits = _visits(rows)
    shuffled = list(visits)
    random.Random(seed).shuffle(shuffled)
    policy = PayPolicy(
        hourly_pay=Decimal("12.00"), travel_pay="unpaid", break_after_minutes=break_after
    )
    first = audit_pay(visits, travel=table, policy=policy)
    again = audit_pay(shuffled, travel=table, policy=policy)
    assert first == again


pounds = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("30.00"), places=2)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    rows=logs, table=travel_seconds, hourly=pounds, rate=pounds, extra=pounds, waiting=st.booleans()
)
def test_paying_travel_never_lowers_effective_pay(
    rows: list[tuple[str, int, int, int | None, int]],
    table: dict[tuple[Place, Place], int],
    hourly: Decimal,
    rate: Decimal,
    extra: Decimal,
    waiting: bool,
) -> None:
    visits = _visits(rows)

    def pay(**travel: object) -> list[Decimal]:
        policy = PayPolicy(hourly_pay=hourly, waiting_paid=waiting, **travel)  # type: ignore[arg-type]
        return [d.effective_pay for d in audit_pay(visits, travel=table, policy=policy).days]

    unpaid = pay(travel_pay="unpaid")
    own = pay(travel_pay="own_rate", travel_rate=rate)
    more = pay(travel_pay="own_rate", travel_rate=rate + extra)
    per_visit = pay(travel_pay="per_visit", per_visit_pay=rate)
    hourly_paid = pay(travel_pay="hourly")
    for paid in (own, per_visit, hourly_paid):
        assert all(a <= b for a, b in zip(unpaid, paid, strict=True))
    assert all(a <= b for a, b in zip(own, more, strict=True))
