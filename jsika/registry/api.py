"""Registry endpoints of specs/api.md: households by criteria, one household, a person by NIK.

Every read starts from ``queries.households_for`` / ``persons_for`` (the one scoping path), so a
record outside the caller's scope answers exactly like a record that does not exist (404 or an
empty list). Banks have no business in the registry: 403. NIK and No. KK are masked except on a
detail read by an operator or manager (or superuser); every detail read is written to the access
log (action ``api_detail``), noting whether full numbers were shown.
"""

import importlib
import re
from datetime import date

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import BooleanField, Count, ExpressionWrapper, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from ninja import Query, Router

from jsika.core.access_log import log_access
from jsika.core.api_auth import require_role
from jsika.core.api_errors import COMMON_ERRORS, BadInput, ErrorOut
from jsika.core.masking import mask_number
from jsika.core.models import AccessLog
from jsika.core.roles import Role

from .models import Household, Person, Relation
from .queries import (
    HouseholdFilter,
    criteria_of,
    disability_q,
    elderly_q,
    households_for,
    persons_for,
    pregnant_q,
    school_q,
    toddler_q,
)
from .schemas import HouseholdDetail, HouseholdPage, HouseholdQuery, PersonPage, PersonQuery

router = Router(tags=["registry"])

# Roles that read the registry through the API; banks see payments only.
REGISTRY_READERS = (Role.MANAGER, Role.OPERATOR, Role.FACILITATOR, Role.PARTNER, Role.AUDITOR)
# specs/api.md: full NIK / No. KK only for operator and manager, on a detail read (logged).
FULL_NUMBER_ROLES = (Role.MANAGER, Role.OPERATOR)

