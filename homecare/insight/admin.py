from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from homecare.insight.models import Complaint


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    # Complaints change only through actions.py, so each version names its author; the
    # admin shows them and their history.
    list_display = ["received_on", "council", "provider", "category", "outcome"]
    list_filter = ["outcome", "category", "council"]
    search_fields = ["provider__name", "person__reference", "summary"]
    date_hierarchy = "received_on"

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
