"""Every write to programs and enrollments: one function per action, transactional, with history.

A refused action raises ``ProgramError`` (or its subclass ``TransitionError``) with a message in
Bahasa Indonesia for the user, and changes nothing: checks run before any write, and each service
runs inside ``transaction.atomic()``.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jsika.core.masking import mask_number
from jsika.core.scoping import code_in_scope, region_q
from jsika.regions.models import Region

from . import permissions, rules
from .models import (
    OPEN_STATUSES,
    SLOT_STATUSES,
    BenefitRule,
    Component,
    ComponentAmount,
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
    ExitReason,
    FundingShare,
    Program,
    ProgramBank,
    Quota,
)

S = EnrollmentStatus
Action = EnrollmentEvent.Action


class ProgramError(Exception):
    """A refused program or enrollment action; ``str(error)`` is the message for the user."""


class TransitionError(ProgramError):
    """An enrollment transition that the rules do not allow."""


class QuotaExceeded(TransitionError):
    """Approving would put more KPM in a region than its quota allows."""


def _refuse(message: str | None, error=TransitionError):
    if message:
        raise error(message)


def _region(value) -> Region:
    if isinstance(value, Region):
        return value
    region = Region.objects.filter(code=str(value).strip()).first()
    if region is None:
        raise ProgramError(_("Kode wilayah %(code)s tidak dikenal.") % {"code": value})
    return region


# --- programs --------------------------------------------------------------------------------------

PROGRAM_FIELDS = ("name", "description", "start_year", "end_year", "tenure_years", "cycles_per_year", "bank_code",
                  "desil_max", "require_component", "exclude_pkh", "is_active")


def _validate_program(program: Program, covered: list[Region]) -> None:
    if not program.name.strip():
        raise ProgramError(_("Nama program wajib diisi."))
    if program.tenure_years < 1:
        raise ProgramError(_("Batas kepesertaan paling sedikit 1 tahun."))
    if not 1 <= program.cycles_per_year <= 12:
        raise ProgramError(_("Tahap penyaluran per tahun harus antara 1 dan 12."))
    if program.desil_max is not None and not 1 <= program.desil_max <= 10:
        raise ProgramError(_("Desil paling tinggi harus antara 1 dan 10."))
    if program.end_year and program.end_year < program.start_year:
        raise ProgramError(_("Tahun berakhir tidak boleh sebelum tahun mulai."))
    for region in covered:
        if not code_in_scope(region.code, program.owner_region_id):
            raise ProgramError(_("Wilayah cakupan %(code)s berada di luar wilayah pemilik program (%(owner)s).")
                               % {"code": region.code, "owner": program.owner_region_id})


@transaction.atomic
def create_program(*, by, code: str, name: str, owner_region, start_year: int, covered_regions=(),
                   excluded_programs=(), **fields) -> Program:
    """Define a new program owned by a region in the manager's scope; its code is unique."""
    owner = _region(owner_region)
    _refuse(permissions.program_refusal(by, owner_code=owner.code), ProgramError)
    code = code.strip().upper()
    if not code:
        raise ProgramError(_("Kode program wajib diisi."))
    if Program.objects.filter(code=code).exists():
        raise ProgramError(_("Kode program %(code)s sudah dipakai.") % {"code": code})
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise TypeError(f"unknown program fields: {sorted(unknown)}")
    program = Program(code=code, name=name, owner_region=owner, start_year=start_year, **fields)
    covered = [_region(r) for r in covered_regions]
    _validate_program(program, covered)
    program._history_user = by
    program.save()
    program.covered_regions.set(covered)
    program.excluded_programs.set([p for p in excluded_programs if p.pk != program.pk])
    return program


@transaction.atomic
def update_program(*, program: Program, by, covered_regions=None, excluded_programs=None, **fields) -> Program:
    """Change a program's settings; the owner region stays (a new owner is a new program)."""
    _refuse(permissions.program_refusal(by, program), ProgramError)
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise TypeError(f"unknown program fields: {sorted(unknown)}")
    program = Program.objects.select_for_update().get(pk=program.pk)
    for name, value in fields.items():
        setattr(program, name, value)
    covered = [_region(r) for r in covered_regions] if covered_regions is not None else list(
        program.covered_regions.all())
    _validate_program(program, covered)
    program._history_user = by
    program.save()
    if covered_regions is not None:
        program.covered_regions.set(covered)
    if excluded_programs is not None:
        program.excluded_programs.set([p for p in excluded_programs if p.pk != program.pk])
    return program


