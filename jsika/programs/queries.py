"""Reads of programs and enrollments used by pages, the API, reports and other apps.

Reads of personal data start from the scoping function (``enrollments_for``, ``households_for``);
``kpm_count`` and ``kpm_counts`` are aggregates without personal data.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jsika.core.scoping import region_q, scope_queryset
from jsika.registry.models import Household
from jsika.registry.queries import households_for

from .models import COMPLETED_EXITS, OPEN_STATUSES, SLOT_STATUSES, Enrollment, EnrollmentStatus, Program
from .rules import has_component_q


def enrollments_for(user) -> QuerySet[Enrollment]:
    """Enrollments ``user`` may read (region scope, or a pendamping's caseload)."""
    return scope_queryset(
        Enrollment.objects.select_related("program", "household", "household__region"), user)


def programs_visible() -> QuerySet[Program]:
    """Program definitions are not personal data: every staff member may read them."""
    return Program.objects.select_related("owner_region").prefetch_related("covered_regions")


def _covered_q(program: Program, path: str = "region_id") -> Q:
    condition = Q()
    for code in program.covered_codes():
        condition |= region_q(path, code)
    return condition


def eligible_households(program: Program, *, on: date | None = None, base: QuerySet | None = None) -> QuerySet:
    """Households meeting the program's criteria and not yet enrolled in it, lowest desil first.

    The database twin of ``rules.eligibility``: covered region, desil, components, excluded
    programs and PKH. ``base`` narrows the start (e.g. ``households_for(user)``).
    """
    on = on or timezone.localdate()
    qs = (base if base is not None else Household.objects.all()).filter(_covered_q(program))
    if program.desil_max is not None:
        qs = qs.filter(desil__lte=program.desil_max)
    if program.require_component:
        qs = qs.filter(has_component_q(on))
    if program.exclude_pkh:
        qs = qs.filter(is_pkh_recipient=False)
    blocking = [program.pk, *program.excluded_programs.values_list("pk", flat=True)]
    qs = qs.exclude(Exists(Enrollment.objects.filter(household=OuterRef("pk"), program_id__in=blocking,
                                                     status__in=OPEN_STATUSES)))
    return qs.order_by(F("desil").asc(nulls_last=True), "pk")


def screening_for(user, program: Program, *, on: date | None = None) -> QuerySet:
    """Eligible, not-yet-enrolled households in ``user``'s scope (the screening page)."""
    return eligible_households(program, on=on, base=households_for(user))


def waiting_list(program: Program, region_code: str, *, on: date | None = None) -> QuerySet:
    """The households waiting for a slot in ``region_code``: eligible, not enrolled, lowest desil first.

    Households that already completed the program (graduated or reached the tenure) are not on it.
    """
    completed = Enrollment.objects.filter(household=OuterRef("pk"), program=program,
                                          status=EnrollmentStatus.EXITED, exit_reason__in=COMPLETED_EXITS)
    return eligible_households(program, on=on).filter(region_q("region_id", region_code)).exclude(Exists(completed))


def active_during_q(year: int) -> Q:
    """Enrollments that were active (or suspended) for at least one day of ``year``.

    A KPM counts in a year when it started on or before 31 December and had not left before 1 January;
    ``ended_on`` is the last day of enrollment.
    """
    return (Q(started_on__isnull=False, started_on__lte=date(year, 12, 31))
            & (Q(ended_on__isnull=True) | Q(ended_on__gte=date(year, 1, 1))))


def kpm_count(program: Program | str, year: int, region_prefix: str | None = None) -> int:
    """How many KPM the program had in ``year`` (optionally within a region prefix)."""
    qs = Enrollment.objects.filter(active_during_q(year))
    qs = qs.filter(program__code=program) if isinstance(program, str) else qs.filter(program=program)
    if region_prefix:
        qs = qs.filter(region_q("household__region_id", region_prefix))
    return qs.count()


def kpm_counts(program: Program, region_prefix: str | None = None, until: int | None = None) -> dict[int, int]:
    """KPM per year from the program's start to ``until`` (default: this year or the end year)."""
    last = until or program.end_year or timezone.localdate().year
    return {year: kpm_count(program, year, region_prefix) for year in range(program.start_year, last + 1)}


def tenure_ending_for(user, *, months: int, program: Program | None = None,
                      today: date | None = None) -> QuerySet[Enrollment]:
    """Active or suspended KPM in scope whose tenure ends within ``months`` months (or has already ended)."""
    today = today or timezone.localdate()
    limit = today + timedelta(days=round(months * 30.44))
    qs = enrollments_for(user).filter(status__in=(EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED),
                                      tenure_ends_on__lte=limit)
    if program is not None:
        qs = qs.filter(program=program)
    return qs.order_by("tenure_ends_on", "pk")


@dataclass
class OverlapRow:
    household: Household
    programs: list[str]
    is_pkh_recipient: bool

    @property
    def kind(self) -> str:
        labels = []
        if len(self.programs) > 1:
            labels.append("lebih dari satu program")
        if self.is_pkh_recipient:
            labels.append("juga penerima PKH nasional")
        return "; ".join(labels)


@dataclass
class OverlapReport:
    rows: list[OverlapRow]
    per_region: dict[str, dict] = field(default_factory=dict)


def overlaps_for(user, *, wilayah: str = "", program: Program | None = None, limit: int | None = None) -> OverlapReport:
    """Households in scope enrolled in more than one program, or in a program while a national PKH recipient.

    Only enrollments holding a slot (approved, active, suspended) count. Summarised per kab/kota.
    """
    slot = Q(enrollments__status__in=SLOT_STATUSES)
    qs = households_for(user).annotate(n_programs=Count("enrollments__program", filter=slot, distinct=True))
    qs = qs.filter(Q(n_programs__gt=1) | Q(n_programs__gte=1, is_pkh_recipient=True))
    if wilayah:
        qs = qs.filter(region_q("region_id", wilayah))
    if program is not None:
        qs = qs.filter(Exists(Enrollment.objects.filter(household=OuterRef("pk"), program=program,
                                                        status__in=SLOT_STATUSES)))
    qs = qs.select_related("region").order_by("region_id", "no_kk")
    if limit:
        qs = qs[:limit]
    households = list(qs)
    codes: dict[int, list[str]] = {}
    for hid, code in (Enrollment.objects.filter(household__in=[h.pk for h in households], status__in=SLOT_STATUSES)
                      .values_list("household_id", "program__code").order_by("program__code")):
        codes.setdefault(hid, []).append(code)
    rows = [OverlapRow(h, codes.get(h.pk, []), h.is_pkh_recipient) for h in households]
    per_region: dict[str, dict] = {}
    for row in rows:
        kabkota = ".".join(row.household.region_id.split(".")[:2])
        entry = per_region.setdefault(kabkota, {"multi": 0, "pkh": 0, "total": 0})
        entry["total"] += 1
        entry["multi"] += len(row.programs) > 1
        entry["pkh"] += row.is_pkh_recipient
    return OverlapReport(rows=rows, per_region=dict(sorted(per_region.items())))


def households_enrolled(qs: QuerySet, *, program: str = "", status: str = "") -> QuerySet:
    """Narrow households ``qs`` to KPM of ``program`` (a code, any case) with enrollment ``status``.

    Either may be empty: no status means an enrollment that holds a slot (approved, active or
    suspended); no program means any program. Unknown values raise ``ValidationError`` naming the
    field (the registry API turns it into a 400). Used by ``GET /api/v1/households``.
    """
    enrollments = Enrollment.objects.filter(household=OuterRef("pk"))
    if program:
        found = Program.objects.filter(code__iexact=program.strip()).first()
        if found is None:
            raise ValidationError({"program": _("program tidak dikenal (%(code)s).") % {"code": program}})
        enrollments = enrollments.filter(program=found)
    if status:
        if status not in EnrollmentStatus.values:
            raise ValidationError({"status": _("status tidak dikenal (%(status)s); pilihan: %(choices)s.")
                                             % {"status": status, "choices": ", ".join(EnrollmentStatus.values)}})
        enrollments = enrollments.filter(status=status)
    else:
        enrollments = enrollments.filter(status__in=SLOT_STATUSES)
    return qs.filter(Exists(enrollments))
