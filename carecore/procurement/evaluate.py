"""Evaluate a tender: exclude, score, rank and award each lot, keeping every working.

Scores are computed and ranked as exact fractions; the Decimal fields are those values rounded
half up to 2 places for display, so a displayed total can differ by 0.01 from the sum of the
displayed parts, and two bids showing the same total may still rank apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from carecore.errors import InputError
from carecore.procurement import exact
from carecore.procurement.bids import Bid
from carecore.procurement.rules import LotRules, TenderRules
from carecore.procurement.scoring import (
    LotShape,
    limit,
    lot_shape,
    price_reasons,
    price_used,
    quality,
)

APPOINTED = "appointed"
RESERVE = "reserve"
EXCLUDED = "excluded"


@dataclass(frozen=True)
class Award:
    """A place on the framework won by a bidder: the lot, tier, rank and rates (pounds/hour).

    ``hourly_rate`` is set for a single-rate bid, ``band_rates`` (band to rate) for a bid per
    band. Issue 3 turns each Award into a provider appointment.
    """

    lot: str
    bidder: str
    tier: str
    rank: int
    hourly_rate: Decimal | None = None
    band_rates: dict[str, Decimal] = field(default_factory=dict, hash=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "lot": self.lot,
            "bidder": self.bidder,
            "tier": self.tier,
            "rank": self.rank,
            "hourly_rate": self.hourly_rate,
            "band_rates": dict(self.band_rates),
        }


@dataclass(frozen=True)
class ScoredBid:
    """One row of a lot's ranked table: the bid, its scores with workings, rank and status.

    Prices are pounds per hour; scores are marks out of 100 (price plus quality weights).
    Excluded bids have no price score, total or rank; ``reasons`` says why they were excluded.
    """

    bid: Bid
    status: str
    reasons: tuple[str, ...]
    tier: str | None
    rank: int | None
    price_used: Decimal
    price_used_working: str
    lowest_valid_price: Decimal | None
    price_score: Decimal | None
    price_working: str
    quality_score: Decimal
    quality_points: Decimal
    quality_working: str
    total: Decimal | None
    exact_total: Fraction | None = field(default=None, compare=False, repr=False)

    @property
    def bidder(self) -> str:
        return self.bid.bidder

    @property
    def reason(self) -> str:
        """The exclusion reasons as one sentence ('' when the bid is valid)."""
        return "; ".join(self.reasons)

    def to_dict(self) -> dict[str, object]:
        return {
            "rank": self.rank,
            "bidder": self.bid.bidder,
            "status": self.status,
            "tier": self.tier,
            "reasons": list(self.reasons),
            "row": self.bid.row,
            "hourly_rate": self.bid.hourly_rate,
            "band_rates": dict(self.bid.band_rates),
            "price_used": self.price_used,
            "price_used_working": self.price_used_working,
            "lowest_valid_price": self.lowest_valid_price,
            "price_score": self.price_score,
            "price_working": self.price_working,
            "quality_score": self.quality_score,
            "criterion_scores": dict(self.bid.quality_scores),
            "quality_points": self.quality_points,
            "quality_working": self.quality_working,
            "total": self.total,
        }


@dataclass(frozen=True)
class LotResult:
    """A lot's rules, its bids ranked (valid bids by rank, then excluded ones) and awards."""

    lot: str
    rules: LotRules
    lowest_valid_price: Decimal | None
    rows: tuple[ScoredBid, ...]
    awards: tuple[Award, ...]
    unfilled_tiers: tuple[str, ...]

    @property
    def excluded(self) -> tuple[ScoredBid, ...]:
        return tuple(row for row in self.rows if row.status == EXCLUDED)

    def to_dict(self) -> dict[str, object]:
        return {
            "lot": self.lot,
            "rules": self.rules.to_dict(),
            "lowest_valid_price": self.lowest_valid_price,
            "bids": [row.to_dict() for row in self.rows],
            "awards": [award.to_dict() for award in self.awards],
            "unfilled_tiers": list(self.unfilled_tiers),
        }


