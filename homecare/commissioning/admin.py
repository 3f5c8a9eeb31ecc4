from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from homecare.commissioning.models import (
    Area,
    BandRate,
    PricingBand,
    RateCard,
    RatePeriod,
    TenderEvaluation,
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
