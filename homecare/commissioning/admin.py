from typing import Any

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
    list_display = ["council", "position", "code", "name", "kind", "has_prime"]
    list_filter = ["council"]


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
    ProviderStanding,
)

DEFAULTS_NOTE = (
    "The provider's defaults: each council's own status and quality score of the provider is "
    "its standing (Provider standings), which starts from these when the provider is first "
    "appointed to one of the council's frameworks."
)


class DefaultStatusFilter(admin.ChoicesFieldListFilter):
    """The filter on a provider's status, titled as the default it is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = "default status"


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "cqc_location_id",
        "cqc_rating",
        "default_quality_score",
        "default_status",
    ]
    list_filter = [("status", DefaultStatusFilter), "cqc_rating"]
    search_fields = ["name", "cqc_location_id"]
    fieldsets = [
        (None, {"fields": ["name", "organisation", "cqc_location_id", "cqc_rating"]}),
        (
            "Defaults",
            {"fields": ["quality_score", "status", "status_reason"], "description": DEFAULTS_NOTE},
        ),
    ]

    @admin.display(description="default quality score", ordering="quality_score")
    def default_quality_score(self, provider: Provider) -> Any:
        return provider.quality_score

    @admin.display(description="default status", ordering="status")
    def default_status(self, provider: Provider) -> str:
        return provider.get_status_display()


@admin.register(ProviderStanding)
class ProviderStandingAdmin(SimpleHistoryAdmin):
    """Each council's status and quality score of a provider."""

    list_display = ["provider", "council", "status", "quality_score", "status_reason"]
    list_filter = ["council", "status"]
    list_select_related = ["provider", "council"]
    search_fields = ["provider__name", "council__name"]


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
