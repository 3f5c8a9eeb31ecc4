"""The rate a placement is paid on each day: its tendered rate, changed by the framework's fee
uplifts from their dates, or the rate card's band rate where the framework pays at the card.

One rule, used by reconciliation runs (which price each day at the rate then in force) and by
purchase orders (which commit each week at it):

- A placement's ``rate`` is what it was placed at: the appointed (or spot, or bid) rate,
  which an uplift never changes. Every uplift of its framework applies to it from the later
  of the uplift's day and the day it was placed, whenever the uplift was applied (so an
  uplift may be backdated, and a package placed after it is paid it from its first day).
  A spot or mini-competition rate agreed after an uplift is uplifted too: agree it before
  the uplift, or net of it.
- A percentage uplift multiplies the rate then in force by (100 + percent) / 100, rounded half
  up to the penny. An uplift of new band rates replaces the rate for a placement in one of its
  bands and leaves the others as they were.
- A framework that pays at the card (``pay_at_card``) has no tendered rate: the card's band
  rate in force on each day is paid (the engine reads it from the card), and uplifts are made
  by adding a period to the card, so the spans carry ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from carecore.units import as_london, to_pence

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class RateSpan:
    """``pence`` an hour (None: the card's band rate) from ``first`` to ``last`` inclusive
    (None: open-ended)."""

    first: date
    last: date | None
    pence: int | None


def uplifted(pence: int, uplift: Any, band: str) -> int:
    """``pence`` an hour after one uplift, for a placement in ``band``."""
    rates = {str(k).strip().upper(): v for k, v in (uplift.band_rates or {}).items()}
    if rates:
        new = rates.get(band.strip().upper())
        return pence if new is None else to_pence(Decimal(str(new)))
    percent = Decimal(str(uplift.percent or 0))
    scaled = Decimal(pence) * (HUNDRED + percent) / HUNDRED
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def placed_on(placement: Any) -> date:
    """The London day a placement was made."""
    return as_london(placement.at).date()


def rate_spans(
    placement: Any,
    band: str,
    uplifts: Sequence[Any],
    *,
    pay_at_card: bool = False,
) -> list[RateSpan]:
    """The placement's rate from the day it was placed on, in spans that change on the days
    of ``uplifts`` (the framework's, any order)."""
    start = placed_on(placement)
    if pay_at_card:
        return [RateSpan(start, None, None)]
    pence = to_pence(Decimal(placement.rate))
    spans: list[RateSpan] = []
    first = start
    for uplift in sorted(uplifts, key=lambda u: u.effective_from):
        day = max(uplift.effective_from, start)
        if day > first:
            spans.append(RateSpan(first, day - timedelta(days=1), pence))
            first = day
        pence = uplifted(pence, uplift, band)
    spans.append(RateSpan(first, None, pence))
    return spans


def rate_on(spans: Iterable[RateSpan], day: date) -> int | None:
    """The rate of ``spans`` in force on ``day`` (the first span's before it starts)."""
    items = list(spans)
    for span in items:
        if span.first <= day and (span.last is None or day <= span.last):
            return span.pence
    return items[0].pence if items else None


def clip(spans: Iterable[RateSpan], first: date, last: date | None) -> list[RateSpan]:
    """``spans`` cut to ``first``..``last`` (inclusive; None is open-ended); the first span
    reaches back to ``first`` where it starts later."""
    items = list(spans)
    if items and items[0].first > first:
        items[0] = RateSpan(first, items[0].last, items[0].pence)
    out = []
    for span in items:
        a = max(span.first, first)
        ends = [d for d in (span.last, last) if d is not None]
        b = min(ends) if ends else None
        if b is None or a <= b:
            out.append(RateSpan(a, b, span.pence))
    return out


def purchase_order_number(placement: Any) -> str:
    """The purchase order of a placement: one a placement, for its whole life."""
    return f"PO-{placement.pk:07d}"
