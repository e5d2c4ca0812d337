"""Read-only admin of the figures (they are rebuilt by refresh_dashboard, never edited)."""

from django.contrib import admin

from .models import CycleFact, FigureFact, FigureRefresh, RegionPoint


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FigureFact)
class FigureFactAdmin(ReadOnly):
    list_display = ("metric", "program", "year", "month", "key", "region_code", "level", "value")
    list_filter = ("metric", "level", "program")
    search_fields = ("region_code",)


@admin.register(CycleFact)
class CycleFactAdmin(ReadOnly):
    list_display = ("cycle_id", "program", "year", "stage", "bank_code", "paid_on", "region_code", "payments",
                    "amount_rupiah")
    list_filter = ("level", "program", "year")


@admin.register(RegionPoint)
class RegionPointAdmin(ReadOnly):
    list_display = ("region_code", "level", "program", "kpm", "pregnant", "dropout", "ready", "latitude", "longitude")
    list_filter = ("level", "program")


@admin.register(FigureRefresh)
class FigureRefreshAdmin(ReadOnly):
    list_display = ("started_at", "seconds", "rows", "sources", "by")
