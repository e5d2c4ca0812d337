"""Who may do what with programs and enrollments; each check answers the refusal in Bahasa Indonesia, or None.

Services call these before any write; pages call them to decide which buttons to show. One place,
so the page never offers what the service would refuse.
"""

from django.utils.translation import gettext as _

from jsika.core.masking import mask_number
from jsika.core.roles import Role
from jsika.core.scoping import code_in_scope

from .models import ExitReason

ENROLLMENT_WRITERS = {Role.MANAGER, Role.OPERATOR}
OPERATOR_EXIT_REASONS = {ExitReason.MOVED, ExitReason.DIED, ExitReason.VOLUNTARY}


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _in_scope(user, code: str) -> bool:
    return user.is_superuser or (bool(user.scope) and code_in_scope(code, user.scope))


def program_refusal(user, program=None, owner_code: str | None = None) -> str | None:
    """May ``user`` define or change this program (or one owned by ``owner_code``)?"""
    if not _active(user) or not (user.is_superuser or user.role == Role.MANAGER):
        return _("Hanya pengelola program (Dinas Sosial) yang dapat mengatur program.")
    code = owner_code or (program.owner_region_id if program else None)
    if code and not _in_scope(user, code):
        return _("Wilayah pemilik program (%(code)s) di luar cakupan wilayah Anda (%(scope)s).") % {
            "code": code, "scope": user.scope or "-"}
    return None


def _household_refusal(user, household) -> str | None:
    if not _in_scope(user, household.region_id):
        return _("Keluarga %(kk)s berada di luar cakupan wilayah Anda (%(scope)s).") % {
            "kk": mask_number(household.no_kk), "scope": user.scope or "-"}
    return None


def propose_refusal(user, household) -> str | None:
    if not _active(user) or not (user.is_superuser or user.role in ENROLLMENT_WRITERS):
        return _("Peran Anda tidak dapat mengusulkan kepesertaan; hanya operator dan pengelola program.")
    return _household_refusal(user, household)


def verify_refusal(user, enrollment) -> str | None:
    if not _active(user) or not (user.is_superuser or user.role in ENROLLMENT_WRITERS):
        return _("Peran Anda tidak dapat memverifikasi usulan; hanya operator dan pengelola program.")
    if enrollment.proposed_by_id == user.pk:
        return _("Usulan tidak boleh diverifikasi oleh pengusulnya sendiri (prinsip maker-checker).")
    return _household_refusal(user, enrollment.household)


def approve_refusal(user, enrollment) -> str | None:
    if not _active(user) or not (user.is_superuser or user.role == Role.MANAGER):
        return _("Hanya pengelola program (Dinas Sosial) yang dapat menyetujui kepesertaan.")
    if enrollment.proposed_by_id == user.pk:
        return _("Anda tidak dapat menyetujui usulan Anda sendiri (prinsip maker-checker).")
    refusal = program_refusal(user, enrollment.program)
    if refusal:
        return refusal
    return _household_refusal(user, enrollment.household)


def manage_enrollment_refusal(user, enrollment) -> str | None:
    """Activate, suspend, resume, reject, confirm re-verification: operators and managers in scope."""
    if not _active(user) or not (user.is_superuser or user.role in ENROLLMENT_WRITERS):
        return _("Peran Anda tidak dapat mengubah status kepesertaan.")
    return _household_refusal(user, enrollment.household)


def exit_refusal(user, enrollment, reason: str) -> str | None:
    refusal = manage_enrollment_refusal(user, enrollment)
    if refusal:
        return refusal
    if not user.is_superuser and user.role == Role.OPERATOR and reason not in OPERATOR_EXIT_REASONS:
        return _("Operator hanya dapat mengeluarkan KPM karena pindah, meninggal, atau mengundurkan diri; "
                 "alasan lain diputuskan pengelola program.")
    return None


def can_propose(user) -> bool:
    return _active(user) and (user.is_superuser or user.role in ENROLLMENT_WRITERS)


def can_manage_programs(user) -> bool:
    return _active(user) and (user.is_superuser or user.role == Role.MANAGER)
