"""Field work. For now: the caseload that bounds what a pendamping sees."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CaseloadAssignment(models.Model):
    """One household in one pendamping's caseload; ending it keeps the row for history."""

    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="caseload", verbose_name=_("pendamping"))
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="caseload")
    assigned_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=models.Q(ended_at__isnull=True),
                                    name="one_active_facilitator_per_household"),
        ]
        indexes = [models.Index(fields=["facilitator", "ended_at"])]

    def __str__(self):
        return f"{self.facilitator} → {self.household_id}"
