"""Who a cycle pays, how much, and who it leaves out — in set-based SQL.

A cycle's *candidates* are the program's enrollments that were KPM during the cycle's period, live in
the cycle's area, and are paid by the cycle's bank (``Program.bank_for``). Each candidate either gets one
payment or one exclusion with a reason, decided in this order: exited before the period ended,
suspended, tenure ended, non-compliant (when the field-work module records compliance), no active
account at the bank, already in another cycle of the same period. Each step is one ``INSERT … SELECT``;
a flat benefit rule inserts every payment in one statement as well. Per-component rules compute each
family's amount in Python (chunked) and insert with COPY / bulk insert.
"""

import importlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.apps import apps
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from jsika.core.bulk import copy_rows
from jsika.core.scoping import region_q
from jsika.programs import rules
from jsika.programs.models import Enrollment, EnrollmentEvent, EnrollmentStatus, Program

from . import setsql
from .models import (
    LIVE_PAYMENT_STATUSES,
    BankAccount,
    CycleExclusion,
    ExclusionReason,
    Payment,
    PaymentCycle,
    PaymentShare,
    period_bounds,
    period_months,
)

REGION_PATH = "household__region_id"
PAYMENT_FIELDS = ["cycle", "program", "year", "stage", "enrollment", "household", "region_code", "bank_account",
                  "bank_code", "account_number", "holder_name", "holder_nik", "amount_rupiah", "status",
                  "bank_reason", "flag_reason", "reversal_reason", "created_at", "updated_at"]
CHUNK = 5000


@dataclass
class Generated:
    payments: int
    total_rupiah: int
    excluded: dict[str, int]
    compliance_checked: bool


def stage_amount(annual_rupiah: int, stage: int, per_year: int) -> int:
    """One stage's share of a yearly amount in whole rupiah; the last stage of the year takes the remainder."""
    base = annual_rupiah // per_year
    return base + (annual_rupiah - base * per_year if stage == per_year else 0)


def bank_area_q(program: Program, bank_code: str, path: str = REGION_PATH) -> Q:
    """Households whose paying bank (``Program.bank_for``: most specific override, else default) is ``bank_code``."""
    overrides = [(b.region_id, b.bank_code) for b in program.banks.all()]
    terms = []
    for code, bank in overrides:
        if bank != bank_code:
            continue
        term = region_q(path, code)
        for inner, other in overrides:
            if other != bank_code and inner.startswith(code + "."):
                term &= ~region_q(path, inner)
        terms.append(term)
    if program.bank_code == bank_code:
        others = [code for code, bank in overrides if bank != bank_code]
        if not others:
            return Q()
        term = ~region_q(path, others[0])
        for code in others[1:]:
            term &= ~region_q(path, code)
        terms.append(term)
    if not terms:
        return Q(pk__in=[])
    combined = terms[0]
    for term in terms[1:]:
        combined |= term
    return combined


def candidates(cycle: PaymentCycle) -> QuerySet[Enrollment]:
    """Enrollments that were KPM during the cycle's period, in its area, paid through its bank."""
    program = cycle.program
    start, end = period_bounds(cycle.year, cycle.stage, program.cycles_per_year)
    S = EnrollmentStatus
    return (Enrollment.objects.filter(program=program, started_on__isnull=False, started_on__lte=end,
                                      status__in=(S.ACTIVE, S.SUSPENDED, S.EXITED))
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
            .filter(region_q(REGION_PATH, cycle.region_id))
            .filter(bank_area_q(program, cycle.bank_code))
            .order_by())


def _non_compliant_q(cycle: PaymentCycle) -> Q | None:
    """Enrollments with a commitment not met in the cycle's months, if the field-work module says so."""
    if not apps.is_installed("jsika.fieldwork"):
        return None
    try:
        queries = importlib.import_module("jsika.fieldwork.queries")
    except ImportError:
        return None
    finder = getattr(queries, "non_compliant_enrollments", None)
    if finder is None:
        return None
    months = period_months(cycle.year, cycle.stage, cycle.program.cycles_per_year)
    return Q(pk__in=finder(cycle.program, months).values("pk"))


