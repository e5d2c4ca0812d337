"""Admin: draft instrument versions can be edited here; everything else is read through, written by services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Assessment,
    Graduation,
    GraduationTarget,
    Grant,
    GrantBudget,
    GrantFollowUp,
    Indicator,
    Instrument,
    Option,
)


class _PublishedReadOnly:
    """Indicators and options of a published version are frozen (the model refuses the save anyway)."""

    def _published(self, obj) -> bool:
        instrument = obj if isinstance(obj, Instrument) else getattr(obj, "instrument", None)
        return bool(instrument and instrument.is_published)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._published(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._published(obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._published(obj)


class IndicatorInline(_PublishedReadOnly, admin.TabularInline):
    model = Indicator
    extra = 0
    show_change_link = True


@admin.register(Instrument)
class InstrumentAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "version", "valid_from", "developing_from", "ready_from", "published_at")
    readonly_fields = ("published_at", "published_by", "created_by")
    inlines = [IndicatorInline]

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.is_published:
            return [f.name for f in Instrument._meta.fields]
        return self.readonly_fields


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0

    def _published(self, obj):
        return bool(obj and obj.instrument.is_published)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._published(obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._published(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._published(obj)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("instrument", "order", "code", "label", "weight")
    list_filter = ("instrument",)
    inlines = [OptionInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.instrument.is_published)


class _ReadOnlyAdmin(SimpleHistoryAdmin):
    """Rows written by the services (with their rules and history); the admin only reads them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(_ReadOnlyAdmin):
    list_display = ("assessed_on", "household", "score", "band", "instrument", "assessor")
    list_filter = ("band", "instrument")
    search_fields = ("household__no_kk", "client_id", "assessor__username")
    raw_id_fields = ("household", "enrollment")


@admin.register(Graduation)
class GraduationAdmin(_ReadOnlyAdmin):
    list_display = ("program", "household", "kind", "status", "graduated_on", "certificate_number")
    list_filter = ("program", "kind", "status")
    search_fields = ("household__no_kk", "certificate_number")


@admin.register(GraduationTarget)
class GraduationTargetAdmin(_ReadOnlyAdmin):
    list_display = ("program", "year", "region", "target", "note")


@admin.register(GrantBudget)
class GrantBudgetAdmin(_ReadOnlyAdmin):
    list_display = ("program", "year", "amount_rupiah", "note")


@admin.register(Grant)
class GrantAdmin(_ReadOnlyAdmin):
    list_display = ("program", "household", "business_type", "status", "amount_approved_rupiah", "disbursed_on")
    list_filter = ("program", "status", "business_type")
    search_fields = ("household__no_kk",)


@admin.register(GrantFollowUp)
class GrantFollowUpAdmin(_ReadOnlyAdmin):
    list_display = ("grant", "months", "visited_on", "business_running", "income_rupiah")
    list_filter = ("months", "business_running")
