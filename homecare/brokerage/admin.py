from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from homecare.brokerage.models import (
    BrokerageRequest,
    Offer,
    Package,
    Person,
    Placement,
    RequestTransition,
    Visit,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    # Brokerage rows change only through actions.py (the state machine and the audit trail).
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["reference", "area", "funding", "cohort"]
    search_fields = ["reference"]


class VisitInline(admin.TabularInline):
    model = Visit
    extra = 0
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Package)
class PackageAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["pk", "person", "status", "source", "priority", "carer_hours_per_week"]
    list_filter = ["status", "source", "priority"]
    inlines = [VisitInline]


class TransitionInline(admin.TabularInline):
    model = RequestTransition
    extra = 0
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(BrokerageRequest)
class BrokerageRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "package", "framework", "state", "round_number", "placed_provider"]
    list_filter = ["state", "framework", "needs_spot_purchase"]
    inlines = [TransitionInline]


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["pk", "request", "provider", "round_number", "tier", "status", "deadline"]
    list_filter = ["status", "tier"]


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["pk", "package", "provider", "rate", "at", "ended_at"]


from homecare.brokerage.package_models import (  # noqa: E402
    PackageEnding,
    ScheduleChange,
    ScheduleVersion,
    Suspension,
)


@admin.register(ScheduleChange)
class ScheduleChangeAdmin(ReadOnlyAdmin):
    list_display = ["package", "kind", "status", "effective_from", "carer_hours_after"]
    list_filter = ["kind", "status"]


@admin.register(ScheduleVersion)
class ScheduleVersionAdmin(ReadOnlyAdmin):
    list_display = ["package", "effective_from", "effective_to", "carer_hours_per_week"]


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdmin):
    list_display = ["package", "start_date", "end_date"]


@admin.register(PackageEnding)
class PackageEndingAdmin(ReadOnlyAdmin):
    list_display = ["package", "ends_from", "reason"]
