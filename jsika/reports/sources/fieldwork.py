"""Figures from field work: commitment verification per condition, home visits, P2K2 sessions and attendance,
and the facilitators' diligence (caseload visited, late records) per month."""

from collections import Counter
from datetime import date

from django.apps import apps
from django.db.models import Count, Exists, IntegerField, OuterRef, Q
from django.db.models.functions import Cast, Substr

from ..models import FigureFact, region_level
from .common import by_month, grouped, insert_facts

LATE_AFTER_DAYS = 7  # as fieldwork.models.LATE_AFTER_DAYS


def _period_columns() -> dict:
    """Year and month of a ``YYYY-MM`` period."""
    return {"year": Cast(Substr("period", 1, 4), IntegerField()), "month": Cast(Substr("period", 6, 2), IntegerField())}


def compliance() -> int:
    check = apps.get_model("fieldwork", "ComplianceCheck")
    known = check.objects.filter(status__in=("met", "not_met"))
    common = {"program": "enrollment__program_id", "key": "condition", "region": "household__region_id",
              **_period_columns()}
    n = insert_facts(grouped(known, value=Count("pk"), **common), metric="compliance_checked")
    return n + insert_facts(grouped(known.filter(status="met"), value=Count("pk"), **common), metric="compliance_met")


def visits_and_sessions() -> int:
    visit = apps.get_model("fieldwork", "Visit")
    session = apps.get_model("fieldwork", "FamilySession")
    attendance = apps.get_model("fieldwork", "Attendance")
    assignment = apps.get_model("fieldwork", "CaseloadAssignment")
    on_visit = {"region": "household__region_id", **by_month("visited_on")}
    n = insert_facts(grouped(visit.objects.all(), value=Count("pk"), **on_visit), metric="visits")
    n += insert_facts(grouped(visit.objects.all(), value=Count("household_id", distinct=True), **on_visit),
                      metric="visited_households")
    in_caseload = Exists(assignment.objects.filter(household_id=OuterRef("household_id"), ended_at__isnull=True))
    n += insert_facts(grouped(visit.objects.filter(in_caseload), value=Count("household_id", distinct=True),
                              **on_visit), metric="caseload_visited")
    late = Q(entry_delay_days__gt=LATE_AFTER_DAYS)
    n += insert_facts(grouped(visit.objects.filter(late), value=Count("pk"), **on_visit), metric="late_records")
    n += insert_facts(grouped(session.objects.filter(late), value=Count("pk"), region="region_id",
                              **by_month("held_on")), metric="late_records")
    n += insert_facts(grouped(session.objects.all(), value=Count("pk"), key="module__code", region="region_id",
                              **by_month("held_on")), metric="sessions")
    on_session = {"region": "household__region_id", **by_month("session__held_on")}
    n += insert_facts(grouped(attendance.objects.all(), value=Count("pk"), **on_session), metric="attendance_total")
    n += insert_facts(grouped(attendance.objects.filter(present=True), value=Count("pk"), **on_session),
                      metric="attendance_present")
    return n


def caseloads() -> int:
    """Households in an active caseload (per desa) and pendamping with one (at the region of their scope)."""
    assignment = apps.get_model("fieldwork", "CaseloadAssignment")
    active = assignment.objects.filter(ended_at__isnull=True)
    n = insert_facts(grouped(active, value=Count("pk"), region="household__region_id"), metric="caseload")
    per_facilitator = dict(active.values_list("facilitator_id", "facilitator__scope").distinct())
    scopes = Counter(per_facilitator.values())
    FigureFact.objects.bulk_create(
        FigureFact(metric="facilitators", region_code=scope, level=region_level(scope), value=count)
        for scope, count in scopes.items())
    return n + len(scopes)


def refresh(today: date) -> int:
    return compliance() + visits_and_sessions() + caseloads()
