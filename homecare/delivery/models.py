"""Call-monitoring uploads and logs, reconciliation runs, their invoices and exceptions.

A visit log is one carer's check-in and check-out at one person's home. Its key (provider,
person, carer, check-in) is unique in the database: that is what makes a re-upload of the
same or overlapping logs harmless, whichever way they arrive (a file or the API). A run
reconciles one provider's logs against its placed packages for one four-week period of one
council; it owns its invoice lines, its exceptions and its invoice, and is replaced whole when
re-run until the invoice is approved. Money is integer pence throughout. Every write goes
through :mod:`homecare.delivery.actions`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from homecare.accounts.models import audit_trail

USER = settings.AUTH_USER_MODEL


class LogUpload(models.Model):
    """A file of visit logs a provider sent, and how its import went."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV (call-monitoring layout)"
        PARQUET = "parquet", "Parquet (call-monitoring layout)"
        RETURN = "return", "Finance return (CSV)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Rejected"
        HELD = "held", "Held for review"

    provider = models.ForeignKey(
        "commissioning.Provider", on_delete=models.PROTECT, related_name="log_uploads"
    )
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    format = models.CharField(max_length=20, choices=Format.choices)
    # The bytes are kept so the background task can read them and the audit trail can show
    # exactly what was sent.
    content = models.BinaryField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    logs_created = models.PositiveIntegerField(default=0)
    logs_existing = models.PositiveIntegerField(default=0)
    # [{"row": 3, "column": "check_out", "message": "..."}], row numbers as a spreadsheet shows.
    errors = models.JSONField(default=list, blank=True)
    errors_total = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    # The worker reports as it goes; an import whose worker has not reported for
    # HOMECARE_IMPORT_STALE_MINUTES is failed by ``recover_stale_work`` so it can be sent again.
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The import stopped (a crash, a worker that died), not a file with bad rows: the same
    # file may simply be tried again.
    stopped = models.BooleanField(default=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} from {self.provider} ({self.status})"

    @property
    def percent_done(self) -> int:
        if not self.rows_total:
            return 100 if self.status in (self.Status.DONE, self.Status.HELD) else 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.HELD)