_REGION_CODE = re.compile(r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?")
_SIXTEEN_DIGITS = re.compile(r"[0-9]{16}")
_HOUSEHOLD_ID = re.compile(r"[0-9]{1,15}")
_LEVELS = ("sd", "smp", "sma")


def sees_full_numbers(user) -> bool:
    return user.has_role(*FULL_NUMBER_ROLES)


def with_criteria(qs: QuerySet[Household], today: date) -> QuerySet[Household]:
    """Annotate head name, member count and the criteria flags, using the same conditions as the filters."""
    members = Person.objects.filter(household=OuterRef("pk")).order_by()
    flag = {
        "c_hamil": pregnant_q(), "c_balita": toddler_q(today), "c_lansia": elderly_q(today),
        "c_disabilitas": disability_q(), **{f"c_{level}": school_q(level) for level in _LEVELS},
    }
    return qs.select_related("region").annotate(
        head_name=Subquery(members.filter(relation=Relation.HEAD).order_by("pk").values("name")[:1]),
        member_count=Coalesce(Subquery(members.values("household").annotate(n=Count("pk")).values("n")), 0,
                              output_field=IntegerField()),
        **{name: ExpressionWrapper(condition, output_field=BooleanField()) for name, condition in flag.items()},
    )


def minimized(values: dict, allowed: frozenset[str] | None, fields: tuple[str, ...]) -> dict:
    """Data minimisation for partner agencies: fields outside their sector's list answer null."""
    if allowed is not None:
        for name in fields:
            if name not in allowed:
                values[name] = None
    return values


_PERSON_SECTOR_FIELDS = ("education", "school_status", "pregnant", "disabled", "occupation", "nik_mismatch")
_HOUSEHOLD_SECTOR_FIELDS = ("desil", "is_pkh_recipient", "latitude", "longitude")
_CRITERIA_FIELDS = {"hamil": "pregnant", "disabilitas": "disabled", "anak_sekolah": "school_status"}
_FILTER_FIELDS = {**_CRITERIA_FIELDS, "desil_max": "desil"}


def sector_fields(user):
    """A partner's allowed fields ((person, household) sets), or None for staff who read the registry in full."""
    if user.role != Role.PARTNER or user.is_superuser or not apps.is_installed("jsika.partners"):
        return None
    from jsika.partners.fields import fields_for

    allowed = fields_for(user)
    return allowed.person, allowed.household


def refuse_foreign_criteria(filters, fields) -> None:
    """A partner may not filter by a field its sector may not read (the filter would reveal it)."""
    if fields is None:
        return
    for name, field in _FILTER_FIELDS.items():
        if getattr(filters, name, None) not in (None, "") and field not in fields[0] | fields[1]:
            raise PermissionDenied(f"Kriteria {name} bukan data sektor instansi Anda.")


def household_out(h: Household, *, full: bool, fields=None) -> dict:
    out = _household_out(h, full=full)
    if fields is not None:
        minimized(out, fields[1], _HOUSEHOLD_SECTOR_FIELDS)
        readable = {criterion for criterion, field in _CRITERIA_FIELDS.items() if field in fields[0]}
        minimized(out["criteria"], frozenset(readable), tuple(_CRITERIA_FIELDS))
    return out


def _household_out(h: Household, *, full: bool) -> dict:
    return {
        "id": h.pk, "no_kk": h.no_kk if full else mask_number(h.no_kk),
        "region": h.region_id, "region_name": h.region.name, "address": h.address, "rt": h.rt, "rw": h.rw,
        "desil": h.desil, "is_pkh_recipient": h.is_pkh_recipient, "head_name": h.head_name,
        "member_count": h.member_count, "latitude": h.latitude, "longitude": h.longitude,
        "criteria": {
            "hamil": h.c_hamil, "balita": h.c_balita, "lansia": h.c_lansia, "disabilitas": h.c_disabilitas,
            "anak_sekolah": [level for level in _LEVELS if getattr(h, f"c_{level}")],
        },
    }


def person_out(p: Person, *, full: bool, today: date, fields=None) -> dict:
    return minimized(_person_out(p, full=full, today=today), None if fields is None else fields[0],
                     _PERSON_SECTOR_FIELDS)


def _person_out(p: Person, *, full: bool, today: date) -> dict:
    return {
        "id": p.pk, "nik": p.nik if full else mask_number(p.nik), "name": p.name, "sex": p.sex,
        "birth_date": p.birth_date, "age": p.age_on(today), "relation": p.relation, "education": p.education,
        "school_status": p.school_status, "pregnant": p.pregnant, "disabled": p.disabled,
        "occupation": p.occupation, "nik_mismatch": p.nik_mismatch,
    }


def enrollment_filter():
    """The programs app's ``queries.households_enrolled``, or None while it is not there.

    Contract for ``jsika.programs``: ``households_enrolled(qs, *, program, status)`` returns ``qs``
    narrowed to households enrolled in that program (with that enrollment status; either may be
    ''), and raises Django's ``ValidationError({"program": "..."})`` / ``({"status": "..."})`` for
    a value it does not know.
    """
    if not apps.is_installed("jsika.programs"):
        return None
    try:
        queries = importlib.import_module("jsika.programs.queries")
    except ModuleNotFoundError as exc:
        if exc.name != "jsika.programs.queries":
            raise
        return None
    return getattr(queries, "households_enrolled", None)


def filter_by_enrollment(qs: QuerySet[Household], *, program: str, status: str) -> QuerySet[Household]:
    """Narrow to KPM of ``program`` (and ``status``); 400 naming the field while no program can be known."""
    if not program and not status:
        return qs
    households_enrolled = enrollment_filter()
    if households_enrolled is None:
        if program:
            raise BadInput("program", f"program tidak dikenal ({program}); belum ada program terdaftar.")
        raise BadInput("status", "filter status kepesertaan memerlukan program; belum ada program terdaftar.")
    try:
        return households_enrolled(qs, program=program, status=status)
    except DjangoValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"program": exc.messages}
        field, messages = next(iter(errors.items()))
        raise BadInput(field, " ".join(messages)) from exc


