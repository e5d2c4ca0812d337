"""Reads of assessments, graduations and UEP grants used by pages, the API, other apps and reports.

Reads of personal data start from the scoping function (``*_for(user)``); target progress, budget use
and survival rates are aggregates.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from jsika.core.scoping import region_q, scope_queryset
from jsika.payments.models import Payment, PaymentStatus
from jsika.programs.models import Enrollment, EnrollmentStatus, Program
from jsika.programs.queries import enrollments_for
from jsika.registry.models import Household, Person, Relation
from jsika.registry.queries import households_for

from .models import (
    FOLLOW_UP_MONTHS,
    Assessment,
    Band,
    BusinessType,
    Graduation,
    GraduationTarget,
    Grant,
    GrantBudget,
    GrantFollowUp,
    add_months,
)
from .rules import ASSESSMENT_VALID_DAYS


def assessments_for(user) -> QuerySet[Assessment]:
    """Assessments ``user`` may read (region scope, or a pendamping's caseload)."""
    return scope_queryset(Assessment.objects.select_related("instrument", "household", "assessor"), user)


def graduations_for(user) -> QuerySet[Graduation]:
    """Graduation proposals and decisions ``user`` may read."""
    return scope_queryset(Graduation.objects.select_related("program", "household", "household__region",
                                                            "enrollment", "proposed_by", "decided_by"), user)


def grants_for(user) -> QuerySet[Grant]:
    """UEP grants ``user`` may read."""
    return scope_queryset(Grant.objects.select_related("program", "household", "household__region", "graduation"),
                          user)


def with_head(qs: QuerySet, household_path: str = "household_id") -> QuerySet:
    """Annotate the name of the head of household, read in the same query."""
    head = Person.objects.filter(household=OuterRef(household_path), relation=Relation.HEAD)
    return qs.annotate(head_name=Subquery(head.values("name")[:1]))


def latest_assessments(household_ids, *, per_household: int = 2, on: date | None = None) -> dict[int, list]:
    """The newest ``per_household`` assessments of each household, newest first (one query)."""
    qs = Assessment.objects.filter(household_id__in=list(household_ids)).select_related("instrument")
    if on:
        qs = qs.filter(assessed_on__lte=on)
    found: dict[int, list] = defaultdict(list)
    for a in qs.order_by("household_id", "-assessed_on", "-pk"):
        if len(found[a.household_id]) < per_household:
            found[a.household_id].append(a)
    return found


def score_history(user, household: Household) -> list[Assessment]:
    """Every assessment of a household the user may read, oldest first (the score line)."""
    return list(assessments_for(user).filter(household=household).order_by("assessed_on", "pk"))


# --- candidates and targets -------------------------------------------------------------------------------

def graduation_candidates(user, program: Program, *, region: str = "", path: str = "", on: date | None = None,
                          horizon_days: int = 90) -> QuerySet[Enrollment]:
    """Active KPM in scope who (a) reach their tenure limit within ``horizon_days`` (or have reached it), or
    (b) scored "siap graduasi" in their last two assessments during the enrollment (the latest ≤ 12 months old).

    Annotated: ``tenure_path``, ``score_path``, ``last_band``, ``prev_band``, ``pending`` (a proposal waits),
    ``head_name``. ``path`` is ``alamiah``, ``mandiri`` or empty for both.
    """
    on = on or timezone.localdate()
    during = Assessment.objects.filter(household=OuterRef("household_id"), assessed_on__lte=on,
                                       assessed_on__gte=OuterRef("started_on")).order_by("-assessed_on", "-pk")
    qs = (enrollments_for(user)
          .filter(program=program, status__in=(EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED))
          .annotate(last_band=Subquery(during.values("band")[:1]), prev_band=Subquery(during.values("band")[1:2]),
                    last_on=Subquery(during.values("assessed_on")[:1]),
                    pending=Exists(Graduation.objects.filter(enrollment=OuterRef("pk"),
                                                             status=Graduation.Status.PROPOSED))))
    tenure = Q(tenure_ends_on__lte=on + timedelta(days=horizon_days))
    score = Q(last_band=Band.READY, prev_band=Band.READY, last_on__gte=on - timedelta(days=ASSESSMENT_VALID_DAYS))
    qs = qs.filter(tenure if path == "alamiah" else score if path == "mandiri" else tenure | score)
    if region:
        qs = qs.filter(region_q("household__region_id", region))
    return with_head(qs).order_by("tenure_ends_on", "pk")


@dataclass
class TargetProgress:
    target: GraduationTarget
    achieved: int
    pending: int
    by_kind: dict = field(default_factory=dict)

    @property
    def percent(self) -> float:
        return round(100 * self.achieved / self.target.target, 1) if self.target.target else 0.0


def graduations_in(program: Program, year: int, region: str = "") -> QuerySet[Graduation]:
    """Approved graduations of a program dated in ``year`` (optionally within a region): an aggregate base."""
    qs = Graduation.objects.filter(program=program, status=Graduation.Status.APPROVED, graduated_on__year=year)
    return qs.filter(region_q("household__region_id", region)) if region else qs


def target_progress(*, program: Program | None = None, year: int | None = None,
                    region: str = "") -> list[TargetProgress]:
    """Each graduation target with the approved graduations counted against it (and proposals waiting)."""
    targets = GraduationTarget.objects.select_related("program", "region")
    if program is not None:
        targets = targets.filter(program=program)
    if year is not None:
        targets = targets.filter(year=year)
    if region:
        targets = targets.filter(region_q("region_id", region) | Q(region_id__in=_ancestors(region)))
    rows = []
    for t in targets.order_by("-year", "program__code", "region_id"):
        done = graduations_in(t.program, t.year, t.region_id)
        by_kind = dict(done.values_list("kind").annotate(n=Count("pk")).order_by())
        waiting = (Graduation.objects.filter(program=t.program, status=Graduation.Status.PROPOSED)
                   .filter(region_q("household__region_id", t.region_id)).count()) if t.year >= _this_year() else 0
        rows.append(TargetProgress(t, sum(by_kind.values()), waiting, by_kind))
    return rows


def _this_year() -> int:
    return timezone.localdate().year


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


# --- the household page ----------------------------------------------------------------------------------

@dataclass
class HouseholdGraduation:
    """What the registry's household page shows about assessments, graduation and UEP."""

    household: Household
    graduations: list
    pending: list
    reentries: list  # (graduation, later enrollment) pairs: back in a program it graduated from
    latest_assessment: Assessment | None
    assessment_count: int
    grants: list

    @property
    def last_graduation(self) -> Graduation | None:
        return self.graduations[0] if self.graduations else None


def graduation_for_household(user, household: Household) -> HouseholdGraduation | None:
    """Graduations (approved and waiting), re-entries, the latest assessment and UEP grants of one household.

    None when ``user`` may not read the household. Partners and auditors see it too: a graduated
    family stays in the registry and its graduation stays visible.
    """
    if not households_for(user).filter(pk=household.pk).exists():
        return None
    graduations = list(graduations_for(user).filter(household=household))
    approved = sorted((g for g in graduations if g.status == Graduation.Status.APPROVED),
                      key=lambda g: g.graduated_on, reverse=True)
    assessments = assessments_for(user).filter(household=household)
    return HouseholdGraduation(
        household=household, graduations=approved,
        pending=[g for g in graduations if g.status == Graduation.Status.PROPOSED],
        reentries=reentries(household, approved),
        latest_assessment=assessments.order_by("-assessed_on", "-pk").first(),
        assessment_count=assessments.count(),
        grants=list(grants_for(user).filter(household=household)))


def reentries(household: Household, approved: list[Graduation]) -> list[tuple[Graduation, Enrollment]]:
    """Enrollments proposed after the household graduated from the same program (a new eligibility check)."""
    pairs = []
    for g in approved:
        later = (Enrollment.objects.filter(household=household, program_id=g.program_id,
                                           proposed_at__gt=g.decided_at or g.proposed_at)
                 .exclude(pk=g.enrollment_id).order_by("-proposed_at").first())
        if later:
            pairs.append((g, later))
    return pairs


def reentry_q() -> Q:
    """Enrollments of households that graduated from the same program before (for lists of enrollments)."""
    earlier = Graduation.objects.filter(household=OuterRef("household_id"), program=OuterRef("program_id"),
                                        status=Graduation.Status.APPROVED, decided_at__lt=OuterRef("proposed_at"))
    return Q(Exists(earlier))


# --- grants -------------------------------------------------------------------------------------------

@dataclass
class BudgetUse:
    budget: GrantBudget
    committed: int
    disbursed: int

    @property
    def left(self) -> int:
        return self.budget.amount_rupiah - self.committed

    @property
    def percent(self) -> float:
        return round(100 * self.committed / self.budget.amount_rupiah, 1) if self.budget.amount_rupiah else 0.0


def budget_use(*, program: Program | None = None) -> list[BudgetUse]:
    """Each UEP budget with what is committed (approved or disbursed) and what is disbursed."""
    budgets = GrantBudget.objects.select_related("program")
    if program is not None:
        budgets = budgets.filter(program=program)
    rows = []
    for b in budgets.order_by("-year", "program__code"):
        grants = Grant.objects.filter(program=b.program, budget_year=b.year)
        sums = grants.aggregate(
            committed=Sum("amount_approved_rupiah", filter=Q(status__in=[Grant.Status.APPROVED,
                                                                         Grant.Status.DISBURSED])),
            disbursed=Sum("amount_approved_rupiah", filter=Q(status=Grant.Status.DISBURSED)))
        rows.append(BudgetUse(b, sums["committed"] or 0, sums["disbursed"] or 0))
    return rows


def grants_awaiting_payment(program: Program, year: int | None = None) -> QuerySet[Grant]:
    """Approved grants neither paid nor in a payment waiting for the bank (a failed, returned or cancelled
    payment puts its grant back here); ``year``: the budget year. Not scoped: callers filter by area."""
    live = Payment.objects.filter(grant=OuterRef("pk"), status__in=(PaymentStatus.PENDING, PaymentStatus.PAID))
    qs = Grant.objects.filter(program=program, status=Grant.Status.APPROVED).exclude(Exists(live))
    return qs.filter(budget_year=year) if year is not None else qs


def with_latest_payment(qs: QuerySet[Grant]) -> QuerySet[Grant]:
    """Grants with their newest payment's status and cycle (``payment_status``, ``payment_cycle_id``)."""
    latest = Payment.objects.filter(grant=OuterRef("pk")).order_by("-pk")
    return qs.annotate(payment_status=Subquery(latest.values("status")[:1]),
                       payment_cycle_id=Subquery(latest.values("cycle_id")[:1]))


@dataclass
class PaymentState:
    """Where a grant's money is, read from its payments (newest first)."""

    code: str  # waiting (no cycle yet) · in_cycle · at_bank · paid · failed (back to waiting)
    payments: list

    @property
    def latest(self):
        return self.payments[0] if self.payments else None

    @property
    def reason(self) -> str:
        """The bank's reason (or the cancellation's) when the last payment did not reach the household."""
        p = self.latest
        return (p.bank_reason or p.reversal_reason) if p is not None and self.code == "failed" else ""


def grant_payment_state(user, grant: Grant) -> PaymentState:
    """The grant's payments ``user`` may see and what they mean for the grant (status shown from the payment)."""
    from jsika.payments.queries import payments_for

    payments = list(payments_for(user).filter(grant=grant).select_related("cycle__program").order_by("-pk"))
    latest = payments[0] if payments else None
    if latest is None:
        code = "waiting"
    elif latest.status == PaymentStatus.PAID:
        code = "paid"
    elif latest.status == PaymentStatus.PENDING:
        code = "at_bank" if latest.cycle.is_committed else "in_cycle"
    else:
        code = "failed"
    return PaymentState(code, payments)


@dataclass
class Milestone:
    months: int
    due: int = 0
    followed: int = 0
    running: int = 0
    income_change_total: int = 0

    @property
    def survival_percent(self) -> float | None:
        return round(100 * self.running / self.followed, 1) if self.followed else None

    @property
    def coverage_percent(self) -> float | None:
        return round(100 * self.followed / self.due, 1) if self.due else None

    @property
    def average_income_change(self) -> int | None:
        return round(self.income_change_total / self.followed) if self.followed else None


@dataclass
class SurvivalReport:
    grants: int
    milestones: list[Milestone]
    by_business: list[tuple[str, list[Milestone]]]


def survival_report(user, *, program: Program | None = None, year: int | None = None,
                    today: date | None = None) -> SurvivalReport:
    """Share of funded businesses still running at 3, 6 and 12 months, of those followed up; with follow-up
    coverage (followed / due) and the average change of monthly household income. ``year``: disbursement year.
    """
    today = today or timezone.localdate()
    grants = grants_for(user).filter(status=Grant.Status.DISBURSED)
    if program is not None:
        grants = grants.filter(program=program)
    if year:
        grants = grants.filter(disbursed_on__year=year)
    rows = list(grants.values_list("pk", "business_type", "disbursed_on", "income_before_rupiah"))
    follow_ups = defaultdict(dict)
    for grant_id, months, running, income in (GrantFollowUp.objects.filter(grant__in=grants)
                                              .values_list("grant_id", "months", "business_running",
                                                           "income_rupiah")):
        follow_ups[grant_id][months] = (running, income)

    def tally(selected) -> list[Milestone]:
        milestones = []
        for months in FOLLOW_UP_MONTHS:
            m = Milestone(months)
            for pk, _kind, disbursed_on, before in selected:
                if add_months(disbursed_on, months) <= today:
                    m.due += 1
                found = follow_ups[pk].get(months)
                if found:
                    m.followed += 1
                    m.running += found[0]
                    m.income_change_total += found[1] - before
            milestones.append(m)
        return milestones

    by_business = []
    for value, label in BusinessType.choices:
        selected = [r for r in rows if r[1] == value]
        if selected:
            by_business.append((label, tally(selected)))
    return SurvivalReport(grants=len(rows), milestones=tally(rows), by_business=by_business)
