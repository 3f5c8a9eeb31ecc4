"""A provider's pay return: what it declares it pays its care workers, from a day.

The pay-floor audit (:mod:`homecare.finance.pay_audit_inputs`) applies the return in force on
each day to the carers' working days rebuilt from the visit logs. A return is never assumed:
a provider that has filed none is listed as such.

``file_pay_return`` is filed by the provider's own users (or the system: the demo, tests).
Filing again for a day already filed corrects that return; the history keeps each version
and who filed it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from carecore.errors import InputError
from carecore.pay_audit import MAX_BREAK_MINUTES, PayPolicy
from carecore.units import as_london, to_decimal
from homecare.accounts.models import Membership, audited
from homecare.finance.models import PayReturn

EARLIEST = date(2013, 10, 1)  # the first day of the pay floor data
MOST_AHEAD = timedelta(days=366)
MOST_POUNDS = Decimal("1000.00")  # an hour or a visit: more is a slip of the keyboard


def _pounds(value: Any, key: str, words: str) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError(f"enter {words}", key=key)
    try:
        amount = to_decimal(value, key=key)
    except InputError:
        raise InputError(f"{words} must be an amount in pounds, like 12.50", key=key) from None
    if amount <= 0:
        raise InputError(f"{words} must be more than £0", key=key)
    if amount > MOST_POUNDS:
        raise InputError(f"{words} must be £1,000 or less", key=key)
    if amount != amount.quantize(Decimal("0.01")):
        raise InputError(f"{words} must be in pounds and pence, like 12.50", key=key)
    return amount.quantize(Decimal("0.01"))


def _whole(value: Any, key: str) -> int:
    if isinstance(value, bool):
        raise InputError("the longest wait must be whole minutes", key=key)
    text = str(value).strip() if value is not None else ""
    if not text.isdecimal() or not text.isascii():
        raise InputError("the longest wait must be whole minutes, like 60", key=key)
    minutes = int(text)
    if minutes > MAX_BREAK_MINUTES:
        raise InputError(f"the longest wait must be {MAX_BREAK_MINUTES:,} minutes or less", key=key)
    return minutes


def _check_filer(provider: Any, acting_user: Any) -> None:
    if acting_user is None:  # the system: the demo and tests
        return
    if not Membership.objects.filter(
        user=acting_user, organisation=provider.organisation, role=Membership.Role.PROVIDER
    ).exists():
        raise InputError("only the provider's own staff may file its pay return", key="provider")


@transaction.atomic
def file_pay_return(
    provider: Any,
    *,
    effective_from: Any,
    hourly_pay: Any,
    travel_pay: Any,
    travel_rate: Any = None,
    per_visit_pay: Any = None,
    waiting_paid: Any,
    break_after_minutes: Any,
    now: datetime,
    acting_user: Any,
) -> PayReturn:
    """File (or correct) the provider's pay return from ``effective_from``.

    Money is pounds; ``travel_rate`` is needed when travel is paid at its own rate and
    ``per_visit_pay`` when it is paid a fixed sum a visit (each is ignored otherwise);
    ``break_after_minutes`` is the longest wait between visits counted as working time.
    Bad input raises :class:`InputError` whose key names the field.
    """
    _check_filer(provider, acting_user)
    if not isinstance(effective_from, date) or isinstance(effective_from, datetime):
        raise InputError("enter the date this pay starts", key="effective_from")
    today = as_london(now).date()
    if effective_from < EARLIEST:
        raise InputError(
            "the date this pay starts must be on or after 1 October 2013", key="effective_from"
        )
    if effective_from > today + MOST_AHEAD:
        raise InputError(
            "the date this pay starts must be within a year from today", key="effective_from"
        )
    hourly = _pounds(hourly_pay, "hourly_pay", "the hourly pay")
    if travel_pay not in PayReturn.TravelPay.values:
        raise InputError("choose how travel between visits is paid", key="travel_pay")
    rate = per_visit = None
    if travel_pay == PayReturn.TravelPay.OWN_RATE:
        rate = _pounds(travel_rate, "travel_rate", "the hourly rate for travel")
    if travel_pay == PayReturn.TravelPay.PER_VISIT:
        per_visit = _pounds(per_visit_pay, "per_visit_pay", "the sum paid a visit for travel")
    if not isinstance(waiting_paid, bool):
        raise InputError("say whether waiting between visits is paid", key="waiting_paid")
    minutes = _whole(break_after_minutes, "break_after_minutes")
    filed = PayReturn.objects.filter(provider=provider, effective_from=effective_from).first()
    pay_return = filed or PayReturn(provider=provider, effective_from=effective_from)
    pay_return.hourly_pay = hourly
    pay_return.travel_pay = str(travel_pay)
    pay_return.travel_rate = rate
    pay_return.per_visit_pay = per_visit
    pay_return.waiting_paid = waiting_paid
    pay_return.break_after_minutes = minutes
    pay_return.filed_by = acting_user
    pay_return.filed_at = now
    audited(pay_return, acting_user).save()
    return pay_return


def policy_of(pay_return: PayReturn) -> PayPolicy:
    """The engine's policy for a filed return."""
    return PayPolicy(
        hourly_pay=Decimal(pay_return.hourly_pay),
        travel_pay=pay_return.travel_pay,
        travel_rate=pay_return.travel_rate
        if pay_return.travel_pay == PayReturn.TravelPay.OWN_RATE
        else None,
        per_visit_pay=pay_return.per_visit_pay
        if pay_return.travel_pay == PayReturn.TravelPay.PER_VISIT
        else None,
        waiting_paid=pay_return.waiting_paid,
        break_after_minutes=pay_return.break_after_minutes,
        effective_from=pay_return.effective_from,
    )


def describe_return(pay_return: PayReturn) -> str:
    """The return in plain words, for pages and the CSV."""
    kind = pay_return.travel_pay
    if kind == PayReturn.TravelPay.OWN_RATE:
        travel = f"travel between visits paid at £{pay_return.travel_rate:,} an hour"
    elif kind == PayReturn.TravelPay.PER_VISIT:
        travel = f"travel paid £{pay_return.per_visit_pay:,} a visit"
    elif kind == PayReturn.TravelPay.HOURLY:
        travel = "travel between visits paid at the same rate"
    else:
        travel = "travel between visits not paid"
    waiting = "waiting between visits paid" if pay_return.waiting_paid else "waiting not paid"
    return (
        f"£{pay_return.hourly_pay:,} an hour for time with people; {travel}; {waiting}; "
        f"a wait of more than {pay_return.break_after_minutes} minutes is a break"
    )
