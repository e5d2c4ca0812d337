"""Graduation endpoints: the instrument in force (the field app scores offline with it), graduations in scope
(partner agencies still see who graduated), and a household's assessments. Reads start from the scoping
function: outside the caller's scope lists nothing. No. KK is always masked here.

Assessments made offline arrive through ``POST /fieldwork/sync`` (record type ``assessment``, see sync.py).
"""

import re
from datetime import date
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from jsika.core.api_auth import require_role
from jsika.core.api_errors import COMMON_ERRORS, BadInput, ErrorOut
from jsika.core.masking import mask_number
from jsika.core.roles import Role
from jsika.core.scoping import region_q

from . import queries, services
from .models import Graduation, GraduationKind

router = Router(tags=["graduation"])

READERS = (Role.MANAGER, Role.OPERATOR, Role.FACILITATOR, Role.PARTNER, Role.AUDITOR)
_REGION_CODE = re.compile(r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?")


class OptionOut(Schema):
    id: int
    label: str
    score: int


class IndicatorOut(Schema):
    code: str
    label: str
    help_text: str
    weight: int
    options: list[OptionOut]


class InstrumentOut(Schema):
    id: int
    code: str
    version: int
    name: str
    valid_from: date
    developing_from: int
    ready_from: int
    indicators: list[IndicatorOut]


@router.get("/graduation/instrument", response={200: InstrumentOut, 404: ErrorOut, **COMMON_ERRORS},
            summary="Instrumen asesmen yang berlaku", url_name="graduation_instrument")
def instrument(request, on: date | None = None):
    """The assessment instrument in force today (or on `on`): indicators, weights and option ids, so the field app
    can show the form and compute the score offline. Answers are sent as `{indicator code: option id}`."""
    require_role(request, *READERS)
    found = services.instrument_on(on or timezone.localdate())
    if found is None:
        raise Http404
    indicators = [{"code": i.code, "label": i.label, "help_text": i.help_text, "weight": i.weight,
                   "options": [{"id": o.pk, "label": o.label, "score": o.score} for o in i.options.all()]}
                  for i in found.indicators.prefetch_related("options").order_by("order", "pk")]
    return {"id": found.pk, "code": found.code, "version": found.version, "name": found.name,
            "valid_from": found.valid_from, "developing_from": found.developing_from, "ready_from": found.ready_from,
            "indicators": indicators}


class GraduationQuery(Schema):
    wilayah: str | None = Field(None, description="Kode wilayah (awalan), mis. 36.72.",
                                json_schema_extra={"example": "36.72"})
    program: str | None = Field(None, description="Kode program, mis. JAMSOSRATU.")
    year: int | None = Field(None, ge=2000, le=2100, description="Tahun graduasi.")
    kind: GraduationKind | None = Field(None, description="alamiah, mandiri, atau paksa.")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10**9)


class GraduationOut(Schema):
    id: int
    household: int
    no_kk: str
    region: str
    program: str
    kind: str
    graduated_on: date
    certificate_number: str


class GraduationPage(Schema):
    count: int
    items: list[GraduationOut]


@router.get("/graduations", response={200: GraduationPage, **COMMON_ERRORS}, summary="Keluarga yang sudah graduasi",
            url_name="graduation_list")
def list_graduations(request, filters: Query[GraduationQuery]):
    """Approved graduations in the caller's scope, newest first. A graduated family stays in the registry;
    this tells partner agencies that it left the program, when, and how."""
    user = require_role(request, *READERS)
    qs = queries.graduations_for(user).filter(status=Graduation.Status.APPROVED)
    wilayah = (filters.wilayah or "").strip()
    if wilayah:
        if not _REGION_CODE.fullmatch(wilayah):
            raise BadInput("wilayah", "kode wilayah harus berbentuk 36, 36.72, 36.72.03 atau 36.72.03.1001.")
        qs = qs.filter(region_q("household__region_id", wilayah))
    if filters.program:
        qs = qs.filter(program__code=filters.program.strip().upper())
    if filters.year:
        qs = qs.filter(graduated_on__year=filters.year)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    qs = qs.order_by("-graduated_on", "-pk")
    page = qs[filters.offset:filters.offset + filters.limit]
    return {"count": qs.count(), "items": [
        {"id": g.pk, "household": g.household_id, "no_kk": mask_number(g.household.no_kk),
         "region": g.household.region_id, "program": g.program.code, "kind": g.kind, "graduated_on": g.graduated_on,
         "certificate_number": g.certificate_number} for g in page]}


class AssessmentOut(Schema):
    id: int
    client_id: str
    assessed_on: date
    score: Decimal
    band: str
    instrument_version: int


class AssessmentQuery(Schema):
    household: int = Field(..., ge=1, le=10**15, description="ID keluarga.")


@router.get("/graduation/assessments", response={200: list[AssessmentOut], **COMMON_ERRORS},
            summary="Riwayat skor asesmen satu keluarga", url_name="graduation_assessments")
def list_assessments(request, filters: Query[AssessmentQuery]):
    """A household's assessments, oldest first (the score line), if the caller may read it; otherwise empty."""
    user = require_role(request, *READERS)
    qs = queries.assessments_for(user).filter(household_id=filters.household).order_by("assessed_on", "pk")
    return [{"id": a.pk, "client_id": str(a.client_id), "assessed_on": a.assessed_on, "score": a.score,
             "band": a.band, "instrument_version": a.instrument.version} for a in qs]
