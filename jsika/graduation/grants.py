"""Every write of UEP business grants: application, maker-checker approval within the year's budget,
the grant following its payment, and the 3/6/12-month follow-ups. Same conventions as ``services.py``.

Disbursement goes through the payments module like any payment: a UEP cycle (``jsika.payments.uep``) takes
the approved grants, the bank file and the reconciliation are the usual ones, and after each reconciliation
``record_uep_payments`` marks the grants whose payment was credited as disbursed. A failed or returned
payment leaves its grant approved, waiting for the next UEP cycle, with the bank's reason on the grant page.
"""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from jsika.payments.models import Payment, PaymentStatus
from jsika.programs.models import Program

from . import permissions
from .models import FOLLOW_UP_MONTHS, BusinessType, Graduation, Grant, GrantBudget, GrantFollowUp
from .services import GraduationError, Recorded, _client_uuid, _refuse

MAX_GRANT_RUPIAH = 50_000_000  # a typing slip guard: UEP grants are a few million rupiah
FOLLOW_UP_EARLY_DAYS = 14  # a follow-up may be recorded up to two weeks before its due date
COMMITTED = (Grant.Status.APPROVED, Grant.Status.DISBURSED)


class GrantError(GraduationError):
    """A refused UEP grant action."""


def _rupiah(value, label: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise GrantError(_("%(label)s harus rupiah bulat paling sedikit Rp%(min)s.") % {"label": label, "min": minimum})
    return value


def committed_rupiah(program: Program, year: int) -> int:
    """What the program has already committed to grants from the ``year`` budget (approved or disbursed)."""
    return (Grant.objects.filter(program=program, budget_year=year, status__in=COMMITTED)
            .aggregate(total=Sum("amount_approved_rupiah"))["total"] or 0)


@transaction.atomic
def set_grant_budget(*, by, program: Program, year: int, amount_rupiah: int, note: str = "") -> GrantBudget:
    """Set a program's UEP budget for a year; never below what is already committed."""
    _refuse(permissions.program_refusal(by, program), GrantError)
    amount_rupiah = _rupiah(amount_rupiah, _("Pagu UEP"), minimum=0)
    budget = (GrantBudget.objects.select_for_update().filter(program=program, year=year).first()
              or GrantBudget(program=program, year=year))
    committed = committed_rupiah(program, year)
    if amount_rupiah < committed:
        raise GrantError(_("Pagu tidak boleh di bawah bantuan yang sudah disetujui (Rp%(c)s).")
                         % {"c": f"{committed:,}".replace(",", ".")})
    budget.amount_rupiah, budget.note, budget.set_by = amount_rupiah, note, by
    budget._history_user = by
    budget.save()
    return budget


@transaction.atomic
def apply_for_grant(*, by, graduation: Graduation, business_type: str, business_plan: str, location: str,
                    amount_requested_rupiah: int, income_before_rupiah: int) -> Grant:
    """A graduated household applies for a UEP grant of its program, with a simple business plan; once per program."""
    graduation = Graduation.objects.select_related("household", "program").get(pk=graduation.pk)
    _refuse(permissions.household_refusal(by, graduation.household), GrantError)
    if graduation.status != Graduation.Status.APPROVED:
        raise GrantError(_("Bantuan UEP hanya untuk keluarga yang graduasinya sudah disetujui."))
    if business_type not in BusinessType.values:
        raise GrantError(_("Jenis usaha tidak dikenal: %(t)s.") % {"t": business_type})
    if not business_plan.strip() or not location.strip():
        raise GrantError(_("Rencana usaha dan lokasi usaha wajib diisi."))
    amount = _rupiah(amount_requested_rupiah, _("Nilai yang diajukan"))
    if amount > MAX_GRANT_RUPIAH:
        raise GrantError(_("Nilai yang diajukan melebihi batas Rp%(max)s.") % {"max": f"{MAX_GRANT_RUPIAH:,}".replace(
            ",", ".")})
    income = _rupiah(income_before_rupiah, _("Penghasilan per bulan"), minimum=0)
    existing = (Grant.objects.filter(household=graduation.household, program=graduation.program)
                .exclude(status=Grant.Status.REJECTED).first())
    if existing:
        raise GrantError(_("Keluarga ini sudah mengajukan atau menerima bantuan UEP %(program)s (status %(s)s); "
                           "bantuan UEP hanya sekali per program.")
                         % {"program": graduation.program.code, "s": existing.get_status_display()})
    grant = Grant(household=graduation.household, program=graduation.program, graduation=graduation,
                  business_type=business_type, business_plan=business_plan.strip(), location=location.strip(),
                  amount_requested_rupiah=amount, income_before_rupiah=income, applied_by=by)
    grant._history_user = by
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:
        raise GrantError(_("Keluarga ini sudah mengajukan bantuan UEP %(program)s; bantuan UEP hanya sekali per "
                           "program.") % {"program": graduation.program.code}) from None
    return grant


def _locked(grant: Grant) -> Grant:
    return (Grant.objects.select_for_update(of=("self",)).select_related("household", "program", "applied_by")
            .get(pk=grant.pk))


@transaction.atomic
def approve_grant(*, grant: Grant, by, amount_approved_rupiah: int | None = None, note: str = "",
                  on: date | None = None) -> Grant:
    """A manager (not the applicant) approves a grant within the program's budget of the year of approval.

    The budget row is locked first, so two approvals at once cannot both spend its last rupiah.
    """
    grant = _locked(grant)
    if grant.status != Grant.Status.APPLIED:
        raise GrantError(_("Pengajuan ini sudah diputuskan (%(s)s).") % {"s": grant.get_status_display()})
    _refuse(permissions.grant_decide_refusal(by, grant), GrantError)
    amount = _rupiah(amount_approved_rupiah if amount_approved_rupiah is not None else grant.amount_requested_rupiah,
                     _("Nilai yang disetujui"))
    if amount > grant.amount_requested_rupiah:
        raise GrantError(_("Nilai yang disetujui tidak boleh melebihi nilai yang diajukan."))
    year = (on or timezone.localdate()).year
    budget = GrantBudget.objects.select_for_update().filter(program=grant.program, year=year).first()
    if budget is None:
        raise GrantError(_("Pagu UEP %(program)s tahun %(year)s belum ditetapkan.")
                         % {"program": grant.program.code, "year": year})
    committed = committed_rupiah(grant.program, year)
    if committed + amount > budget.amount_rupiah:
        left = budget.amount_rupiah - committed

        def rp(n):
            return "Rp" + f"{n:,}".replace(",", ".")

        raise GrantError(_("Pagu UEP %(program)s %(year)s tidak cukup: sisa %(left)s dari %(budget)s, "
                           "diminta %(amount)s.") % {"program": grant.program.code, "year": year, "left": rp(left),
                                                     "budget": rp(budget.amount_rupiah), "amount": rp(amount)})
    grant.status, grant.amount_approved_rupiah, grant.budget_year = Grant.Status.APPROVED, amount, year
    grant.decided_by, grant.decided_at, grant.decision_note = by, timezone.now(), note.strip()
    grant._history_user = by
    grant.save()
    return grant


@transaction.atomic
def reject_grant(*, grant: Grant, by, note: str) -> Grant:
    """A manager (not the applicant) turns an application down; the household may apply again."""
    grant = _locked(grant)
    if grant.status != Grant.Status.APPLIED:
        raise GrantError(_("Pengajuan ini sudah diputuskan (%(s)s).") % {"s": grant.get_status_display()})
    _refuse(permissions.grant_decide_refusal(by, grant), GrantError)
    if not note.strip():
        raise GrantError(_("Alasan penolakan wajib diisi."))
    grant.status, grant.decided_by, grant.decided_at, grant.decision_note = (
        Grant.Status.REJECTED, by, timezone.now(), note.strip())
    grant._history_user = by
    grant.save()
    return grant


@transaction.atomic
def record_uep_payments(*, cycle, by) -> int:
    """Grants of a UEP cycle whose payment the bank credited become disbursed on the credit date (once).

    Called by the payments module after a reconciliation or a settled difference; the number of grants changed.
    """
    credited = dict(Payment.objects.filter(cycle=cycle, grant__isnull=False, status=PaymentStatus.PAID)
                    .values_list("grant_id", "credited_on"))
    changed = list(Grant.objects.select_for_update().filter(pk__in=list(credited), status=Grant.Status.APPROVED))
    for grant in changed:
        grant.status, grant.disbursed_on = Grant.Status.DISBURSED, credited[grant.pk]
    bulk_update_with_history(changed, Grant, ["status", "disbursed_on"], batch_size=1000, default_user=by,
                             default_change_reason=f"rekonsiliasi tahap UEP #{cycle.pk}")
    return len(changed)


@transaction.atomic
def record_follow_up(*, by, grant: Grant, months: int, visited_on: date, business_running: bool, income_rupiah: int,
                     notes: str = "", client_id=None) -> Recorded:
    """The pendamping's 3-, 6- or 12-month check of a disbursed grant; one per milestone (a replay is harmless)."""
    grant = Grant.objects.select_related("household", "program").get(pk=grant.pk)
    _refuse(permissions.household_refusal(by, grant.household), GrantError)
    if months not in FOLLOW_UP_MONTHS:
        raise GrantError(_("Tindak lanjut hanya pada bulan ke-3, ke-6, dan ke-12."))
    if grant.status != Grant.Status.DISBURSED:
        raise GrantError(_("Tindak lanjut hanya untuk bantuan yang sudah disalurkan."))
    client_id = _client_uuid(client_id)
    existing = GrantFollowUp.objects.filter(grant=grant, months=months).first()
    if existing is not None:
        if existing.client_id == client_id:
            return Recorded(existing, False)
        raise GrantError(_("Tindak lanjut bulan ke-%(m)s untuk bantuan ini sudah dicatat.") % {"m": months})
    if visited_on > timezone.localdate():
        raise GrantError(_("Tanggal kunjungan tidak boleh di masa depan."))
    due = grant.follow_up_due_on(months)
    if visited_on < due - timedelta(days=FOLLOW_UP_EARLY_DAYS):
        raise GrantError(_("Tindak lanjut bulan ke-%(m)s baru dapat dicatat mulai %(d)s.")
                         % {"m": months, "d": (due - timedelta(days=FOLLOW_UP_EARLY_DAYS)).strftime("%d-%m-%Y")})
    if not isinstance(business_running, bool):
        raise GrantError(_("Isi apakah usaha masih berjalan."))
    income = _rupiah(income_rupiah, _("Penghasilan per bulan"), minimum=0)
    follow_up = GrantFollowUp(grant=grant, months=months, visited_on=visited_on, business_running=business_running,
                              income_rupiah=income, notes=notes.strip(), recorded_by=by, client_id=client_id)
    follow_up._history_user = by
    try:
        with transaction.atomic():
            follow_up.save()
    except IntegrityError:
        raise GrantError(_("Tindak lanjut bulan ke-%(m)s untuk bantuan ini sudah dicatat.") % {"m": months}) from None
    return Recorded(follow_up, True)
