"""Tender evaluation: bids per lot scored on price and quality, floors and ceilings, awards.

Read bids with :func:`load_bids` and rules with :func:`load_tender_rules` (or
:meth:`TenderRules.from_mapping`), call :func:`evaluate_tender`, and save the result with
:func:`write_tender_xlsx` or :meth:`TenderResult.to_dict`. See docs/tender-evaluation.md.
"""

from carecore.procurement.bids import Bid, load_bids
from carecore.procurement.evaluate import (
    APPOINTED,
    EXCLUDED,
    RESERVE,
    Award,
    LotResult,
    ScoredBid,
    TenderResult,
    evaluate_tender,
)
from carecore.procurement.rules import PRICE_FORMULAS, LotRules, TenderRules, load_tender_rules
from carecore.procurement.workbook import write_tender_xlsx

__all__ = [
    "APPOINTED",
    "EXCLUDED",
    "PRICE_FORMULAS",
    "RESERVE",
    "Award",
    "Bid",
    "LotResult",
    "LotRules",
    "ScoredBid",
    "TenderResult",
    "TenderRules",
    "evaluate_tender",
    "load_bids",
    "load_tender_rules",
    "write_tender_xlsx",
]
