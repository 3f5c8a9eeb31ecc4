"""Fee uplifts: a commissioner applies one to a framework from a day; what is refused and why;
withdrawing one; an approved invoice's days are frozen; and the pages.

The market is the delivery tests' (framework from 5 January 2026; P-0001 and P-0002 placed
with Prime 1, P-0003 with Prime 2, daily 08:00 for 30 minutes at £20.00 an hour, from Monday
9 March 2026). Prime 1's period of 9 March to 5 April 2026, with no logs, is 56 missed
visits and no exception to decide, so it can be approved as it stands.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from carecore.errors import InputError
from homecare.brokerage.testing import NOW, other_council, persona
from homecare.conftest import _persona
from homecare.delivery import reconciliation
from homecare.delivery.testing import PERIOD_START
from homecare.delivery.tests.conftest import *  # noqa: F403 (the delivery tests' fixtures)
from homecare.delivery.tests.conftest import _immediate_tasks  # noqa: F401 (autouse)
from homecare.finance import uplifts
from homecare.finance.models import FeeUplift
from homecare.finance.tests.test_commitments_wiring import URLS

pytestmark = pytest.mark.urls(URLS)
APRIL = date(2026, 4, 6)


def apply(framework: Any, user: Any = None, **kw: Any) -> FeeUplift:
    values: dict[str, Any] = {"effective_from": APRIL, "percent": Decimal("4.5")}
    values.update(kw)
    values.setdefault("reason", "National Living Wage rise")
    return uplifts.apply_fee_uplift(framework, now=NOW, acting_user=user, **values)


def approve_prime_1(council: Any, provider: Any, user: Any) -> Any:
    run = reconciliation.run_reconciliation(
        council, provider, PERIOD_START, now=NOW, acting_user=user
    )
    return reconciliation.approve_invoice(run, now=NOW, acting_user=user).run


def test_a_percentage_uplift_is_kept_with_who_applied_it(
    framework: Any, placed: Any, commissioner: Any
) -> None:
    made = apply(framework, commissioner)
    assert (made.effective_from, made.percent, made.band_rates) == (APRIL, Decimal("4.50"), {})
    assert made.applied_by == commissioner and made.applied_at == NOW
    assert made.history.get().history_user == commissioner


def test_new_band_rates_are_kept_to_the_penny_by_band_code(
    framework: Any, commissioner: Any
) -> None:
    made = apply(framework, commissioner, percent=None, band_rates={"urban": Decimal("21.5")})
    assert made.percent is None and made.band_rates == {"URBAN": "21.50"}


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        ({"effective_from": date(2026, 1, 4)}, "effective_from", "on or after 5 January 2026"),
        ({"effective_from": None}, "effective_from", "Enter the date"),
        ({"band_rates": {"URBAN": "21"}}, "percent", "either a percentage or new rates"),
        ({"percent": None}, "percent", "either a percentage or new rates"),
        ({"percent": Decimal("100.01")}, "percent", "at most 100%"),
        ({"percent": Decimal("-50")}, "percent", "more than −50%"),
        ({"percent": Decimal("0")}, "percent", "changes nothing"),
        ({"percent": Decimal("4.555")}, "percent", "two decimal places"),
        ({"percent": None, "band_rates": {}}, "band_rates", "at least one band"),
        ({"percent": None, "band_rates": {"NOWHERE": "20"}}, "band_rates.NOWHERE", "bands"),
        ({"percent": None, "band_rates": {"URBAN": "21.355"}}, "band_rates.URBAN", "penny"),
        ({"percent": None, "band_rates": {"URBAN": "0"}}, "band_rates.URBAN", "more than £0"),
        ({"reason": "  "}, "reason", "Enter the reason"),
        ({"reason": "a\x00b"}, "reason", "control characters"),
    ],
)
def test_a_bad_uplift_is_refused_naming_what_is_wrong(
    framework: Any, values: dict[str, Any], key: str, message: str
) -> None:
    with pytest.raises(InputError, match=message) as caught:
        apply(framework, **values)
    assert caught.value.key == key
    assert not FeeUplift.objects.exists()


def test_one_uplift_a_framework_and_day(framework: Any) -> None:
    apply(framework)
    with pytest.raises(InputError, match="already has an uplift from 6 April 2026"):
        apply(framework, percent=Decimal("1"))


def test_a_framework_paying_at_its_card_is_uplifted_on_the_card(framework: Any) -> None:
    type(framework).objects.filter(pk=framework.pk).update(pay_at_card=True)
    with pytest.raises(InputError, match="rate card") as caught:
        apply(framework)
    assert caught.value.key == "framework"


def test_an_approved_period_is_frozen_naming_its_last_day(
    council: Any, framework: Any, placed: Any, prime_1: Any, finance: Any
) -> None:
    approve_prime_1(council, prime_1, finance)
    assert uplifts.last_approved_day(framework) == date(2026, 4, 5)
    with pytest.raises(InputError, match="approved up to 5 April 2026") as caught:
        apply(framework, effective_from=date(2026, 4, 5))
    assert caught.value.key == "effective_from"
    assert apply(framework, effective_from=APRIL).effective_from == APRIL


def test_an_uplift_makes_draft_runs_it_reaches_due_a_re_run(
    council: Any, framework: Any, placed: Any, prime_1: Any, finance: Any
) -> None:
    run = reconciliation.run_reconciliation(
        council, prime_1, PERIOD_START, now=NOW, acting_user=finance
    )
    apply(framework, effective_from=date(2026, 4, 6))  # after the period: nothing to re-run
    run.refresh_from_db()
    assert not run.stale
    apply(framework, effective_from=date(2026, 3, 16))
    run.refresh_from_db()
    assert run.stale
    with pytest.raises(InputError, match="re-run"):
        reconciliation.approve_invoice(run, now=NOW, acting_user=finance)


def test_an_uplift_is_withdrawn_until_an_approved_invoice_paid_it(
    council: Any, framework: Any, placed: Any, prime_1: Any, finance: Any, commissioner: Any
) -> None:
    first = apply(framework, effective_from=date(2026, 3, 16))
    uplifts.withdraw_fee_uplift(
        first, reason="Applied to the wrong framework", now=NOW, acting_user=commissioner
    )
    assert not FeeUplift.objects.exists()
    gone = FeeUplift.history.filter(history_type="-").get()
    assert gone.history_user == commissioner
    assert gone.history_change_reason == "Applied to the wrong framework"
    again = apply(framework, effective_from=date(2026, 3, 16))
    approve_prime_1(council, prime_1, finance)
    with pytest.raises(InputError, match="approved up to 5 April 2026"):
        uplifts.withdraw_fee_uplift(again, reason="", now=NOW, acting_user=commissioner)
    assert FeeUplift.objects.filter(pk=again.pk).exists()


# --- the pages ----------------------------------------------------------------------------


def url(framework: Any) -> str:
    return reverse("finance:uplifts", args=[framework.pk])


FORM = {
    "how": "percent",
    "percent": "4.5",
    "day": "6",
    "month": "4",
    "year": "2026",
    "reason": "National Living Wage rise",
}


def test_a_commissioner_applies_an_uplift_on_the_page(
    framework: Any, commissioner: Any, signed_in: Any
) -> None:
    client = signed_in(commissioner)
    page = client.get(url(framework))
    assert page.status_code == 200 and b'id="how"' in page.content
    response = client.post(url(framework), FORM)
    assert response.status_code == 302
    made = FeeUplift.objects.get()
    assert (made.effective_from, made.percent, made.applied_by) == (
        APRIL,
        Decimal("4.50"),
        commissioner,
    )
    html = client.get(url(framework)).content.decode()
    assert "6 April 2026" in html and "4.50%" in html and "National Living Wage rise" in html


def test_band_rates_on_the_page(framework: Any, commissioner: Any, signed_in: Any) -> None:
    form = {**FORM, "how": "rates", "percent": "", "rate_URBAN": "£21.35"}
    response = signed_in(commissioner).post(url(framework), form)
    assert response.status_code == 302
    assert FeeUplift.objects.get().band_rates == {"URBAN": "21.35"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"day": "31", "month": "2"}, "day", "Date the uplift starts must be a real date"),
        ({"day": "", "month": "", "year": ""}, "day", "Enter the date the uplift starts"),
        ({"year": "2025"}, "day", "on or after 5 January 2026"),
        ({"percent": "lots"}, "percent", "Uplift must be a number"),
        ({"percent": "150"}, "percent", "at most 100%"),
        ({"how": ""}, "how", "Choose how placements are uplifted"),
        ({"reason": ""}, "reason", "Enter the reason for the uplift"),
        ({"how": "rates", "rate_URBAN": "21.355"}, "rate_URBAN", "to the penny"),
        ({"how": "rates"}, "rate_URBAN", "at least one band"),
    ],
)
def test_a_bad_uplift_on_the_page_is_an_error_on_its_field(
    framework: Any,
    commissioner: Any,
    signed_in: Any,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = signed_in(commissioner).post(url(framework), {**FORM, **changes})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'href="#{field}"' in html and f'id="{field}-error"' in html
    assert not FeeUplift.objects.exists()


def test_a_finance_officer_reads_the_uplifts_but_cannot_apply_one(
    framework: Any, finance: Any, signed_in: Any
) -> None:
    apply(framework)
    client = signed_in(finance)
    page = client.get(url(framework))
    assert page.status_code == 200 and b"6 April 2026" in page.content
    assert b'id="how"' not in page.content and b"Withdraw" not in page.content
    assert client.post(url(framework), FORM).status_code == 403
    assert FeeUplift.objects.count() == 1


@pytest.mark.parametrize("who", ["broker", "prime_1_user", "outsider"])
def test_brokers_providers_and_outsiders_are_refused(
    framework: Any, who: str, request: Any, signed_in: Any
) -> None:
    user = request.getfixturevalue(who)
    assert signed_in(user).get(url(framework)).status_code == 403


def test_another_councils_commissioner_does_not_find_the_framework(
    framework: Any, signed_in: Any
) -> None:
    theirs = persona("their_commissioner", other_council(), "commissioner")
    assert signed_in(theirs).get(url(framework)).status_code == 404
    assert signed_in(theirs).post(url(framework), FORM).status_code == 404


def test_withdrawing_on_the_page_asks_for_a_reason(
    framework: Any, commissioner: Any, signed_in: Any
) -> None:
    made = apply(framework)
    withdraw = reverse("finance:uplift-withdraw", args=[framework.pk, made.pk])
    client = signed_in(commissioner)
    assert client.get(withdraw).status_code == 200
    refused = client.post(withdraw, {"reason": ""})
    assert refused.status_code == 400 and b"Enter why the uplift is withdrawn" in refused.content
    assert client.post(withdraw, {"reason": "Entered twice"}).status_code == 302
    assert not FeeUplift.objects.exists()
    other = _persona("finance_2", framework.council, "finance")
    assert signed_in(other).get(withdraw).status_code == 403