@transaction.atomic
def set_funding_shares(*, program: Program, by, shares) -> list[FundingShare]:
    """Replace the program's cost sharing; ``shares`` is [(funder region or None = KPM's kab/kota, percent)].

    The percentages must add up to exactly 100.
    """
    _refuse(permissions.program_refusal(by, program), ProgramError)
    rows, seen = [], set()
    for funder, percent in shares:
        region = _region(funder) if funder else None
        key = region.code if region else None
        if key in seen:
            raise ProgramError(_("Penyandang dana %(f)s tercantum dua kali.") % {"f": key or _("kab/kota")})
        seen.add(key)
        if not isinstance(percent, int) or not 1 <= percent <= 100:
            raise ProgramError(_("Persentase pendanaan harus bilangan bulat 1–100."))
        rows.append(FundingShare(program=program, funder_region=region, percent=percent))
    total = sum(r.percent for r in rows)
    if total != 100:
        raise ProgramError(_("Jumlah porsi pendanaan harus 100%%, sekarang %(total)s%%.") % {"total": total})
    program.funding_shares.all().delete()
    return FundingShare.objects.bulk_create(rows)


@transaction.atomic
def set_bank_overrides(*, program: Program, by, overrides: dict) -> list[ProgramBank]:
    """Replace the per-region paying banks: ``{region code: bank code}`` (the default bank is on the program)."""
    _refuse(permissions.program_refusal(by, program), ProgramError)
    rows = []
    for code, bank in overrides.items():
        region = _region(code)
        if not program.covers(region.code):
            raise ProgramError(_("Wilayah %(code)s tidak termasuk cakupan program %(program)s.")
                               % {"code": region.code, "program": program.code})
        if not str(bank).strip():
            raise ProgramError(_("Kode bank untuk wilayah %(code)s kosong.") % {"code": region.code})
        rows.append(ProgramBank(program=program, region=region, bank_code=str(bank).strip().upper()))
    program.banks.all().delete()
    return ProgramBank.objects.bulk_create(rows)


@transaction.atomic
def set_benefit_rule(*, program: Program, by, year: int, kind: str, amount_rupiah: int = 0,
                     component_amounts: dict | None = None, max_components: int | None = None,
                     note: str = "") -> BenefitRule:
    """Set the benefit rule that applies from ``year`` (replacing that year's rule); amounts in whole rupiah."""
    _refuse(permissions.program_refusal(by, program), ProgramError)
    if year < program.start_year:
        raise ProgramError(_("Tahun aturan (%(year)s) sebelum program dimulai (%(start)s).")
                           % {"year": year, "start": program.start_year})
    component_amounts = {k: v for k, v in (component_amounts or {}).items() if v}
    for value in [amount_rupiah, *component_amounts.values()]:
        if not isinstance(value, int) or value < 0:
            raise ProgramError(_("Nominal harus rupiah bulat, tidak negatif."))
    if kind == BenefitRule.Kind.FLAT:
        if amount_rupiah <= 0:
            raise ProgramError(_("Aturan nominal tetap memerlukan nominal per keluarga lebih dari Rp0."))
        component_amounts, max_components = {}, None
    elif kind == BenefitRule.Kind.PER_COMPONENT:
        if not component_amounts:
            raise ProgramError(_("Aturan per komponen memerlukan nominal paling sedikit satu komponen."))
        unknown = set(component_amounts) - set(Component.values)
        if unknown:
            raise ProgramError(_("Komponen tidak dikenal: %(list)s.") % {"list": ", ".join(sorted(unknown))})
        if max_components is not None and max_components < 1:
            raise ProgramError(_("Batas komponen paling sedikit 1."))
        amount_rupiah = 0
    else:
        raise ProgramError(_("Jenis aturan manfaat tidak dikenal: %(kind)s.") % {"kind": kind})
    rule = BenefitRule.objects.filter(program=program, year=year).first() or BenefitRule(program=program, year=year)
    rule.kind, rule.amount_rupiah, rule.max_components, rule.note = kind, amount_rupiah, max_components, note
    rule.created_by = rule.created_by or by
    rule._history_user = by
    rule.save()
    rule.component_amounts.all().delete()
    ComponentAmount.objects.bulk_create(
        ComponentAmount(rule=rule, component=c, amount_rupiah=a) for c, a in component_amounts.items())
    return rule


