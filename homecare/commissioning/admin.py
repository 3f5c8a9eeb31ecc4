from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from homecare.commissioning.models import (
    Area,
    BandRate,
    PricingBand,
    RateCard,
    RatePeriod,
    TenderEvaluation,
    TravelCalibration,
    Zone,
)


@admin.register(PricingBand)
class PricingBandAdmin(admin.ModelAdmin):
    list_display = ["scheme", "rank", "code", "name"]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["position", "code", "name", "kind", "has_prime"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district", "zone", "band", "population_65_plus"]
    list_filter = ["zone", "band", "district"]
    search_fields = ["code", "name"]


class RatePeriodInline(admin.TabularInline):
    model = RatePeriod
    extra = 0


@admin.register(RateCard)
class RateCardAdmin(SimpleHistoryAdmin):
    list_display = ["name", "council", "illustrative"]
    inlines = [RatePeriodInline]


class BandRateInline(admin.TabularInline):
    model = BandRate
    extra = 0


@admin.register(RatePeriod)
class RatePeriodAdmin(SimpleHistoryAdmin):
    list_display = ["card", "effective_from", "effective_to"]
    inlines = [BandRateInline]


@admin.register(TenderEvaluation)
class TenderEvaluationAdmin(admin.ModelAdmin):
    list_display = ["pk", "title", "council", "created_by", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(TravelCalibration)
class TravelCalibrationAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "council", "source", "status", "created_by", "created_at"]
    list_filter = ["status", "source"]
    readonly_fields = ["created_at", "started_at", "finished_at"]


from homecare.commissioning.market_models import (  # noqa: E402
    Appointment,
    AppointmentBandRate,
    CapacityDeclaration,
    Framework,
    FrameworkApplication,
    Lot,
    Provider,
)


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ["name", "cqc_location_id", "cqc_rating", "quality_score", "status"]
    list_filter = ["status", "cqc_rating"]
    search_fields = ["name", "cqc_location_id"]


class LotInline(admin.TabularInline):
    model = Lot
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(SimpleHistoryAdmin):
    list_display = ["name", "council", "policy_kind", "start_date", "term", "open_to_new_providers"]
    inlines = [LotInline]


class BandRateInline(admin.TabularInline):
    model = AppointmentBandRate
    extra = 0


@admin.register(Appointment)
class AppointmentAdmin(SimpleHistoryAdmin):
    list_display = ["provider", "framework", "lot", "tier", "rank", "hourly_rate", "active"]
    list_filter = ["framework", "tier", "active"]
    inlines = [BandRateInline]


@admin.register(CapacityDeclaration)
class CapacityDeclarationAdmin(admin.ModelAdmin):
    list_display = ["provider", "zone", "week_starting", "free_hours", "declared_at"]


@admin.register(FrameworkApplication)
class FrameworkApplicationAdmin(SimpleHistoryAdmin):
    list_display = ["provider", "framework", "status", "applied_at", "decided_at"]
