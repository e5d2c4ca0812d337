"""Who may see and act on budgets, cycles, bank files and payments (specs/accounts.md).

Each ``*_refusal`` returns ``None`` when allowed, or the message (Bahasa Indonesia) that explains why not;
services raise it, pages hide the button. Cycles are not personal data: a cycle is *visible* to a regional
user whose scope overlaps its area, but only users whose scope contains the whole area may act on it.
"""

from django.utils.translation import gettext as _

from jsika.core.roles import Role
from jsika.core.scoping import code_in_scope

from .models import BANK_WORK_STATUSES, COMMITTED_CYCLE_STATUSES

READER_ROLES = (Role.MANAGER, Role.OPERATOR, Role.AUDITOR)
PREPARER_ROLES = (Role.MANAGER, Role.OPERATOR)


def _overlaps(code: str, scope: str) -> bool:
    return code_in_scope(code, scope) or code_in_scope(scope, code)


def covers(user, region_code: str) -> bool:
    """``user``'s scope contains all of ``region_code``."""
    return user.is_superuser or bool(user.scope) and code_in_scope(region_code, user.scope)


def is_bank_of(user, bank_code: str) -> bool:
    return user.role == Role.BANK and bool(user.bank_code) and user.bank_code == bank_code


def can_see_cycle(user, cycle) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.role == Role.BANK:
        return is_bank_of(user, cycle.bank_code) and cycle.status in COMMITTED_CYCLE_STATUSES
    return user.role in READER_ROLES and bool(user.scope) and _overlaps(cycle.region_id, user.scope)


def prepare_refusal(user, region_code: str) -> str | None:
    """May ``user`` open a cycle (or set a budget) for an area?"""
    if user.is_superuser or (user.role in PREPARER_ROLES and covers(user, region_code)):
        return None
    return _("Hanya pengelola atau operator dengan cakupan wilayah %(code)s yang dapat menyiapkan tahap "
             "penyaluran.") % {"code": region_code}


def budget_refusal(user, region_code: str) -> str | None:
    if user.is_superuser or (user.role == Role.MANAGER and covers(user, region_code)):
        return None
    return _("Hanya pengelola program dengan cakupan wilayah %(code)s yang dapat mengatur anggaran.") % {
        "code": region_code}


def verify_refusal(user, cycle) -> str | None:
    if not (user.is_superuser or (user.role in PREPARER_ROLES and covers(user, cycle.region_id))):
        return _("Hanya pengelola atau operator dengan cakupan wilayah tahap ini yang dapat memverifikasinya.")
    if user.pk == cycle.generated_by_id:
        return _("Verifikasi harus oleh orang lain daripada yang membuat tahap ini (maker-checker).")
    return None


def approve_refusal(user, cycle) -> str | None:
    if not (user.is_superuser or (user.role == Role.MANAGER and covers(user, cycle.region_id))):
        return _("Hanya pengelola program dengan cakupan wilayah tahap ini yang dapat menyetujuinya.")
    if user.pk in (cycle.generated_by_id, cycle.verified_by_id):
        return _("Persetujuan harus oleh orang ketiga: bukan pembuat dan bukan pemverifikasi tahap ini.")
    return None


def manage_refusal(user, cycle) -> str | None:
    """Settling a cycle (re-issue, return, reversal, closing) is the program manager's."""
    if user.is_superuser or (user.role == Role.MANAGER and covers(user, cycle.region_id)):
        return None
    return _("Hanya pengelola program dengan cakupan wilayah tahap ini yang dapat melakukannya.")


def bank_file_refusal(user, cycle) -> str | None:
    """Taking the bank file or sending the reconciliation: the cycle's own bank, or a manager in scope."""
    if not (user.is_superuser or is_bank_of(user, cycle.bank_code)
            or (user.role == Role.MANAGER and covers(user, cycle.region_id))):
        return _("Hanya bank penyalur tahap ini atau pengelola program yang dapat mengambil berkas bank.")
    if cycle.status not in COMMITTED_CYCLE_STATUSES:
        return _("Tahap ini belum disetujui: berkas bank belum tersedia.")
    return None


def reconcile_refusal(user, cycle) -> str | None:
    refusal = bank_file_refusal(user, cycle)
    if refusal:
        return refusal
    if cycle.status not in BANK_WORK_STATUSES:
        return _("Rekonsiliasi hanya untuk tahap yang sudah disetujui dan belum ditutup.")
    return None


def accounts_refusal(user, region_code: str) -> str | None:
    """Bank accounts and cards of KPM: managers and operators in scope."""
    if user.is_superuser or (user.role in PREPARER_ROLES and covers(user, region_code)):
        return None
    return _("Hanya pengelola atau operator dengan cakupan wilayah %(code)s yang dapat mengelola rekening dan "
             "kartu KPM.") % {"code": region_code}
