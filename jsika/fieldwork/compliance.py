"""Commitment verification (verifikasi komitmen): compute, confirm, and apply the program's rules.

Each active KPM is checked monthly on the commitments its family shape makes applicable: school
attendance of school children (≥ 85% by default), antenatal checks of pregnant women, weighing of
toddlers, and P2K2 attendance. The checks are computed from recorded visits and attendance; a
pendamping's confirmation overrides the computation. Non-compliance leads to a warning, then, when it
repeats within the program's window, to suspension through the programs module.
"""

import importlib
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from jsika.core.roles import Role
from jsika.core.scoping import region_q, scope_queryset
from jsika.registry.models import Person, SchoolStatus
from jsika.registry.queries import households_for

from . import periods
from .models import (
    Attendance,
    CheckStatus,
    ComplianceAction,
    ComplianceCheck,
    ComplianceRule,
    Condition,
    Problem,
    Visit,
)
from .services import FieldworkError

MET, NOT_MET, UNKNOWN = CheckStatus.MET, CheckStatus.NOT_MET, CheckStatus.UNKNOWN
SCHOOL_LEVELS = (SchoolStatus.SD, SchoolStatus.SMP, SchoolStatus.SMA)
DEFAULT_RULE = ComplianceRule()  # the defaults of a program without its own rule
# Enrollment statuses whose commitments are verified.
VERIFIED_STATUSES = ("active", "suspended")


def rule_for(program) -> ComplianceRule:
    return ComplianceRule.objects.filter(program=program).first() or DEFAULT_RULE


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass
class _Family:
    """What the computation needs about one household in one period."""

    school_children: list[int] = field(default_factory=list)
    pregnant: list[int] = field(default_factory=list)
    toddlers: list[int] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    attended: list[bool] = field(default_factory=list)


def _families(household_ids: list[int], start: date, end: date) -> dict[int, _Family]:
    """Members, visits and P2K2 attendance of the households in the period, in three queries."""
    families = {pk: _Family() for pk in household_ids}
    five_ago = _years_before(end, 5)
    members = Person.objects.filter(household_id__in=household_ids).values_list(
        "pk", "household_id", "school_status", "pregnant", "birth_date")
    for pk, hid, school, pregnant, born in members.iterator():
        family = families[hid]
        if school in SCHOOL_LEVELS:
            family.school_children.append(pk)
        if pregnant:
            family.pregnant.append(pk)
        if born > five_ago:
            family.toddlers.append(pk)
    for visit in (Visit.objects.filter(household_id__in=household_ids, visited_on__range=(start, end))
                  .only("household_id", "condition", "problems", "visited_on").order_by("visited_on", "pk")):
        families[visit.household_id].visits.append(visit)
    for hid, present in Attendance.objects.filter(household_id__in=household_ids,
                                                  session__held_on__range=(start, end)).values_list(
            "household_id", "present"):
        families[hid].attended.append(present)
    return families


def _latest(visits: list[Visit], section: str, key: str) -> dict[int, object]:
    """The last value of ``key`` recorded for each person in ``section`` during the period."""
    found: dict[int, object] = {}
    for visit in visits:
        for item in visit.condition.get(section, []):
            if item.get(key) is not None:
                found[item["person"]] = item[key]
    return found


def _school(family: _Family, rule: ComplianceRule):
    """Children registered at school; a dropout counts when a visit recorded it (the registry's older
    "left school" entries are follow-up work on "Hari ini", not a sanction)."""
    left = {p for p, in_school in _latest(family.visits, "school", "in_school").items() if in_school is False}
    if any(Problem.DROPOUT in v.problems for v in family.visits):
        left.add(0)
    children = family.school_children
    if not children and not left:
        return None
    if left:
        return NOT_MET, {"dropouts": sorted(p for p in left if p)}
    percent = _latest(family.visits, "school", "attendance_percent")
    low = {p: v for p, v in percent.items() if p in children and v < rule.school_min_percent}
    if low:
        return NOT_MET, {"below_minimum": {str(p): v for p, v in low.items()}, "minimum": rule.school_min_percent}
    if children and all(p in percent for p in children):
        return MET, {"attendance": {str(p): percent[p] for p in children}}
    return UNKNOWN, {"missing": [p for p in children if p not in percent]}


def _each_member(members: list[int], recorded: dict[int, object], extra: dict):
    if not members and not recorded:
        return None
    members = sorted(set(members) | set(recorded))
    if any(recorded.get(p) is False for p in members) and not all(recorded.get(p) for p in members):
        return NOT_MET, {"not_done": [p for p in members if recorded.get(p) is False], **extra}
    if all(recorded.get(p) for p in members):
        return MET, {"done": members, **extra}
    return UNKNOWN, {"missing": [p for p in members if p not in recorded], **extra}


