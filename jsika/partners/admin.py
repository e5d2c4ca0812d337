from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, Intervention, Membership, Referral, ReferralEvent, SavedSearch


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ("name", "short_name", "sector", "region", "is_active")
    list_filter = ("sector", "is_active")
    search_fields = ("name", "short_name")


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "agency", "since")
    list_select_related = ("user", "agency")
    raw_id_fields = ("user",)


@admin.register(Intervention)
class InterventionAdmin(SimpleHistoryAdmin):
    list_display = ("delivered_on", "kind", "agency", "household", "person", "recorded_by")
    list_filter = ("kind", "agency")
    raw_id_fields = ("household", "person", "referral", "recorded_by")
    date_hierarchy = "delivered_on"


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    readonly_fields = ("action", "from_status", "to_status", "note", "by", "at")
    can_delete = False


@admin.register(Referral)
class ReferralAdmin(SimpleHistoryAdmin):
    list_display = ("referred_at", "need", "agency", "person", "status")
    list_filter = ("status", "need", "agency")
    raw_id_fields = ("household", "person", "referred_by", "accepted_by", "closed_by")
    inlines = [ReferralEventInline]


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "sector", "created_at", "last_run_at")
    raw_id_fields = ("owner",)
