"""Every write to budgets, payment cycles and payments: one function per action, transactional, with history.

A refused action raises ``PaymentError`` with a message in Bahasa Indonesia and changes nothing: checks
run first, and each service runs inside ``transaction.atomic()`` (a crash half-way leaves no partial
cycle). The bank file and the reconciliation live in ``bankfiles.py``, accounts and cards in
``accounts.py``; both follow the same rules.
"""

from collections import defaultdict
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count, DateTimeField, FilteredRelation, Q, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from jsika.core.scoping import code_in_scope
from jsika.programs import rules
from jsika.programs.models import Program
from jsika.programs.rules import rupiah
from jsika.regions.models import Region

from . import generation, permissions, setsql
from .models import (
    COMMITTED_CYCLE_STATUSES,
    COMMITTED_PAYMENT_STATUSES,
    Budget,
    CycleEvent,
    CycleExclusion,
    CycleStatus,
    Payment,
    PaymentCycle,
    PaymentShare,
    PaymentStatus,
)

Action = CycleEvent.Action
P = PaymentStatus


class PaymentError(Exception):
    """A refused payments action; ``str(error)`` is the message for the user."""


def _refuse(message: str | None):
    if message:
        raise PaymentError(message)


def record_event(cycle: PaymentCycle, action: str, *, by, from_status: str = "", note: str = "", **detail):
    return CycleEvent.objects.create(cycle=cycle, action=action, from_status=from_status, to_status=cycle.status,
                                     by=by, note=note, detail=detail)


def _locked(cycle: PaymentCycle) -> PaymentCycle:
    return PaymentCycle.objects.select_for_update().select_related("program").get(pk=cycle.pk)


def _move(cycle: PaymentCycle, *, to: str, by, **fields) -> str:
    before = cycle.status
    cycle.status = to
    for name, value in fields.items():
        setattr(cycle, name, value)
    cycle._history_user = by
    cycle.save()
    return before


def refresh_totals(cycle: PaymentCycle) -> PaymentCycle:
    """Recompute the cycle's cached counts and sums from its payments (one aggregate query)."""
    def n(*statuses):
        return Count("pk", filter=Q(status__in=statuses))

    def total(*statuses):
        return Sum("amount_rupiah", filter=Q(status__in=statuses), default=0)

    failed = (P.FAILED, P.RETURNED, P.REISSUED)
    live = (P.PENDING, P.PAID, *failed)
    figures = Payment.objects.filter(cycle_id=cycle.pk).aggregate(
        payment_count=n(*live), total_rupiah=total(*live), pending_count=n(P.PENDING),
        paid_count=n(P.PAID), paid_rupiah=total(P.PAID), failed_count=n(*failed), failed_rupiah=total(*failed),
        unresolved_count=n(P.FAILED), returned_count=n(P.RETURNED), returned_rupiah=total(P.RETURNED),
        reissued_count=n(P.REISSUED), reversed_count=n(P.REVERSED),
        flagged_count=Count("pk", filter=~Q(flag_reason="") & Q(status=P.PENDING)),
    )
    figures["excluded_count"] = CycleExclusion.objects.filter(cycle_id=cycle.pk).count()
    PaymentCycle.objects.filter(pk=cycle.pk).update(**figures)
    for name, value in figures.items():
        setattr(cycle, name, value)
    return cycle


# --- budgets -------------------------------------------------------------------------------------

@transaction.atomic
def set_budget(*, program: Program, year: int, funder_region, allocated_rupiah: int, by, note: str = "") -> Budget:
    """Set one funder's allocation for a program's year; it may not go below what is already committed."""
    from .queries import committed_by_funder

    funder = funder_region if isinstance(funder_region, Region) else Region.objects.filter(
        code=str(funder_region)).first()
    if funder is None:
        raise PaymentError(_("Kode wilayah penyandang dana %(code)s tidak dikenal.") % {"code": funder_region})
    _refuse(permissions.budget_refusal(by, funder.code))
    if not isinstance(allocated_rupiah, int) or isinstance(allocated_rupiah, bool) or allocated_rupiah < 0:
        raise PaymentError(_("Pagu harus bilangan bulat rupiah, tidak negatif."))
    committed = committed_by_funder(program, year).get(funder.code, 0)
    if allocated_rupiah < committed:
        raise PaymentError(_("Pagu %(new)s lebih kecil daripada yang sudah terikat pada tahap yang disetujui "
                             "(%(committed)s).") % {"new": rupiah(allocated_rupiah), "committed": rupiah(committed)})
    budget = Budget.objects.select_for_update().filter(program=program, year=year, funder_region=funder).first()
    budget = budget or Budget(program=program, year=year, funder_region=funder)
    budget.allocated_rupiah, budget.note, budget.updated_by = allocated_rupiah, note, by
    budget._history_user = by
    budget.save()
    return budget


