"""Who may see a council's audit trail, export a person's records and read the retention
report: the council's commissioners (they answer for the council's records in this system).

Another council's person is not found (404), whoever asks; brokers, finance officers,
providers and outsiders are refused the pages (403).
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from homecare.accounts import access
from homecare.accounts.models import Organisation
from homecare.brokerage.models import Person
from homecare.governance.trail import people_of

GOVERNANCE_ROLES = frozenset({access.Role.COMMISSIONER})
REFUSAL = "Only a council's commissioners see its records' history and retention."


def governance_council_for(user: Any) -> Organisation:
    """The council whose records the user governs (the first by name), or 403."""
    return access.first_council(user, GOVERNANCE_ROLES, REFUSAL)


def person_for(user: Any, pk: int) -> Person:
    """One person of the user's council, or 404 (another council's person is not found)."""
    council = governance_council_for(user)
    return get_object_or_404(people_of(council).select_related("council", "area__zone"), pk=pk)
