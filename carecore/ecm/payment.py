"""Payable minutes and money, vectorised, to the penny of :func:`price_visit`.

Payable minutes per carer come from the contract rules (see
:class:`~carecore.ecm.rules.ContractRules`). Money then follows
:mod:`carecore.pricing.visit_price` exactly: the rate card's billing increment and minimum
turn payable minutes into billable minutes; each line (one carer's base amount, or one
enhancement for one carer) is worked out exactly and rounded half up to the penny; the
visit's amount is the sum of its lines. The first carer is paid 100% and each further
carer the card's double-handed percent. The period, weekend and bank holiday go by the
London date of the planned start (of the check-in for an unplanned visit).

Exactness: all arithmetic is on integers (``Int128`` where products get large). Card rates
are scaled to 1/10,000 of a pound and percents to 1/100 of a percent; a card with finer
figures is rejected rather than rounded. A tendered rate (whole pence per hour) replaces
the card's band rate; the card's increment, minimum and enhancements still apply. With no
card, tendered rates are paid as they are: no increment, minimum or enhancements, every
carer at 100%.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import polars as pl

from carecore.ecm.rules import ContractRules, ratio
from carecore.errors import InputError
from carecore.pricing.rate_cards import RateCard, RatePeriod
from carecore.pricing.visit_price import applicable_enhancements

RATE_SCALE = 10_000  # card rates in 1/10,000 pound
PERCENT_SCALE = 100  # percents in 1/100 percent
FULL_SHARE = 100 * PERCENT_SCALE
# pence = rate * 100 * minutes / 60 * share / 100 (* uplift / 100), with scaled integers:
BASE_DENOMINATOR = RATE_SCALE * 60 * PERCENT_SCALE
UPLIFT_DENOMINATOR = BASE_DENOMINATOR * 100 * PERCENT_SCALE
MAX_UPLIFTS = 2  # a day has at most a weekend and a bank-holiday uplift


def counted_minutes(seconds: pl.Expr, rules: ContractRules) -> pl.Expr:
    """Actual time in whole minutes after the rules' rounding and minimum (``Int64``)."""
    unit = rules.rounding_minutes
    if unit is None:
        counted = seconds // 60
    else:
        step = unit * 60
        if rules.rounding_direction == "up":
            counted = (seconds + step - 1) // step * unit
        elif rules.rounding_direction == "down":
            counted = seconds // step * unit
        else:
            nearest = (seconds + step // 2) // step * unit
            counted = pl.when(seconds > 0).then(pl.max_horizontal(nearest, unit)).otherwise(0)
    if rules.minimum_minutes:
        counted = pl.when(seconds > 0).then(pl.max_horizontal(counted, rules.minimum_minutes))
        counted = counted.otherwise(0)
    return counted.cast(pl.Int64)


def payable_minutes(seconds: pl.Expr, planned: pl.Expr, rules: ContractRules) -> pl.Expr:
    """Minutes paid for one carer's delivered visit under the rules' pay basis."""
    counted = counted_minutes(seconds, rules)
    basis = rules.pay_basis
    if basis == "actual":
        return counted
    if basis == "planned":
        return planned.cast(pl.Int64)
    if basis == "actual_capped":
        return pl.min_horizontal(counted, planned).cast(pl.Int64)
    gap = (seconds - planned * 60).abs()
    close = pl.lit(False)
    if rules.tolerance_minutes is not None:
        close = close | (gap <= rules.tolerance_minutes * 60)
    if rules.tolerance_percent is not None:
        num, den = ratio(rules.tolerance_percent)
        close = close | (gap * den <= planned * 60 * num)
    return pl.when(close).then(planned).otherwise(counted).cast(pl.Int64)


def share_of_planned(planned: pl.Expr, percent: Decimal) -> pl.Expr:
    """``percent`` of ``planned`` minutes, rounded half up to a whole minute."""
    num, den = ratio(percent)
    return ((2 * planned.cast(pl.Int64) * num + den) // (2 * den)).cast(pl.Int64)


# --- rate-card tables ----------------------------------------------------------------------


def _scaled(value: Decimal, scale: int, what: str) -> int:
    scaled = value * scale
    if scaled != scaled.to_integral_value():
        raise InputError(f"{value} has more decimal places than the engine pays exactly", key=what)
    return int(scaled)


@dataclass(frozen=True)
class PriceTables:
    """What a card pays, per London date (``days``) and per period and band (``bands``)."""

    days: pl.DataFrame
    bands: pl.DataFrame


def _day_row(day: date, periods: tuple[RatePeriod, ...]) -> dict[str, object]:
    index = next((i for i, p in enumerate(periods) if p.covers(day)), None)
    if index is None:
        return {"visit_date": day, "_period": None}
    period = periods[index]
    day_type, _holiday, applied = applicable_enhancements(day, period.enhancements)
    uplifts = [_scaled(e.percent, PERCENT_SCALE, "enhancements") for e in applied]
    uplifts += [0] * (MAX_UPLIFTS - len(uplifts))
    share = period.enhancements.double_handed_percent
    return {
        "visit_date": day,
        "_period": index,
        "day_type": day_type,
        "enhancements": ", ".join(f"{e.title} +{e.percent}%" for e in applied),
        "_up1": uplifts[0],
        "_up2": uplifts[1],
        "_further": _scaled(share, PERCENT_SCALE, "double_handed_percent"),
        "_minimum": period.minimum_billable_minutes,
        "_unit": period.billing_increment_minutes,
        "_nearest": period.increment_rounding == "nearest",
    }


DAY_SCHEMA = {
    "visit_date": pl.Date,
    "_period": pl.Int32,
    "day_type": pl.String,
    "enhancements": pl.String,
    "_up1": pl.Int64,
    "_up2": pl.Int64,
    "_further": pl.Int64,
    "_minimum": pl.Int64,
    "_unit": pl.Int64,
    "_nearest": pl.Boolean,
}


def price_tables(card: RateCard | None, first: date, last: date) -> PriceTables:
    """Tables for pricing visits from ``first`` to ``last`` (London dates) under ``card``.

    Built in Python once per date (a few thousand rows for years of data), then joined to
    millions of lines in Polars. A date the card does not cover gets no period; a visit
    paid on it is reported by :func:`check_priced`.
    """
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    band_schema = {
        "_period": pl.Int32,
        "_band_key": pl.String,
        "_card_rate": pl.Int64,
        "_card_rate_text": pl.String,
    }
    if card is None:
        rows = [_plain_day_row(d) for d in days]
        return PriceTables(pl.DataFrame(rows, schema=DAY_SCHEMA), pl.DataFrame(schema=band_schema))
    rows = [_day_row(d, card.periods) for d in days]
    band_rows = [
        (i, band.strip().upper(), _scaled(rate, RATE_SCALE, f"rates.{band}"), str(rate))
        for i, period in enumerate(card.periods)
        for band, rate in period.rates.items()
    ]
    bands = pl.DataFrame(band_rows, schema=band_schema, orient="row")
    return PriceTables(pl.DataFrame(rows, schema=DAY_SCHEMA), bands)


def _plain_day_row(day: date) -> dict[str, object]:
    """A day with no card: tendered rates as they are, every carer at 100%."""
    return {
        "visit_date": day,
        "_period": 0,
        "day_type": "weekend" if day.weekday() >= 5 else "weekday",
        "enhancements": "",
        "_up1": 0,
        "_up2": 0,
        "_further": FULL_SHARE,
        "_minimum": 0,
        "_unit": None,
        "_nearest": False,
    }


def _billable(payable: pl.Expr) -> pl.Expr:
    """The card's increment and minimum applied to payable minutes (0 stays 0)."""
    unit = pl.col("_unit")
    up = (payable + unit - 1) // unit * unit
    nearest = pl.max_horizontal(unit, (2 * payable + unit) // (2 * unit) * unit)
    rounded = pl.when(unit.is_null()).then(payable).when(pl.col("_nearest")).then(nearest)
    billed = pl.max_horizontal(rounded.otherwise(up), pl.col("_minimum"))
    return pl.when(payable > 0).then(billed).otherwise(0).cast(pl.Int64)


def _half_up(numerator: pl.Expr, denominator: int) -> pl.Expr:
    return (2 * numerator + denominator) // (2 * denominator)


def price_lines(lines: pl.LazyFrame, tables: PriceTables) -> pl.LazyFrame:
    """``lines`` with ``billable_minutes``, ``rate_per_hour`` (pounds, text), ``day_type``,
    ``enhancements`` and ``amount_pence`` (null where the card has no rate for the line).

    ``lines`` needs ``visit_date`` (London date), ``band``, ``carer_index`` (1 = first carer),
    ``payable_minutes`` and ``rate_pence_per_hour`` (tendered, or null for the card's rate).
    """
    tendered = pl.col("rate_pence_per_hour")
    rate = pl.coalesce(tendered * (RATE_SCALE // 100), pl.col("_card_rate")).cast(pl.Int128)
    share = pl.when(pl.col("carer_index") <= 1).then(FULL_SHARE).otherwise(pl.col("_further"))
    base = rate * pl.col("billable_minutes").cast(pl.Int128) * share.cast(pl.Int128)
    amount = _half_up(base, BASE_DENOMINATOR)
    for uplift in ("_up1", "_up2"):
        amount = amount + _half_up(base * pl.col(uplift).cast(pl.Int128), UPLIFT_DENOMINATOR)
    # Band keys and rate texts are worked out once per distinct band and tendered rate
    # (a handful) and joined on, rather than once per line (millions).
    band_keys = (
        lines.select(pl.col("band").unique())
        .with_columns(_band_key=pl.col("band").str.strip_chars().str.to_uppercase())
        .join(tables.bands.lazy(), on="_band_key", how="inner")
        .drop("_band_key")
    )
    tendered_texts = lines.select(tendered.unique().drop_nulls()).with_columns(
        _tendered_text=pl.format(
            "{}.{}", tendered // 100, (tendered % 100).cast(pl.String).str.zfill(2)
        )
    )
    return (
        lines.join(tables.days.lazy(), on="visit_date", how="left")
        .join(band_keys, on=["_period", "band"], how="left")
        .join(tendered_texts, on="rate_pence_per_hour", how="left")
        .with_columns(billable_minutes=_billable(pl.col("payable_minutes")))
        .with_columns(
            amount_pence=amount.cast(pl.Int64),
            rate_per_hour=pl.coalesce("_tendered_text", "_card_rate_text"),
        )
        .drop(
            "_period",
            "_up1",
            "_up2",
            "_further",
            "_minimum",
            "_unit",
            "_nearest",
            "_card_rate",
            "_card_rate_text",
            "_tendered_text",
        )
    )


def check_priced(lines: pl.DataFrame, card: RateCard | None) -> None:
    """Raise naming the first few lines that could not be priced (no rate, no period)."""
    bad = lines.filter(pl.col("amount_pence").is_null())
    if bad.height == 0:
        return
    examples = "; ".join(
        f"{row['planned_id'] or 'unplanned visit'} on {row['visit_date']} in band {row['band']}"
        for row in bad.head(3).iter_rows(named=True)
    )
    what = f"card {card.name}" if card is not None else "no rate card (and no tendered rate)"
    raise InputError(
        f"{bad.height} invoice lines have no rate under {what}: {examples}", key="rates"
    )
