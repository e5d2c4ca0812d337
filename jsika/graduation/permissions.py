"""Who may assess, propose and decide graduations, and handle UEP grants; each check answers a refusal or None.

Services call these before any write; pages call them to decide which buttons to show.
"""

from django.utils.translation import gettext as _

from jsika.core.roles import Role
from jsika.programs import permissions as program_permissions
from jsika.registry.queries import households_for

# Who records assessments, proposes graduations, applies for grants and follows them up.
FIELD_ROLES = {Role.FACILITATOR, Role.OPERATOR, Role.MANAGER}
# Who reads graduation pages (everything in their scope, no writes for partners and auditors).
READERS = {Role.FACILITATOR, Role.OPERATOR, Role.MANAGER, Role.PARTNER, Role.AUDITOR}


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can_read(user) -> bool:
    return _active(user) and (user.is_superuser or user.role in READERS)


def can_work_in_field(user) -> bool:
    return _active(user) and (user.is_superuser or user.role in FIELD_ROLES)


def is_manager(user) -> bool:
    return _active(user) and (user.is_superuser or user.role == Role.MANAGER)


def household_refusal(user, household) -> str | None:
    """May ``user`` record field work for this household (a pendamping: only their caseload)?"""
    if not can_work_in_field(user):
        return _("Peran Anda tidak dapat mencatat asesmen, usulan graduasi, atau bantuan UEP.")
    if not households_for(user).filter(pk=household.pk).exists():
        if user.role == Role.FACILITATOR:
            return _("Keluarga ini tidak ada dalam daftar dampingan Anda.")
        return _("Keluarga ini di luar cakupan wilayah Anda (%(scope)s).") % {"scope": user.scope or "-"}
    return None


def assess_refusal(user, household) -> str | None:
    return household_refusal(user, household)


def propose_refusal(user, enrollment) -> str | None:
    return household_refusal(user, enrollment.household)


def decide_refusal(user, graduation) -> str | None:
    """Approve or reject a proposal: a manager whose scope holds the program and the household, not the proposer."""
    if not is_manager(user):
        return _("Hanya pengelola program (Dinas Sosial) yang dapat memutuskan graduasi.")
    if graduation.proposed_by_id == user.pk:
        return _("Usulan graduasi tidak boleh diputuskan oleh pengusulnya sendiri (prinsip maker-checker).")
    return program_permissions.program_refusal(user, graduation.program) or household_refusal(
        user, graduation.household)


def program_refusal(user, program) -> str | None:
    """Targets and grant budgets: managers whose scope holds the program's owner region."""
    return program_permissions.program_refusal(user, program)


def grant_decide_refusal(user, grant) -> str | None:
    if not is_manager(user):
        return _("Hanya pengelola program (Dinas Sosial) yang dapat memutuskan bantuan UEP.")
    if grant.applied_by_id == user.pk:
        return _("Pengajuan bantuan UEP tidak boleh diputuskan oleh pengajunya sendiri (prinsip maker-checker).")
    return program_permissions.program_refusal(user, grant.program) or household_refusal(user, grant.household)


def manages_instruments(user) -> bool:
    """Instruments hold for every region: a superuser or a manager of a whole province."""
    return _active(user) and (user.is_superuser or (user.role == Role.MANAGER and len(user.scope or "") == 2))
