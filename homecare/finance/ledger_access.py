"""Who may see payment batches, their ledger exports and the council's ledger layout.

- A council's finance officers make batches, export them, keep the council's layout and
  take the charging and NHS recharge exports.
- A council's commissioners may read its batches and download their files.
- Nobody sees another council's batches; providers see none. A batch that is not the
  scope's is a 404, the same as one that does not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from homecare.accounts.access import FINANCE, Role, Scope
from homecare.accounts.models import Organisation
from homecare.finance.models import LedgerExport, PaymentBatch

READ_ROLES = frozenset({Role.FINANCE, Role.COMMISSIONER})


def batches_for(scope: Scope) -> QuerySet[PaymentBatch]:
    """The batches of the councils where the scope is a finance officer or commissioner."""
    return PaymentBatch.objects.filter(council__in=scope.councils(READ_ROLES)).select_related(
        "council", "created_by"
    )


def batch_for(scope: Scope, pk: int) -> PaymentBatch:
    return get_object_or_404(batches_for(scope), pk=pk)


def batches_to_manage_for(scope: Scope) -> QuerySet[PaymentBatch]:
    """The batches of the councils where the scope is a finance officer."""
    return PaymentBatch.objects.filter(council__in=scope.councils(FINANCE)).select_related(
        "council"
    )


def batch_to_manage_for(scope: Scope, pk: int) -> PaymentBatch:
    return get_object_or_404(batches_to_manage_for(scope), pk=pk)


def export_for(scope: Scope, batch_pk: int, pk: int) -> LedgerExport:
    """A kept file of one of the scope's batches."""
    return get_object_or_404(
        LedgerExport.objects.filter(batch__in=batches_for(scope)).select_related("batch"),
        batch_id=batch_pk,
        pk=pk,
    )


def finance_council(scope: Scope) -> Organisation:
    """The council a finance officer acts for (the first by name), or PermissionDenied."""
    return scope.first_council(FINANCE, "Only a council's finance officers may do this.")
