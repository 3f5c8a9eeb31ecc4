"""The rule for a provider's bid in a mini-competition, one for the pages, the API and actions."""

from __future__ import annotations

from decimal import Decimal

from carecore.errors import InputError

# A bid above this is surely a slip (a weekly or a package price typed as an hourly rate):
# tendered home care rates are around £20 to £35 an hour. Pounds an hour.
MAX_BID_RATE = Decimal("250.00")
BID_RATE_EXAMPLE = "21.50"


def check_bid_rate(rate: Decimal) -> Decimal:
    """A provider's bid in pounds an hour, to the penny; InputError naming ``bid_rate`` if it is
    not more than £0, not whole pence, or more than :data:`MAX_BID_RATE`.

    Shared by the offer page and the API, so both refuse the same bids.
    """
    if not rate.is_finite():
        raise InputError(f"must be an amount in pounds, like {BID_RATE_EXAMPLE}", key="bid_rate")
    if rate <= 0:
        raise InputError("must be more than £0", key="bid_rate")
    if rate > MAX_BID_RATE:  # before quantize, which fails on a huge number
        raise InputError(f"must be £{MAX_BID_RATE} an hour or less", key="bid_rate")
    if rate != rate.quantize(Decimal("0.01")):
        raise InputError(
            f"must be in pounds and pence (2 decimal places at most), like {BID_RATE_EXAMPLE}",
            key="bid_rate",
        )
    return rate.quantize(Decimal("0.01"))


def check_answer_rate(*, kind: str, accepted: bool, bid_rate: Decimal | None) -> Decimal | None:
    """The bid rate an answer to an offer of ``kind`` may carry: a bid offer accepted needs one
    (checked by :func:`check_bid_rate`); any other offer takes none. InputError names
    ``bid_rate``."""
    if kind != "bid":
        if bid_rate is not None and accepted:
            raise InputError("only a mini-competition takes a bid rate", key="bid_rate")
        return None
    if accepted and bid_rate is None:
        raise InputError(
            f"this offer is a mini-competition: bid your hourly rate, like {BID_RATE_EXAMPLE}",
            key="bid_rate",
        )
    return None if bid_rate is None else check_bid_rate(bid_rate)
