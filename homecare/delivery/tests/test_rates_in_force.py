"""A live run prices each visit at the rate in force on its day, under its framework's card.

The period is the four weeks from Monday 9 March 2026; Good Friday, 3 April 2026, is a bank
holiday in it, and 14-15 March a weekend. Prime 1's placements are at £20.00 an hour (2000p);
each person has a daily 08:00 visit of 30 minutes. Rules: rotherham-actual (actual minutes).

The test card (worked by hand below): minimum 15 minutes, weekends +20%, bank holidays +50%
replacing the weekend one, a second carer at 90%; band rate URBAN £19.00 (paid only by a
framework that pays at the card).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carecore.errors import InputError
from carecore.pricing.rate_cards import RateCard as EngineCard
from homecare.brokerage.models import Person
from homecare.brokerage.testing import LONDON, NOW
from homecare.commissioning import actions as commissioning_actions
from homecare.commissioning.models import Appointment
from homecare.delivery import actions, reconciliation
from homecare.delivery.invoicing import BLOCK_OUTCOME, split
from homecare.delivery.run_inputs import PersonFacts
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row, place_package
from homecare.finance.models import FeeUplift


def on(day: int, hour: int, minute: int = 0) -> datetime:
    """London time on day ``day`` (1 is Monday 9 March 2026) of the period, to day 28."""
    moment = PERIOD_START + timedelta(days=day - 1)
    return datetime(moment.year, moment.month, moment.day, hour, minute, tzinfo=LONDON)


def card(name: str = "test-card", periods: list[dict[str, Any]] | None = None) -> EngineCard:
    base = {
        "minimum_billable_minutes": 15,
        "rates": {"URBAN": "19.00", "FRINGE": "20.00", "RURAL": "23.00", "ISOLATED": "26.00"},
        "enhancements": {
            "double_handed_percent": 90,
            "weekend_percent": 20,
            "bank_holiday_percent": 50,
            "weekend_and_bank_holiday": "replace",
        },
    }
    rows = periods or [{"effective_from": "2026-01-01", **base}]
    return EngineCard.from_dict(
        {
            "name": name,
            "council": "Test council",
            "currency": "GBP",
            "illustrative": True,
            "periods": [{**base, **row} for row in rows],
        }
    )


def use_card(framework: Any, engine_card: EngineCard, *, pay_at_card: bool = False) -> None:
    stored = commissioning_actions.import_rate_card(
        engine_card, council=framework.council, acting_user=None
    )
    framework.rate_card, framework.pay_at_card = stored, pay_at_card
    framework.save(update_fields=["rate_card", "pay_at_card"])


def upload(provider: Any, rows: list[dict[str, str]]) -> None:
    made = actions.create_upload(provider, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None)
    actions.import_upload(made.pk, now=NOW)


def run(council: Any, provider: Any) -> Any:
    return reconciliation.run_reconciliation(
        council, provider, PERIOD_START, now=NOW, acting_user=None
    )


def amounts(result: Any) -> dict[date, int]:
    return {
        line.visit_start.date(): line.amount_pence
        for line in result.lines.exclude(outcome=BLOCK_OUTCOME)
    }


def test_weekend_and_bank_holiday_enhancements_reach_a_live_invoice(
    council: Any, framework: Any, prime_1: Any
) -> None:
    use_card(framework, card())
    place_package(framework, "P-0001")
    upload(
        prime_1,
        [
            log_row(prime_1, "P-0001", at(2, 8, 0), 30),  # Tuesday: 30 x 2000 / 60 = 1000p
            log_row(prime_1, "P-0001", at(6, 8, 0), 30),  # Saturday: 1000 + 20% = 1200p
            log_row(prime_1, "P-0001", on(26, 8, 0), 30),  # Good Friday: 1000 + 50% = 1500p
            log_row(prime_1, "P-0001", at(3, 8, 0), 10),  # 10 min billed 15: 500p
        ],
    )
    result = run(council, prime_1)
    assert amounts(result) == {
        date(2026, 3, 10): 1000,
        date(2026, 3, 14): 1200,
        date(2026, 4, 3): 1500,
        date(2026, 3, 11): 500,
    }
    assert result.invoice.total_pence == 4200
    assert result.rate_card_name == "Test card"


def test_a_second_carer_is_paid_the_cards_double_handed_share(
    council: Any, framework: Any, prime_1: Any
) -> None:
    use_card(framework, card())
    place_package(framework, "P-0001", visits="Daily 08:00 30m x2")
    upload(
        prime_1,
        [
            log_row(prime_1, "P-0001", at(2, 8, 0), 30, carer="C1"),
            log_row(prime_1, "P-0001", at(2, 8, 0), 30, carer="C2"),
        ],
    )
    result = run(council, prime_1)
    # The first carer 1000p; the second 90% of it, 900p.
    assert sorted(result.lines.values_list("amount_pence", flat=True)) == [900, 1000]


def test_a_framework_paying_at_the_card_pays_the_band_rate_in_force_that_day(
    council: Any, framework: Any, prime_1: Any
) -> None:
    periods = [
        {"effective_from": "2026-01-01", "effective_to": "2026-03-15"},
        {
            "effective_from": "2026-03-16",
            "rates": {"URBAN": "21.00", "FRINGE": "1", "RURAL": "1", "ISOLATED": "1"},
        },
    ]
    use_card(framework, card(periods=periods), pay_at_card=True)
    place_package(framework, "P-0001")
    upload(
        prime_1,
        [
            log_row(prime_1, "P-0001", at(2, 8, 0), 30),  # £19.00: 950p
            log_row(prime_1, "P-0001", at(9, 8, 0), 30),  # Tuesday 17 March, £21.00: 1050p
        ],
    )
    result = run(council, prime_1)
    assert amounts(result) == {date(2026, 3, 10): 950, date(2026, 3, 17): 1050}
    rates = set(result.lines.values_list("rate_pence_per_hour", flat=True))
    assert rates == {1900, 2100}


def test_a_card_with_a_gap_in_the_period_is_refused_with_the_days(
    council: Any, framework: Any, prime_1: Any
) -> None:
    use_card(framework, card(periods=[{"effective_from": "2026-03-20"}]))
    place_package(framework, "P-0001")
    with pytest.raises(InputError) as caught:
        run(council, prime_1)
    assert "09 March 2026 to 19 March 2026" in caught.value.message
    assert caught.value.key == "rate_card"


def uplift(framework: Any, day: date, percent: str = "", **band_rates: str) -> FeeUplift:
    return FeeUplift.objects.create(
        framework=framework,
        effective_from=day,
        percent=Decimal(percent) if percent else None,
        band_rates=band_rates,
        reason="test",
        applied_at=NOW,
    )


def test_an_uplift_prices_days_before_and_after_its_date(
    council: Any, framework: Any, prime_1: Any
) -> None:
    place_package(framework, "P-0001")
    uplift(framework, date(2026, 3, 16), "5")  # £20.00 -> £21.00
    upload(
        prime_1,
        [
            log_row(prime_1, "P-0001", at(7, 8, 0), 30),  # Sunday 15 March: 1000p
            log_row(prime_1, "P-0001", at(8, 8, 0), 30),  # Monday 16 March: 1050p
        ],
    )
    result = run(council, prime_1)
    assert amounts(result) == {date(2026, 3, 15): 1000, date(2026, 3, 16): 1050}


def test_an_uplift_dated_before_a_placement_raises_it_from_its_first_day(
    council: Any, framework: Any, prime_1: Any
) -> None:
    # Applied before the package was placed: the placement is at the appointed rate, £20.00,
    # which an uplift never changes, so it is paid £21.00 from its first day.
    uplift(framework, date(2026, 2, 1), "5")
    place_package(framework, "P-0001")
    upload(prime_1, [log_row(prime_1, "P-0001", at(2, 8, 0), 30)])
    assert amounts(run(council, prime_1)) == {date(2026, 3, 10): 1050}


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(day=st.integers(min_value=1, max_value=28), percent=st.integers(min_value=1, max_value=30))
def test_a_rerun_after_an_uplift_changes_only_the_days_from_its_date(
    council: Any, framework: Any, prime_1: Any, day: int, percent: int
) -> None:
    if not Person.objects.filter(reference="P-0001").exists():
        place_package(framework, "P-0001")
        upload(prime_1, [log_row(prime_1, "P-0001", on(n, 8, 0), 30) for n in range(1, 29)])
    FeeUplift.objects.all().delete()
    before = amounts(run(council, prime_1))
    effective = PERIOD_START + timedelta(days=day - 1)
    uplift(framework, effective, str(percent))
    after = amounts(run(council, prime_1))
    assert before.keys() == after.keys()
    for visit_day, pence in before.items():
        if visit_day < effective:
            assert after[visit_day] == pence
        else:
            assert after[visit_day] == 1000 * (100 + percent) // 100


def test_block_hours_not_used_are_paid_as_their_own_lines(
    council: Any, framework: Any, prime_1: Any
) -> None:
    Appointment.objects.filter(provider=prime_1).update(block_hours_per_week=Decimal("5"))
    place_package(framework, "P-0001")
    # Week 1: two 30-minute visits (60 min used of 300); weeks 2-4: none logged.
    upload(
        prime_1,
        [log_row(prime_1, "P-0001", at(1, 8, 0), 30), log_row(prime_1, "P-0001", at(2, 8, 0), 30)],
    )
    result = run(council, prime_1)
    blocks = list(result.lines.filter(outcome=BLOCK_OUTCOME).order_by("visit_start"))
    assert [b.payable_minutes for b in blocks] == [240, 300, 300, 300]
    # 240 min at 2000p an hour = 8000p; 300 min = 10000p.
    assert [b.amount_pence for b in blocks] == [8000, 10000, 10000, 10000]
    assert all(b.person_id is None and b.funding == "council" for b in blocks)
    assert result.block_pence == 38000
    assert result.invoice.total_pence == 38000 + 2000
    assert result.payable_carer_minutes == 60


def test_funding_streams_split_each_line_and_the_totals_add_up(
    council: Any, framework: Any, prime_1: Any
) -> None:
    for ref in ("P-0001", "P-0002", "P-0003"):
        place_package(framework, ref)
    Person.objects.filter(reference="P-0002").update(funding="nhs_chc")
    Person.objects.filter(reference="P-0003").update(
        funding="joint", nhs_share_percent=Decimal("35")
    )
    upload(
        prime_1,
        [log_row(prime_1, ref, at(1, 8, 0), 31) for ref in ("P-0001", "P-0002", "P-0003")],
    )
    result = run(council, prime_1)
    lines = {line.person.reference: line for line in result.lines.select_related("person")}
    # 31 x 2000 / 60 = 1033.33 -> 1033p each.
    assert (lines["P-0001"].council_pence, lines["P-0001"].nhs_pence) == (1033, 0)
    assert (lines["P-0002"].council_pence, lines["P-0002"].nhs_pence) == (0, 1033)
    # 35% of 1033 = 361.55 -> 362p to the NHS, the remaining 671p to the council.
    assert (lines["P-0003"].council_pence, lines["P-0003"].nhs_pence) == (671, 362)
    assert result.stream_totals == {"council": 1033 + 671, "nhs_chc": 1033 + 362}
    assert sum(result.stream_totals.values()) == result.invoice.total_pence
    assert all(line.purchase_order.startswith("PO-") for line in lines.values())
    assert {line.zone_code for line in lines.values()} == {"west-leicester"}


@given(
    amount=st.integers(min_value=0, max_value=10**9),
    share=st.decimals(min_value="0.01", max_value="99.99", places=2),
)
def test_a_joint_split_always_adds_up_to_the_line(amount: int, share: Decimal) -> None:
    facts = PersonFacts(id=1, funding="joint", nhs_share_percent=share, zone_code="", band="")
    council_part, nhs_part = split(amount, facts)
    assert council_part + nhs_part == amount
    assert council_part >= 0 and nhs_part >= 0
