"""Move every GrantDisbursement (the old UEP transfer record) into the payments module, then drop the model.

Each (program, budget year, bank) of the old transfers becomes one UEP payment cycle, and each transfer one
payment row of it, with its amount, status, credit date and bank note: BERHASIL → paid, GAGAL → failed (or
re-issued, when the grant was sent again later: the later row's ``reissued_from``), pending → pending. The
account sent is the household's account at that bank (the active one, else the newest). The old
``id_penyaluran`` (``UEP-<program>-<grant>``) of each row is kept in the cycle's event and in the payment's
history; the grants themselves do not change. See docs/decisions.md ("UEP grants are paid as payments").
"""

from collections import defaultdict

from django.db import migrations
from django.db.models import Count, Q, Sum

NOTE = "Dipindahkan dari catatan penyaluran UEP lama (GrantDisbursement)"


def _account(BankAccount, household_id, bank_code):
    accounts = BankAccount.objects.filter(household_id=household_id, bank_code=bank_code)
    return accounts.filter(status="active").first() or accounts.order_by("-pk").first()


def _totals(Payment, cycle):
    def n(*statuses):
        return Count("pk", filter=Q(status__in=statuses))

    def total(*statuses):
        return Sum("amount_rupiah", filter=Q(status__in=statuses), default=0)

    failed = ("failed", "returned", "reissued")
    live = ("pending", "paid", *failed)
    return Payment.objects.filter(cycle_id=cycle.pk).aggregate(
        payment_count=n(*live), total_rupiah=total(*live), pending_count=n("pending"), paid_count=n("paid"),
        paid_rupiah=total("paid"), failed_count=n(*failed), failed_rupiah=total(*failed), unresolved_count=n("failed"),
        returned_count=n("returned"), returned_rupiah=total("returned"), reissued_count=n("reissued"),
        reversed_count=n("reversed"))


def forward(apps, schema_editor):
    GrantDisbursement = apps.get_model("graduation", "GrantDisbursement")
    PaymentCycle = apps.get_model("payments", "PaymentCycle")
    Payment = apps.get_model("payments", "Payment")
    PaymentShare = apps.get_model("payments", "PaymentShare")
    CycleEvent = apps.get_model("payments", "CycleEvent")
    BankAccount = apps.get_model("payments", "BankAccount")
    HistoricalPayment = apps.get_model("payments", "HistoricalPayment")
    HistoricalPaymentCycle = apps.get_model("payments", "HistoricalPaymentCycle")

    rows = list(GrantDisbursement.objects.select_related("grant__program", "grant__household", "grant__graduation")
                .order_by("grant_id", "created_at", "pk"))
    groups = defaultdict(list)
    for d in rows:
        groups[(d.grant.program_id, d.grant.budget_year or d.created_at.year, d.bank_code)].append(d)
    cycles = {}
    for key, items in sorted(groups.items()):
        _program_id, year, bank_code = key
        first = min(items, key=lambda d: d.created_at)
        program = first.grant.program
        on = first.created_at.date()
        cycles[key] = PaymentCycle.objects.create(
            program=program, kind="uep", year=year, stage=on.month, scheduled_on=on,
            region_id=program.owner_region_id, bank_code=bank_code, note=NOTE,
            status="reconciled" if all(d.status != "pending" for d in items) else "sent",
            generated_by=first.created_by, generated_at=first.created_at, sent_at=first.created_at,
            paid_on=max((d.paid_on for d in items if d.paid_on), default=None))
    # Oldest first per grant: a failed transfer sent again later was re-issued (the later row's reissued_from).
    made, last = defaultdict(dict), {}
    for d in rows:
        key = (d.grant.program_id, d.grant.budget_year or d.created_at.year, d.bank_code)
        cycle, grant = cycles[key], d.grant
        earlier = last.get(grant.pk)
        reissued_from = None
        if earlier is not None and earlier.status == "failed":
            Payment.objects.filter(pk=earlier.pk).update(status="reissued")
            reissued_from = earlier.pk
        account = _account(BankAccount, grant.household_id, d.bank_code)
        payment = Payment.objects.create(
            cycle=cycle, program_id=grant.program_id, year=cycle.year, stage=cycle.stage,
            enrollment_id=grant.graduation.enrollment_id, household_id=grant.household_id,
            region_code=grant.household.region_id, bank_account=account, bank_code=d.bank_code,
            account_number=account.account_number if account else "",
            holder_name=account.holder_name if account else "", holder_nik=account.holder_nik if account else "",
            amount_rupiah=d.amount_rupiah, status=d.status,
            credited_amount_rupiah=d.amount_rupiah if d.status == "paid" else None,
            credited_on=d.paid_on if d.status == "paid" else None, bank_reason=d.note[:255],
            reissued_from_id=reissued_from, grant_id=grant.pk, created_at=d.created_at, updated_at=d.created_at)
        last[grant.pk] = payment
        made[cycle.pk][payment.pk] = d
        PaymentShare.objects.create(payment=payment, funder_region_id=cycle.program.owner_region_id,
                                    amount_rupiah=d.amount_rupiah)
    for cycle in cycles.values():
        fields = _totals(Payment, cycle)
        PaymentCycle.objects.filter(pk=cycle.pk).update(**fields)
        CycleEvent.objects.create(
            cycle=cycle, action="generated", from_status="", to_status=cycle.status, by=cycle.generated_by,
            at=cycle.generated_at, note=NOTE,
            detail={"payments": len(made[cycle.pk]),
                    "references": {str(pk): d.reference for pk, d in made[cycle.pk].items()}})
        HistoricalPaymentCycle.objects.create(
            id=cycle.pk, program_id=cycle.program_id, kind="uep", year=cycle.year, stage=cycle.stage,
            scheduled_on=cycle.scheduled_on, region_id=cycle.region_id, bank_code=cycle.bank_code, note=NOTE,
            status=cycle.status, generated_by_id=cycle.generated_by_id, generated_at=cycle.generated_at,
            sent_at=cycle.sent_at, paid_on=cycle.paid_on, history_date=cycle.generated_at, history_type="+",
            history_change_reason="migrasi GrantDisbursement", history_user_id=cycle.generated_by_id, **fields)
        for payment in Payment.objects.filter(cycle_id=cycle.pk):
            values = {f.attname: getattr(payment, f.attname) for f in Payment._meta.concrete_fields}
            HistoricalPayment.objects.create(
                **values, history_date=payment.created_at, history_type="+",
                history_change_reason=f"migrasi: {made[cycle.pk][payment.pk].reference}"[:100])


class Migration(migrations.Migration):
    dependencies = [
        ("graduation", "0002_instrument_v1"),
        ("payments", "0004_uep_cycles"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
