"""Read-mostly admin for delivery: writes go through the actions, so these are views."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from homecare.delivery.models import (
    Invoice,
    LogUpload,
    ReconciliationRun,
    VisitException,
    VisitLog,
)


@admin.register(LogUpload)
class LogUploadAdmin(admin.ModelAdmin):
    list_display = ("file_name", "provider", "status", "rows_total", "logs_created", "uploaded_at")
    list_filter = ("status", "format")
    exclude = ("content",)
    readonly_fields = ("sha256", "errors")


@admin.register(VisitLog)
class VisitLogAdmin(SimpleHistoryAdmin):
    list_display = ("person", "provider", "carer_id", "check_in", "method", "approval", "held")
    list_filter = ("method", "approval", "held")
    raw_id_fields = ("person", "upload")


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(SimpleHistoryAdmin):
    list_display = ("provider", "council", "period_start", "status", "total_pence")
    list_filter = ("status",)


@admin.register(Invoice)
class InvoiceAdmin(SimpleHistoryAdmin):
    list_display = ("number", "status", "total_pence", "lines_count", "checked")


@admin.register(VisitException)
class VisitExceptionAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "person_ref", "planned_start", "status", "decided_by")
    list_filter = ("kind", "status")
