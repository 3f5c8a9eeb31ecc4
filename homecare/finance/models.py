"""What a council's finance team keeps beside the reconciliation runs: fee uplifts, budgets,
period runs of every provider, queries on invoice lines, credit notes and re-invoices,
payment batches and their ledger exports, kept documents and providers' pay returns.

Money is integer pence. Every write goes through this app's actions (``verb_noun(...,
acting_user=)`` in a transaction); simple_history keeps each version and its author.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from homecare.accounts.models import audit_trail

USER = settings.AUTH_USER_MODEL
PERCENT = {"max_digits": 7, "decimal_places": 2}
MONEY = {"max_digits": 8, "decimal_places": 2}


class Stream(models.TextChoices):
    """Who pays for a visit, as a finance system codes it."""

    COUNCIL = "council", "Council"
    NHS_CHC = "nhs_chc", "NHS continuing healthcare"


class FeeUplift(models.Model):
    """A rise in what a framework's placements are paid from a day: a percentage of each
    placement's tendered rate, or new rates per band (``band_rates``: band code to pounds as
    text). It applies to every placement of the framework from the later of its day and the
    day the placement was made (:mod:`homecare.finance.rates`); appointed rates are unchanged."""

    framework = models.ForeignKey(
        "commissioning.Framework", on_delete=models.PROTECT, related_name="fee_uplifts"
    )
    effective_from = models.DateField()
    percent = models.DecimalField(**PERCENT, null=True, blank=True)
    band_rates = models.JSONField(default=dict, blank=True)
    reason = models.TextField()
    applied_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField()
    history = audit_trail()

    class Meta:
        ordering = ["framework_id", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "effective_from"], name="one_uplift_per_framework_day"
            )
        ]

    def __str__(self) -> str:
        what = f"{self.percent}%" if self.percent is not None else "new band rates"
        return f"{self.framework}: {what} from {self.effective_from:%d %b %Y}"


class Budget(models.Model):
    """What a council has to spend on home care in one zone, funding stream and financial
    year (April to March; ``year`` is the year it starts in)."""

    council = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="care_budgets"
    )
    zone = models.ForeignKey("commissioning.Zone", on_delete=models.PROTECT, related_name="+")
    stream = models.CharField(max_length=20, choices=Stream.choices)
    year = models.PositiveSmallIntegerField()
    amount_pence = models.BigIntegerField()
    set_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField()
    history = audit_trail()

    class Meta:
        ordering = ["council_id", "year", "zone_id", "stream"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "zone", "stream", "year"], name="one_budget_per_line"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_pence__gte=0), name="budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.get_stream_display()} {self.year}-{(self.year + 1) % 100:02d}"


class Work(models.Model):
    """Fields every background run shares: status, progress, heartbeat, error."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent_done(self) -> int:
        if not self.progress_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.progress_done * 100 // self.progress_total)


class PeriodRun(Work):
    """Every provider of a council reconciled for one four-week period, in the background.
    ``results`` is one entry a provider: {"provider": id, "run": id or None, "error": text}."""

    council = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="period_runs"
    )
    period_start = models.DateField()
    results = models.JSONField(default=list, blank=True)
    history = audit_trail()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"All providers from {self.period_start:%d %b %Y} ({self.get_status_display()})"