@transaction.atomic
def set_quota(*, program: Program, by, year: int, region, slots: int) -> Quota:
    """Set how many KPM the program may have in a kab/kota or kecamatan in ``year``."""
    _refuse(permissions.program_refusal(by, program), ProgramError)
    region = _region(region)
    if region.level not in (Region.Level.PROVINCE, Region.Level.REGENCY, Region.Level.DISTRICT):
        raise ProgramError(_("Kuota ditetapkan per provinsi, kab/kota, atau kecamatan, bukan per desa."))
    if not program.covers(region.code) and not code_in_scope(program.owner_region_id, region.code):
        raise ProgramError(_("Wilayah %(code)s tidak termasuk cakupan program %(program)s.")
                           % {"code": region.code, "program": program.code})
    if not isinstance(slots, int) or slots < 0:
        raise ProgramError(_("Jumlah slot kuota harus bilangan bulat tidak negatif."))
    quota = Quota.objects.select_for_update().filter(program=program, year=year, region=region).first()
    quota = quota or Quota(program=program, year=year, region=region)
    quota.slots = slots
    quota._history_user = by
    quota.save()
    return quota


# --- enrollment lifecycle ------------------------------------------------------------------------

def _locked(enrollment: Enrollment) -> Enrollment:
    """Re-read the enrollment under a row lock so two clerks cannot move it at once."""
    return (Enrollment.objects.select_for_update(of=("self",))
            .select_related("program", "household", "program__owner_region").get(pk=enrollment.pk))


def _move(enrollment: Enrollment, *, to: str, action: str, by, reason: str = "", at=None, **fields) -> Enrollment:
    """Apply one transition: fields, history (with the reason) and an event row."""
    before = enrollment.status
    enrollment.status = to
    for name, value in fields.items():
        setattr(enrollment, name, value)
    enrollment._history_user = by
    enrollment._change_reason = (reason or str(Action(action).label))[:100]
    enrollment.save()
    EnrollmentEvent.objects.create(enrollment=enrollment, action=action, from_status=before, to_status=to,
                                   reason=reason, by=by, at=at or timezone.now())
    return enrollment


def _expect(enrollment: Enrollment, *statuses: str, doing: str) -> None:
    if enrollment.status not in statuses:
        raise TransitionError(
            _("Tidak dapat %(doing)s: status kepesertaan %(status)s, seharusnya %(expected)s.") % {
                "doing": doing, "status": enrollment.get_status_display(),
                "expected": " / ".join(str(S(s).label) for s in statuses)})


@transaction.atomic
def propose_enrollment(*, household, program: Program, by, reason: str = "") -> Enrollment:
    """Propose a household for a program; refused outside scope, when ineligible, or when already enrolled."""
    _refuse(permissions.propose_refusal(by, household))
    if not program.is_active:
        raise TransitionError(_("Program %(program)s tidak aktif.") % {"program": program.code})
    existing = Enrollment.objects.filter(program=program, household=household, status__in=OPEN_STATUSES).first()
    if existing:
        raise TransitionError(_("Keluarga %(kk)s sudah terdaftar di %(program)s (status %(status)s).") % {
            "kk": mask_number(household.no_kk), "program": program.code, "status": existing.get_status_display()})
    result = rules.eligibility(household, program)
    if result.eligible and not reason.strip() and rules.completed_enrollment(household, program) is not None:
        raise TransitionError(_("Keluarga %(kk)s pernah menyelesaikan %(program)s (graduasi atau masa kepesertaan "
                                "habis); usulan kembali wajib disertai alasan.")
                              % {"kk": mask_number(household.no_kk), "program": program.code})
    if not result.eligible:
        raise TransitionError(_("Keluarga %(kk)s tidak memenuhi syarat %(program)s: %(why)s.") % {
            "kk": mask_number(household.no_kk), "program": program.code, "why": "; ".join(result.failures)})
    try:
        with transaction.atomic():
            enrollment = Enrollment(program=program, household=household, status=S.PROPOSED, proposed_by=by)
            enrollment._history_user = by
            enrollment._change_reason = (reason or str(Action.PROPOSED.label))[:100]
            enrollment.save()
    except IntegrityError:
        raise TransitionError(_("Keluarga %(kk)s sudah terdaftar di %(program)s.")
                              % {"kk": mask_number(household.no_kk), "program": program.code}) from None
    EnrollmentEvent.objects.create(enrollment=enrollment, action=Action.PROPOSED, to_status=S.PROPOSED,
                                   reason=reason, by=by)
    return enrollment


