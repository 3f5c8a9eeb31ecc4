"""The demo's people are funded as a county's are, from the demo's seed, and their funding
never changes who is placed where (so the demo's visit logs stay as they were)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from carecore.brokerage import FUNDINGS
from homecare.brokerage import demo
from homecare.brokerage.models import Person, Placement
from homecare.brokerage.testing import NOW, make_market

pytestmark = pytest.mark.django_db

PACKAGES = 40
EVERYONE_COUNCIL = ((1.0, "council", None),)


def _brokered_with(framework: Any, mix: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The demo's packages brokered through ``framework`` with ``mix`` as the funding bands
    (then undone): each person's funding and share, and each placement's person, provider,
    time and rate."""
    with monkeypatch.context() as patch, transaction.atomic():
        patch.setattr(demo, "FUNDING_MIX", mix)
        demo.broker_market(framework, demo.Plan(PACKAGES), seed=demo.SEED, now=NOW)
        people = {p.reference: (p.funding, p.nhs_share_percent) for p in Person.objects.all()}
        placements = sorted(
            Placement.objects.values_list(
                "package__person__reference", "provider__name", "at", "rate"
            )
        )
        transaction.set_rollback(True)
    return {"people": people, "placements": placements}


def test_demo_people_are_funded_as_a_county_s_are_without_changing_who_is_placed_where(
    geography: Any, council: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    framework = make_market(council, primes=2, supplementary=2)
    before = _brokered_with(framework, EVERYONE_COUNCIL, monkeypatch)
    after = _brokered_with(framework, demo.FUNDING_MIX, monkeypatch)
    assert after["placements"] == before["placements"]
    assert len(after["placements"]) > PACKAGES // 2
    people = after["people"]
    streams = Counter(funding for funding, _share in people.values())
    assert streams["council"] > len(people) * 0.7
    assert streams["nhs_chc"] >= 1 and streams["direct_payment"] >= 1
    assert all((share is not None) == (funding == "joint") for funding, share in people.values())
    if "joint" in FUNDINGS:
        shares = {share for funding, share in people.values() if funding == "joint"}
        assert shares and shares <= {Decimal("50.00"), Decimal("35.00")}


def test_the_demo_s_funding_bands() -> None:
    assert demo.funding_of(0.0) == ("nhs_chc", None)
    assert demo.funding_of(0.15) == ("direct_payment", None)
    assert demo.funding_of(0.99) == ("council", None)
    if "joint" in FUNDINGS:
        assert demo.funding_of(0.09) == ("joint", Decimal("50"))
        assert demo.funding_of(0.12) == ("joint", Decimal("35"))
    else:  # until the engine takes joint funding, those people are the council's
        assert demo.funding_of(0.09) == demo.funding_of(0.12) == ("council", None)