# --- cycles --------------------------------------------------------------------------------------

def _generate(cycle: PaymentCycle) -> generation.Generated:
    if cycle.is_uep:
        from . import uep

        payments, excluded = uep.generate(cycle, uep.chosen_grants(cycle))
        return generation.Generated(payments, cycle.total_rupiah,
                                    {"no_account": excluded} if excluded else {}, False)
    base = generation.candidates(cycle)
    excluded = generation.insert_exclusions(cycle, base)
    rule = rules.rule_for(cycle.program, cycle.year)
    payable = generation.payable(cycle, base)
    try:
        with transaction.atomic():
            if rule.is_flat:
                amount = generation.stage_amount(rule.amount_rupiah, cycle.stage, cycle.program.cycles_per_year)
                generation.insert_flat_payments(cycle, payable, amount)
            else:
                _count, excluded["no_benefit"] = generation.insert_component_payments(cycle, payable)
    except IntegrityError as error:
        raise PaymentError(_(
            "Pembayaran ganda ditolak: sebagian KPM sudah dibayar untuk %(program)s %(period)s pada tahap lain "
            "yang dibuat bersamaan. Tidak ada yang disimpan; buat ulang tahap ini.")
            % {"program": cycle.program.code, "period": cycle.period_label}) from error
    generation.insert_shares(cycle)
    refresh_totals(cycle)
    return generation.Generated(cycle.payment_count, cycle.total_rupiah, {k: v for k, v in excluded.items() if v},
                                generation._non_compliant_q(cycle) is not None)


@transaction.atomic
def open_cycle(*, program: Program, year: int, stage: int, by, bank_code: str = "", region=None,
               note: str = "") -> PaymentCycle:
    """Open a cycle and generate its payments and exclusions in one transaction (all or nothing)."""
    region_code = region.code if isinstance(region, Region) else (region or program.owner_region_id)
    region_obj = Region.objects.filter(code=region_code).first()
    if region_obj is None:
        raise PaymentError(_("Kode wilayah %(code)s tidak dikenal.") % {"code": region_code})
    _refuse(permissions.prepare_refusal(by, region_obj.code))
    if not code_in_scope(region_obj.code, program.owner_region_id):
        raise PaymentError(_("Wilayah %(code)s di luar wilayah program %(program)s.")
                           % {"code": region_obj.code, "program": program.code})
    if not 1 <= stage <= program.cycles_per_year:
        raise PaymentError(_("%(program)s menyalurkan %(n)s tahap per tahun: tahap harus 1–%(n)s.")
                           % {"program": program.code, "n": program.cycles_per_year})
    if rules.rule_for(program, year) is None:
        raise PaymentError(_("Belum ada aturan manfaat %(program)s untuk tahun %(year)s.")
                           % {"program": program.code, "year": year})
    bank_code = (bank_code or program.bank_for(region_obj.code) or "").strip().upper()
    if not bank_code:
        raise PaymentError(_("Program ini belum punya bank penyalur."))
    cycle = PaymentCycle(program=program, year=year, stage=stage, region=region_obj, bank_code=bank_code,
                         note=note, generated_by=by)
    cycle._history_user = by
    cycle.save()
    result = _generate(cycle)
    record_event(cycle, Action.GENERATED, by=by, payments=result.payments, total_rupiah=result.total_rupiah,
                 excluded=result.excluded, compliance_checked=result.compliance_checked)
    return cycle