@transaction.atomic
def verify_enrollment(*, enrollment: Enrollment, by, reason: str = "") -> Enrollment:
    """Confirm a proposal's data; someone other than the proposer must do it."""
    enrollment = _locked(enrollment)
    _expect(enrollment, S.PROPOSED, doing=_("memverifikasi"))
    _refuse(permissions.verify_refusal(by, enrollment))
    return _move(enrollment, to=S.VERIFIED, action=Action.VERIFIED, by=by, reason=reason,
                 verified_by=by, verified_at=timezone.now())


@transaction.atomic
def reject_enrollment(*, enrollment: Enrollment, by, reason: str) -> Enrollment:
    """Turn down a proposal that is not yet approved; the reason is required and kept."""
    enrollment = _locked(enrollment)
    _expect(enrollment, S.PROPOSED, S.VERIFIED, doing=_("menolak usulan"))
    _refuse(permissions.manage_enrollment_refusal(by, enrollment))
    if not reason.strip():
        raise TransitionError(_("Alasan penolakan wajib diisi."))
    return _move(enrollment, to=S.REJECTED, action=Action.REJECTED, by=by, reason=reason)


def _quota_label(quota: Quota) -> str:
    return f"{quota.program.code} {quota.year} {quota.region.label} ({quota.region_id})"


def _check_quotas(program: Program, region_codes: list[str], year: int) -> None:
    """Lock the quotas that cover these households' regions and refuse if the new KPM do not fit.

    The quota rows are locked (SELECT … FOR UPDATE) before counting, so concurrent approvals in the
    same region queue behind each other and each counts what the previous one committed.
    """
    prefixes = set()
    for code in region_codes:
        parts = code.split(".")
        prefixes.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    quotas = list(Quota.objects.select_for_update(of=("self",)).select_related("region", "program")
                  .filter(program=program, year=year, region_id__in=prefixes).order_by("region_id"))
    for quota in quotas:
        adding = sum(1 for code in region_codes if code_in_scope(code, quota.region_id))
        used = (Enrollment.objects.filter(program=program, status__in=SLOT_STATUSES)
                .filter(region_q("household__region_id", quota.region_id)).count())
        if used + adding > quota.slots:
            raise QuotaExceeded(
                _("Kuota %(quota)s penuh: %(used)s dari %(slots)s slot terpakai, %(adding)s KPM baru tidak muat.")
                % {"quota": _quota_label(quota), "used": used, "slots": quota.slots, "adding": adding})


@transaction.atomic
def approve_enrollment(*, enrollment: Enrollment, by, reason: str = "", on: date | None = None) -> Enrollment:
    """Approve a verified proposal (manager, not its proposer or verifier), within the region's quota."""
    enrollment = _locked(enrollment)
    _expect(enrollment, S.VERIFIED, doing=_("menyetujui"))
    _refuse(permissions.approve_refusal(by, enrollment))
    on = on or timezone.localdate()
    _check_quotas(enrollment.program, [enrollment.household.region_id], on.year)
    return _move(enrollment, to=S.APPROVED, action=Action.APPROVED, by=by, reason=reason,
                 approved_by=by, approved_at=timezone.now())


