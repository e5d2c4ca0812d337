"""Program endpoints: program definitions (not personal data), enrollments in scope, and proposing one.

Enrollment reads start from ``queries.enrollments_for`` (the scoping function): one outside the
caller's scope answers like one that does not exist. No. KK is always masked here. Writes call the
same services as the pages; a refused transition answers 409 with the service's message.
"""

from datetime import date

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from jsika.core.api_auth import require_role
from jsika.core.api_errors import COMMON_ERRORS, BadInput, ErrorOut
from jsika.core.masking import mask_number
from jsika.core.roles import Role
from jsika.core.scoping import region_q
from jsika.registry.queries import households_for

from . import queries, rules, services
from .models import Enrollment, EnrollmentStatus, Program

router = Router(tags=["programs"])

READERS = (Role.MANAGER, Role.OPERATOR, Role.FACILITATOR, Role.PARTNER, Role.AUDITOR)
WRITERS = (Role.MANAGER, Role.OPERATOR)


class RuleOut(Schema):
    year: int
    kind: str
    amount_rupiah: int
    max_components: int | None
    components: dict[str, int]


class ProgramOut(Schema):
    code: str
    name: str
    owner_region: str
    covered_regions: list[str]
    start_year: int
    end_year: int | None
    tenure_years: int
    cycles_per_year: int
    bank_code: str
    desil_max: int | None
    exclude_pkh: bool
    excluded_programs: list[str]
    benefit_rules: list[RuleOut]
    kpm_per_year: dict[int, int]


class EnrollmentOut(Schema):
    id: int
    program: str
    household: int
    no_kk: str
    region: str
    status: str
    exit_reason: str
    started_on: date | None
    tenure_ends_on: date | None
    ended_on: date | None
    needs_reverification: bool


class EnrollmentPage(Schema):
    count: int
    items: list[EnrollmentOut]


class EnrollmentQuery(Schema):
    program: str | None = Field(None, description="Kode program, mis. JSCM")
    status: str | None = Field(None, description="proposed, verified, approved, active, suspended, exited, rejected")
    wilayah: str | None = Field(None, description="Awalan kode wilayah, mis. 36.72.03")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10**9)


class EntitlementLineOut(Schema):
    label: str
    amount_rupiah: int
    counted: bool
    note: str


class EntitlementOut(Schema):
    program: str
    year: int
    total_rupiah: int
    per_cycle_rupiah: int
    lines: list[EntitlementLineOut]


class ProposalIn(Schema):
    program: str
    household: int
    reason: str = ""


def program_out(p: Program) -> dict:
    return {
        "code": p.code, "name": p.name, "owner_region": p.owner_region_id, "covered_regions": p.covered_codes(),
        "start_year": p.start_year, "end_year": p.end_year, "tenure_years": p.tenure_years,
        "cycles_per_year": p.cycles_per_year, "bank_code": p.bank_code, "desil_max": p.desil_max,
        "exclude_pkh": p.exclude_pkh, "excluded_programs": [x.code for x in p.excluded_programs.all()],
        "benefit_rules": [{"year": r.year, "kind": r.kind, "amount_rupiah": r.amount_rupiah,
                           "max_components": r.max_components,
                           "components": {a.component: a.amount_rupiah for a in r.component_amounts.all()}}
                          for r in p.benefit_rules.all()],
        "kpm_per_year": queries.kpm_counts(p),
    }


def enrollment_out(e: Enrollment) -> dict:
    return {
        "id": e.pk, "program": e.program.code, "household": e.household_id, "no_kk": mask_number(e.household.no_kk),
        "region": e.household.region_id, "status": e.status, "exit_reason": e.exit_reason,
        "started_on": e.started_on, "tenure_ends_on": e.tenure_ends_on, "ended_on": e.ended_on,
        "needs_reverification": e.needs_reverification,
    }


@router.get("/programs", response={200: list[ProgramOut], **COMMON_ERRORS}, summary="Daftar program")
def list_programs(request):
    """Every program with its rules and KPM per year (aggregates; no personal data)."""
    qs = queries.programs_visible().prefetch_related("excluded_programs", "benefit_rules__component_amounts")
    return [program_out(p) for p in qs]


@router.get("/programs/{code}", response={200: ProgramOut, 404: ErrorOut, **COMMON_ERRORS}, summary="Satu program")
def get_program(request, code: str):
    program = (queries.programs_visible().prefetch_related("excluded_programs", "benefit_rules__component_amounts")
               .filter(code__iexact=code).first())
    if program is None:
        raise Http404
    return program_out(program)


@router.get("/enrollments", response={200: EnrollmentPage, **COMMON_ERRORS}, summary="Kepesertaan dalam cakupan")
def list_enrollments(request, filters: Query[EnrollmentQuery]):
    """Enrollments in the caller's scope, newest first; No. KK masked."""
    user = require_role(request, *READERS)
    qs = queries.enrollments_for(user)
    if filters.program:
        program = Program.objects.filter(code__iexact=filters.program.strip()).first()
        if program is None:
            raise BadInput("program", f"program tidak dikenal ({filters.program}).")
        qs = qs.filter(program=program)
    if filters.status:
        if filters.status not in EnrollmentStatus.values:
            raise BadInput("status", "pilihan: " + ", ".join(EnrollmentStatus.values) + ".")
        qs = qs.filter(status=filters.status)
    if filters.wilayah:
        qs = qs.filter(region_q("household__region_id", filters.wilayah.strip()))
    qs = qs.order_by("-proposed_at", "-pk")
    page = qs[filters.offset:filters.offset + filters.limit]
    return {"count": qs.count(), "items": [enrollment_out(e) for e in page]}


@router.get("/enrollments/{enrollment_id}/entitlement", response={200: EntitlementOut, 404: ErrorOut, **COMMON_ERRORS},
            summary="Hak bantuan satu KPM, dirinci")
def get_entitlement(request, enrollment_id: int, year: int | None = None):
    """The household's entitlement for ``year`` (default this year), line by line."""
    user = require_role(request, *READERS)
    enrollment = queries.enrollments_for(user).filter(pk=enrollment_id).first()
    if enrollment is None:
        raise Http404
    result = rules.entitlement(enrollment.household, enrollment.program, year or timezone.localdate().year)
    return {"program": enrollment.program.code, "year": result.year, "total_rupiah": result.total_rupiah,
            "per_cycle_rupiah": result.per_cycle_rupiah,
            "lines": [{"label": line.label, "amount_rupiah": line.amount_rupiah, "counted": line.counted,
                       "note": line.note} for line in result.lines]}


@router.post("/enrollments", response={201: EnrollmentOut, 404: ErrorOut, 409: ErrorOut, **COMMON_ERRORS},
             summary="Usulkan keluarga ke program")
def propose(request, payload: ProposalIn):
    """Propose a household in scope; refusals (ineligible, already enrolled, outside scope) answer 409."""
    user = require_role(request, *WRITERS)
    program = Program.objects.filter(code__iexact=payload.program.strip()).first()
    if program is None:
        raise BadInput("program", f"program tidak dikenal ({payload.program}).")
    household = households_for(user).filter(pk=payload.household).first()
    if household is None:
        raise Http404
    try:
        enrollment = services.propose_enrollment(household=household, program=program, by=user,
                                                 reason=payload.reason)
    except services.ProgramError as error:
        return Status(409, {"detail": str(error)})
    return Status(201, enrollment_out(enrollment))
