"""Reads of grievances: the staff queue (through the scoping function) and the public status of one ticket."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from jsika.core.roles import Role
from jsika.core.scoping import region_q, scope_queryset

from . import permissions
from .models import OPEN_STATUSES, Grievance, Status


def grievances_for(user) -> QuerySet[Grievance]:
    """Grievances ``user`` may read: handlers and auditors in their region scope, a pendamping only
    what is assigned to them; a grievance about a pendamping is never visible to that pendamping."""
    base = Grievance.objects.select_related("region__parent__parent", "assigned_to")
    if not permissions.sees_queue(user):
        return base.none()
    if user.is_superuser:
        return base
    if user.role == Role.FACILITATOR:
        return base.filter(assigned_to=user).exclude(subject_facilitator=user)
    return scope_queryset(base, user).exclude(subject_facilitator=user)


def overdue_q(now: datetime | None = None) -> Q:
    """Open grievances past a clock: not acknowledged in time, or not resolved in time."""
    now = now or timezone.now()
    return (Q(status=Status.RECEIVED, acknowledge_due_at__lt=now)
            | Q(status__in=OPEN_STATUSES, resolve_due_at__lt=now))


@dataclass
class QueueFilter:
    """The filters of the staff queue; empty values filter nothing."""

    wilayah: str = ""
    category: str = ""
    status: str = "open"  # "open", "closed", "all", or a Status value
    overdue: bool = False
    escalated: bool = False
    mine: bool = False
    unassigned: bool = False
    ticket: str = ""

    def apply(self, qs: QuerySet[Grievance], *, user, now: datetime | None = None) -> QuerySet[Grievance]:
        if self.wilayah:
            qs = qs.filter(region_q("region_id", self.wilayah))
        if self.category:
            qs = qs.filter(category=self.category)
        if self.status == "open":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif self.status == "closed":
            qs = qs.exclude(status__in=OPEN_STATUSES)
        elif self.status in Status.values:
            qs = qs.filter(status=self.status)
        if self.overdue:
            qs = qs.filter(overdue_q(now))
        if self.escalated:
            qs = qs.filter(escalated=True)
        if self.mine:
            qs = qs.filter(assigned_to=user)
        if self.unassigned:
            qs = qs.filter(assigned_to__isnull=True)
        if self.ticket:
            qs = qs.filter(ticket__icontains=self.ticket.strip().upper())
        return qs


def queue_order(qs: QuerySet[Grievance], *, user) -> QuerySet[Grievance]:
    """Escalated first for a province manager; then the earliest deadline first, closed ones last."""
    order = ["-escalated"] if permissions.is_province_manager(user) else []
    return qs.order_by(*order, "closed_at", "resolve_due_at", "pk")


def queue_counts(qs: QuerySet[Grievance], now: datetime | None = None) -> dict[str, int]:
    """The numbers above the queue: open, overdue, escalated and open."""
    open_qs = qs.filter(status__in=OPEN_STATUSES)
    return {
        "open": open_qs.count(),
        "overdue": qs.filter(overdue_q(now)).count(),
        "escalated": open_qs.filter(escalated=True).count(),
        "unassigned": open_qs.filter(assigned_to__isnull=True).count(),
    }


def assignable_users(grievance: Grievance) -> QuerySet:
    """Active operators, managers and pendamping whose region scope covers the grievance (never its subject)."""
    codes = []
    parts = grievance.region_id.split(".")
    for depth in range(1, len(parts) + 1):
        codes.append(".".join(parts[:depth]))
    return (get_user_model().objects
            .filter(is_active=True, role__in=sorted(permissions.ASSIGNABLE_ROLES), scope__in=codes)
            .exclude(pk=grievance.subject_facilitator_id or 0)
            .order_by("role", "username"))


def public_status(ticket: str) -> Grievance | None:
    """The grievance with exactly this (normalized) ticket, for the public status page and API."""
    return Grievance.objects.only(
        "ticket", "category", "status", "filed_at", "public_updated_at", "public_response",
    ).filter(ticket=ticket).first()
