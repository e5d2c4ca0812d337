"""Reads of budgets, cycles and payments used by pages, the API, commands and other apps.

Payments and accounts are personal data: every read of them starts from ``scope_queryset`` (region
scope or a pendamping's caseload), and a bank sees only its own bank's payments from approval on.
Cycle figures and budgets are aggregates without personal data.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr

from jsika.core.roles import Role
from jsika.core.scoping import region_q, scope_queryset
from jsika.programs.models import Enrollment, EnrollmentStatus, Program
from jsika.regions.models import Region

from . import generation
from .models import (
    COMMITTED_CYCLE_STATUSES,
    COMMITTED_PAYMENT_STATUSES,
    BankAccount,
    Budget,
    Card,
    CycleExclusion,
    CycleStatus,
    ExclusionReason,
    Payment,
    PaymentCycle,
    PaymentShare,
    PaymentStatus,
)

P = PaymentStatus


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def cycles_for(user) -> QuerySet[PaymentCycle]:
    """Cycles ``user`` may see: a bank its own bank's from approval on; regional staff those overlapping
    their scope (cycles of a whole province are visible to a kab/kota, whose payments they still see only
    in part)."""
    qs = PaymentCycle.objects.select_related("program", "region")
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.BANK:
        if not user.bank_code:
            return qs.none()
        return qs.filter(bank_code=user.bank_code, status__in=COMMITTED_CYCLE_STATUSES)
    if user.role in (Role.MANAGER, Role.OPERATOR, Role.AUDITOR) and user.scope:
        return qs.filter(region_q("region_id", user.scope) | Q(region_id__in=_ancestors(user.scope)))
    return qs.none()


def _no_payments_business(user) -> bool:
    """Partner agencies (OPD) read KPM criteria, not money."""
    return user is not None and user.is_authenticated and not user.is_superuser and user.role == Role.PARTNER


def payments_for(user) -> QuerySet[Payment]:
    """Payments ``user`` may read: region scope or caseload; a bank its own bank's in approved cycles;
    partner agencies none."""
    qs = Payment.objects.select_related("cycle", "program", "household")
    if _no_payments_business(user):
        return qs.none()
    if user is not None and user.is_authenticated and user.is_active and user.role == Role.BANK \
            and not user.is_superuser:
        if not user.bank_code:
            return qs.none()
        return qs.filter(bank_code=user.bank_code, cycle__status__in=COMMITTED_CYCLE_STATUSES)
    return scope_queryset(qs, user)


def payments_for_household(user, household) -> list[Payment]:
    """Every payment to ``household`` that ``user`` may see, newest period first: what the family was owed
    (amount), what reached it (credited amount and date) and what happened otherwise."""
    return list(payments_for(user).filter(household=household)
                .select_related("cycle__region", "reissued_from").order_by("-year", "-stage", "-pk"))


def accounts_for(user) -> QuerySet[BankAccount]:
    qs = BankAccount.objects.select_related("household", "household__region")
    return qs.none() if _no_payments_business(user) else scope_queryset(qs, user)


def cards_for(user) -> QuerySet[Card]:
    qs = Card.objects.select_related("household", "bank_account")
    return qs.none() if _no_payments_business(user) else scope_queryset(qs, user)


def exclusions_for(user, cycle: PaymentCycle) -> QuerySet[CycleExclusion]:
    return scope_queryset(CycleExclusion.objects.filter(cycle=cycle)
                          .select_related("household", "household__region", "enrollment"), user)


def exclusion_counts(cycle: PaymentCycle) -> list[tuple[str, str, int]]:
    """(reason code, label, count) of the cycle's exclusions (aggregate: no personal data)."""
    rows = dict(CycleExclusion.objects.filter(cycle=cycle).values_list("reason").annotate(n=Count("pk")).order_by())
    return [(r.value, r.label, rows[r.value]) for r in ExclusionReason if rows.get(r.value)]


# --- budgets -------------------------------------------------------------------------------------

def committed_by_funder(program: Program, year: int) -> dict[str, int]:
    """Rupiah committed per funder for ``year``: shares of live benefit payments in approved (or later) cycles
    (UEP grants are paid from the program's UEP budget, not from these)."""
    rows = (PaymentShare.objects.filter(payment__program=program, payment__year=year, payment__grant__isnull=True,
                                        payment__status__in=COMMITTED_PAYMENT_STATUSES,
                                        payment__cycle__status__in=COMMITTED_CYCLE_STATUSES)
            .values_list("funder_region_id").annotate(total=Sum("amount_rupiah")).order_by())
    return dict(rows)


@dataclass
class BudgetLine:
    funder_code: str
    funder_name: str
    allocated_rupiah: int
    planned_rupiah: int  # in cycles not yet approved
    committed_rupiah: int
    paid_rupiah: int
    returned_rupiah: int
    has_budget: bool

    @property
    def remaining_rupiah(self) -> int:
        return self.allocated_rupiah - self.committed_rupiah

    @property
    def percent_committed(self) -> int:
        return round(self.committed_rupiah * 100 / self.allocated_rupiah) if self.allocated_rupiah else 0


