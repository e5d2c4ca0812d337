"""Figures from grievances: filed and closed per month and category, closed within the SLA, and the open ones
(and those past a deadline) at the time of the refresh."""

from datetime import date

from django.apps import apps
from django.db.models import Count, F, Q
from django.utils import timezone

from .common import by_month, grouped, insert_facts

OPEN = ("received", "acknowledged", "investigating")  # grievances.models.OPEN_STATUSES


def refresh(today: date) -> int:
    grievance = apps.get_model("grievances", "Grievance")
    now = timezone.now()
    filed = {"key": "category", "region": "region_id", **by_month("filed_at")}
    all_ = grievance.objects.all()
    closed = all_.filter(closed_at__isnull=False).exclude(status__in=OPEN)
    n = insert_facts(grouped(all_, value=Count("pk"), **filed), metric="grievances")
    n += insert_facts(grouped(closed, value=Count("pk"), **filed), metric="grievances_closed")
    n += insert_facts(grouped(closed.filter(closed_at__lte=F("resolve_due_at")), value=Count("pk"), **filed),
                      metric="grievances_on_time")
    open_ = all_.filter(status__in=OPEN)
    n += insert_facts(grouped(open_, value=Count("pk"), key="category", region="region_id"), metric="grievances_open")
    overdue = Q(status="received", acknowledge_due_at__lt=now) | Q(resolve_due_at__lt=now)
    n += insert_facts(grouped(open_.filter(overdue), value=Count("pk"), key="category", region="region_id"),
                      metric="grievances_overdue")
    return n