def _delete_payments(cycle: PaymentCycle) -> None:
    """Drop a not-yet-approved cycle's payments; payments it re-issued go back to ``failed`` in their cycle."""
    originals = list(Payment.objects.filter(cycle=cycle, reissued_from__isnull=False)
                     .values_list("reissued_from_id", "reissued_from__cycle_id"))
    PaymentShare.objects.filter(payment__cycle=cycle).delete()
    Payment.objects.filter(cycle=cycle).delete()
    CycleExclusion.objects.filter(cycle=cycle).delete()
    if originals:
        Payment.objects.filter(pk__in=[o for o, _c in originals]).update(status=P.FAILED, updated_at=timezone.now())
        for cycle_id in {c for _o, c in originals}:
            refresh_totals(PaymentCycle.objects.get(pk=cycle_id))


@transaction.atomic
def regenerate_cycle(*, cycle: PaymentCycle, by) -> PaymentCycle:
    """Generate a still unverified cycle again (e.g. after new accounts were opened)."""
    cycle = _locked(cycle)
    _refuse(permissions.prepare_refusal(by, cycle.region_id))
    if cycle.status != CycleStatus.GENERATED:
        raise PaymentError(_("Hanya tahap berstatus 'Dibuat' yang dapat dibuat ulang."))
    reissued = Payment.objects.filter(cycle=cycle, reissued_from__isnull=False).exists()
    if reissued and not cycle.is_uep:  # a UEP cycle re-issues its grants' failed payments itself
        raise PaymentError(_("Tahap ini memuat pembayaran terbit ulang; batalkan dulu penerbitan ulangnya."))
    _delete_payments(cycle)
    PaymentCycle.objects.filter(pk=cycle.pk).update(generated_by=by, generated_at=timezone.now())
    cycle.generated_by = by
    result = _generate(cycle)
    record_event(cycle, Action.REGENERATED, by=by, from_status=cycle.status, payments=result.payments,
                 total_rupiah=result.total_rupiah, excluded=result.excluded)
    return cycle


@transaction.atomic
def cancel_cycle(*, cycle: PaymentCycle, by, reason: str) -> PaymentCycle:
    """Cancel a cycle before approval: its payments are removed, the record and its events stay."""
    cycle = _locked(cycle)
    _refuse(permissions.prepare_refusal(by, cycle.region_id))
    if cycle.status not in (CycleStatus.GENERATED, CycleStatus.VERIFIED):
        raise PaymentError(_("Tahap yang sudah disetujui tidak dapat dibatalkan; batalkan pembayarannya satu per "
                             "satu dengan alasan."))
    if not reason.strip():
        raise PaymentError(_("Alasan pembatalan wajib diisi."))
    _delete_payments(cycle)
    before = _move(cycle, to=CycleStatus.CANCELLED, by=by)
    refresh_totals(cycle)
    record_event(cycle, Action.CANCELLED, by=by, from_status=before, note=reason)
    return cycle


@transaction.atomic
def verify_cycle(*, cycle: PaymentCycle, by, note: str = "") -> PaymentCycle:
    """Second pair of eyes: someone other than the maker checks the generated cycle."""
    cycle = _locked(cycle)
    _refuse(permissions.verify_refusal(by, cycle))
    if cycle.status != CycleStatus.GENERATED:
        raise PaymentError(_("Hanya tahap berstatus 'Dibuat' yang dapat diverifikasi (status sekarang: %(s)s).")
                           % {"s": cycle.get_status_display()})
    if not cycle.payment_count:
        raise PaymentError(_("Tahap ini tidak memuat pembayaran."))
    before = _move(cycle, to=CycleStatus.VERIFIED, by=by, verified_by=by, verified_at=timezone.now())
    record_event(cycle, Action.VERIFIED, by=by, from_status=before, note=note)
    return cycle


def cycle_needs(cycle: PaymentCycle) -> dict[tuple[str, int], int]:
    """What approving the cycle commits: rupiah per (funder region, budget year)."""
    rows = (PaymentShare.objects.filter(payment__cycle=cycle, payment__status__in=COMMITTED_PAYMENT_STATUSES)
            .values_list("funder_region_id", "payment__year").annotate(total=Sum("amount_rupiah")).order_by())
    return {(funder, year): total for funder, year, total in rows}