@router.get("/households", response={200: HouseholdPage, **COMMON_ERRORS}, summary="Keluarga menurut kriteria")
def list_households(request, filters: Query[HouseholdQuery]):
    """Households in the caller's scope matching every given criterion, ordered by region then id.
    NIK/No. KK are always masked here. `program`/`status` need the programs module (400 until then)."""
    user = require_role(request, *REGISTRY_READERS)
    fields = sector_fields(user)
    refuse_foreign_criteria(filters, fields)
    wilayah = (filters.wilayah or "").strip()
    if wilayah and not _REGION_CODE.fullmatch(wilayah):
        raise BadInput("wilayah", "kode wilayah harus berbentuk 36, 36.72, 36.72.03 atau 36.72.03.1001.")
    today = timezone.localdate()
    qs = HouseholdFilter(
        wilayah=wilayah, q=(filters.q or "").strip(), hamil=filters.hamil, balita=filters.balita,
        lansia=filters.lansia, disabilitas=filters.disabilitas, anak_sekolah=filters.anak_sekolah or "",
        desil_max=filters.desil_max,
    ).apply(households_for(user), today=today)
    qs = filter_by_enrollment(qs, program=(filters.program or "").strip(), status=(filters.status or "").strip())
    # The page's ids first, then names and criteria flags for those ids only: flagging inside the big
    # query made PostgreSQL hash whole criteria indexes (600k entries at 1M households) to label 50 rows.
    window = slice(filters.offset, filters.offset + filters.limit)
    ids = list(qs.order_by("region_id", "pk").values_list("pk", flat=True)[window])
    page = with_criteria(Household.objects.filter(pk__in=ids), today).order_by("region_id", "pk")
    return {"count": qs.count(), "items": [household_out(h, full=False, fields=fields) for h in page]}


@router.get("/households/{no_kk}", response={200: HouseholdDetail, 404: ErrorOut, **COMMON_ERRORS},
            summary="Satu keluarga dengan anggotanya")
def get_household(request, no_kk: str):
    """One household with its members, by its 16-digit No. KK (or its e-JSiKa id). Outside your scope: 404.
    Operators and managers see full NIK/No. KK; the read is written to the access log."""
    user = require_role(request, *REGISTRY_READERS)
    key = no_kk.strip()
    if _SIXTEEN_DIGITS.fullmatch(key):
        lookup = {"no_kk": key}
    elif _HOUSEHOLD_ID.fullmatch(key):
        lookup = {"pk": int(key)}
    else:
        raise BadInput("no_kk", "harus No. KK 16 digit angka (atau id keluarga).")
    today = timezone.localdate()
    # No. KK and id are unique: a slice, not first() (no ORDER BY to compile and run on every read).
    household = next(iter(households_for(user).select_related("region").filter(**lookup)[:1]), None)
    if household is None:
        raise Http404
    full = sees_full_numbers(user)
    fields = sector_fields(user)
    members = list(household.members.order_by("birth_date", "pk"))
    # The list's annotations (head, count, criteria) from the members in hand: one query, not nine subqueries.
    heads = sorted((m for m in members if m.relation == Relation.HEAD), key=lambda m: m.pk)
    household.head_name = heads[0].name if heads else None
    household.member_count = len(members)
    for name, value in criteria_of(members, today, _LEVELS).items():
        setattr(household, name, value)
    members = sorted(members, key=lambda m: m.relation != Relation.HEAD)
    log_access(user=user, action=AccessLog.Action.API_DETAIL, object_type="household", object_id=household.pk,
               request=request, full_numbers=full)
    return {
        **household_out(household, full=full, fields=fields), "numbers_masked": not full,
        "updated_at": household.updated_at, "members": [person_out(m, full=full, today=today, fields=fields)
                                                        for m in members],
    }


@router.get("/persons", response={200: PersonPage, **COMMON_ERRORS}, summary="Cari orang dengan NIK lengkap")
def find_person(request, query: Query[PersonQuery]):
    """The person with exactly this NIK, if inside your scope (count 0 otherwise: existence is never confirmed).
    Operators and managers see full numbers; a match is written to the access log."""
    user = require_role(request, *REGISTRY_READERS)
    nik = query.nik.strip()
    if not _SIXTEEN_DIGITS.fullmatch(nik):
        raise BadInput("nik", "harus tepat 16 digit angka (pencarian hanya dengan NIK lengkap).")
    full = sees_full_numbers(user)
    fields = sector_fields(user)
    today = timezone.localdate()
    items = []
    for person in persons_for(user).filter(nik=nik).select_related("household__region"):
        log_access(user=user, action=AccessLog.Action.API_DETAIL, object_type="person", object_id=person.pk,
                   request=request, full_numbers=full)
        h = person.household
        items.append({
            **person_out(person, full=full, today=today, fields=fields),
            "household": {"id": h.pk, "no_kk": h.no_kk if full else mask_number(h.no_kk),
                          "region": h.region_id, "region_name": h.region.name},
        })
    return {"count": len(items), "numbers_masked": not full, "items": items}
