"""Price used, floor and ceiling checks, and quality scores for the bids of one lot.

Everything is exact (``Fraction``); display rounding happens in :mod:`carecore.procurement.exact`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from carecore.errors import InputError
from carecore.procurement.bids import Bid
from carecore.procurement.exact import money, plain
from carecore.procurement.rules import LotRules


@dataclass(frozen=True)
class LotShape:
    """What the bids of a lot price and score, with the weight of each band and criterion.

    ``bands`` is empty when bids give one hourly rate; ``criteria`` is empty when they give one
    quality score. ``*_weighted`` says whether weights came from the rules (else a plain mean).
    """

    lot: str
    bands: dict[str, Fraction]
    bands_weighted: bool
    criteria: dict[str, Fraction]
    criteria_weighted: bool


def lot_shape(lot: str, bids: Sequence[Bid], rules: LotRules) -> LotShape:
    """Check that every bid of a lot has the same columns and match them to the rules."""
    first = bids[0]
    for bid in bids[1:]:
        for kind, mine, theirs in (
            ("rate", bid.band_rates, first.band_rates),
            ("quality", bid.quality_scores, first.quality_scores),
        ):
            if _folded(mine) != _folded(theirs):
                raise bid.error(
                    f"this bid's {kind} columns differ from the first bid for lot {lot!r} "
                    f"(row {first.row}): every bid in a lot must give the same columns",
                    kind,
                )
    if not first.band_rates and rules.band_shares:
        raise first.error(
            "the rules give each band a share of hours (price.band_shares) but the bids give "
            "one hourly rate: use rate_<band> columns or drop band_shares",
            "rate",
        )
    if not first.quality_scores and rules.criteria:
        raise first.error(
            "the rules weight quality criteria (quality.criteria) but the bids give one quality "
            "score: use quality_<criterion> columns or drop criteria",
            "quality",
        )
    bands = _weights(first, first.band_rates, rules.band_shares, "rate", "price.band_shares")
    criteria = _weights(first, first.quality_scores, rules.criteria, "quality", "quality.criteria")
    return LotShape(lot, bands, bool(rules.band_shares), criteria, bool(rules.criteria))


def _folded(names: Mapping[str, object]) -> set[str]:
    return {name.casefold() for name in names}


def find(table: Mapping[str, Decimal], name: str) -> Decimal | None:
    """``table[name]`` matching names ignoring case, or None."""
    for key, value in table.items():
        if key.casefold() == name.casefold():
            return value
    return None


def _weights(
    bid: Bid, columns: Mapping[str, Decimal], weights: Mapping[str, Decimal], prefix: str, key: str
) -> dict[str, Fraction]:
    if not weights:
        return {name: Fraction(1) for name in columns}
    for name in weights:
        if find(columns, name) is None:
            raise bid.error(
                f"the rules ({key}) name {name!r} but the bids have no {prefix}_{name} column",
                f"{prefix}_{name}",
            )
    result: dict[str, Fraction] = {}
    for name in columns:
        weight = find(weights, name)
        if weight is None:
            raise bid.error(f"the rules ({key}) give no weight for {name!r}", f"{prefix}_{name}")
        result[name] = Fraction(weight)
    return result


def _value(bid_values: Mapping[str, Decimal], name: str) -> Fraction:
    value = find(bid_values, name)
    assert value is not None  # lot_shape has matched every bid's columns to the shape
    return Fraction(value)


def price_used(bid: Bid, shape: LotShape) -> tuple[Fraction, str]:
    """The price a bid is scored on (pounds per hour) and how it was worked out."""
    if bid.hourly_rate is not None:
        return Fraction(bid.hourly_rate), f"hourly rate {money(bid.hourly_rate)}"
    total_weight = sum(shape.bands.values(), Fraction(0))
    used = sum(
        (_value(bid.band_rates, band) * weight for band, weight in shape.bands.items()), Fraction(0)
    )
    used /= total_weight
    rates = [(band, money(_value(bid.band_rates, band))) for band in shape.bands]
    if shape.bands_weighted:
        terms = " + ".join(f"{band} {rate} × {plain(shape.bands[band])}" for band, rate in rates)
        return used, f"({terms}) ÷ {plain(total_weight)} = {money(used)}"
    listed = ", ".join(f"{band} {rate}" for band, rate in rates)
    return used, f"mean of {listed} = {money(used)}"


def limit(rules: LotRules, shape: LotShape, which: str) -> Fraction | None:
    """The floor or ceiling on the price used: set overall, or weighted from the band limits."""
    overall = rules.floor if which == "floor" else rules.ceiling
    if overall is not None:
        return Fraction(overall)
    per_band = rules.band_floors if which == "floor" else rules.band_ceilings
    if not per_band or not shape.bands:
        return None
    weighted = Fraction(0)
    for band, weight in shape.bands.items():
        value = find(per_band, band)
        if value is None:
            return None  # a band with no limit: the formula that needs one will say so
        weighted += Fraction(value) * weight
    total = sum(shape.bands.values(), Fraction(0))
    return weighted / total


def price_reasons(bid: Bid, used: Fraction, shape: LotShape, rules: LotRules) -> list[str]:
    """Why a bid's price excludes it: a rate outside the floor or ceiling (empty if none)."""
    reasons: list[str] = []
    for which, per_band in (("floor", rules.band_floors), ("ceiling", rules.band_ceilings)):
        if per_band and not shape.bands:
            raise bid.error(
                f"the rules set the {which} per band (price.{which}) but the bids give one hourly "
                "rate: use rate_<band> columns or one number",
                "rate",
            )
        for band, bound in per_band.items():
            rate = find(bid.band_rates, band)
            if rate is None:
                raise InputError(
                    f"band {band!r} is not priced by the bids for lot {shape.lot!r} "
                    f"(bands: {', '.join(shape.bands)})",
                    key=f"price.{which}.{band}",
                    source=rules.source,
                )
            reasons.extend(_outside(f"rate_{band} {money(rate)}", rate, which, bound, band))
    label = f"rate {money(used)}" if not shape.bands else f"price used {money(used)}"
    if rules.floor is not None:
        reasons.extend(_outside(label, used, "floor", rules.floor, None))
    if rules.ceiling is not None:
        reasons.extend(_outside(label, used, "ceiling", rules.ceiling, None))
    return reasons