def _bulk_move(enrollments: list[Enrollment], *, to: str, action: str, by, reason: str, **fields) -> int:
    """Set-based transition: one UPDATE, history rows and events in bulk."""
    ids = [e.pk for e in enrollments]
    froms = {e.pk: e.status for e in enrollments}
    now = timezone.now()
    Enrollment.objects.filter(pk__in=ids).update(status=to, updated_at=now, **fields)
    fresh = list(Enrollment.objects.filter(pk__in=ids))
    Enrollment.history.bulk_history_create(fresh, update=True, default_user=by,
                                           default_change_reason=(reason or str(Action(action).label))[:100],
                                           default_date=now)
    EnrollmentEvent.objects.bulk_create(
        EnrollmentEvent(enrollment_id=pk, action=action, from_status=froms[pk], to_status=to, reason=reason,
                        by=by, at=now) for pk in ids)
    return len(ids)


@transaction.atomic
def bulk_approve(*, enrollments, by, reason: str = "", on: date | None = None) -> int:
    """Approve many verified proposals at once, all or nothing; the same rules as one approval.

    ``enrollments`` is a queryset or a list of enrollments or ids (of one or more programs).
    """
    ids = [getattr(e, "pk", e) for e in enrollments]
    if not ids:
        raise TransitionError(_("Tidak ada usulan yang dipilih."))
    rows = list(Enrollment.objects.select_for_update(of=("self",)).select_related("program", "household")
                .filter(pk__in=ids).order_by("pk"))
    if len(rows) != len(set(ids)):
        raise TransitionError(_("Sebagian usulan yang dipilih tidak ditemukan."))
    problems = []
    for e in rows:
        if e.status != S.VERIFIED:
            problems.append(_("%(kk)s berstatus %(status)s") % {"kk": mask_number(e.household.no_kk),
                                                                "status": e.get_status_display()})
            continue
        refusal = permissions.approve_refusal(by, e)
        if refusal:
            problems.append(f"{mask_number(e.household.no_kk)}: {refusal}")
    if problems:
        shown = "; ".join(problems[:5]) + (_(" (dan %(n)s lainnya)") % {"n": len(problems) - 5}
                                           if len(problems) > 5 else "")
        raise TransitionError(_("Tidak ada yang disetujui; %(n)s usulan tidak dapat disetujui: %(list)s.")
                              % {"n": len(problems), "list": shown})
    on = on or timezone.localdate()
    for program_id in sorted({e.program_id for e in rows}):
        batch = [e for e in rows if e.program_id == program_id]
        _check_quotas(batch[0].program, [e.household.region_id for e in batch], on.year)
    return _bulk_move(rows, to=S.APPROVED, action=Action.APPROVED, by=by, reason=reason,
                      approved_by=by, approved_at=timezone.now())


@transaction.atomic
def activate_enrollment(*, enrollment: Enrollment, by, started_on: date | None = None, reason: str = "") -> Enrollment:
    """Start an approved KPM's tenure: started_on (default today) and tenure_ends_on = start + tenure years."""
    enrollment = _locked(enrollment)
    _expect(enrollment, S.APPROVED, doing=_("mengaktifkan"))
    _refuse(permissions.manage_enrollment_refusal(by, enrollment))
    started_on = started_on or timezone.localdate()
    return _move(enrollment, to=S.ACTIVE, action=Action.ACTIVATED, by=by, reason=reason, started_on=started_on,
                 tenure_ends_on=rules.tenure_end(started_on, enrollment.program.tenure_years))


@transaction.atomic
def suspend_enrollment(*, enrollment: Enrollment, by, reason: str) -> Enrollment:
    """Hold an active KPM's payments (penangguhan), e.g. a commitment not met; the reason is required."""
    enrollment = _locked(enrollment)
    _expect(enrollment, S.ACTIVE, doing=_("menangguhkan"))
    _refuse(permissions.manage_enrollment_refusal(by, enrollment))
    if not reason.strip():
        raise TransitionError(_("Alasan penangguhan wajib diisi."))
    return _move(enrollment, to=S.SUSPENDED, action=Action.SUSPENDED, by=by, reason=reason)