def _account_q(cycle: PaymentCycle) -> Q:
    return Q(Exists(BankAccount.objects.filter(household=OuterRef("household_id"), bank_code=cycle.bank_code,
                                               status=BankAccount.Status.ACTIVE)))


def _already_paid_q(cycle: PaymentCycle) -> Q:
    return Q(Exists(Payment.objects.filter(program_id=cycle.program_id, household=OuterRef("household_id"),
                                           year=cycle.year, stage=cycle.stage, status__in=LIVE_PAYMENT_STATUSES,
                                           grant__isnull=True)))


def _suspended_after_q(end) -> Q:
    """The enrollment's suspension began after ``end``: a cycle of an earlier period still pays it."""
    after = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    return Q(Exists(EnrollmentEvent.objects.filter(enrollment=OuterRef("pk"), to_status=EnrollmentStatus.SUSPENDED,
                                                   at__gte=after)))


def exclusion_rules(cycle: PaymentCycle) -> list[tuple[str, Q]]:
    """(reason, condition) in the order they are checked; a candidate gets the first reason that applies."""
    start, end = period_bounds(cycle.year, cycle.stage, cycle.program.cycles_per_year)
    S = EnrollmentStatus
    found = [
        (ExclusionReason.EXITED, Q(status=S.EXITED) & (Q(ended_on__lt=end) | Q(ended_on__isnull=True))),
        (ExclusionReason.SUSPENDED, Q(status=S.SUSPENDED) & ~_suspended_after_q(end)),
        (ExclusionReason.TENURE_ENDED, Q(tenure_ends_on__isnull=False, tenure_ends_on__lt=start)),
    ]
    non_compliant = _non_compliant_q(cycle)
    if non_compliant is not None:
        found.append((ExclusionReason.NON_COMPLIANT, non_compliant))
    found.append((ExclusionReason.NO_ACCOUNT, ~_account_q(cycle)))
    found.append((ExclusionReason.ALREADY_PAID, _already_paid_q(cycle)))
    return found


def _not_excluded(cycle: PaymentCycle) -> Q:
    return ~Q(Exists(CycleExclusion.objects.filter(cycle_id=cycle.pk, enrollment=OuterRef("pk"))))


def insert_exclusions(cycle: PaymentCycle, base: QuerySet[Enrollment]) -> dict[str, int]:
    """One ``INSERT … SELECT``: each candidate that fails a rule, with the first reason that applies.

    Returns how many candidates each reason took.
    """
    found = exclusion_rules(cycle)
    reason = Case(*[When(condition, then=Value(str(code))) for code, condition in found], default=None,
                  output_field=CharField())
    any_reason = found[0][1]
    for _code, condition in found[1:]:
        any_reason |= condition
    qs = (base.filter(any_reason).annotate(c=Value(cycle.pk), r=reason)
          .values_list("c", "pk", "household_id", "r"))
    setsql.insert_from(CycleExclusion, ["cycle", "enrollment", "household", "reason"], qs)
    counts = dict(CycleExclusion.objects.filter(cycle_id=cycle.pk).values_list("reason")
                  .annotate(n=Count("pk")).order_by())
    return {str(code): counts.get(str(code), 0) for code, _condition in found}