def _outside(
    label: str, value: Decimal | Fraction, which: str, bound: Decimal, band: str | None
) -> list[str]:
    limit_name = f"the {band} {which}" if band else f"the {which}"
    if which == "floor" and value < bound:
        return [f"{label} is below {limit_name} of {money(bound)}"]
    if which == "ceiling" and value > bound:
        return [f"{label} is above {limit_name} of {money(bound)}"]
    return []


def quality(bid: Bid, shape: LotShape, rules: LotRules) -> tuple[Fraction, str, list[str]]:
    """A bid's quality score on the tender's scale, how it was worked out, and any exclusion.

    With criteria, the score is the weighted mean of the criterion scores.
    """
    for column, given in bid.score_columns().items():
        if given > rules.max_score:
            raise bid.error(f"score {given} is above the maximum of {rules.max_score}", column)
    reasons: list[str] = []
    if rules.min_criterion_score is not None:
        for column, given in bid.score_columns().items():
            if given < rules.min_criterion_score:
                reasons.append(
                    f"{column} score {plain(given)} is below the minimum of "
                    f"{plain(rules.min_criterion_score)} for each score"
                )
    if bid.quality_score is not None:
        score, working = Fraction(bid.quality_score), ""
    else:
        total_weight = sum(shape.criteria.values(), Fraction(0))
        score = sum(
            (_value(bid.quality_scores, name) * weight for name, weight in shape.criteria.items()),
            Fraction(0),
        )
        score /= total_weight
        scores = [(name, plain(_value(bid.quality_scores, name))) for name in shape.criteria]
        if shape.criteria_weighted:
            terms = " + ".join(f"{name} {s} × {plain(shape.criteria[name])}" for name, s in scores)
            working = f"score ({terms}) ÷ {plain(total_weight)} = {plain(score)}; "
        else:
            working = f"score mean of {', '.join(f'{n} {s}' for n, s in scores)} = {plain(score)}; "
    if rules.min_quality is not None and score < rules.min_quality:
        reasons.append(
            f"quality score {plain(score)} is below the minimum of {plain(rules.min_quality)}"
        )
    return score, working, reasons