@transaction.atomic
def approve_cycle(*, cycle: PaymentCycle, by, note: str = "") -> PaymentCycle:
    """A third person approves; the cycle's money is then committed and may not exceed any funder's budget."""
    from .queries import committed_by_funder

    cycle = _locked(cycle)
    _refuse(permissions.approve_refusal(by, cycle))
    if cycle.status != CycleStatus.VERIFIED:
        raise PaymentError(_("Hanya tahap yang sudah diverifikasi yang dapat disetujui (status sekarang: %(s)s).")
                           % {"s": cycle.get_status_display()})
    if cycle.is_uep:  # paid from the program's UEP budget of the year, not from the benefit budgets
        from . import uep

        _refuse(uep.budget_problem(cycle))
        before = _move(cycle, to=CycleStatus.APPROVED, by=by, approved_by=by, approved_at=timezone.now())
        record_event(cycle, Action.APPROVED, by=by, from_status=before, note=note,
                     committed={f"UEP {cycle.year}": cycle.total_rupiah})
        return cycle
    needs = cycle_needs(cycle)
    problems = []
    for year in sorted({y for _f, y in needs}):
        funders = sorted(f for f, y in needs if y == year)
        budgets = {b.funder_region_id: b for b in Budget.objects.select_for_update().filter(
            program=cycle.program, year=year, funder_region__in=funders)}
        committed = committed_by_funder(cycle.program, year)
        for funder in funders:
            need = needs[(funder, year)]
            budget = budgets.get(funder)
            if budget is None:
                problems.append(_("%(funder)s belum punya pagu %(year)s (dibutuhkan %(need)s)")
                                % {"funder": funder, "year": year, "need": rupiah(need)})
                continue
            remaining = budget.allocated_rupiah - committed.get(funder, 0)
            if need > remaining:
                problems.append(_("%(funder)s %(year)s: dibutuhkan %(need)s, sisa pagu %(left)s")
                                % {"funder": funder, "year": year, "need": rupiah(need), "left": rupiah(remaining)})
    if problems:
        raise PaymentError(_("Melebihi sisa anggaran — ") + "; ".join(problems) + ".")
    before = _move(cycle, to=CycleStatus.APPROVED, by=by, approved_by=by, approved_at=timezone.now())
    record_event(cycle, Action.APPROVED, by=by, from_status=before, note=note,
                 committed={f"{f} {y}": v for (f, y), v in needs.items()})
    return cycle


@transaction.atomic
def close_cycle(*, cycle: PaymentCycle, by, note: str = "") -> PaymentCycle:
    """Close a reconciled cycle once every failed payment was re-issued or returned."""
    cycle = _locked(cycle)
    _refuse(permissions.manage_refusal(by, cycle))
    refresh_totals(cycle)
    if cycle.status not in (CycleStatus.SENT, CycleStatus.RECONCILED) or cycle.pending_count:
        raise PaymentError(_("Tahap hanya dapat ditutup setelah semua pembayaran direkonsiliasi."))
    if cycle.unresolved_count:
        raise PaymentError(_("Masih ada %(n)s pembayaran gagal: terbitkan ulang atau returkan dulu.")
                           % {"n": cycle.unresolved_count})
    before = _move(cycle, to=CycleStatus.CLOSED, by=by, closed_by=by, closed_at=timezone.now())
    record_event(cycle, Action.CLOSED, by=by, from_status=before, note=note)
    return cycle


# --- payments after approval ---------------------------------------------------------------------

def _ids(payments) -> list[int]:
    return sorted({p.pk if isinstance(p, Payment) else int(p) for p in payments})


@transaction.atomic
def reverse_payment(*, payment: Payment, by, reason: str) -> Payment:
    """Cancel one payment of an approved cycle that the bank has not credited, with a reason (kept in history)."""
    payment = Payment.objects.select_for_update().select_related("cycle").get(pk=payment.pk)
    cycle = payment.cycle
    _refuse(permissions.manage_refusal(by, cycle))
    if not reason.strip():
        raise PaymentError(_("Alasan pembatalan wajib diisi."))
    if cycle.status not in COMMITTED_CYCLE_STATUSES or cycle.status == CycleStatus.CLOSED:
        raise PaymentError(_("Pembatalan berlaku untuk pembayaran tahap yang disetujui dan belum ditutup; sebelum "
                             "disetujui, buat ulang atau batalkan tahapnya."))
    if payment.status not in (P.PENDING, P.FAILED):
        raise PaymentError(_("Pembayaran berstatus %(s)s tidak dapat dibatalkan.")
                           % {"s": payment.get_status_display()})
    payment.status, payment.reversal_reason = P.REVERSED, reason.strip()[:255]
    payment.reversed_by, payment.reversed_at, payment.updated_at = by, timezone.now(), timezone.now()
    payment._history_user = by
    payment.save()
    refresh_totals(cycle)
    record_event(cycle, Action.REVERSED, by=by, from_status=cycle.status, note=reason, payment=payment.pk,
                 amount_rupiah=payment.amount_rupiah)
    return payment


