"""Allocation policies: one protocol, four ways of placing a package of care.

See docs/allocation-policies.md for each policy, the seed report it comes from and its TOML.
"""

from carecore.brokerage.policies.base import (
    ROUND_KINDS,
    AllocationPolicy,
    Choice,
    OfferResponse,
    OfferRound,
    OfferTimeouts,
    RoundRecord,
    eligible_providers,
)
from carecore.brokerage.policies.driver import AllocationOutcome, Responder, run_allocation
from carecore.brokerage.policies.lead_block import LeadProviderBlock
from carecore.brokerage.policies.loading import POLICY_KINDS, load_policy
from carecore.brokerage.policies.mini_competition import MiniCompetition, ScoredBid
from carecore.brokerage.policies.open_framework import OPEN_MODES, OpenFramework
from carecore.brokerage.policies.prime_cascade import PrimeCascade

__all__ = [
    "OPEN_MODES",
    "POLICY_KINDS",
    "ROUND_KINDS",
    "AllocationOutcome",
    "AllocationPolicy",
    "Choice",
    "LeadProviderBlock",
    "MiniCompetition",
    "OfferResponse",
    "OfferRound",
    "OfferTimeouts",
    "OpenFramework",
    "PrimeCascade",
    "Responder",
    "RoundRecord",
    "ScoredBid",
    "eligible_providers",
    "load_policy",
    "run_allocation",
]
