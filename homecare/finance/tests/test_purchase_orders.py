"""Purchase orders of real placements: made through the brokerage and change actions, changed
by a variation, an uplift and an ending; who may read them.

P-0001 is placed with Prime 1 on Monday 2 March 2026 at £20.00 an hour, starting 9 March,
daily 08:00 for 30 minutes: 210 carer minutes a week, 210 x 2000 / 60 = 7000p. Worked by hand:

- from 16 March the council varies it to 15 minutes a day (fewer hours: applied at once):
  105 x 2000 / 60 = 3500p;
- from 6 April a 4.5% uplift: 2000 x 1.045 = 2090p an hour; 105 x 2090 / 60 = 3657.5p,
  half up to 3658p;
- care ends from 1 May: the order's last day is 30 April.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from homecare.brokerage import changes
from homecare.brokerage.testing import NOW, make_market, other_council, persona
from homecare.delivery.testing import place_package
from homecare.delivery.tests.conftest import *  # noqa: F403 (the delivery tests' fixtures)
from homecare.delivery.tests.conftest import _immediate_tasks  # noqa: F401 (autouse)
from homecare.finance import purchase_orders as po
from homecare.finance import uplifts
from homecare.finance.tests.test_commitments_wiring import URLS

pytestmark = pytest.mark.urls(URLS)
START = date(2026, 3, 9)


def rows(order: po.PurchaseOrder) -> list[tuple[Any, ...]]:
    return [
        (v.first, v.last, v.carer_minutes, v.rate_pence, v.weekly_pence, v.why)
        for v in order.versions
    ]


def test_a_placed_package_has_one_order_by_hand(placed: dict[str, Any]) -> None:
    placement = placed["P-0001"]
    order = po.purchase_order(placement)
    assert order.number == f"PO-{placement.pk:07d}"
    assert rows(order) == [(START, None, 210, 2000, 7000, ("placed",))]
    version = order.versions[0]
    assert (version.contact_hours, version.carer_hours) == (Decimal("3.50"), Decimal("3.50"))


def test_a_variation_an_uplift_and_an_ending_change_the_order_from_their_days(
    framework: Any, placed: dict[str, Any], commissioner: Any
) -> None:
    placement = placed["P-0001"]
    package = placement.package
    changes.vary_package(
        package,
        "Daily 08:00 15m",
        effective_from=date(2026, 3, 16),
        reason="Needs less help",
        now=NOW,
        acting_user=commissioner,
    )
    uplifts.apply_fee_uplift(
        framework,
        effective_from=date(2026, 4, 6),
        percent=Decimal("4.5"),
        reason="National Living Wage rise",
        now=NOW,
        acting_user=commissioner,
    )
    changes.end_package_from(
        package,
        ends_from=date(2026, 5, 1),
        reason="no_longer_needed",
        now=NOW,
        acting_user=commissioner,
    )
    placement.refresh_from_db()
    placement = po.with_what_orders_read(type(placement).objects.filter(pk=placement.pk)).get()
    assert rows(po.purchase_order(placement)) == [
        (START, date(2026, 3, 15), 210, 2000, 7000, ("placed",)),
        (date(2026, 3, 16), date(2026, 4, 5), 105, 2000, 3500, ("schedule",)),
        (date(2026, 4, 6), date(2026, 4, 30), 105, 2090, 3658, ("uplift",)),
    ]
    # The other placements' orders changed only by the uplift, from its day.
    others = po.purchase_orders(
        po.with_what_orders_read(type(placement).objects.exclude(pk=placement.pk).order_by("pk"))
    )
    for order in others:
        assert rows(order) == [
            (START, date(2026, 4, 5), 210, 2000, 7000, ("placed",)),
            (date(2026, 4, 6), None, 210, 2090, 7315, ("uplift",)),
        ]


# --- who may read an order ----------------------------------------------------------------


def url(placement: Any) -> str:
    return reverse("finance:purchase-order", args=[placement.pk])


def test_the_council_and_the_placed_provider_read_the_order(
    placed: dict[str, Any], finance: Any, commissioner: Any, prime_1_user: Any, signed_in: Any
) -> None:
    placement = placed["P-0001"]
    for user in (finance, commissioner, prime_1_user):
        response = signed_in(user).get(url(placement))
        assert response.status_code == 200
        html = response.content.decode()
        assert f"PO-{placement.pk:07d}" in html and "£70.00" in html and "P-0001" in html


def test_another_provider_and_another_council_do_not_find_it(
    placed: dict[str, Any], prime_2_user: Any, signed_in: Any
) -> None:
    placement = placed["P-0001"]
    assert signed_in(prime_2_user).get(url(placement)).status_code == 404
    theirs = persona("their_finance", other_council(), "finance")
    assert signed_in(theirs).get(url(placement)).status_code == 404
    missing = reverse("finance:purchase-order", args=[999999])
    assert signed_in(theirs).get(missing).status_code == 404


@pytest.mark.parametrize("who", ["broker", "outsider"])
def test_brokers_and_outsiders_are_refused(
    placed: dict[str, Any], who: str, request: Any, signed_in: Any
) -> None:
    user = request.getfixturevalue(who)
    assert signed_in(user).get(url(placed["P-0001"])).status_code == 403
    assert signed_in(user).get(reverse("finance:purchase-orders")).status_code == 403


def test_a_provider_lists_only_its_own_orders_and_finds_one_by_number(
    placed: dict[str, Any], prime_1_user: Any, signed_in: Any
) -> None:
    client = signed_in(prime_1_user)
    html = client.get(reverse("finance:purchase-orders")).content.decode()
    assert "P-0001" in html and "P-0002" in html and "P-0003" not in html
    mine, theirs = placed["P-0001"], placed["P-0003"]
    found = client.get(reverse("finance:purchase-orders"), {"q": f"PO-{mine.pk:07d}"})
    assert found.status_code == 302 and found["Location"] == url(mine)
    hidden = client.get(reverse("finance:purchase-orders"), {"q": f"PO-{theirs.pk:07d}"})
    assert hidden.status_code == 200 and b"No purchase order you may see matches" in hidden.content


def test_the_council_finds_orders_by_person(
    placed: dict[str, Any], finance: Any, signed_in: Any
) -> None:
    html = (
        signed_in(finance).get(reverse("finance:purchase-orders"), {"q": "p-0003"}).content.decode()
    )
    assert "P-0003" in html and "Prime 2 (test)" in html and "P-0001" not in html


def test_a_second_councils_placements_are_its_own(
    council: Any, placed: dict[str, Any], finance: Any, signed_in: Any
) -> None:
    second = other_council()
    theirs = make_market(second, name="Their framework")
    placement = place_package(theirs, "P-0001")
    assert signed_in(finance).get(url(placement)).status_code == 404
    their_finance = persona("their_finance", second, "finance")
    assert signed_in(their_finance).get(url(placement)).status_code == 200
    assert signed_in(their_finance).get(url(placed["P-0001"])).status_code == 404
