from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Grievance, GrievanceEvent


class GrievanceEventInline(admin.TabularInline):
    model = GrievanceEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "note", "by", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Grievance)
class GrievanceAdmin(SimpleHistoryAdmin):
    """Read-mostly: every change of state goes through the staff pages (services), never through the admin."""

    list_display = ["ticket", "category", "region", "status", "escalated", "filed_at", "resolve_due_at", "assigned_to"]
    list_filter = ["status", "category", "escalated", "channel"]
    search_fields = ["ticket", "region__code", "region__name"]
    date_hierarchy = "filed_at"
    raw_id_fields = ["region", "household", "assigned_to", "subject_facilitator"]
    readonly_fields = [f.name for f in Grievance._meta.fields]
    inlines = [GrievanceEventInline]

    def has_add_permission(self, request):
        return False
