"""A program's rules applied to one household: components, eligibility and entitlement, each explained.

Everything here reads data (the program's rows, the household's members) and returns plain results
with the reasons in Bahasa Indonesia, so a page can show *why* and a test can check it line by line.
The screening query uses ``has_component_q`` so the database and the explanation agree.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jsika.core.scoping import code_in_scope
from jsika.registry.models import Person, SchoolStatus

from .models import COMPLETED_EXITS, OPEN_STATUSES, BenefitRule, Component, Enrollment, Program, add_years

EARLY_CHILDHOOD_MAX_AGE = 6
SCHOOL_MAX_AGE = 21  # PKH: education components until 21 while compulsory schooling is unfinished
ELDERLY_MIN_AGE = 60
SCHOOL_COMPONENTS = {SchoolStatus.SD: Component.SD, SchoolStatus.SMP: Component.SMP, SchoolStatus.SMA: Component.SMA}
COMPONENT_ORDER = [c.value for c in Component]


def rupiah(amount: int) -> str:
    """``1500000`` → ``Rp1.500.000`` (Indonesian thousands separator)."""
    return "Rp" + f"{amount:,}".replace(",", ".")


def tenure_end(started_on: date, tenure_years: int) -> date:
    """The day a KPM's tenure ends: the start date ``tenure_years`` years on."""
    return add_years(started_on, tenure_years)


# --- components -----------------------------------------------------------------------------------

def person_components(person: Person, on: date) -> list[str]:
    """The components a member qualifies for on ``on`` (a person may qualify for more than one)."""
    age = person.age_on(on)
    found = []
    if person.pregnant:
        found.append(Component.PREGNANT)
    school = SCHOOL_COMPONENTS.get(person.school_status)
    if age <= EARLY_CHILDHOOD_MAX_AGE and school is None:
        found.append(Component.EARLY_CHILDHOOD)
    if school is not None and age <= SCHOOL_MAX_AGE:
        found.append(school)
    if person.disabled:
        found.append(Component.SEVERE_DISABILITY)
    if age >= ELDERLY_MIN_AGE:
        found.append(Component.ELDERLY)
    return [str(c) for c in found]


def _years_before(day: date, years: int) -> date:
    return add_years(day, -years)


def member_component_q(on: date) -> Q:
    """Persons with at least one component on ``on`` (the database twin of ``person_components``)."""
    schooling = [s.value for s in SCHOOL_COMPONENTS]
    return (
        Q(pregnant=True)
        | (Q(birth_date__gt=_years_before(on, EARLY_CHILDHOOD_MAX_AGE + 1)) & ~Q(school_status__in=schooling))
        | (Q(school_status__in=schooling) & Q(birth_date__gt=_years_before(on, SCHOOL_MAX_AGE + 1)))
        | Q(disabled=True)
        | Q(birth_date__lte=_years_before(on, ELDERLY_MIN_AGE))
    )


def has_component_q(on: date) -> Q:
    """Households with at least one member who has a component on ``on``."""
    return Q(Exists(Person.objects.filter(member_component_q(on), household=OuterRef("pk"))))


# --- entitlement -----------------------------------------------------------------------------------

@dataclass
class EntitlementLine:
    label: str
    amount_rupiah: int
    counted: bool = True
    note: str = ""


@dataclass
class Entitlement:
    """What a household receives from a program in a year, line by line; ``total_rupiah`` is the sum counted."""

    program: Program
    year: int
    rule: BenefitRule | None
    lines: list[EntitlementLine] = field(default_factory=list)

    @property
    def total_rupiah(self) -> int:
        return sum(line.amount_rupiah for line in self.lines if line.counted)

    @property
    def per_cycle_rupiah(self) -> int:
        """The amount of one payment cycle (whole rupiah; the last cycle of the year takes the remainder)."""
        return self.total_rupiah // self.program.cycles_per_year


