"""Who may read and act on grievances; each check answers the refusal in Bahasa Indonesia, or None.

- Operators and managers handle grievances in their region scope; auditors read them (in scope), change nothing.
- A pendamping sees no grievance queue: only grievances assigned to them, and may add notes to those.
- A grievance about a pendamping is never shown to that pendamping, even if someone assigns it by mistake
  (``assign`` refuses that too).
- Partners and banks have no business with complaints.
"""

from django.utils.translation import gettext as _

from jsika.core.roles import Role
from jsika.core.scoping import code_in_scope

GRIEVANCE_HANDLERS = {Role.MANAGER, Role.OPERATOR}
GRIEVANCE_READERS = GRIEVANCE_HANDLERS | {Role.AUDITOR}
# Roles that may be given a grievance to investigate (besides handlers).
ASSIGNABLE_ROLES = GRIEVANCE_HANDLERS | {Role.FACILITATOR}


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _in_scope(user, code: str) -> bool:
    return user.is_superuser or (bool(user.scope) and code_in_scope(code, user.scope))


def sees_queue(user) -> bool:
    """Whether the grievance pages are for ``user`` at all (the queue of their region, or their assignments)."""
    return _active(user) and (user.is_superuser or user.role in GRIEVANCE_READERS or user.role == Role.FACILITATOR)


def is_handler(user) -> bool:
    return _active(user) and (user.is_superuser or user.role in GRIEVANCE_HANDLERS)


def is_province_manager(user) -> bool:
    """Managers whose scope is a whole province: escalated grievances are their queue."""
    return _active(user) and (user.is_superuser or (user.role == Role.MANAGER and user.scope.count(".") == 0))


def handle_refusal(user, grievance) -> str | None:
    """May ``user`` change this grievance (acknowledge, assign, link, resolve, escalate)?"""
    if not is_handler(user):
        return _("Hanya operator dan pengelola program yang dapat menindaklanjuti pengaduan.")
    if not _in_scope(user, grievance.region_id):
        return _("Pengaduan ini berada di luar cakupan wilayah Anda (%(scope)s).") % {"scope": user.scope or "-"}
    return None


def note_refusal(user, grievance) -> str | None:
    """Handlers in scope may add notes; so may the pendamping the grievance is assigned to (never its subject)."""
    if (_active(user) and user.role == Role.FACILITATOR and grievance.assigned_to_id == user.pk
            and grievance.subject_facilitator_id != user.pk):
        return None
    return handle_refusal(user, grievance)


def assignee_refusal(assignee, grievance) -> str | None:
    """May ``assignee`` be given this grievance?"""
    if not _active(assignee) or not (assignee.is_superuser or assignee.role in ASSIGNABLE_ROLES):
        return _("Pengaduan hanya dapat ditugaskan kepada operator, pengelola program, atau pendamping.")
    if assignee.pk == grievance.subject_facilitator_id:
        return _("Pengaduan tidak dapat ditugaskan kepada pendamping yang diadukan.")
    if not assignee.is_superuser and not (assignee.scope and code_in_scope(grievance.region_id, assignee.scope)):
        return _("%(user)s tidak bertugas di wilayah pengaduan ini.") % {"user": assignee.get_username()}
    return None
