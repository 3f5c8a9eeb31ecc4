"""Offer time-outs and policies loaded from TOML, with unknown keys refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from carecore.brokerage import (
    LeadProviderBlock,
    MiniCompetition,
    OfferTimeouts,
    OpenFramework,
    PackageSpec,
    PrimeCascade,
    Tier,
    load_policy,
)
from carecore.errors import InputError
from carecore.units import LONDON

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
DATA = Path(__file__).resolve().parents[1] / "data" / "brokerage"
MakePackage = Callable[..., PackageSpec]


def test_the_source_rule_wins_over_the_priority_rule_over_the_default(
    make_package: MakePackage,
) -> None:
    timeouts = OfferTimeouts(
        default=timedelta(hours=24),
        by_priority={"urgent": timedelta(hours=8)},
        by_source={"hospital_discharge": timedelta(hours=2)},
    )
    normal = make_package()
    urgent = make_package(priority="urgent")
    discharge = make_package(priority="urgent", source="hospital_discharge")
    assert timeouts.deadline_for(normal, T0) == T0 + timedelta(hours=24)
    assert timeouts.deadline_for(urgent, T0) == T0 + timedelta(hours=8)
    assert timeouts.deadline_for(discharge, T0) == T0 + timedelta(hours=2)


def test_a_deadline_across_the_clocks_going_forward_is_24_real_hours(
    package: PackageSpec,
) -> None:
    # British Summer Time starts at 01:00 GMT on 29 March 2026: 24 elapsed hours after
    # 09:00 GMT on the 28th is 10:00 BST on the 29th, not 09:00 (23 hours).
    sent = datetime(2026, 3, 28, 9, 0, tzinfo=LONDON)
    deadline = OfferTimeouts().deadline_for(package, sent)
    assert (deadline.hour, deadline.utcoffset()) == (10, timedelta(hours=1))
    assert deadline.astimezone(UTC) - sent.astimezone(UTC) == timedelta(hours=24)


def test_time_outs_refuse_unknown_names_and_non_positive_spans() -> None:
    with pytest.raises(InputError) as excinfo:
        OfferTimeouts(by_priority={"whenever": timedelta(hours=1)})
    assert excinfo.value.key == "timeouts.by_priority.whenever"
    with pytest.raises(InputError):
        OfferTimeouts(default=timedelta(0))
    with pytest.raises(InputError) as excinfo:
        OfferTimeouts.from_mapping({"default_hours": 24, "by_urgency": {}})
    assert excinfo.value.key == "timeouts.by_urgency"
    with pytest.raises(InputError) as excinfo:
        OfferTimeouts.from_mapping({"by_source": {"community": -1}})
    assert excinfo.value.key == "timeouts.by_source.community"


def test_each_kind_of_policy_loads_from_its_toml_file() -> None:
    cascade = load_policy(DATA / "prime_cascade.toml")
    assert cascade == PrimeCascade(
        tiers=(Tier.PRIME, Tier.SUPPLEMENTARY, Tier.BACK_UP),
        batch_size=1,
        respect_capacity=True,
        timeouts=OfferTimeouts(
            default=timedelta(hours=24),
            by_priority={"urgent": timedelta(hours=4)},
            by_source={"hospital_discharge": timedelta(hours=2, minutes=30)},
        ),
    )
    assert load_policy(DATA / "open_framework.toml") == OpenFramework(
        mode="best_quality_by_deadline"
    )
    assert load_policy(DATA / "lead_block.toml") == LeadProviderBlock(
        secondary_tiers=(Tier.SUPPLEMENTARY, Tier.BACK_UP)
    )
    competition = load_policy(DATA / "mini_competition.toml")
    assert competition == MiniCompetition(
        quality_weight=Decimal(60),
        price_weight=Decimal(40),
        ceiling=Decimal("24.50"),
        bid_window=timedelta(hours=2),
    )


@pytest.mark.parametrize(
    ("table", "key", "message"),
    [
        ({"kind": "lottery"}, "kind", "must be one of prime_cascade"),
        ({}, "kind", "must be one of"),
        ({"kind": "prime_cascade", "mode": "first_accept"}, "mode", "unknown key"),
        ({"kind": "prime_cascade", "batch_size": 0}, "batch_size", "1 to 100"),
        ({"kind": "prime_cascade", "batch_size": "2"}, "batch_size", "whole number"),
        ({"kind": "prime_cascade", "tiers": ["prime", "lead"]}, "tiers", "unknown tier"),
        ({"kind": "prime_cascade", "tiers": ["prime", "prime"]}, "tiers", "twice"),
        ({"kind": "open_framework", "mode": "fastest"}, "mode", "first_accept"),
        ({"kind": "lead_block", "respect_capacity": "yes"}, "respect_capacity", "true or false"),
        ({"kind": "mini_competition", "price_weight": 50}, "price_weight", "add up to 100"),
        ({"kind": "mini_competition", "bid_window_hours": 0}, "bid_window_hours", "more than 0"),
        ({"kind": "mini_competition", "timeouts": 3}, "timeouts", "expected a table"),
    ],
)
def test_a_bad_policy_table_is_refused_naming_the_key(
    table: dict[str, object], key: str, message: str
) -> None:
    with pytest.raises(InputError, match=message) as excinfo:
        load_policy(table)
    assert excinfo.value.key == key


def test_an_error_in_a_policy_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('kind = "open_framework"\nbatch_size = 2\n')
    with pytest.raises(InputError) as excinfo:
        load_policy(path)
    assert excinfo.value.source == str(path) and excinfo.value.key == "batch_size"
