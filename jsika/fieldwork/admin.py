from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Attendance,
    CaseloadAssignment,
    ComplianceAction,
    ComplianceCheck,
    ComplianceRule,
    FamilySession,
    Module,
    Visit,
)


@admin.register(CaseloadAssignment)
class CaseloadAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("facilitator", "household", "assigned_at", "ended_at", "end_reason")
    list_filter = ("ended_at",)
    search_fields = ("facilitator__username", "household__no_kk")
    raw_id_fields = ("household", "facilitator", "assigned_by", "ended_by")


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ("visited_on", "household", "facilitator", "purpose", "entry_delay_days", "received_at")
    list_filter = ("purpose",)
    search_fields = ("client_id", "household__no_kk", "facilitator__username")
    raw_id_fields = ("household", "facilitator")
    readonly_fields = ("client_id", "content_hash", "received_at", "entry_delay_days", "sync_lag_seconds")


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "code", "session_count", "is_active")


class AttendanceInline(admin.TabularInline):
    model = Attendance
    raw_id_fields = ("household",)
    readonly_fields = ("client_id",)
    extra = 0


@admin.register(FamilySession)
class FamilySessionAdmin(SimpleHistoryAdmin):
    list_display = ("held_on", "module", "session_number", "region", "facilitator")
    list_filter = ("module",)
    search_fields = ("client_id", "facilitator__username", "region__code")
    raw_id_fields = ("facilitator", "region")
    readonly_fields = ("client_id", "content_hash", "received_at")
    inlines = [AttendanceInline]


@admin.register(ComplianceRule)
class ComplianceRuleAdmin(SimpleHistoryAdmin):
    list_display = ("program", "school_min_percent", "require_school", "require_antenatal",
                    "require_toddler_weighing", "require_p2k2", "warnings_before_suspension", "lookback_months")


@admin.register(ComplianceCheck)
class ComplianceCheckAdmin(SimpleHistoryAdmin):
    list_display = ("period", "household", "condition", "status", "computed_status", "confirmed_by")
    list_filter = ("period", "condition", "status")
    raw_id_fields = ("enrollment", "household", "confirmed_by")


@admin.register(ComplianceAction)
class ComplianceActionAdmin(admin.ModelAdmin):
    list_display = ("period", "household", "kind", "by", "at")
    list_filter = ("kind", "period")
    raw_id_fields = ("enrollment", "household", "by")