@dataclass(frozen=True)
class TenderResult:
    """Every lot's result, in the order lots first appear in the bids (then the rules)."""

    lots: tuple[LotResult, ...]
    title: str = ""

    @property
    def awards(self) -> tuple[Award, ...]:
        return tuple(award for lot in self.lots for award in lot.awards)

    @property
    def excluded(self) -> tuple[ScoredBid, ...]:
        return tuple(row for lot in self.lots for row in lot.excluded)

    def lot(self, name: str) -> LotResult:
        """The result for ``name`` (ignoring case); KeyError if no such lot."""
        for result in self.lots:
            if result.lot.casefold() == name.casefold():
                return result
        raise KeyError(name)

    def to_dict(self) -> dict[str, object]:
        """The whole result as JSON-ready values; money and scores stay Decimal."""
        return {
            "title": self.title,
            "lots": [lot.to_dict() for lot in self.lots],
            "awards": [award.to_dict() for award in self.awards],
            "excluded": [
                {
                    "lot": row.bid.lot,
                    "bidder": row.bidder,
                    "row": row.bid.row,
                    "reasons": list(row.reasons),
                }
                for row in self.excluded
            ],
        }


def evaluate_tender(bids: Iterable[Bid], rules: TenderRules) -> TenderResult:
    """Score every bid on price and quality per lot, exclude, rank, and award places in tiers.

    Prices are pounds per hour; a bid's total is its price marks plus its quality marks, out of
    100. Raises InputError (naming the bid's file and row, or the rules' key) when bids and rules
    do not fit together, for example a band with no share of hours.
    """
    groups: dict[str, tuple[str, list[Bid]]] = {}
    bidders: set[tuple[str, str]] = set()
    for bid in bids:
        name, members = groups.setdefault(bid.lot.casefold(), (bid.lot, []))
        key = (bid.lot.casefold(), bid.bidder.casefold())
        if key in bidders:
            raise bid.error(f"duplicate bid: {bid.bidder} already bid for lot {name!r}", "bidder")
        bidders.add(key)
        members.append(bid)
    for name in rules.lots:
        groups.setdefault(name.casefold(), (name, []))
    return TenderResult(
        lots=tuple(
            _evaluate_lot(name, members, rules.for_lot(name)) for name, members in groups.values()
        ),
        title=rules.title,
    )


@dataclass
class _Working:
    bid: Bid
    price: Fraction
    price_working: str
    quality: Fraction
    quality_prefix: str
    reasons: list[str]


def _evaluate_lot(lot: str, bids: Sequence[Bid], rules: LotRules) -> LotResult:
    if not bids:
        return LotResult(lot, rules, None, (), (), rules.tiers)
    shape = lot_shape(lot, bids, rules)
    workings = []
    for bid in bids:
        used, used_working = price_used(bid, shape)
        reasons = price_reasons(bid, used, shape, rules)
        score, prefix, quality_reasons = quality(bid, shape, rules)
        workings.append(_Working(bid, used, used_working, score, prefix, reasons + quality_reasons))
    valid = [working for working in workings if not working.reasons]
    lowest = min((working.price for working in valid), default=None)
    scored = [(working, _price_points(working.price, lowest, shape, rules)) for working in valid]
    ranked = sorted(scored, key=lambda item: _rank_key(item[0], item[1][0], rules))
    rows: list[ScoredBid] = []
    awards: list[Award] = []
    for index, (working, (price_points, price_text)) in enumerate(ranked):
        rank = index + 1
        tier = rules.tiers[index] if index < len(rules.tiers) else rules.remaining_tier
        row = _row(working, rules, lowest, rank, tier, price_points, price_text)
        rows.append(row)
        if tier is not None:
            awards.append(_award(working.bid, lot, tier, rank))
    rows.extend(_row(working, rules, lowest) for working in workings if working.reasons)
    lowest_shown = None if lowest is None else exact.price(lowest)
    unfilled = rules.tiers[len(valid) :]
    return LotResult(lot, rules, lowest_shown, tuple(rows), tuple(awards), unfilled)


