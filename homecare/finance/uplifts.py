"""Fee uplifts: a commissioner raises (or lowers) what a framework's placements are paid, from
a day, by a percentage or by new rates per band.

How an uplift changes each placement's rate is :mod:`homecare.finance.rates`' rule, used by
reconciliation runs and purchase orders alike. These are the writes, each in a transaction
and audited (the uplift's history names who applied or withdrew it):

- :func:`apply_fee_uplift` checks everything first (:func:`uplift_problems` lists every
  problem, so a page shows them at once; the action raises the first).
- :func:`withdraw_fee_uplift` removes one, only while no approved invoice covers a day from
  its date on.

An approved invoice is frozen: an uplift may not start on or before the last day of an
approved period of the framework's providers at its council, since it would change what was
approved. Draft runs of those providers that cover a day from the uplift's date on are marked
to be re-run before their invoices are approved (their prices are out of date).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet

from carecore.errors import InputError
from carecore.units import as_london
from homecare.accounts import bounds
from homecare.accounts.models import audited
from homecare.commissioning.models import Framework, PricingBand
from homecare.delivery.models import ReconciliationRun
from homecare.finance.models import FeeUplift

PENNY = Decimal("0.01")
LOWEST_PERCENT = Decimal(-50)  # excluded: a cut of half or more is not an uplift
HIGHEST_PERCENT = Decimal(100)
HIGHEST_RATE = Decimal("999.99")
REASON_LENGTH = 2000
WITHDRAW_REASON_LENGTH = 100


def shown(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def council_bands(council: Any) -> list[str]:
    """The band codes of the council's areas (URBAN, RURAL, ...), cheapest first."""
    rows = (
        PricingBand.objects.filter(areas__zone__council=council)
        .order_by("rank", "code")
        .values_list("code", flat=True)
        .distinct()
    )
    return list(dict.fromkeys(rows))


def framework_runs(framework: Framework) -> QuerySet[ReconciliationRun]:
    """The runs of the framework's council for the providers placed through it."""
    return ReconciliationRun.objects.filter(
        council_id=framework.council_id,
        provider__placements__request__framework=framework,
    ).distinct()


def last_approved_day(framework: Framework) -> date | None:
    """The last day of the latest approved period of the framework's providers at its
    council: no uplift may start on or before it."""
    found = ReconciliationRun.objects.filter(
        pk__in=framework_runs(framework)
        .filter(status=ReconciliationRun.Status.APPROVED)
        .values("pk")
    ).aggregate(last=Max("period_end"))["last"]
    return found if isinstance(found, date) else None


def _percent_problems(percent: Any) -> list[InputError]:
    try:
        value = Decimal(str(percent))
    except InvalidOperation:
        return [InputError("The uplift must be a number, like 4.5", key="percent")]
    if not value.is_finite():
        return [InputError("The uplift must be a number, like 4.5", key="percent")]
    if value == 0:
        return [InputError("An uplift of 0% changes nothing: give another figure", key="percent")]
    if not LOWEST_PERCENT < value <= HIGHEST_PERCENT:
        return [
            InputError("The uplift must be more than −50% and at most 100%", key="percent"),
        ]
    if value != value.quantize(PENNY):
        return [
            InputError("The uplift can have at most two decimal places, like 4.25", key="percent")
        ]
    return []


def _rate_problems(band_rates: Mapping[str, Any], bands: list[str]) -> list[InputError]:
    problems: list[InputError] = []
    known = {band.upper() for band in bands}
    if not band_rates:
        return [InputError("Give a new rate for at least one band", key="band_rates")]
    for band, rate in band_rates.items():
        code = str(band).strip().upper()
        key = f"band_rates.{code}"
        if code not in known:
            listed = ", ".join(b.title() for b in bands) or "none"
            problems.append(
                InputError(f"{band} is not one of the council's bands ({listed})", key=key)
            )
            continue
        try:
            value = Decimal(str(rate))
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            problems.append(InputError("The rate must be an amount in pounds, like 21.35", key=key))
        elif not Decimal(0) < value <= HIGHEST_RATE:
            problems.append(
                InputError("The rate must be more than £0 and at most £999.99 an hour", key=key)
            )
        elif value != value.quantize(PENNY):
            problems.append(InputError("The rate must be to the penny, like 21.35", key=key))
    return problems


def uplift_problems(
    framework: Framework,
    *,
    effective_from: date | None,
    percent: Any = None,
    band_rates: Mapping[str, Any] | None = None,
    reason: str = "",
) -> list[InputError]:
    """Everything wrong with an uplift of ``framework``, each an InputError whose key names
    what it is about (``effective_from``, ``percent``, ``band_rates`` or
    ``band_rates.<BAND>``, ``reason``); empty when it may be applied."""
    problems: list[InputError] = []
    if framework.pay_at_card:
        problems.append(
            InputError(
                "This framework pays the rate card's rates: add the new rates to the card instead",
                key="framework",
            )
        )
    if effective_from is None or not isinstance(effective_from, date):
        problems.append(InputError("Enter the date the uplift starts", key="effective_from"))
    elif isinstance(effective_from, datetime):
        problems.append(InputError("The uplift starts on a day, not a time", key="effective_from"))
    else:
        problems.extend(_date_problems(framework, effective_from))
    if (percent is None) == (band_rates is None):
        problems.append(
            InputError("Give either a percentage or new rates for the bands", key="percent")
        )
    elif percent is not None:
        problems.extend(_percent_problems(percent))
    else:
        problems.extend(_rate_problems(band_rates or {}, council_bands(framework.council)))
    text = (reason or "").strip()
    if not text:
        problems.append(InputError("Enter the reason for the uplift", key="reason"))
    elif len(text) > REASON_LENGTH:
        problems.append(InputError("The reason must be 2,000 characters or fewer", key="reason"))
    elif bounds.has_control_characters(text):
        problems.append(InputError(f"The reason {bounds.CONTROL_MESSAGE}", key="reason"))
    return problems


