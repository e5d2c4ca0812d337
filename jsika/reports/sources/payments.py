"""Figures from payments: money committed, paid and returned per year and funder, and each cycle's totals
per region (the numbers of a berita acara: Pulomerak's 20 November 2019 cycle of 201 × Rp500,000).

Benefit money only: UEP grants paid through UEP cycles (payments with a grant) are counted once, by the
graduation source (``uep_disbursed``, ``uep_disbursed_rupiah``), not again here."""

from datetime import date

from django.apps import apps
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import Coalesce

from ..models import CycleFact
from .common import execute, grouped, insert_facts, quote

# Statuses of the payments module (kept here as text: this app must load without it).
COMMITTED_CYCLES = ("approved", "sent", "reconciled", "closed")
COMMITTED_PAYMENTS = ("pending", "paid", "failed")
FAILED_PAYMENTS = ("failed", "returned", "reissued")


def _shares(share_model, **payment_filter):
    return share_model.objects.filter(payment__grant__isnull=True,
                                      **{f"payment__{k}": v for k, v in payment_filter.items()})


def money_facts() -> int:
    share = apps.get_model("payments", "PaymentShare")
    payment = apps.get_model("payments", "Payment")
    common = {"program": "payment__program_id", "year": "payment__year", "key": "funder_region_id",
              "region": "payment__region_code"}
    n = insert_facts(grouped(_shares(share, cycle__status__in=COMMITTED_CYCLES, status__in=COMMITTED_PAYMENTS),
                             value=Sum("amount_rupiah"), **common), metric="committed_rupiah")
    n += insert_facts(grouped(_shares(share, status="paid"), value=Sum("amount_rupiah"), **common),
                      metric="paid_rupiah")
    n += insert_facts(grouped(_shares(share, status="returned"), value=Sum("amount_rupiah"), **common),
                      metric="returned_rupiah")
    n += insert_facts(grouped(payment.objects.filter(status="paid", grant__isnull=True), value=Count("pk"),
                              program="program_id", year="year", region="region_code"), metric="paid_count")
    return n


def cycle_facts() -> int:
    """One row per cycle and desa, inserted from a grouped query; reversed payments are outside the totals."""
    payment = apps.get_model("payments", "Payment")
    live = ~Q(status="reversed")
    qs = (payment.objects.exclude(cycle__status="cancelled").filter(grant__isnull=True).order_by()
          .values(f_cycle=F("cycle_id"), f_program=F("program_id"), f_year=F("cycle__year"),
                  f_stage=F("cycle__stage"), f_bank=F("cycle__bank_code"), f_status=F("cycle__status"),
                  f_paid_on=F("cycle__paid_on"), f_region=F("region_code"))
          .annotate(f_payments=Count("pk", filter=live),
                    f_amount=Coalesce(Sum("amount_rupiah", filter=live), 0),
                    f_min=Coalesce(Min("amount_rupiah", filter=live), 0),
                    f_max=Coalesce(Max("amount_rupiah", filter=live), 0),
                    f_paid=Count("pk", filter=Q(status="paid")),
                    f_paid_rupiah=Coalesce(Sum("credited_amount_rupiah", filter=Q(status="paid")), 0),
                    f_failed=Count("pk", filter=Q(status__in=FAILED_PAYMENTS))))
    sql, params = qs.query.sql_with_params()
    columns = ("cycle_id", "program_id", "year", "stage", "bank_code", "status", "paid_on", "region_code", "level",
               "payments", "amount_rupiah", "min_amount_rupiah", "max_amount_rupiah", "paid_count", "paid_rupiah",
               "failed_count")
    return execute(
        f"INSERT INTO {quote(CycleFact._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT src.f_cycle, src.f_program, src.f_year, src.f_stage, src.f_bank, src.f_status, src.f_paid_on, "
        f"src.f_region, 4, src.f_payments, src.f_amount, src.f_min, src.f_max, src.f_paid, src.f_paid_rupiah, "
        f"src.f_failed FROM ({sql}) src", params)


def refresh(today: date) -> int:
    return money_facts() + cycle_facts()
