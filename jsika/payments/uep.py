"""One-off UEP cycles: approved business grants (bantuan modal usaha) paid like any payment.

A UEP cycle belongs to one program, one budget year of its UEP grants (``GrantBudget``), one planned
disbursement date, one area and one bank. It takes the program's approved grants of that budget year that
are not yet paid nor waiting at a bank, in its area and paid through its bank (``Program.bank_for``): each
becomes one payment of the approved amount to the household's active account there; a household without
one is listed as an exclusion. A grant whose earlier payment failed is re-issued (``reissued_from``), so the
failed row leaves its cycle's open failures. From there it is an ordinary cycle: maker-checker verification
and approval (within the UEP budget, not the benefit budgets), the same bank file and reconciliation. After
every reconciliation the grants follow their payments (``jsika.graduation.grants.record_uep_payments``).
"""

from datetime import date

from django.db import transaction
from django.db.models import (
    BigIntegerField,
    DateTimeField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from jsika.core.scoping import code_in_scope, region_q
from jsika.programs.models import Program
from jsika.programs.rules import rupiah
from jsika.regions.models import Region

from . import generation, permissions, setsql
from .models import (
    COMMITTED_CYCLE_STATUSES,
    COMMITTED_PAYMENT_STATUSES,
    BankAccount,
    CycleEvent,
    CycleExclusion,
    CycleKind,
    ExclusionReason,
    Payment,
    PaymentCycle,
    PaymentShare,
    PaymentStatus,
)

P = PaymentStatus
Action = CycleEvent.Action


def _services():
    from . import services  # services dispatches UEP cycles here: import late

    return services


def awaiting(cycle: PaymentCycle, grant_ids: list[int] | None = None):
    """The program's approved grants of the cycle's budget year, not paid and not waiting at a bank, in the
    cycle's area and paid through its bank (``grant_ids``: only these)."""
    from jsika.graduation.queries import grants_awaiting_payment

    qs = (grants_awaiting_payment(cycle.program, cycle.year)
          .filter(region_q("household__region_id", cycle.region_id))
          .filter(generation.bank_area_q(cycle.program, cycle.bank_code)))
    if grant_ids is not None:
        qs = qs.filter(pk__in=grant_ids)
    return qs.order_by()


def committed_rupiah(program: Program, year: int, *, exclude_cycle: PaymentCycle | None = None) -> int:
    """UEP money of ``year``'s budget already committed: live payments of approved (or later) UEP cycles."""
    qs = Payment.objects.filter(program=program, year=year, grant__isnull=False,
                                status__in=COMMITTED_PAYMENT_STATUSES, cycle__status__in=COMMITTED_CYCLE_STATUSES)
    if exclude_cycle is not None:
        qs = qs.exclude(cycle=exclude_cycle)
    return qs.aggregate(total=Sum("amount_rupiah", default=0))["total"]


def budget_problem(cycle: PaymentCycle) -> str | None:
    """Why the cycle's grants do not fit the program's UEP budget of its year, or ``None`` when they do."""
    from jsika.graduation.models import GrantBudget

    budget = GrantBudget.objects.select_for_update().filter(program=cycle.program, year=cycle.year).first()
    if budget is None:
        return _("Pagu UEP %(program)s tahun %(year)s belum ditetapkan.") % {"program": cycle.program.code,
                                                                           "year": cycle.year}
    need = (Payment.objects.filter(cycle=cycle, status__in=COMMITTED_PAYMENT_STATUSES)
            .aggregate(total=Sum("amount_rupiah", default=0))["total"])
    committed = committed_rupiah(cycle.program, cycle.year, exclude_cycle=cycle)
    if committed + need > budget.amount_rupiah:
        return (_("Melebihi pagu UEP %(program)s %(year)s: dibutuhkan %(need)s, sisa pagu %(left)s.")
                % {"program": cycle.program.code, "year": cycle.year, "need": rupiah(need),
                   "left": rupiah(budget.amount_rupiah - committed)})
    return None


def generate(cycle: PaymentCycle, grant_ids: list[int] | None = None) -> tuple[int, int]:
    """Insert the cycle's payments (one per awaiting grant with an account) and exclusions (no account), set-based.

    Returns (payments, exclusions)."""
    services = _services()
    base = awaiting(cycle, grant_ids)
    has_account = Q(Exists(BankAccount.objects.filter(household=OuterRef("household_id"), bank_code=cycle.bank_code,
                                                      status=BankAccount.Status.ACTIVE)))
    excluded = setsql.insert_from(
        CycleExclusion, ["cycle", "enrollment", "household", "reason"],
        base.exclude(has_account).annotate(c=Value(cycle.pk), r=Value(str(ExclusionReason.NO_ACCOUNT)))
        .values_list("c", "graduation__enrollment_id", "household_id", "r"))
    account = FilteredRelation("household__bank_accounts", condition=Q(
        household__bank_accounts__bank_code=cycle.bank_code, household__bank_accounts__status="active"))
    payable = base.filter(has_account).annotate(acct=account).filter(acct__isnull=False)
    # A grant whose last payment failed: that payment is re-issued here (it leaves its cycle's open failures).
    failed = list(Payment.objects.filter(grant__in=payable.values("pk"), status=P.FAILED)
                  .values_list("pk", "cycle_id"))
    if failed:
        ids = [pk for pk, _c in failed]
        Payment.objects.filter(pk__in=ids).update(status=P.REISSUED, updated_at=timezone.now())
        setsql.snapshot_history(Payment, f"id IN ({', '.join(str(i) for i in ids)})",
                                by=cycle.generated_by, reason=f"terbit ulang ke tahap UEP #{cycle.pk}")
        reissued_from = Subquery(Payment.objects.filter(grant=OuterRef("pk"), pk__in=ids).values("pk")[:1])
    else:
        reissued_from = Value(None, output_field=BigIntegerField())
    now = timezone.now()
    rows = payable.annotate(
        p_cycle=Value(cycle.pk), p_program=Value(cycle.program_id), p_year=Value(cycle.year),
        p_stage=Value(cycle.stage), p_region=F("household__region_id"), p_account=F("acct__id"),
        p_bank=Value(cycle.bank_code), p_number=F("acct__account_number"),
        p_holder=F("acct__holder_name"), p_nik=F("acct__holder_nik"),
        p_amount=F("amount_approved_rupiah"), p_status=Value(P.PENDING), p_empty=Value(""),
        p_now=Value(now, output_field=DateTimeField()), p_from=reissued_from,
    ).values_list("p_cycle", "p_program", "p_year", "p_stage", "graduation__enrollment_id", "household_id",
                  "p_region", "p_account", "p_bank", "p_number", "p_holder", "p_nik", "p_amount", "p_status",
                  "p_empty", "p_empty", "p_empty", "p_now", "p_now", "pk", "p_from")
    inserted = setsql.insert_from(Payment, [*generation.PAYMENT_FIELDS, "grant", "reissued_from"], rows)
    # UEP money is the program's own (its UEP budget): one share, the owner region's, of the whole amount.
    setsql.execute(f"INSERT INTO {setsql.table(PaymentShare)} (payment_id, funder_region_id, amount_rupiah) "
                   f"SELECT p.id, %s, p.amount_rupiah FROM {setsql.table(Payment)} p WHERE p.cycle_id = %s",
                   [cycle.program.owner_region_id, cycle.pk])
    setsql.snapshot_history(Payment, f"cycle_id = {int(cycle.pk)}", by=cycle.generated_by, history_type="+",
                            reason="tahap UEP")
    services.refresh_totals(cycle)
    for source in {c for _p, c in failed}:
        source_cycle = services.refresh_totals(PaymentCycle.objects.get(pk=source))
        services.record_event(source_cycle, Action.REISSUED_IN, by=cycle.generated_by,
                              from_status=source_cycle.status, into=cycle.pk,
                              count=sum(1 for _p, c in failed if c == source))
    return inserted, excluded


def chosen_grants(cycle: PaymentCycle) -> list[int] | None:
    """The grants picked when the cycle was opened (``None``: every awaiting grant of its area)."""
    event = cycle.events.filter(action=Action.GENERATED).order_by("pk").first()
    return event.detail.get("grants") if event else None


@transaction.atomic
def open_uep_cycle(*, program: Program, year: int, scheduled_on: date, by, region=None, bank_code: str = "",
                   grants=None, note: str = "") -> PaymentCycle:
    """Open a UEP cycle of ``program``'s approved grants of budget year ``year`` for payment on ``scheduled_on``
    in ``region`` (default: the program's area) through its bank; ``grants`` narrows it to these grants, all of
    which must be awaiting payment inside the area. All or nothing; never over the year's UEP budget."""
    services = _services()
    region_code = region.code if isinstance(region, Region) else (region or program.owner_region_id)
    region_obj = Region.objects.filter(code=region_code).first()
    if region_obj is None:
        raise services.PaymentError(_("Kode wilayah %(code)s tidak dikenal.") % {"code": region_code})
    services._refuse(permissions.prepare_refusal(by, region_obj.code))
    if not code_in_scope(region_obj.code, program.owner_region_id):
        raise services.PaymentError(_("Wilayah %(code)s di luar wilayah program %(program)s.")
                                    % {"code": region_obj.code, "program": program.code})
    if not isinstance(scheduled_on, date):
        raise services.PaymentError(_("Isi tanggal penyaluran yang direncanakan."))
    bank_code = (bank_code or program.bank_for(region_obj.code) or "").strip().upper()
    if not bank_code:
        raise services.PaymentError(_("Program ini belum punya bank penyalur."))
    cycle = PaymentCycle(program=program, kind=CycleKind.UEP, year=year, stage=scheduled_on.month,
                         scheduled_on=scheduled_on, region=region_obj, bank_code=bank_code, note=note,
                         generated_by=by)
    grant_ids = None
    if grants is not None:
        grant_ids = sorted({g if isinstance(g, int) else g.pk for g in grants})
        found = set(awaiting(cycle, grant_ids).values_list("pk", flat=True))
        outside = [pk for pk in grant_ids if pk not in found]
        if outside:
            raise services.PaymentError(
                _("Bantuan UEP %(ids)s tidak dapat masuk tahap ini: bukan bantuan %(program)s tahun anggaran "
                  "%(year)s yang disetujui dan menunggu penyaluran di wilayah %(region)s melalui %(bank)s.")
                % {"ids": ", ".join(f"#{pk}" for pk in outside), "program": program.code, "year": year,
                   "region": region_obj.code, "bank": bank_code})
    cycle._history_user = by
    cycle.save()
    payments, excluded = generate(cycle, grant_ids)
    if not payments and not excluded:
        raise services.PaymentError(_("Tidak ada bantuan UEP %(program)s tahun anggaran %(year)s yang disetujui "
                                      "dan menunggu penyaluran di wilayah ini.") % {"program": program.code,
                                                                                 "year": year})
    services._refuse(budget_problem(cycle))
    services.record_event(cycle, Action.GENERATED, by=by, payments=payments, total_rupiah=cycle.total_rupiah,
                          excluded={str(ExclusionReason.NO_ACCOUNT): excluded} if excluded else {},
                          grants=grant_ids)
    return cycle


def after_payments_changed(cycle: PaymentCycle, by) -> int:
    """Let the grants of a UEP cycle follow their payments (paid → disbursed); the number of grants changed."""
    if cycle.kind != CycleKind.UEP:
        return 0
    from jsika.graduation.grants import record_uep_payments

    return record_uep_payments(cycle=cycle, by=by)
