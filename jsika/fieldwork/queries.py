"""Reads of field work used by pages, the API and other apps (payments read compliance here).

Reads of personal data start from the scoping function: a pendamping sees only their caseload.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from jsika.core.roles import REGION_SCOPED_ROLES, Role
from jsika.core.scoping import region_q, scope_queryset
from jsika.regions.models import Region
from jsika.registry.models import Household, Person, Relation, SchoolStatus
from jsika.registry.queries import households_for

from . import periods
from .models import (
    Attendance,
    CaseloadAssignment,
    CheckStatus,
    ComplianceAction,
    ComplianceCheck,
    FamilySession,
    Module,
    Visit,
)

# A pendamping's caseload is balanced between these sizes.
CASELOAD_TARGET = (150, 250)
NOT_VISITED_DAYS = 60
# Enrollment statuses of a household that a pendamping follows (a KPM).
KPM_STATUSES = ("approved", "active", "suspended")


def visits_for(user) -> QuerySet[Visit]:
    """Visits ``user`` may read (region scope, or a pendamping's caseload)."""
    return scope_queryset(Visit.objects.select_related("household", "household__region", "facilitator"), user)


def sessions_for(user) -> QuerySet[FamilySession]:
    """P2K2 sessions ``user`` may read: a pendamping their own; region roles those held in their scope."""
    qs = FamilySession.objects.select_related("region", "module", "facilitator")
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.FACILITATOR:
        return qs.filter(facilitator=user)
    if user.role in REGION_SCOPED_ROLES and user.scope:
        return qs.filter(region_q("region__code", user.scope))
    return qs.none()


def attendance_for(user) -> QuerySet[Attendance]:
    return scope_queryset(Attendance.objects.select_related("household", "session"), user)


def checks_for(user) -> QuerySet[ComplianceCheck]:
    return scope_queryset(ComplianceCheck.objects.select_related("household", "enrollment__program"), user)


def facilitators_for(user) -> QuerySet:
    """Pendamping accounts a supervisor oversees: working in their scope or following households in it."""
    qs = get_user_model().objects.filter(role=Role.FACILITATOR)
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.FACILITATOR:
        return qs.filter(pk=user.pk)
    if user.role in REGION_SCOPED_ROLES and user.scope:
        in_scope = CaseloadAssignment.objects.filter(facilitator=OuterRef("pk"), ended_at__isnull=True).filter(
            region_q("household__region__code", user.scope))
        return qs.filter(region_q("scope", user.scope) | Q(Exists(in_scope)))
    return qs.none()


def active_caseload(facilitator) -> QuerySet[CaseloadAssignment]:
    return CaseloadAssignment.objects.filter(facilitator=facilitator, ended_at__isnull=True)


def caseload_households(facilitator) -> QuerySet[Household]:
    return Household.objects.filter(pk__in=active_caseload(facilitator).values("household_id"))


def kpm_q(path: str = "pk") -> Q:
    """Households with an approved, active or suspended enrollment (empty without the programs module)."""
    if not apps.is_installed("jsika.programs"):
        return Q(pk__in=[])
    enrollment = apps.get_model("programs", "Enrollment")
    return Q(Exists(enrollment.objects.filter(household_id=OuterRef(path), status__in=KPM_STATUSES)))


# --- caseload balance ------------------------------------------------------------------------------

@dataclass
class BalanceRow:
    facilitator: object
    households: int
    villages: int
    not_visited: int

    @property
    def band(self) -> str:
        low, high = CASELOAD_TARGET
        return "under" if self.households < low else "over" if self.households > high else "ok"

    @property
    def percent_of_max(self) -> int:
        return min(100, round(self.households * 100 / CASELOAD_TARGET[1]))


def caseload_balance(user, today: date | None = None) -> list[BalanceRow]:
    """Households per pendamping overseen by ``user`` (target 150–250), fewest first."""
    today = today or timezone.localdate()
    since = today - timedelta(days=NOT_VISITED_DAYS)
    active = Q(caseload__ended_at__isnull=True)
    rows = list(facilitators_for(user).filter(is_active=True)
                .annotate(n=Count("caseload", filter=active, distinct=True),
                          villages=Count("caseload__household__region", filter=active, distinct=True))
                .order_by("n", "username"))
    recent = Visit.objects.filter(household_id=OuterRef("household_id"), visited_on__gte=since)
    stale = dict(CaseloadAssignment.objects.filter(ended_at__isnull=True, facilitator__in=[f.pk for f in rows])
                 .exclude(Exists(recent)).values_list("facilitator").annotate(n=Count("pk")).order_by())
    return [BalanceRow(f, f.n, f.villages, stale.get(f.pk, 0)) for f in rows]


def unassigned_by_village(user, within: str = "", *, only_kpm: bool = True) -> list[dict]:
    """Desa in ``user``'s scope with households not yet in any caseload: code, name, counts."""
    taken = CaseloadAssignment.objects.filter(household=OuterRef("pk"), ended_at__isnull=True)
    qs = households_for(user).exclude(Exists(taken))
    if within:
        qs = qs.filter(region_q("region_id", within))
    if only_kpm:
        qs = qs.filter(kpm_q())
    counts = dict(qs.values_list("region_id").annotate(n=Count("pk")).order_by())
    names = dict(Region.objects.filter(code__in=counts).values_list("code", "name"))
    parents = dict(Region.objects.filter(code__in={c.rsplit(".", 1)[0] for c in counts}).values_list("code", "name"))
    return [{"code": code, "name": names.get(code, code), "district": parents.get(code.rsplit(".", 1)[0], ""),
             "count": n} for code, n in sorted(counts.items())]


def assignable_households(user, village: str, *, only_kpm: bool = True, include_assigned: bool = False):
    """Households of desa ``village`` in ``user``'s scope for bulk assignment."""
    qs = households_for(user).filter(region_id=village)
    if only_kpm:
        qs = qs.filter(kpm_q())
    if not include_assigned:
        qs = qs.exclude(Exists(CaseloadAssignment.objects.filter(household=OuterRef("pk"), ended_at__isnull=True)))
    return qs


# --- a pendamping's day ----------------------------------------------------------------------------

def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def with_field_columns(qs: QuerySet[Household], today: date) -> QuerySet[Household]:
    """Head name, last visit and whether visited this month, for field lists."""
    start = today.replace(day=1)
    head = Person.objects.filter(household=OuterRef("pk"), relation=Relation.HEAD)
    return qs.select_related("region").annotate(
        head_name=Subquery(head.values("name")[:1]),
        last_visit=Max("visits__visited_on"),
        visited_this_month=Exists(Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=start)),
    )


