"""The demo's payment batch: the council's approved invoices and corrections not yet paid,
put in one batch and exported through the shipped layout, so the finance pages show one.

Idempotent: a document already in a batch is left where it is, so a second load finds
nothing new and makes no batch. A demo with no approved invoice makes none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homecare.finance import ledger
from homecare.finance.models import PaymentBatch


def load_ledger(council: Any, *, now: datetime, acting_user: Any) -> PaymentBatch | None:
    """One exported batch of the council's unpaid approved invoices, or None."""
    invoices = list(ledger.unbatched_invoices(council))
    adjustments = list(ledger.unbatched_adjustments(council))
    if not invoices:
        return None
    batch = ledger.make_payment_batch(
        council, invoices, adjustments, now=now, acting_user=acting_user
    )
    ledger.export_batch(batch, now=now, acting_user=acting_user)
    return batch