class VisitLog(models.Model):
    """One carer's call-monitoring log of one visit."""

    class Method(models.TextChoices):
        PHONE = "phone", "Phone"
        APP = "app", "App"
        QR = "qr", "QR code"
        MANUAL = "manual", "Manual"

    class Approval(models.TextChoices):
        NOT_NEEDED = "not_needed", "Not needed"
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    provider = models.ForeignKey(
        "commissioning.Provider", on_delete=models.PROTECT, related_name="visit_logs"
    )
    person = models.ForeignKey(
        "brokerage.Person", on_delete=models.PROTECT, related_name="visit_logs"
    )
    carer_id = models.CharField(max_length=60)
    check_in = models.DateTimeField()
    check_out = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=10, choices=Method.choices)
    exception_code = models.CharField(max_length=30, blank=True, default="")
    upload = models.ForeignKey(
        LogUpload, on_delete=models.PROTECT, null=True, blank=True, related_name="logs"
    )
    # Good rows of a file with bad rows, under HOMECARE_ECM_BAD_ROWS = "hold": not paid
    # until a finance officer releases the upload.
    held = models.BooleanField(default=False)
    approval = models.CharField(
        max_length=12, choices=Approval.choices, default=Approval.NOT_NEEDED
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = audit_trail()

    class Meta:
        ordering = ["check_in", "pk"]
        constraints = [
            # The idempotence key: the same log sent twice is one row, never paid twice.
            models.UniqueConstraint(
                fields=["provider", "person", "carer_id", "check_in"], name="one_log_per_key"
            )
        ]
        indexes = [models.Index(fields=["provider", "check_in"])]

    def __str__(self) -> str:
        return f"{self.person} by {self.carer_id} at {self.check_in:%Y-%m-%d %H:%M}"


class ReconciliationRun(models.Model):
    """One provider's logs against its placed packages for one council's four-week period."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved (frozen)"

    council = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="reconciliation_runs"
    )
    provider = models.ForeignKey(
        "commissioning.Provider", on_delete=models.PROTECT, related_name="reconciliation_runs"
    )
    period_start = models.DateField(help_text="A Monday")
    period_end = models.DateField(help_text="The Sunday four weeks on (inclusive)")
    rules_name = models.CharField(max_length=100)
    # The rate card the run was priced under, in words ("" when its framework has none).
    rate_card_name = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    ran_at = models.DateTimeField()
    ran_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    times_run = models.PositiveIntegerField(default=1)
    # A decision on an exception was taken since the last run: re-run before approving.
    stale = models.BooleanField(default=False)
    planned_visits = models.PositiveIntegerField(default=0)
    planned_carer_minutes = models.PositiveIntegerField(default=0)
    payable_carer_minutes = models.PositiveIntegerField(default=0)
    withheld_pence = models.BigIntegerField(default=0)
    total_pence = models.BigIntegerField(default=0)
    outcome_counts = models.JSONField(default=dict, blank=True)
    log_counts = models.JSONField(default=dict, blank=True)
    # Pence by funding stream ({"council": ..., "nhs_chc": ...}), and of block hours.
    stream_totals = models.JSONField(default=dict, blank=True)
    block_pence = models.BigIntegerField(default=0)
    history = audit_trail()

    class Meta:
        ordering = ["-period_start", "provider__name"]
        constraints = [
            # Never two runs (so never two invoices) for one provider and period.
            models.UniqueConstraint(
                fields=["council", "provider", "period_start"], name="one_run_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.period_start:%d %b %Y} to {self.period_end:%d %b %Y}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("delivery:run", args=[self.pk])

    @property
    def frozen(self) -> bool:
        return self.status == self.Status.APPROVED


class Invoice(models.Model):
    """The run's invoice; its total is the sum of its lines, checked when it is written."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Provisional"
        APPROVED = "approved", "Approved"

    run = models.OneToOneField(ReconciliationRun, on_delete=models.CASCADE, related_name="invoice")
    number = models.CharField(max_length=40, unique=True)
    total_pence = models.BigIntegerField()
    lines_count = models.PositiveIntegerField()
    checked = models.BooleanField(default=False, help_text="Total equals the sum of the lines")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    history = audit_trail()

    class Meta:
        ordering = ["-run__period_start", "number"]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    """One paid carer of one visit, priced by the engine; ``log`` is the visit log behind it
    (empty only for cancellation pay with no carer's log). A block-hours line (``outcome``
    ``block_hours``) pays a week's guaranteed hours not used: it has no person or log.

    ``nhs_pence`` and ``council_pence`` split ``amount_pence`` between the funding streams
    (the whole line to one for a council or NHS-funded person; by the stated share for a
    joint-funded one, the remainder penny to the council)."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    planned_id = models.CharField(max_length=80, blank=True, default="")
    person = models.ForeignKey(
        "brokerage.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visit_start = models.DateTimeField()
    outcome = models.CharField(max_length=30)
    purchase_order = models.CharField(max_length=40, blank=True, default="")
    band = models.CharField(max_length=40, blank=True, default="")
    zone_code = models.CharField(max_length=40, blank=True, default="")
    funding = models.CharField(max_length=20, blank=True, default="")
    council_pence = models.BigIntegerField(default=0)
    nhs_pence = models.BigIntegerField(default=0)
    carer_index = models.PositiveSmallIntegerField(default=1)
    carer_id = models.CharField(max_length=60, blank=True, default="")
    check_in = models.DateTimeField(null=True, blank=True)
    check_out = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=10, blank=True, default="")
    actual_minutes = models.IntegerField(null=True, blank=True)
    planned_minutes = models.IntegerField(null=True, blank=True)
    payable_minutes = models.IntegerField()
    billable_minutes = models.IntegerField()
    rate_pence_per_hour = models.BigIntegerField()
    day_type = models.CharField(max_length=30, blank=True, default="")
    enhancements = models.CharField(max_length=200, blank=True, default="")
    amount_pence = models.BigIntegerField()
    log = models.ForeignKey(
        VisitLog, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )

    class Meta:
        ordering = ["run_id", "position"]

    def __str__(self) -> str:
        return f"{self.planned_id or 'unplanned'} carer {self.carer_index}: {self.amount_pence}p"


class VisitException(models.Model):
    """Something in a run to look at; manual logs and late calls are approved or rejected."""

    class Status(models.TextChoices):
        NOTED = "noted", "For information"
        PENDING = "pending", "To decide"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="exceptions")
    kind = models.CharField(max_length=30)
    planned_id = models.CharField(max_length=80, blank=True, default="")
    planned_start = models.DateTimeField(null=True, blank=True)
    person_ref = models.CharField(max_length=40)
    carer_id = models.CharField(max_length=60, blank=True, default="")
    check_in = models.DateTimeField(null=True, blank=True)
    check_out = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=10, blank=True, default="")
    detail = models.TextField(blank=True, default="", help_text="What the engine found")
    action = models.TextField(blank=True, default="")
    log = models.ForeignKey(
        VisitLog, on_delete=models.SET_NULL, null=True, blank=True, related_name="exceptions"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOTED)
    reason = models.TextField(blank=True, default="", help_text="Why it was approved or rejected")
    decided_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # One more at each decision: a decision made on a page loaded before another officer's is
    # refused, not silently put over it.
    version = models.PositiveIntegerField(default=0)
    history = audit_trail()

    class Meta:
        ordering = ["run_id", "planned_start", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.planned_id or self.carer_id} ({self.status})"

    @property
    def decidable(self) -> bool:
        return self.status != self.Status.NOTED
