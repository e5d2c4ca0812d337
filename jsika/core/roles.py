"""The roles of specs/accounts.md and what each may do, in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MANAGER = "manager", _("Pengelola program (Dinas Sosial)")
    OPERATOR = "operator", _("Operator kab/kota")
    FACILITATOR = "facilitator", _("Pendamping")
    PARTNER = "partner", _("Mitra (OPD)")
    BANK = "bank", _("Bank")
    AUDITOR = "auditor", _("Auditor")


# Roles whose access to personal data is bounded by a region prefix.
REGION_SCOPED_ROLES = {Role.MANAGER, Role.OPERATOR, Role.PARTNER, Role.AUDITOR}
# Roles that may change registry data (within their scope).
REGISTRY_WRITERS = {Role.MANAGER, Role.OPERATOR}
# Roles that may see a full NIK on a detail read (the read is logged).
FULL_NIK_READERS = {Role.MANAGER, Role.OPERATOR, Role.AUDITOR}
