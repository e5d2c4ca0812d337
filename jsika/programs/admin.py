"""Admin for support staff; managers use the program pages (the admin bypasses maker-checker, so it is read-mostly)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    BenefitRule,
    ComponentAmount,
    Enrollment,
    EnrollmentEvent,
    FundingShare,
    Program,
    ProgramBank,
    Quota,
    ReverificationCampaign,
)


class ProgramBankInline(admin.TabularInline):
    model = ProgramBank
    extra = 0


class FundingShareInline(admin.TabularInline):
    model = FundingShare
    extra = 0


@admin.register(Program)
class ProgramAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "owner_region", "start_year", "tenure_years", "bank_code", "is_active")
    search_fields = ("code", "name")
    filter_horizontal = ("covered_regions", "excluded_programs")
    raw_id_fields = ("owner_region",)
    inlines = [ProgramBankInline, FundingShareInline]


class ComponentAmountInline(admin.TabularInline):
    model = ComponentAmount
    extra = 0


@admin.register(BenefitRule)
class BenefitRuleAdmin(SimpleHistoryAdmin):
    list_display = ("program", "year", "kind", "amount_rupiah", "max_components")
    list_filter = ("program", "kind")
    inlines = [ComponentAmountInline]


@admin.register(Quota)
class QuotaAdmin(SimpleHistoryAdmin):
    list_display = ("program", "year", "region", "slots")
    list_filter = ("program", "year")
    raw_id_fields = ("region",)


class EnrollmentEventInline(admin.TabularInline):
    model = EnrollmentEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "reason", "by", "at")


@admin.register(Enrollment)
class EnrollmentAdmin(SimpleHistoryAdmin):
    """Read-only: transitions go through the services (maker-checker, quotas, history)."""

    list_display = ("program", "household", "status", "started_on", "tenure_ends_on", "ended_on")
    list_filter = ("program", "status", "exit_reason", "needs_reverification")
    search_fields = ("household__no_kk",)
    raw_id_fields = ("household",)
    inlines = [EnrollmentEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReverificationCampaign)
class ReverificationCampaignAdmin(admin.ModelAdmin):
    list_display = ("program", "year", "region", "due_on", "closed_at")