def payable(cycle: PaymentCycle, base: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Candidates without an exclusion, joined to their one active account at the cycle's bank."""
    account = FilteredRelation("household__bank_accounts", condition=Q(
        household__bank_accounts__bank_code=cycle.bank_code, household__bank_accounts__status="active"))
    return base.filter(_not_excluded(cycle)).annotate(acct=account).filter(acct__isnull=False)


def _payment_values(qs: QuerySet, cycle: PaymentCycle, amount) -> QuerySet:
    now = timezone.now()
    return qs.annotate(
        p_cycle=Value(cycle.pk), p_program=Value(cycle.program_id), p_year=Value(cycle.year),
        p_stage=Value(cycle.stage), p_region=F("household__region_id"), p_account=F("acct__id"),
        p_bank=Value(cycle.bank_code), p_number=F("acct__account_number"), p_holder=F("acct__holder_name"),
        p_nik=F("acct__holder_nik"), p_amount=amount, p_status=Value(Payment.Status.PENDING), p_empty=Value(""),
        p_now=Value(now, output_field=DateTimeField()),
    ).values_list("p_cycle", "p_program", "p_year", "p_stage", "pk", "household_id", "p_region", "p_account",
                  "p_bank", "p_number", "p_holder", "p_nik", "p_amount", "p_status", "p_empty", "p_empty",
                  "p_empty", "p_now", "p_now")


def insert_flat_payments(cycle: PaymentCycle, qs: QuerySet, amount_rupiah: int) -> int:
    """Every payable candidate gets the same amount: one ``INSERT … SELECT``."""
    return setsql.insert_from(Payment, PAYMENT_FIELDS, _payment_values(qs, cycle, Value(amount_rupiah)))


def insert_component_payments(cycle: PaymentCycle, qs: QuerySet) -> tuple[int, int]:
    """Per-component rules: each family's amount from its members (``rules.entitlement``), in chunks.

    Returns (payments inserted, families left out because no member has a component).
    """
    from jsika.registry.models import Person

    program = Program.objects.prefetch_related("benefit_rules__component_amounts").get(pk=cycle.program_id)
    per_year = program.cycles_per_year
    rows = qs.values_list("pk", "household_id", "household__region_id", "acct__id", "acct__account_number",
                          "acct__holder_name", "acct__holder_nik").order_by("pk")
    inserted = none = 0
    now = timezone.now()
    batch = list(rows[:CHUNK])
    last = 0
    while batch:
        members: dict[int, list] = {}
        for person in Person.objects.filter(household_id__in=[r[1] for r in batch]):
            members.setdefault(person.household_id, []).append(person)
        payments, empty = [], []
        for enrollment_id, household_id, region, account_id, number, holder, nik in batch:
            annual = rules.entitlement(None, program, cycle.year, members=members.get(household_id, [])).total_rupiah
            amount = stage_amount(annual, cycle.stage, per_year)
            if amount <= 0:
                empty.append(CycleExclusion(cycle_id=cycle.pk, enrollment_id=enrollment_id, household_id=household_id,
                                            reason=ExclusionReason.NO_BENEFIT))
                continue
            payments.append((cycle.pk, cycle.program_id, cycle.year, cycle.stage, enrollment_id, household_id,
                              region, account_id, cycle.bank_code, number, holder, nik, amount,
                              Payment.Status.PENDING, "", "", "", now, now))
        inserted += copy_rows(Payment, [Payment._meta.get_field(f).attname for f in PAYMENT_FIELDS], payments)
        CycleExclusion.objects.bulk_create(empty)
        none += len(empty)
        last = batch[-1][0]
        batch = list(rows.filter(pk__gt=last)[:CHUNK])
    return inserted, none


def insert_shares(cycle: PaymentCycle) -> int:
    """Split every payment of the cycle between the program's funders, one ``INSERT … SELECT`` per funder.

    Each funder but the owner gets ``amount × percent // 100``; the owner (the program's owner region, or
    the first funder when the owner pays no share) gets the rest, so the shares add up to the rupiah.
    A share of "the KPM's kab/kota" goes to the first five characters of the payment's region code.
    """
    program = cycle.program
    shares = list(program.funding_shares.all())
    owner = next((s for s in shares if s.funder_region_id == program.owner_region_id), shares[0] if shares else None)
    others = [s for s in shares if s is not owner]
    floor = "(p.amount_rupiah * {} / 100)"
    parts = [(owner.funder_region_id if owner else program.owner_region_id,
              " - ".join(["p.amount_rupiah"] + [floor.format(int(s.percent)) for s in others]))]
    parts += [(s.funder_region_id, floor.format(int(s.percent))) for s in others]
    inserted = 0
    for funder, amount_sql in parts:
        funder_sql, params = ("%s", [funder]) if funder else ("SUBSTR(p.region_code, 1, 5)", [])
        inserted += setsql.execute(
            f"INSERT INTO {setsql.table(PaymentShare)} (payment_id, funder_region_id, amount_rupiah) "
            f"SELECT p.id, {funder_sql}, {amount_sql} FROM {setsql.table(Payment)} p "
            f"WHERE p.cycle_id = %s AND ({amount_sql}) > 0", [*params, cycle.pk])
    return inserted