def dropouts_q(today: date) -> Q:
    """Members aged 7–18 who left school."""
    return Q(school_status=SchoolStatus.LEFT, birth_date__gt=_years_before(today, 19),
             birth_date__lte=_years_before(today, 7))


@dataclass
class Today:
    """What the "Hari ini" page shows a pendamping."""

    households: int = 0
    visited_this_month: int = 0
    due: list = field(default_factory=list)
    not_visited_long: int = 0
    non_compliant: list = field(default_factory=list)
    pregnant: list = field(default_factory=list)
    dropouts: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    villages_without_session: list = field(default_factory=list)
    period: str = ""

    @property
    def visit_percent(self) -> int:
        return round(self.visited_this_month * 100 / self.households) if self.households else 0

    @property
    def due_count(self) -> int:
        return self.households - self.visited_this_month


def today_for(user, today: date | None = None, limit: int = 50) -> Today:
    """The caseload's state today: visits due this month, non-compliant families, pregnant members, dropouts."""
    today = today or timezone.localdate()
    households = households_for(user)
    listed = with_field_columns(households, today)
    result = Today(period=periods.of(today))
    result.households = households.count()
    result.visited_this_month = listed.filter(visited_this_month=True).count()
    result.due = list(listed.filter(visited_this_month=False).order_by(
        "last_visit", "region_id", "pk")[:limit])
    since = today - timedelta(days=NOT_VISITED_DAYS)
    result.not_visited_long = households.exclude(visits__visited_on__gte=since).distinct().count()
    recent = [periods.of(today), periods.shift(periods.of(today), -1)]
    result.non_compliant = list(
        checks_for(user).filter(period__in=recent, status=CheckStatus.NOT_MET).select_related("household__region")
        .order_by("-period", "household_id", "condition")[:limit])
    people = Person.objects.filter(household__in=households).select_related("household", "household__region")
    result.pregnant = list(people.filter(pregnant=True).order_by("household_id")[:limit])
    result.dropouts = list(people.filter(dropouts_q(today)).order_by("household_id")[:limit])
    result.sessions = list(sessions_for(user).annotate(
        present=Count("attendances", filter=Q(attendances__present=True)),
        invited=Count("attendances")).order_by("-held_on")[:5])
    villages = set(households.values_list("region_id", flat=True).distinct())
    held = set(sessions_for(user).filter(held_on__gte=today.replace(day=1)).values_list("region_id", flat=True))
    result.villages_without_session = list(Region.objects.filter(code__in=villages - held).order_by("code"))
    return result