@transaction.atomic
def resume_enrollment(*, enrollment: Enrollment, by, reason: str = "") -> Enrollment:
    """End a suspension; the tenure clock was never stopped."""
    enrollment = _locked(enrollment)
    _expect(enrollment, S.SUSPENDED, doing=_("mengaktifkan kembali"))
    _refuse(permissions.manage_enrollment_refusal(by, enrollment))
    return _move(enrollment, to=S.ACTIVE, action=Action.RESUMED, by=by, reason=reason)


@transaction.atomic
def exit_enrollment(*, enrollment: Enrollment, by, reason: str, note: str = "", ended_on: date | None = None,
                    fill_slot: bool = True) -> tuple[Enrollment, Enrollment | None]:
    """End a KPM's enrollment for a reason; its slot goes to the next household on the waiting list.

    Returns the exited enrollment and the proposal made from the waiting list (or None).
    """
    enrollment = _locked(enrollment)
    _expect(enrollment, S.APPROVED, S.ACTIVE, S.SUSPENDED, doing=_("mengeluarkan KPM"))
    if reason not in ExitReason.values:
        raise TransitionError(_("Alasan keluar tidak dikenal: %(reason)s.") % {"reason": reason})
    _refuse(permissions.exit_refusal(by, enrollment, reason))
    ended_on = ended_on or timezone.localdate()
    if enrollment.started_on and ended_on < enrollment.started_on:
        raise TransitionError(_("Tanggal keluar tidak boleh sebelum tanggal mulai aktif (%(start)s).")
                              % {"start": enrollment.started_on.isoformat()})
    text = f"{ExitReason(reason).label}" + (f": {note}" if note else "")
    _move(enrollment, to=S.EXITED, action=Action.EXITED, by=by, reason=text, exit_reason=reason,
          ended_on=ended_on if enrollment.started_on else None)
    replacement = None
    if fill_slot:
        replacement = propose_from_waiting_list(
            program=enrollment.program, region_code=_slot_area(enrollment), by=by,
            reason=_("Mengisi slot yang dilepas oleh KPM %(kk)s (%(why)s)")
            % {"kk": mask_number(enrollment.household.no_kk), "why": ExitReason(reason).label})
    return enrollment, replacement


def _slot_area(enrollment: Enrollment) -> str:
    """Where a released slot is refilled: the most specific quota region of the household, else its kecamatan."""
    code = enrollment.household.region_id
    quota_regions = sorted((q for q in Quota.objects.filter(program=enrollment.program)
                            .values_list("region_id", flat=True).distinct() if code_in_scope(code, q)),
                           key=len, reverse=True)
    return quota_regions[0] if quota_regions else ".".join(code.split(".")[:3])


@transaction.atomic
def propose_from_waiting_list(*, program: Program, region_code: str, by, reason: str = "") -> Enrollment | None:
    """Propose the first household of the waiting list of ``region_code`` (lowest desil first) that ``by`` may propose.

    Returns None when nobody eligible is waiting there or the user may not propose in that area.
    """
    from .queries import waiting_list

    if not permissions.can_propose(by):
        return None
    candidates = waiting_list(program, region_code)
    if not by.is_superuser:
        candidates = candidates.filter(region_q("region_id", by.scope))
    for household in candidates[:20]:
        try:
            return propose_enrollment(household=household, program=program, by=by, reason=reason)
        except TransitionError:
            continue  # the database filter and the explained rules disagree for this one: try the next
    return None


# --- re-verification (resertifikasi) -------------------------------------------------------------