def rule_for(program: Program, year: int) -> BenefitRule | None:
    """The benefit rule in force in ``year``: the latest one starting on or before it."""
    if year < program.start_year or (program.end_year and year > program.end_year):
        return None
    rules = getattr(program, "_prefetched_objects_cache", {}).get("benefit_rules")
    if rules is not None:
        candidates = [r for r in rules if r.year <= year]
        return max(candidates, key=lambda r: r.year) if candidates else None
    return program.benefit_rules.filter(year__lte=year).order_by("-year").prefetch_related("component_amounts").first()


def reference_date(year: int, today: date | None = None) -> date:
    """Ages and situations are read on 31 December of ``year``, or today for the current year."""
    today = today or timezone.localdate()
    return min(today, date(year, 12, 31)) if year >= today.year else date(year, 12, 31)


def entitlement(household, program: Program, year: int, *, members=None, today: date | None = None) -> Entitlement:
    """The household's yearly benefit under the program's rule for ``year``, explained line by line."""
    rule = rule_for(program, year)
    result = Entitlement(program=program, year=year, rule=rule)
    if rule is None:
        result.lines.append(EntitlementLine(
            _("Belum ada aturan manfaat %(program)s untuk tahun %(year)s") % {"program": program.code, "year": year},
            0, counted=False))
        return result
    if rule.is_flat:
        result.lines.append(EntitlementLine(
            _("Bantuan tetap per keluarga per tahun (%(program)s, aturan sejak %(year)s)")
            % {"program": program.code, "year": rule.year},
            rule.amount_rupiah))
        return result

    amounts = {a.component: a.amount_rupiah for a in rule.component_amounts.all()}
    on = reference_date(year, today)
    members = list(household.members.all()) if members is None else members
    candidates = []
    for person in members:
        paid = [c for c in person_components(person, on) if c in amounts]
        if not paid:
            continue
        # One component per person: the one worth most under this rule.
        best = max(paid, key=lambda c: (amounts[c], -COMPONENT_ORDER.index(c)))
        candidates.append((amounts[best], COMPONENT_ORDER.index(best), person.name, best))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    cap = rule.max_components
    for i, (amount, _order, name, component) in enumerate(candidates):
        label = f"{Component(component).label} — {name}"
        if cap is not None and i >= cap:
            result.lines.append(EntitlementLine(
                label, amount, counted=False,
                note=_("tidak dihitung: melebihi batas %(cap)s komponen per keluarga") % {"cap": cap}))
        else:
            result.lines.append(EntitlementLine(label, amount))
    if not candidates:
        result.lines.append(EntitlementLine(_("Tidak ada anggota keluarga dengan komponen bantuan"), 0, counted=False))
    return result


# --- eligibility -----------------------------------------------------------------------------------

@dataclass
class Check:
    passed: bool
    text: str
    warning: bool = False  # passed, but a person should look (e.g. a household coming back after graduating)