def _p2k2(family: _Family):
    if any(family.attended):
        return MET, {"sessions": len(family.attended), "present": sum(family.attended)}
    if family.attended:
        return NOT_MET, {"sessions": len(family.attended), "present": 0}
    return UNKNOWN, {}


def evaluate(family: _Family, rule: ComplianceRule) -> dict[str, tuple[str, dict]]:
    """Condition → (status, detail) for one family; conditions that do not apply are absent."""
    results = {
        Condition.SCHOOL: _school(family, rule),
        Condition.ANTENATAL: _each_member(family.pregnant, _latest(family.visits, "pregnant", "antenatal_checked"),
                                          {}),
        Condition.TODDLER: _each_member(family.toddlers, _latest(family.visits, "toddlers", "weighed"), {}),
        Condition.P2K2: _p2k2(family),
    }
    wanted = set(rule.conditions())
    return {c.value: r for c, r in results.items() if r is not None and c.value in wanted}


def _enrollments(period: str, *, by, program=None, region: str = ""):
    start, end = periods.parse(period)
    enrollment = apps.get_model("programs", "Enrollment")
    qs = scope_queryset(enrollment.objects.all(), by).filter(
        status__in=VERIFIED_STATUSES, started_on__lte=end).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    if program is not None:
        qs = qs.filter(program=program)
    if region:
        qs = qs.filter(region_q("household__region_id", region))
    return qs.select_related("program")


@dataclass
class EvaluationResult:
    period: str
    enrollments: int = 0
    created: int = 0
    updated: int = 0
    counts: dict = field(default_factory=dict)  # status → number of checks


@transaction.atomic
def evaluate_compliance(*, period: str, by, program=None, region: str = "") -> EvaluationResult:
    """Compute every active KPM's commitment checks for ``period`` in ``by``'s scope (re-runnable).

    A check a pendamping confirmed keeps its confirmed status; only its computed status is refreshed.
    """
    if not (by.is_superuser or by.role in (Role.MANAGER, Role.OPERATOR, Role.FACILITATOR)):
        raise FieldworkError(_("Peran Anda tidak dapat menghitung verifikasi komitmen."))
    if not periods.is_period(period):
        raise FieldworkError(_("Periode harus berbentuk TTTT-BB, mis. 2026-11."))
    start, end = periods.parse(period)
    if start > timezone.localdate():
        raise FieldworkError(_("Periode %(p)s belum dimulai.") % {"p": period})
    enrollments = list(_enrollments(period, by=by, program=program, region=region))
    result = EvaluationResult(period=period, enrollments=len(enrollments))
    families = _families(sorted({e.household_id for e in enrollments}), start, end)
    rules = {}
    existing = {(c.enrollment_id, c.condition): c for c in ComplianceCheck.objects.select_for_update().filter(
        enrollment__in=[e.pk for e in enrollments], period=period)}
    now = timezone.now()
    new, changed, seen = [], [], set()
    for e in enrollments:
        if e.program_id not in rules:  # one rule query per program, not per enrollment
            rules[e.program_id] = rule_for(e.program)
        rule = rules[e.program_id]
        for condition, (status, detail) in evaluate(families[e.household_id], rule).items():
            seen.add((e.pk, condition))
            check = existing.get((e.pk, condition))
            if check is None:
                new.append(ComplianceCheck(enrollment=e, household_id=e.household_id, period=period,
                                           condition=condition, status=status, computed_status=status,
                                           detail=detail, computed_at=now))
                continue
            check.computed_status, check.detail, check.computed_at = status, detail, now
            if not check.is_confirmed:
                check.status = status
            changed.append(check)
    bulk_create_with_history(new, ComplianceCheck, batch_size=1000, default_user=by,
                             default_change_reason="evaluate_compliance")
    bulk_update_with_history(changed, ComplianceCheck, ["status", "computed_status", "detail", "computed_at"],
                             batch_size=1000, default_user=by, default_change_reason="evaluate_compliance")
    stale = [c.pk for key, c in existing.items() if key not in seen and not c.is_confirmed]
    ComplianceCheck.objects.filter(pk__in=stale).delete()
    result.created, result.updated = len(new), len(changed)
    for check in new + changed:
        result.counts[check.status] = result.counts.get(check.status, 0) + 1
    return result