@transaction.atomic
def open_reverification(*, program: Program, year: int, region, due_on: date, by):
    """Start a yearly re-verification: one check per active or suspended KPM of the program in ``region``."""
    from .models import ReverificationCampaign, ReverificationCheck

    _refuse(permissions.program_refusal(by, program), ProgramError)
    region = _region(region)
    if not by.is_superuser and not code_in_scope(region.code, by.scope):
        raise ProgramError(_("Wilayah %(code)s di luar cakupan wilayah Anda.") % {"code": region.code})
    if ReverificationCampaign.objects.filter(program=program, year=year, region=region).exists():
        raise ProgramError(_("Resertifikasi %(program)s %(year)s untuk %(region)s sudah dibuka.")
                           % {"program": program.code, "year": year, "region": region.label})
    campaign = ReverificationCampaign.objects.create(program=program, year=year, region=region, due_on=due_on,
                                                     opened_by=by)
    ids = (Enrollment.objects.filter(program=program, status__in=(S.ACTIVE, S.SUSPENDED))
           .filter(region_q("household__region_id", region.code)).values_list("pk", flat=True))
    ReverificationCheck.objects.bulk_create(
        (ReverificationCheck(campaign=campaign, enrollment_id=pk) for pk in ids.iterator()), batch_size=2000)
    return campaign


@transaction.atomic
def confirm_reverification(*, check, by, note: str = ""):
    """An operator confirms one KPM's data for the campaign; a flag from an earlier campaign is cleared."""
    from .models import ReverificationCheck

    check = ReverificationCheck.objects.select_for_update(of=("self",)).select_related(
        "campaign", "enrollment__household", "enrollment__program").get(pk=check.pk)
    enrollment = check.enrollment
    _refuse(permissions.manage_enrollment_refusal(by, enrollment))
    if check.status == ReverificationCheck.Status.CONFIRMED:
        raise TransitionError(_("Data KPM ini sudah dikonfirmasi pada resertifikasi ini."))
    if not check.campaign.is_open and check.status != ReverificationCheck.Status.UNCONFIRMED:
        raise TransitionError(_("Kampanye resertifikasi sudah ditutup."))
    check.status, check.confirmed_by, check.confirmed_at, check.note = (
        ReverificationCheck.Status.CONFIRMED, by, timezone.now(), note)
    check.save()
    enrollment = _locked(enrollment)
    enrollment.needs_reverification = False
    _move(enrollment, to=enrollment.status, action=Action.CONFIRMED, by=by,
          reason=note or _("Resertifikasi %(year)s") % {"year": check.campaign.year})
    return check


@transaction.atomic
def close_reverification(*, campaign, by) -> int:
    """Close a campaign: every KPM not confirmed is flagged (never silently kept). Returns how many were flagged."""
    from .models import ReverificationCampaign, ReverificationCheck

    campaign = ReverificationCampaign.objects.select_for_update().select_related("program").get(pk=campaign.pk)
    _refuse(permissions.program_refusal(by, campaign.program), ProgramError)
    if not campaign.is_open:
        raise ProgramError(_("Kampanye resertifikasi sudah ditutup."))
    pending = campaign.checks.filter(status=ReverificationCheck.Status.PENDING)
    enrollment_ids = list(pending.values_list("enrollment_id", flat=True))
    pending.update(status=ReverificationCheck.Status.UNCONFIRMED)
    rows = list(Enrollment.objects.filter(pk__in=enrollment_ids))
    reason = _("Tidak dikonfirmasi pada resertifikasi %(year)s") % {"year": campaign.year}
    for status in sorted({e.status for e in rows}):
        _bulk_move([e for e in rows if e.status == status], to=status, action=Action.FLAGGED, by=by, reason=reason,
                   needs_reverification=True)
    campaign.closed_by, campaign.closed_at = by, timezone.now()
    campaign.save()
    return len(rows)


@transaction.atomic
def save_program(*, by, program: Program | None = None, fields: dict, code: str = "", owner_region=None,
                 covered_regions=(), excluded_programs=(), funding=None, banks=None) -> Program:
    """Create or update a program with its coverage, cost sharing and banks in one transaction (the edit page)."""
    if program is None:
        program = create_program(by=by, code=code, owner_region=owner_region, covered_regions=covered_regions,
                                 excluded_programs=excluded_programs, **fields)
    else:
        program = update_program(program=program, by=by, covered_regions=covered_regions,
                                 excluded_programs=excluded_programs, **fields)
    if funding:
        set_funding_shares(program=program, by=by, shares=funding)
    elif funding is not None:
        program.funding_shares.all().delete()
    if banks is not None:
        set_bank_overrides(program=program, by=by, overrides=banks)
    return program
