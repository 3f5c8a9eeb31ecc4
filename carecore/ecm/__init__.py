"""Electronic call monitoring (ECM): pay home care for the care actually delivered.

Planned visits (from packages' schedules or a file) and carers' check-in and check-out logs
go in; out come each visit's outcome with a reason, invoice lines priced to the penny under
a rate card, an invoice per provider, the exceptions to look at and a summary. The work is
vectorised in Polars so a county's years of logs reconcile in seconds; see ``docs/ecm.md``.
"""

from carecore.ecm.actuals import (
    dedupe_logs,
    logs_from_return,
    read_approvals,
    read_logs,
    validate_logs,
)
from carecore.ecm.io import write_outputs, write_xlsx
from carecore.ecm.performance import ECM_TARGET_PERCENT, provider_performance, rank_providers
from carecore.ecm.planned import PlannedPackage, planned_visits, read_planned, validate_planned
from carecore.ecm.reconcile import LazyReconciliation, Reconciliation, reconcile, reconcile_lazy
from carecore.ecm.rules import ContractRules, load_rules, shipped_rules
from carecore.ecm.schema import ACTUAL_SCHEMA, PLANNED_SCHEMA
from carecore.ecm.summary import ProviderSummary, Summary
from carecore.ecm.synthetic import SyntheticPeriod, synthetic_period
from carecore.ecm.validation import InputErrors

__all__ = [
    "ACTUAL_SCHEMA",
    "ECM_TARGET_PERCENT",
    "PLANNED_SCHEMA",
    "ContractRules",
    "InputErrors",
    "LazyReconciliation",
    "PlannedPackage",
    "ProviderSummary",
    "Reconciliation",
    "Summary",
    "SyntheticPeriod",
    "dedupe_logs",
    "load_rules",
    "logs_from_return",
    "planned_visits",
    "provider_performance",
    "rank_providers",
    "read_approvals",
    "read_logs",
    "read_planned",
    "reconcile",
    "reconcile_lazy",
    "shipped_rules",
    "synthetic_period",
    "validate_logs",
    "validate_planned",
    "write_outputs",
    "write_xlsx",
]
