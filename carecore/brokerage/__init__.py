"""Brokerage: packages of care, the request state machine, the market snapshot and the
allocation policies that place packages with providers. Pure: no Django, no clock.

See docs/allocation-policies.md.
"""

from carecore.brokerage.market import (
    CASCADE_ORDER,
    PROVIDER_STATUSES,
    AppointmentState,
    MarketSnapshot,
    ProviderState,
    Tier,
)
from carecore.brokerage.packages import (
    COHORTS,
    FUNDINGS,
    PRIORITIES,
    SOURCES,
    PackageSpec,
    Visit,
    parse_schedule,
    schedule_from_rows,
)
from carecore.brokerage.policies import (
    AllocationOutcome,
    AllocationPolicy,
    Choice,
    LeadProviderBlock,
    MiniCompetition,
    OfferResponse,
    OfferRound,
    OfferTimeouts,
    OpenFramework,
    PrimeCascade,
    RoundRecord,
    load_policy,
    run_allocation,
)
from carecore.brokerage.requests import (
    FINAL_STATES,
    TRANSITIONS,
    IllegalTransition,
    RequestState,
    Transition,
    allowed_targets,
    replay,
    transition,
)

__all__ = [
    "CASCADE_ORDER",
    "COHORTS",
    "FINAL_STATES",
    "FUNDINGS",
    "PRIORITIES",
    "PROVIDER_STATUSES",
    "SOURCES",
    "TRANSITIONS",
    "AllocationOutcome",
    "AllocationPolicy",
    "AppointmentState",
    "Choice",
    "IllegalTransition",
    "LeadProviderBlock",
    "MarketSnapshot",
    "MiniCompetition",
    "OfferResponse",
    "OfferRound",
    "OfferTimeouts",
    "OpenFramework",
    "PackageSpec",
    "PrimeCascade",
    "ProviderState",
    "RequestState",
    "RoundRecord",
    "Tier",
    "Transition",
    "Visit",
    "allowed_targets",
    "load_policy",
    "parse_schedule",
    "replay",
    "run_allocation",
    "schedule_from_rows",
    "transition",
]
