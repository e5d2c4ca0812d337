"""Admin: look, with history; cycles, payments and reconciliations change only through the services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    BankAccount,
    Budget,
    Card,
    CycleEvent,
    CycleExclusion,
    Payment,
    PaymentCycle,
    PaymentShare,
    Reconciliation,
    ReconciliationLine,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Records written by the services (maker-checker, budgets, reconciliation): never edited here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CycleEventInline(admin.TabularInline):
    model = CycleEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "action", "from_status", "to_status", "by", "note", "detail"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PaymentCycle)
class PaymentCycleAdmin(ReadOnlyAdmin):
    list_display = ["pk", "program", "year", "stage", "region", "bank_code", "status", "payment_count",
                    "total_rupiah", "paid_count", "failed_count", "paid_on"]
    list_filter = ["program", "status", "bank_code", "year"]
    inlines = [CycleEventInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["pk", "cycle", "holder_name", "region_code", "amount_rupiah", "status", "credited_on"]
    list_filter = ["status", "bank_code", "year"]
    search_fields = ["=id", "=account_number", "=holder_nik"]
    raw_id_fields = ["cycle", "enrollment", "household", "bank_account", "reissued_from"]


@admin.register(PaymentShare)
class PaymentShareAdmin(ReadOnlyAdmin):
    list_display = ["payment", "funder_region", "amount_rupiah"]
    raw_id_fields = ["payment"]


@admin.register(CycleExclusion)
class CycleExclusionAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "household", "reason"]
    list_filter = ["reason"]
    raw_id_fields = ["cycle", "enrollment", "household"]


class ReconciliationLineInline(admin.TabularInline):
    model = ReconciliationLine
    extra = 0
    can_delete = False
    readonly_fields = ["row_number", "outcome", "payment_id_text", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reconciliation)
class ReconciliationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "cycle", "file_name", "imported_by", "imported_at", "applied", "flagged", "rejected",
                    "unchanged"]
    inlines = [ReconciliationLineInline]


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ["program", "year", "funder_region", "allocated_rupiah", "updated_by", "updated_at"]
    list_filter = ["program", "year"]


@admin.register(BankAccount)
class BankAccountAdmin(SimpleHistoryAdmin):
    list_display = ["household", "bank_code", "account_number", "holder_name", "status", "opened_on"]
    list_filter = ["bank_code", "status"]
    search_fields = ["=account_number", "=holder_nik", "household__no_kk"]
    raw_id_fields = ["household", "person"]


@admin.register(Card)
class CardAdmin(SimpleHistoryAdmin):
    list_display = ["number", "household", "status", "issued_on"]
    list_filter = ["status"]
    search_fields = ["=number", "household__no_kk"]
    raw_id_fields = ["household", "person", "bank_account", "replaces"]