def budget_report(program: Program, year: int) -> list[BudgetLine]:
    """Per funder of a program's year: allocated, planned, committed, paid, returned and remaining (benefit
    payments; UEP grants have their own budget)."""
    budgets = {b.funder_region_id: b for b in Budget.objects.filter(program=program, year=year)}
    committed_cycle = Q(payment__cycle__status__in=COMMITTED_CYCLE_STATUSES)
    rows = (PaymentShare.objects.filter(payment__program=program, payment__year=year, payment__grant__isnull=True)
            .values_list("funder_region_id").annotate(
                planned=Sum("amount_rupiah", filter=Q(payment__cycle__status__in=(CycleStatus.GENERATED,
                                                                                  CycleStatus.VERIFIED))
                            & Q(payment__status=P.PENDING), default=0),
                committed=Sum("amount_rupiah", filter=committed_cycle & Q(
                    payment__status__in=COMMITTED_PAYMENT_STATUSES), default=0),
                paid=Sum("amount_rupiah", filter=committed_cycle & Q(payment__status=P.PAID), default=0),
                returned=Sum("amount_rupiah", filter=Q(payment__status=P.RETURNED), default=0),
            ).order_by())
    figures = {code: (planned, committed, paid, returned) for code, planned, committed, paid, returned in rows}
    codes = sorted(set(budgets) | set(figures), key=lambda c: (len(c), c))
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [BudgetLine(code, names.get(code, code), budgets[code].allocated_rupiah if code in budgets else 0,
                       *figures.get(code, (0, 0, 0, 0)), has_budget=code in budgets) for code in codes]


# --- cycle recap (berita acara) -------------------------------------------------------------------

@dataclass
class RecapRow:
    code: str
    name: str
    count: int = 0
    total_rupiah: int = 0
    paid_count: int = 0
    paid_rupiah: int = 0
    failed_count: int = 0
    failed_rupiah: int = 0
    returned_count: int = 0
    returned_rupiah: int = 0
    reissued_count: int = 0
    pending_count: int = 0


def cycle_recap(cycle: PaymentCycle) -> tuple[list[RecapRow], RecapRow]:
    """Counts and sums per kecamatan (paid, failed at the bank, returned, waiting) and the cycle's total."""
    failed = (P.FAILED, P.RETURNED, P.REISSUED)
    live = (P.PENDING, P.PAID, *failed)
    rows = (Payment.objects.filter(cycle=cycle).annotate(kec=Substr("region_code", 1, 8)).values_list("kec")
            .annotate(count=Count("pk", filter=Q(status__in=live)),
                      total=Sum("amount_rupiah", filter=Q(status__in=live), default=0),
                      paid_count=Count("pk", filter=Q(status=P.PAID)),
                      paid=Sum("amount_rupiah", filter=Q(status=P.PAID), default=0),
                      failed_count=Count("pk", filter=Q(status__in=failed)),
                      failed=Sum("amount_rupiah", filter=Q(status__in=failed), default=0),
                      returned_count=Count("pk", filter=Q(status=P.RETURNED)),
                      returned=Sum("amount_rupiah", filter=Q(status=P.RETURNED), default=0),
                      reissued_count=Count("pk", filter=Q(status=P.REISSUED)),
                      pending_count=Count("pk", filter=Q(status=P.PENDING)))
            .order_by("kec"))
    names = dict(Region.objects.filter(level=Region.Level.DISTRICT).filter(
        code__in=[r[0] for r in rows]).values_list("code", "name"))
    recap = [RecapRow(code, names.get(code, code), *values) for code, *values in rows]
    total = RecapRow("", "Jumlah")
    for row in recap:
        for name in ("count", "total_rupiah", "paid_count", "paid_rupiah", "failed_count", "failed_rupiah",
                     "returned_count", "returned_rupiah", "reissued_count", "pending_count"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return recap, total


def returns_by_cycle(program: Program | None = None) -> QuerySet[PaymentCycle]:
    """Cycles with money returned to the treasury (retur), with count and sum (cached on the cycle)."""
    qs = PaymentCycle.objects.filter(returned_count__gt=0).select_related("program", "region")
    return qs.filter(program=program) if program else qs


# --- account opening ------------------------------------------------------------------------------

def households_without_account(program: Program, bank_code: str, region_code: str | None = None) -> QuerySet:
    """Active KPM of ``program`` paid through ``bank_code`` (in ``region_code``) with no active account there:
    the rows of the collective account-opening file."""
    active = Enrollment.objects.filter(program=program, status__in=(EnrollmentStatus.ACTIVE,
                                                                    EnrollmentStatus.SUSPENDED))
    active = active.filter(generation.bank_area_q(program, bank_code))
    if region_code:
        active = active.filter(region_q("household__region_id", region_code))
    has_account = BankAccount.objects.filter(household=OuterRef("household_id"), bank_code=bank_code,
                                             status=BankAccount.Status.ACTIVE)
    return (active.exclude(Exists(has_account)).select_related("household", "household__region")
            .order_by("household__region_id", "household_id"))