def _failed_of(cycle_filter: Q, ids: list[int]) -> list[Payment]:
    return list(Payment.objects.select_for_update().filter(cycle_filter, pk__in=ids).select_related("cycle"))


@transaction.atomic
def return_payments(*, payments, by, reason: str, on: date | None = None) -> int:
    """Return failed payments' money to the treasury (retur); totals of returns are kept per cycle."""
    ids = _ids(payments)
    found = _failed_of(Q(), ids)
    if len(found) != len(ids):
        raise PaymentError(_("Sebagian pembayaran tidak ditemukan."))
    for cycle in {p.cycle for p in found}:
        _refuse(permissions.manage_refusal(by, cycle))
    if any(p.status != P.FAILED for p in found):
        raise PaymentError(_("Hanya pembayaran berstatus 'Gagal' yang dapat diretur."))
    if not reason.strip():
        raise PaymentError(_("Alasan retur wajib diisi."))
    on = on or timezone.localdate()
    changed = Payment.objects.filter(pk__in=ids, status=P.FAILED).update(
        status=P.RETURNED, returned_on=on, updated_at=timezone.now())
    id_list = ", ".join(str(i) for i in ids)
    setsql.snapshot_history(Payment, f"id IN ({id_list})", by=by, reason=reason)
    for cycle in {p.cycle for p in found}:
        refresh_totals(cycle)
        mine = [p for p in found if p.cycle_id == cycle.pk]
        record_event(cycle, Action.RETURNED, by=by, from_status=cycle.status, note=reason, count=len(mine),
                     total_rupiah=sum(p.amount_rupiah for p in mine), returned_on=on.isoformat())
    return changed


@transaction.atomic
def reissue_payments(*, payments, into: PaymentCycle, by, reason: str = "") -> int:
    """Re-issue failed payments in a later, not yet verified cycle of the same program (same period, amount
    and funders), to the household's current active account at that cycle's bank."""
    into = _locked(into)
    _refuse(permissions.manage_refusal(by, into))
    if into.status != CycleStatus.GENERATED:
        raise PaymentError(_("Pembayaran hanya dapat diterbitkan ulang ke tahap berstatus 'Dibuat'."))
    if into.is_uep:
        raise PaymentError(_("Tahap UEP memuat bantuan UEP sendiri: bantuan yang gagal disalurkan masuk lagi saat "
                             "tahap UEP berikutnya dibuat."))
    ids = _ids(payments)
    found = _failed_of(Q(program_id=into.program_id), ids)
    if len(found) != len(ids) or not ids:
        raise PaymentError(_("Sebagian pembayaran tidak ditemukan atau bukan dari program %(p)s.")
                           % {"p": into.program.code})
    if any(p.status != P.FAILED for p in found):
        raise PaymentError(_("Hanya pembayaran berstatus 'Gagal' yang dapat diterbitkan ulang."))
    if any(p.grant_id for p in found):
        raise PaymentError(_("Bantuan UEP yang gagal disalurkan diterbitkan ulang dengan membuat tahap UEP baru."))
    if any(p.cycle_id == into.pk or p.cycle.status not in COMMITTED_CYCLE_STATUSES for p in found):
        raise PaymentError(_("Penerbitan ulang harus ke tahap lain yang lebih baru."))
    account = FilteredRelation("household__bank_accounts", condition=Q(
        household__bank_accounts__bank_code=into.bank_code, household__bank_accounts__status="active"))
    source = Payment.objects.filter(pk__in=ids).annotate(acct=account)
    missing = source.filter(acct__isnull=True).count()
    if missing:
        raise PaymentError(_("%(n)s KPM belum punya rekening aktif di %(bank)s; buka atau aktifkan rekeningnya dulu.")
                           % {"n": missing, "bank": into.bank_code})
    Payment.objects.filter(pk__in=ids).update(status=P.REISSUED, updated_at=timezone.now())
    id_list = ", ".join(str(i) for i in ids)
    setsql.snapshot_history(Payment, f"id IN ({id_list})", by=by, reason=reason or "terbit ulang")
    rows = source.annotate(
        c=Value(into.pk), st=Value(P.PENDING), e=Value(""), now=Value(timezone.now(), output_field=DateTimeField()),
        bank=Value(into.bank_code),
    ).values_list("c", "program_id", "year", "stage", "enrollment_id", "household_id", "household__region_id",
                  "acct__id", "bank", "acct__account_number", "acct__holder_name", "acct__holder_nik",
                  "amount_rupiah", "st", "e", "e", "e", "now", "now", "pk")
    setsql.insert_from(Payment, [*generation.PAYMENT_FIELDS, "reissued_from"], rows)
    share, payment = setsql.table(PaymentShare), setsql.table(Payment)
    setsql.execute(
        f"INSERT INTO {share} (payment_id, funder_region_id, amount_rupiah) "
        f"SELECT p.id, s.funder_region_id, s.amount_rupiah FROM {payment} p "
        f"JOIN {share} s ON s.payment_id = p.reissued_from_id WHERE p.cycle_id = %s AND p.reissued_from_id IN "
        f"({id_list})", [into.pk])
    by_cycle = defaultdict(list)
    for p in found:
        by_cycle[p.cycle].append(p)
    for cycle, mine in by_cycle.items():
        refresh_totals(cycle)
        record_event(cycle, Action.REISSUED_IN, by=by, from_status=cycle.status, note=reason, into=into.pk,
                     count=len(mine))
    refresh_totals(into)
    record_event(into, Action.REISSUED_IN, by=by, from_status=into.status, note=reason, count=len(ids),
                 total_rupiah=sum(p.amount_rupiah for p in found), sources=sorted(c.pk for c in by_cycle))
    return len(ids)