def caseload_payload(user, today: date | None = None) -> dict:
    """The caseload a phone caches for offline work: households, members needed by the forms, modules.

    Only the caller's own active caseload (a supervisor's region is far too large for a phone).
    """
    today = today or timezone.localdate()
    five_ago = _years_before(today, 5)
    mine = households_for(user).filter(pk__in=active_caseload(user).values("household_id"))
    households = list(with_field_columns(mine, today).order_by("region_id", "pk"))
    members: dict[int, list] = {}
    for p in Person.objects.filter(household__in=[h.pk for h in households]).order_by("household_id", "birth_date"):
        members.setdefault(p.household_id, []).append({
            "id": p.pk, "name": p.name, "sex": p.sex, "age": p.age_on(today), "relation": p.relation,
            "school_status": p.school_status, "pregnant": p.pregnant, "toddler": p.birth_date > five_ago,
            "disabled": p.disabled,
        })
    villages = {}
    for h in households:
        villages.setdefault(h.region_id, h.region.name)
    return {
        "generated_at": timezone.now().isoformat(),
        "period": periods.of(today),
        "households": [{
            "id": h.pk, "no_kk_tail": h.no_kk[-4:], "head_name": h.head_name or "", "region": h.region_id,
            "region_name": h.region.name, "address": h.address, "rt": h.rt, "rw": h.rw,
            "latitude": h.latitude, "longitude": h.longitude,
            "last_visit": h.last_visit.isoformat() if h.last_visit else None,
            "visited_this_month": h.visited_this_month, "members": members.get(h.pk, []),
        } for h in households],
        "villages": [{"code": code, "name": name} for code, name in sorted(villages.items())],
        "modules": [{"code": m.code, "number": m.number, "name": m.name, "sessions": m.session_count}
                    for m in Module.objects.filter(is_active=True)],
    }


# --- compliance, for the payments module ---------------------------------------------------------

def unmet_q(period_list: list[str]) -> Q:
    return Q(Exists(ComplianceCheck.objects.filter(enrollment=OuterRef("pk"), period__in=period_list,
                                                   status=CheckStatus.NOT_MET)))


def is_compliant(enrollment, period: str | Iterable[str]) -> bool:
    """True when no commitment of ``enrollment`` is recorded as not met in ``period`` (one or several months).

    A commitment without data (not yet verified) does not count against the family.
    """
    return not ComplianceCheck.objects.filter(enrollment=enrollment, period__in=periods.as_list(period),
                                              status=CheckStatus.NOT_MET).exists()


def compliant_enrollments(program, period: str | Iterable[str]) -> QuerySet:
    """Active enrollments of ``program`` with no commitment recorded as not met in ``period`` (or months)."""
    enrollment = apps.get_model("programs", "Enrollment")
    return enrollment.objects.filter(program=program, status="active").exclude(unmet_q(periods.as_list(period)))


def non_compliant_enrollments(program, period: str | Iterable[str]) -> QuerySet:
    """Active or suspended enrollments of ``program`` with a commitment not met in ``period``."""
    enrollment = apps.get_model("programs", "Enrollment")
    return enrollment.objects.filter(program=program, status__in=("active", "suspended")).filter(
        unmet_q(periods.as_list(period)))


def compliance_summary(user, period: str, program=None) -> dict:
    """Checks in ``user``'s scope for ``period``: per condition, how many met / not met / without data."""
    qs = checks_for(user).filter(period=period)
    if program is not None:
        qs = qs.filter(enrollment__program=program)
    summary: dict[str, dict] = {}
    for condition, status, n in qs.values_list("condition", "status").annotate(n=Count("pk")).order_by():
        summary.setdefault(condition, {s: 0 for s in CheckStatus.values})[status] = n
    return summary


@dataclass
class UnmetRow:
    """One KPM (household in a program) with the commitments it did not meet in a period."""

    household: Household
    program: str
    conditions: list = field(default_factory=list)
    confirmed: bool = False
    head_name: str = ""


def unmet_by_family(checks: QuerySet[ComplianceCheck]) -> list[UnmetRow]:
    """Not-met checks grouped per household and program, in desa order (for supervisors' lists)."""
    rows: dict[tuple[int, str], UnmetRow] = {}
    for check in checks.filter(status=CheckStatus.NOT_MET).select_related(
            "household__region", "enrollment__program").order_by("household__region_id", "household_id", "condition"):
        row = rows.setdefault((check.household_id, check.enrollment.program.code),
                              UnmetRow(check.household, check.enrollment.program.code))
        row.conditions.append(check.get_condition_display())
        row.confirmed = row.confirmed or check.is_confirmed
    return list(rows.values())


def with_head_names(rows: list) -> list:
    heads = dict(Person.objects.filter(household_id__in=[r.household.pk for r in rows], relation=Relation.HEAD)
                 .values_list("household_id", "name"))
    for row in rows:
        row.head_name = heads.get(row.household.pk, "")
    return rows


def actions_for(user) -> QuerySet[ComplianceAction]:
    return scope_queryset(ComplianceAction.objects.select_related("household", "enrollment__program", "by"), user)