def _date_problems(framework: Framework, effective_from: date) -> list[InputError]:
    try:
        bounds.check_day(effective_from)
    except InputError as exc:
        return [InputError(f"The date {exc.message}", key="effective_from")]
    if effective_from < framework.start_date:
        return [
            InputError(
                f"The uplift must start on or after {shown(framework.start_date)}, when the "
                "framework started",
                key="effective_from",
            )
        ]
    if FeeUplift.objects.filter(framework=framework, effective_from=effective_from).exists():
        return [
            InputError(
                f"The framework already has an uplift from {shown(effective_from)}: withdraw "
                "it first, or choose another day",
                key="effective_from",
            )
        ]
    frozen = last_approved_day(framework)
    if frozen is not None and effective_from <= frozen:
        return [
            InputError(
                f"Invoices are approved up to {shown(frozen)} and cannot change: the uplift "
                f"must start after {shown(frozen)}",
                key="effective_from",
            )
        ]
    return []


def _rates_text(band_rates: Mapping[str, Any]) -> dict[str, str]:
    return {
        str(band).strip().upper(): f"{Decimal(str(rate)).quantize(PENNY)}"
        for band, rate in band_rates.items()
    }


def _mark_stale(framework: Framework, from_day: date, acting_user: Any) -> int:
    """Draft runs covering a day from ``from_day`` on are priced at old rates: re-run them
    before approving."""
    runs = framework_runs(framework).filter(
        status=ReconciliationRun.Status.DRAFT, period_end__gte=from_day, stale=False
    )
    count = 0
    for run in ReconciliationRun.objects.filter(pk__in=runs.values("pk")):
        run.stale = True
        audited(run, acting_user).save(update_fields=["stale"])
        count += 1
    return count


@transaction.atomic
def apply_fee_uplift(
    framework: Framework,
    *,
    effective_from: date,
    percent: Any = None,
    band_rates: Mapping[str, Any] | None = None,
    reason: str,
    now: datetime,
    acting_user: Any,
) -> FeeUplift:
    """Uplift the framework's placements from ``effective_from``: by ``percent`` of the rate
    then in force, or to ``band_rates`` (band code: pounds an hour) for placements in those
    bands. Raises the first of :func:`uplift_problems`."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    problems = uplift_problems(
        framework,
        effective_from=effective_from,
        percent=percent,
        band_rates=band_rates,
        reason=reason,
    )
    if problems:
        raise problems[0]
    uplift = FeeUplift(
        framework=framework,
        effective_from=effective_from,
        percent=Decimal(str(percent)).quantize(PENNY) if percent is not None else None,
        band_rates=_rates_text(band_rates) if band_rates is not None else {},
        reason=reason.strip(),
        applied_by=acting_user,
        applied_at=now,
    )
    audited(uplift, acting_user).save()
    _mark_stale(framework, effective_from, acting_user)
    return uplift


def withdraw_problems(uplift: FeeUplift) -> list[InputError]:
    """Why ``uplift`` may not be withdrawn: an approved invoice covers a day it changed."""
    frozen = last_approved_day(uplift.framework)
    if frozen is not None and frozen >= uplift.effective_from:
        return [
            InputError(
                f"Invoices are approved up to {shown(frozen)}, paid with this uplift: it can no "
                "longer be withdrawn. Apply another uplift from a later day instead",
                key="uplift",
            )
        ]
    return []


@transaction.atomic
def withdraw_fee_uplift(
    uplift: FeeUplift, *, reason: str = "", now: datetime, acting_user: Any
) -> None:
    """Remove ``uplift`` (its history keeps who removed it, when and why), while no approved
    invoice covers a day from its date on."""
    Framework.objects.select_for_update().get(pk=uplift.framework_id)
    uplift = FeeUplift.objects.select_related("framework").get(pk=uplift.pk)
    problems = withdraw_problems(uplift)
    if problems:
        raise problems[0]
    text = (reason or "").strip()
    if len(text) > WITHDRAW_REASON_LENGTH or bounds.has_control_characters(text):
        raise InputError("The reason must be plain text of 100 characters or fewer", key="reason")
    audited(uplift, acting_user)
    # The history row keeps the reason (its column holds 100 characters).
    day = shown(as_london(now).date())
    uplift._change_reason = text or f"Withdrawn on {day}"  # type: ignore[attr-defined]
    _mark_stale(uplift.framework, uplift.effective_from, acting_user)
    uplift.delete()