@transaction.atomic
def settle_flagged_payment(*, payment: Payment, by, outcome: str, note: str,
                           credited_amount_rupiah: int | None = None, credited_on: date | None = None) -> Payment:
    """Decide a payment whose reconciliation row was flagged (amount or account differed from what was sent):
    ``paid`` with the amount the bank really credited, or ``failed`` (then re-issue or return)."""
    payment = Payment.objects.select_for_update().select_related("cycle").get(pk=payment.pk)
    _refuse(permissions.manage_refusal(by, payment.cycle))
    if payment.status != P.PENDING or not payment.flag_reason:
        raise PaymentError(_("Hanya pembayaran yang ditandai selisih dan masih menunggu yang dapat diselesaikan."))
    if not note.strip():
        raise PaymentError(_("Catatan penyelesaian wajib diisi (mis. nomor berita acara dengan bank)."))
    if outcome == P.PAID:
        if not isinstance(credited_amount_rupiah, int) or credited_amount_rupiah <= 0 or credited_on is None:
            raise PaymentError(_("Isi nominal yang benar-benar dikreditkan dan tanggalnya."))
        payment.status = P.PAID
        payment.credited_amount_rupiah, payment.credited_on = credited_amount_rupiah, credited_on
    elif outcome == P.FAILED:
        payment.status = P.FAILED
    else:
        raise PaymentError(_("Pilihan penyelesaian tidak dikenal."))
    payment.bank_reason = (note.strip() + " — " + payment.flag_reason)[:255]
    payment.flag_reason, payment.updated_at = "", timezone.now()
    payment._history_user = by
    payment.save()
    cycle = refresh_totals(payment.cycle)
    if cycle.status == CycleStatus.SENT and not cycle.pending_count:
        _move(cycle, to=CycleStatus.RECONCILED, by=by, reconciled_at=timezone.now())
    record_event(cycle, Action.SETTLED, by=by, from_status=cycle.status, note=note, payment=payment.pk,
                 outcome=outcome)
    if cycle.is_uep:
        from . import uep

        uep.after_payments_changed(cycle, by)
    return payment


# --- bank files (bankfiles.py), reachable from here like every other write -------------------------

def export_payment_file(**kwargs):
    """See ``bankfiles.export_payment_file``: the bank file of an approved cycle and its ``.sha256`` summary."""
    from .bankfiles import export_payment_file as export

    return export(**kwargs)


def import_reconciliation(**kwargs):
    """See ``bankfiles.import_reconciliation``: the bank's answer applied to the cycle's payments."""
    from .bankfiles import import_reconciliation as run

    return run(**kwargs)