class KeptDocument(Work):
    """A document built in the background and kept: an invoice's or remittance's PDF, or an
    NHS recharge. ``key`` names what it is of; a change to the source makes a new one."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        REMITTANCE = "remittance", "Remittance advice"
        RECHARGE = "recharge", "NHS recharge"

    council = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="kept_documents"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    invoice = models.ForeignKey(
        "delivery.Invoice", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # What the document was built from (the run's times_run and the invoice's status, say),
    # so a stale copy is never handed out.
    source_version = models.CharField(max_length=100, blank=True, default="")
    file_name = models.CharField(max_length=200, blank=True, default="")
    content = models.BinaryField(blank=True, default=b"")
    pages = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name or self.pk}"


class InvoiceQuery(models.Model):
    """A provider's question about a line of its invoice, answered by the council's finance
    team in a thread; its outcome is recorded and audited."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for the council"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        NONE = "", "Not decided"
        UPHELD = "upheld", "Upheld: the line is corrected"
        NOT_UPHELD = "not_upheld", "Not upheld: the line stands"
        WITHDRAWN = "withdrawn", "Withdrawn by the provider"

    invoice = models.ForeignKey(
        "delivery.Invoice", on_delete=models.CASCADE, related_name="queries"
    )
    line = models.ForeignKey(
        "delivery.InvoiceLine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="queries",
    )
    # The line as the provider saw it (a re-run replaces a draft run's lines).
    line_text = models.CharField(max_length=300, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    raised_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    history = audit_trail()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name_plural = "invoice queries"

    def __str__(self) -> str:
        return f"Query {self.pk} on {self.invoice}"


class QueryMessage(models.Model):
    query = models.ForeignKey(InvoiceQuery, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Whose side wrote it, kept even if the author's account is later removed.
    from_council = models.BooleanField()
    text = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["query_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{'Council' if self.from_council else 'Provider'} on query {self.query_id}"


class Adjustment(models.Model):
    """A correction to an approved invoice: a credit note (money back to the council) or a
    re-invoice (money owed to the provider). An approved invoice is never edited."""

    class Kind(models.TextChoices):
        CREDIT = "credit", "Credit note"
        REINVOICE = "reinvoice", "Re-invoice"

    invoice = models.ForeignKey(
        "delivery.Invoice", on_delete=models.PROTECT, related_name="adjustments"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    number = models.CharField(max_length=40, unique=True)
    reason = models.TextField()
    query = models.ForeignKey(
        InvoiceQuery, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Always zero or more: a credit note's amount is what the council gets back.
    total_pence = models.BigIntegerField()
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    history = audit_trail()

    class Meta:
        ordering = ["invoice_id", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_pence__gte=0), name="adjustment_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.number


class AdjustmentLine(models.Model):
    adjustment = models.ForeignKey(Adjustment, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(
        "delivery.InvoiceLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(max_length=300)
    stream = models.CharField(max_length=20, choices=Stream.choices, default=Stream.COUNCIL)
    amount_pence = models.BigIntegerField()

    class Meta:
        ordering = ["adjustment_id", "pk"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount_pence}p"


class PaymentBatch(models.Model):
    """Approved invoices and adjustments paid together, and so exported together to the
    council's ledger."""

    council = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="payment_batches"
    )
    number = models.CharField(max_length=40, unique=True)
    total_pence = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    history = audit_trail()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "payment batches"

    def __str__(self) -> str:
        return self.number


class BatchItem(models.Model):
    """One invoice or adjustment in a batch; each is in at most one batch, ever."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="items")
    invoice = models.OneToOneField(
        "delivery.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batch_item",
    )
    adjustment = models.OneToOneField(
        Adjustment, on_delete=models.PROTECT, null=True, blank=True, related_name="batch_item"
    )
    amount_pence = models.BigIntegerField()

    class Meta:
        ordering = ["batch_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(invoice__isnull=False, adjustment__isnull=True)
                    | models.Q(invoice__isnull=True, adjustment__isnull=False)
                ),
                name="batch_item_is_one_document",
            )
        ]

    def __str__(self) -> str:
        return f"{self.invoice or self.adjustment} in {self.batch}"


class LedgerLayout(models.Model):
    """A council's creditor payment file layout, in TOML (see the shipped default)."""

    council = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="ledger_layout"
    )
    text = models.TextField()
    updated_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()
    history = audit_trail()

    def __str__(self) -> str:
        return f"Ledger layout of {self.council}"


class LedgerExport(models.Model):
    """A batch's payment file as it was sent. A batch is exported once; a second export is
    made only when asked, with a reason, and is marked as a re-export."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="exports")
    re_export = models.BooleanField(default=False)
    reason = models.TextField(blank=True, default="")
    layout_text = models.TextField()
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    exported_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exported_at = models.DateTimeField()
    history = audit_trail()

    class Meta:
        ordering = ["batch_id", "exported_at", "pk"]

    def __str__(self) -> str:
        return self.file_name


class PayReturn(models.Model):
    """What a provider declares it pays its care workers, from a day: the hourly rate for
    contact time, how travel between visits is paid, and the longest wait between visits
    still counted as working time (a longer gap is an unpaid break)."""

    class TravelPay(models.TextChoices):
        HOURLY = "hourly", "Paid at the hourly rate"
        OWN_RATE = "own_rate", "Paid at its own hourly rate"
        PER_VISIT = "per_visit", "A fixed sum a visit"
        UNPAID = "unpaid", "Not paid"

    provider = models.ForeignKey(
        "commissioning.Provider", on_delete=models.PROTECT, related_name="pay_returns"
    )
    effective_from = models.DateField()
    hourly_pay = models.DecimalField(**MONEY)
    travel_pay = models.CharField(max_length=20, choices=TravelPay.choices)
    travel_rate = models.DecimalField(**MONEY, null=True, blank=True)
    per_visit_pay = models.DecimalField(**MONEY, null=True, blank=True)
    waiting_paid = models.BooleanField(default=True)
    break_after_minutes = models.PositiveIntegerField(default=60)
    filed_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filed_at = models.DateTimeField()
    history = audit_trail()

    class Meta:
        ordering = ["provider_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "effective_from"], name="one_pay_return_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} pay from {self.effective_from:%d %b %Y}"