def _quality_points(working: _Working, rules: LotRules) -> Fraction:
    return working.quality / Fraction(rules.max_score) * Fraction(rules.quality_weight)


def _rank_key(
    working: _Working, price_points: Fraction, rules: LotRules
) -> tuple[Fraction | str, ...]:
    """Highest total first, then the tie-breaks in the rules' order, then the exact name."""
    total = price_points + _quality_points(working, rules)
    parts: list[Fraction | str] = [-total]
    for item in rules.tie_break:
        if item == "quality":
            parts.append(-working.quality)
        elif item == "price":
            parts.append(working.price)
        else:
            parts.append(working.bid.bidder.casefold())
    parts.append(working.bid.bidder)
    return tuple(parts)


def _price_points(
    used: Fraction, lowest: Fraction | None, shape: LotShape, rules: LotRules
) -> tuple[Fraction, str]:
    """Price marks (out of the price weight) and the working with its numbers."""
    weight = Fraction(rules.price_weight)
    assert lowest is not None  # only valid bids are priced, so there is a lowest
    if rules.price_formula == "lowest":
        marks = weight * lowest / used
        text = f"{exact.money(lowest)} lowest ÷ {exact.money(used)} × {exact.plain(weight)}"
        return marks, f"{text} = {exact.points(marks)}"
    ceiling = _required_limit(rules, shape, "ceiling")
    if rules.price_formula == "relative_to_ceiling":
        bottom, bottom_name = lowest, "lowest"
    else:
        bottom, bottom_name = _required_limit(rules, shape, "floor"), "floor"
    if ceiling == bottom:
        # Nothing to choose between on price: every valid bid takes the full price marks.
        return (
            weight,
            f"{bottom_name} equals ceiling {exact.money(ceiling)}: full {exact.plain(weight)}",
        )
    marks = weight * (ceiling - used) / (ceiling - bottom)
    text = (
        f"({exact.money(ceiling)} ceiling − {exact.money(used)}) ÷ "
        f"({exact.money(ceiling)} ceiling − {exact.money(bottom)} {bottom_name}) × "
        f"{exact.plain(weight)}"
    )
    return marks, f"{text} = {exact.points(marks)}"


def _required_limit(rules: LotRules, shape: LotShape, which: str) -> Fraction:
    value = limit(rules, shape, which)
    if value is None:
        raise InputError(
            f"the {rules.price_formula!r} formula needs a {which} for every band of lot "
            f"{shape.lot!r} (bands: {', '.join(shape.bands)})",
            key=f"price.{which}",
            source=rules.source,
        )
    return value


def _row(
    working: _Working,
    rules: LotRules,
    lowest: Fraction | None,
    rank: int | None = None,
    tier: str | None = None,
    price_points: Fraction | None = None,
    price_text: str = "",
) -> ScoredBid:
    quality_points = _quality_points(working, rules)
    quality_text = (
        f"{working.quality_prefix}{exact.plain(working.quality)} ÷ {exact.plain(rules.max_score)}"
        f" × {exact.plain(rules.quality_weight)} = {exact.points(quality_points)}"
    )
    total = None if price_points is None else price_points + quality_points
    status = EXCLUDED if working.reasons else (APPOINTED if tier is not None else RESERVE)
    return ScoredBid(
        bid=working.bid,
        status=status,
        reasons=tuple(working.reasons),
        tier=tier,
        rank=rank,
        price_used=exact.price(working.price),
        price_used_working=working.price_working,
        lowest_valid_price=None if lowest is None else exact.price(lowest),
        price_score=None if price_points is None else exact.points(price_points),
        price_working=price_text or "not scored: excluded",
        quality_score=exact.points(working.quality),
        quality_points=exact.points(quality_points),
        quality_working=quality_text,
        total=None if total is None else exact.points(total),
        exact_total=total,
    )


def _award(bid: Bid, lot: str, tier: str, rank: int) -> Award:
    return Award(
        lot=lot,
        bidder=bid.bidder,
        tier=tier,
        rank=rank,
        hourly_rate=bid.hourly_rate,
        band_rates=dict(bid.band_rates),
    )