@transaction.atomic
def confirm_compliance(*, check: ComplianceCheck, status: str, by, note: str = "") -> ComplianceCheck:
    """A pendamping (for their caseload) or a supervisor confirms whether a commitment was met."""
    if status not in (MET, NOT_MET):
        raise FieldworkError(_("Status konfirmasi harus 'met' atau 'not_met'."))
    if not (by.is_superuser or by.role in (Role.FACILITATOR, Role.MANAGER, Role.OPERATOR)):
        raise FieldworkError(_("Peran Anda tidak dapat mengonfirmasi verifikasi komitmen."))
    if not households_for(by).filter(pk=check.household_id).exists():
        raise FieldworkError(_("Keluarga ini tidak ada dalam daftar dampingan Anda."))
    check = ComplianceCheck.objects.select_for_update().get(pk=check.pk)
    if ComplianceAction.objects.filter(enrollment_id=check.enrollment_id, period=check.period).exists():
        raise FieldworkError(_("Tindak lanjut periode %(p)s sudah diterapkan; perubahan lewat pengelola program.")
                             % {"p": check.period})
    check.status, check.confirmed_by, check.confirmed_at, check.note = status, by, timezone.now(), note.strip()[:255]
    check._history_user = by
    check.save()
    return check


def _programs_services():
    """The programs module's services, or None while it is not installed."""
    if not apps.is_installed("jsika.programs"):
        return None
    return importlib.import_module("jsika.programs.services")


def _short(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class RulesResult:
    warnings: int = 0
    suspensions: int = 0
    already: int = 0
    not_suspended: list = field(default_factory=list)  # (enrollment id, reason) the programs module refused


@transaction.atomic
def apply_compliance_rules(*, program, period: str, by) -> RulesResult:
    """Warn KPM not meeting a commitment in ``period``; suspend those warned within the program's window.

    Idempotent per enrollment and period (one action each). Suspension goes through the programs
    module's ``suspend_enrollment``; a refusal there is reported, not hidden.
    """
    if not (by.is_superuser or by.role in (Role.MANAGER, Role.OPERATOR)):
        raise FieldworkError(_("Hanya pengelola program dan operator yang dapat menerapkan sanksi komitmen."))
    if not periods.is_period(period):
        raise FieldworkError(_("Periode harus berbentuk TTTT-BB, mis. 2026-11."))
    rule = rule_for(program)
    window = periods.before(period, rule.lookback_months)
    failing = (ComplianceCheck.objects.filter(period=period, status=NOT_MET, enrollment__program=program,
                                              enrollment__status__in=VERIFIED_STATUSES)
               .filter(household__in=households_for(by)))
    by_enrollment: dict[int, list[ComplianceCheck]] = {}
    for check in failing.select_related("enrollment", "enrollment__household").order_by("enrollment_id", "condition"):
        by_enrollment.setdefault(check.enrollment_id, []).append(check)
    done = set(ComplianceAction.objects.filter(enrollment_id__in=by_enrollment, period=period)
               .values_list("enrollment_id", flat=True))
    earlier: dict[int, int] = {}
    for eid in ComplianceAction.objects.filter(enrollment_id__in=by_enrollment, period__in=window).values_list(
            "enrollment_id", flat=True):
        earlier[eid] = earlier.get(eid, 0) + 1
    services = _programs_services()
    suspend = getattr(services, "suspend_enrollment", None) if services else None
    refused = (getattr(services, "ProgramError", None) if services else None) or ()
    result = RulesResult(already=len(done))
    for eid, checks in by_enrollment.items():
        if eid in done:
            continue
        enrollment = checks[0].enrollment
        unmet = ", ".join(str(Condition(c.condition).label) for c in checks)
        label = periods.label(period)
        if earlier.get(eid, 0) >= rule.warnings_before_suspension:
            kind = ComplianceAction.Kind.SUSPENSION
            reason = _("Komitmen tidak dipenuhi lagi pada %(p)s (%(list)s) setelah peringatan.") % {
                "p": label, "list": unmet}
            if enrollment.status == "active" and suspend is not None:
                try:
                    # Short: the programs module also keeps it as the history's change reason (100 characters).
                    suspend(enrollment=enrollment, by=by, reason=_short(reason))
                except refused as exc:  # a programs rule said no: report it, keep the action
                    result.not_suspended.append((eid, str(exc)))
            result.suspensions += 1
        else:
            kind = ComplianceAction.Kind.WARNING
            reason = _("Peringatan: komitmen tidak dipenuhi pada %(p)s (%(list)s).") % {"p": label, "list": unmet}
            result.warnings += 1
        ComplianceAction.objects.create(enrollment=enrollment, household_id=enrollment.household_id, period=period,
                                        kind=kind, reason=reason, by=by)
    return result