@dataclass
class Eligibility:
    """Whether a household may be proposed to a program, with every criterion and its outcome."""

    checks: list[Check]

    @property
    def eligible(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[str]:
        return [c.text for c in self.checks if not c.passed]


def open_enrollments_of(household) -> dict[int, Enrollment]:
    """The household's open enrollments keyed by program id."""
    qs = Enrollment.objects.filter(household=household, status__in=OPEN_STATUSES).select_related("program")
    return {e.program_id: e for e in qs}


def _region_names(codes: list[str]) -> str:
    from jsika.regions.models import Region

    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return ", ".join(f"{names.get(c, c)} ({c})" for c in codes)


def eligibility(household, program: Program, *, on: date | None = None, members=None,
                open_enrollments: dict[int, Enrollment] | None = None) -> Eligibility:
    """Check the program's criteria against the household; each check says why it passed or failed."""
    on = on or timezone.localdate()
    members = list(household.members.all()) if members is None else members
    open_enrollments = open_enrollments_of(household) if open_enrollments is None else open_enrollments
    checks = []

    covered = program.covered_codes()
    if any(code_in_scope(household.region_id, c) for c in covered):
        checks.append(Check(True, _("Tinggal di wilayah cakupan program (%(regions)s)")
                            % {"regions": _region_names(covered)}))
    else:
        checks.append(Check(False, _("Di luar wilayah cakupan program (%(regions)s)")
                            % {"regions": _region_names(covered)}))

    if program.desil_max is not None:
        if household.desil is None:
            checks.append(Check(False, _("Desil belum diketahui (syarat: desil %(max)s atau lebih rendah)")
                                % {"max": program.desil_max}))
        elif household.desil <= program.desil_max:
            checks.append(Check(True, _("Desil %(desil)s, tidak lebih dari %(max)s")
                                % {"desil": household.desil, "max": program.desil_max}))
        else:
            checks.append(Check(False, _("Desil %(desil)s melebihi batas desil %(max)s")
                                % {"desil": household.desil, "max": program.desil_max}))

    if program.require_component:
        found = [(p.name, c) for p in members for c in person_components(p, on)]
        if found:
            listed = "; ".join(f"{Component(c).label} ({name})" for name, c in found)
            checks.append(Check(True, _("Punya komponen: %(list)s") % {"list": listed}))
        else:
            checks.append(Check(False, _("Tidak ada anggota keluarga dengan komponen (hamil, anak usia dini, "
                                         "anak sekolah, disabilitas berat, lansia)")))

    excluded = list(program.excluded_programs.all())
    if excluded:
        clashes = [open_enrollments[p.pk] for p in excluded if p.pk in open_enrollments]
        if clashes:
            for e in clashes:
                checks.append(Check(False, _("Sudah terdaftar di program %(other)s (status %(status)s), yang "
                                             "dikecualikan oleh %(program)s")
                                    % {"other": e.program.code, "status": e.get_status_display(),
                                       "program": program.code}))
        else:
            checks.append(Check(True, _("Tidak terdaftar di program yang dikecualikan (%(list)s)")
                                % {"list": ", ".join(p.code for p in excluded)}))

    if program.exclude_pkh:
        if household.is_pkh_recipient:
            checks.append(Check(False, _("Penerima PKH nasional (dikecualikan oleh %(program)s)")
                                % {"program": program.code}))
        else:
            checks.append(Check(True, _("Bukan penerima PKH nasional")))

    own = open_enrollments.get(program.pk)
    if own is not None:
        checks.append(Check(False, _("Sudah terdaftar di %(program)s (status %(status)s)")
                            % {"program": program.code, "status": own.get_status_display()}))
    elif (done := completed_enrollment(household, program)) is not None:
        checks.append(Check(True, _("Pernah menyelesaikan %(program)s (%(reason)s, %(on)s): usulan kembali wajib "
                                    "disertai alasan") % {
            "program": program.code, "reason": done.get_exit_reason_display(),
            "on": done.ended_on.strftime("%d-%m-%Y") if done.ended_on else "-"}, warning=True))
    return Eligibility(checks)


def completed_enrollment(household, program: Program) -> Enrollment | None:
    """The household's last enrollment in ``program`` that ended by graduation or at tenure end, if any."""
    return (Enrollment.objects.filter(household=household, program=program, status=Enrollment.Status.EXITED,
                                      exit_reason__in=COMPLETED_EXITS).order_by("-ended_on", "-pk").first())


# --- funding -------------------------------------------------------------------------------------

@dataclass
class FundingPart:
    funder_code: str
    funder_label: str
    percent: int
    amount_rupiah: int


def funding_split(program: Program, amount_rupiah: int, region_code: str) -> list[FundingPart]:
    """Split an amount between the program's funders in whole rupiah; rounding goes to the first funder."""
    parts = []
    shares = program.funding_shares.select_related("funder_region").order_by(F("funder_region").asc(nulls_last=True))
    for share in shares:
        if share.funder_region_id:
            code, label = share.funder_region_id, share.funder_region.label
        else:
            code = ".".join(region_code.split(".")[:2])
            from jsika.regions.models import Region

            region = Region.objects.filter(code=code).first()
            label = region.label if region else code
        parts.append(FundingPart(code, label, share.percent, amount_rupiah * share.percent // 100))
    if parts:
        parts[0].amount_rupiah += amount_rupiah - sum(p.amount_rupiah for p in parts)
    return parts
