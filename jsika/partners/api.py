"""Partner endpoints: agencies, sector-filtered persons and households, interventions, referrals, DCI search.

Every read starts from the scoping function (``queries.partner_persons`` / ``interventions_for`` /
``referrals_for``) and keeps to the caller's sector fields (``fields.fields_for``); a partner's read of
persons' data is written to the access log. Writes go through ``services``; their refusals map to
400 (the field named), 403 (role or agency), 404 (not found or outside scope) and 409 (conflict).
Requests are limited per token (``throttle.TokenRateThrottle``, 429 past ``JSIKA_API_RATE_LIMIT``).
"""

import re

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from ninja import Path, Query, Router, Status

from jsika.core.access_log import log_access
from jsika.core.api_auth import require_role
from jsika.core.api_errors import COMMON_ERRORS, BadInput, ErrorOut
from jsika.core.models import AccessLog
from jsika.core.roles import Role
from jsika.core.scoping import region_q
from jsika.registry.models import Relation
from jsika.registry.queries import households_for

from . import dci, services
from .dci_schemas import DciErrorOut, DciSearchEnvelopeIn, DciSearchResponseOut
from .fields import CRITERION_FIELD, PartnerFields, fields_for, household_values, person_values
from .models import Referral
from .queries import (
    PersonCriteria,
    agencies_visible,
    attach_household_size,
    interventions_for,
    interventions_for_household,
    partner_persons,
    referrals_for,
    stale_after_days,
    stale_referrals,
    with_household_size,
)
from .schemas import (
    MAX_ID,
    ActIn,
    AgencyPage,
    AgencyQuery,
    CloseIn,
    DeclineIn,
    FieldsOut,
    HouseholdDetailOut,
    InterventionIn,
    InterventionOut,
    InterventionPage,
    InterventionQuery,
    NoteIn,
    PartnerPersonPage,
    PersonsQuery,
    ReferralDetail,
    ReferralIn,
    ReferralPage,
    ReferralQuery,
)
from .throttle import TokenRateThrottle

router = Router(tags=["partners"], throttle=[TokenRateThrottle()])

READERS = (Role.MANAGER, Role.OPERATOR, Role.FACILITATOR, Role.PARTNER, Role.AUDITOR)
FULL_NUMBER_ROLES = (Role.MANAGER, Role.OPERATOR)
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
                429: ErrorOut}
READ_ERRORS = {**COMMON_ERRORS, 429: ErrorOut}
_REGION = re.compile(r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?")
_PROGRAM = re.compile(r"[A-Za-z0-9_-]{1,20}")
_SIXTEEN = re.compile(r"[0-9]{16}")
_ID = re.compile(r"[0-9]{1,15}")


def _wilayah(value: str | None) -> str:
    value = (value or "").strip()
    if value and not _REGION.fullmatch(value):
        raise BadInput("wilayah", "kode wilayah harus berbentuk 36, 36.72, 36.72.03 atau 36.72.03.1001.")
    return value


def _refusal(exc: services.PartnerError):
    """A service's refusal as (status, body)."""
    status = (403 if isinstance(exc, services.NotAllowed) else 404 if isinstance(exc, services.OutOfScope)
              else 409 if isinstance(exc, services.Conflict) else 400)
    detail = f"{exc.field}: {exc.message}" if exc.field and status == 400 else exc.message
    return Status(status, {"detail": detail, "field": exc.field or None})


# --- agencies and fields ---------------------------------------------------------------------

def agency_out(a) -> dict:
    return {"id": a.pk, "name": a.name, "short_name": a.short_name, "sector": a.sector,
            "sector_label": a.get_sector_display(), "region": a.region_id, "region_name": a.region.name}


@router.get("/agencies", response={200: AgencyPage, **READ_ERRORS}, summary="Instansi mitra (OPD)")
def list_agencies(request, filters: Query[AgencyQuery]):
    """Active partner agencies (not personal data): the targets of referrals and the recorders of services."""
    qs = agencies_visible()
    if filters.sector:
        qs = qs.filter(sector=filters.sector)
    qs = qs.order_by("region_id", "name")
    return {"count": qs.count(), "items": [agency_out(a) for a in qs[filters.offset:filters.offset + filters.limit]]}


@router.get("/partners/fields", response={200: FieldsOut, **READ_ERRORS}, summary="Kolom yang boleh Anda baca")
def my_fields(request):
    """The person and household fields (and search criteria) your sector may read — the same lists decide the
    pages, this API, the DCI search and the exports."""
    user = require_role(request, *READERS)
    allowed = fields_for(user)
    criteria = [name for name in PersonCriteria().__dataclass_fields__ if allowed.allows_criterion(name)]
    return {"sector": allowed.sector, "person": allowed.person_columns(), "household": allowed.household_columns(),
            "criteria": criteria}


# --- persons and households ------------------------------------------------------------------

def _person_item(p, allowed: PartnerFields, *, today, full: bool = False) -> dict:
    item = person_values(p, allowed, today=today, full_numbers=full)
    item["household"] = household_values(attach_household_size(p).household, allowed, full_numbers=full)
    return item


@router.get("/partners/persons", response={200: PartnerPersonPage, **READ_ERRORS}, exclude_unset=True,
            summary="Anggota keluarga KPM menurut kriteria sektor")
def list_persons(request, filters: Query[PersonsQuery]):
    """Members of (KPM) households in your scope matching every criterion, with only your sector's fields.
    A criterion reading a field your sector may not read answers 403 naming it. A partner's read is logged."""
    user = require_role(request, *READERS)
    allowed = fields_for(user)
    program = (filters.program or "").strip()
    if program and not _PROGRAM.fullmatch(program):
        raise BadInput("program", "kode program huruf/angka, mis. JSCM.")
    q = (filters.q or "").replace("\x00", "").strip()
    criteria = PersonCriteria(
        wilayah=_wilayah(filters.wilayah), kpm=filters.kpm, program=program.upper(), q=q,
        umur_min=filters.umur_min, umur_max=filters.umur_max, sekolah=filters.sekolah or "",
        putus_sekolah=filters.putus_sekolah, lulus_smp=filters.lulus_smp, hamil=filters.hamil,
        balita=filters.balita, lansia=filters.lansia, disabilitas=filters.disabilitas, stunting=filters.stunting,
        desil_max=filters.desil_max)
    refused = criteria.disallowed(allowed)
    if refused:
        field = refused[0]
        return Status(403, {"detail": f"{field}: kriteria ini membaca kolom '{CRITERION_FIELD[field]}' yang tidak "
                                      f"boleh dibaca sektor {allowed.sector or '-'}.", "field": field})
    today = timezone.localdate()
    qs = criteria.apply(partner_persons(user, today=today, with_stunting="stunting_risk" in allowed.person), today)
    page = list(with_household_size(qs).order_by("household__region_id", "household_id", "birth_date", "pk")
                [filters.offset:filters.offset + filters.limit])
    if page and user.role == Role.PARTNER:
        log_access(user=user, action=AccessLog.Action.API_DETAIL, object_type="partner_persons", object_id="-",
                   request=request, filter=criteria.as_dict(), ids=[p.pk for p in page], rows=len(page),
                   sector=allowed.sector)
    return {"count": qs.count(), "sector": allowed.sector, "numbers_masked": True,
            "items": [_person_item(p, allowed, today=today) for p in page]}


def intervention_out(i) -> dict:
    return {
        "id": i.pk, "agency": i.agency_id, "agency_name": i.agency.name, "household": i.household_id,
        "person": i.person_id, "person_name": i.person.name if i.person_id else None, "kind": i.kind,
        "kind_label": i.get_kind_display(), "delivered_on": i.delivered_on, "place": i.place, "notes": i.notes,
        "referral": i.referral_id, "client_id": i.client_id, "recorded_by": i.recorded_by.get_username(),
        "recorded_at": i.recorded_at,
    }


@router.get("/partners/households/{household_id}", response={200: HouseholdDetailOut, 404: ErrorOut, **READ_ERRORS},
            exclude_unset=True, summary="Satu keluarga dengan kolom sektor Anda")
def get_household(request, household_id: int = Path(..., ge=1, le=MAX_ID)):
    """One household in your scope with its members (your sector's fields only) and the services your agency
    recorded for it; outside your scope: 404. Every read is written to the access log."""
    user = require_role(request, *READERS)
    household = households_for(user).filter(pk=household_id).select_related("region").first()
    if household is None:
        raise Http404
    allowed = fields_for(user)
    today = timezone.localdate()
    members = list(partner_persons(user, today=today, with_stunting="stunting_risk" in allowed.person)
                   .filter(household=household).order_by("birth_date", "pk"))
    members.sort(key=lambda m: m.relation != Relation.HEAD)
    household.member_count = len(members)
    log_access(user=user, action=AccessLog.Action.API_DETAIL, object_type="household", object_id=household.pk,
               request=request, sector=allowed.sector, via="partners")
    return {
        **household_values(household, allowed), "sector": allowed.sector, "numbers_masked": True,
        "members": [person_values(m, allowed, today=today) for m in members],
        "interventions": [intervention_out(i) for i in interventions_for_household(user, household)[:200]],
    }


# --- interventions ---------------------------------------------------------------------------

def _household_by_key(user, key: str):
    key = key.strip()
    if _SIXTEEN.fullmatch(key):
        lookup = {"no_kk": key}
    elif _ID.fullmatch(key):
        lookup = {"pk": int(key)}
    else:
        raise BadInput("household", "id keluarga atau No. KK lengkap 16 digit.")
    return households_for(user).filter(**lookup).first()


def _person_by_key(household, key: str | None):
    if not key:
        return None
    key = key.strip()
    if _SIXTEEN.fullmatch(key):
        lookup = {"nik": key}
    elif _ID.fullmatch(key):
        lookup = {"pk": int(key)}
    else:
        raise BadInput("person", "id anggota keluarga atau NIK lengkap 16 digit.")
    person = household.members.filter(**lookup).first()
    if person is None:
        raise BadInput("person", "tidak terdaftar sebagai anggota keluarga ini.")
    return person


@router.post("/interventions", response={201: InterventionOut, 200: InterventionOut, **WRITE_ERRORS},
             summary="Catat layanan (intervensi) instansi Anda")
def create_intervention(request, payload: InterventionIn):
    """Record a service your agency gave a KPM household or one of its members. 201 created; 200 when the same
    `client_id` was already recorded with the same content (nothing new); 409 with other content."""
    user = request.auth
    household = _household_by_key(user, payload.household)
    if household is None:
        return Status(404, {"detail": "household: keluarga tidak ditemukan atau di luar cakupan Anda.",
                            "field": "household"})
    person = _person_by_key(household, payload.person)
    referral = None
    if payload.referral:
        referral = referrals_for(user).filter(pk=payload.referral).first()
        if referral is None:
            raise BadInput("referral", "rujukan tidak ditemukan.")
    try:
        intervention, created = services.record_intervention(
            by=user, household=household, person=person, kind=payload.kind, delivered_on=payload.delivered_on,
            place=payload.place, notes=payload.notes, referral=referral, client_id=payload.client_id)
    except services.PartnerError as exc:
        return _refusal(exc)
    intervention = interventions_for(user).get(pk=intervention.pk) if created else intervention
    return Status(201 if created else 200, intervention_out(intervention))


@router.get("/interventions", response={200: InterventionPage, **READ_ERRORS}, summary="Layanan yang tercatat")
def list_interventions(request, filters: Query[InterventionQuery]):
    """Services recorded in your scope (a partner: its own agency's), newest first."""
    user = require_role(request, *READERS)
    qs = interventions_for(user)
    wilayah = _wilayah(filters.wilayah)
    if wilayah:
        qs = qs.filter(region_q("household__region_id", wilayah))
    for name, lookup in (("household", "household_id"), ("agency", "agency_id"), ("kind", "kind"),
                         ("since", "delivered_on__gte"), ("until", "delivered_on__lte")):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{lookup: value})
    qs = qs.order_by("-delivered_on", "-pk")
    return {"count": qs.count(),
            "items": [intervention_out(i) for i in qs[filters.offset:filters.offset + filters.limit]]}


# --- referrals -------------------------------------------------------------------------------

def referral_out(r: Referral, *, now=None, events: bool = False) -> dict:
    now = now or timezone.now()
    out = {
        "id": r.pk, "household": r.household_id, "person": r.person_id, "person_name": r.person.name,
        "agency": r.agency_id, "agency_name": r.agency.name, "need": r.need, "need_label": r.get_need_display(),
        "description": r.description, "status": r.status, "status_label": r.get_status_display(),
        "outcome": r.outcome, "outcome_note": r.outcome_note, "referred_by": r.referred_by.get_username(),
        "referred_at": r.referred_at, "age_days": r.age_days(now),
        "overdue": r.is_pending and r.age_days(now) > stale_after_days(),
    }
    if events:
        out["events"] = [{"action": e.action, "from_status": e.from_status, "to_status": e.to_status, "note": e.note,
                          "by": e.by.get_username(), "at": e.at} for e in r.events.select_related("by")]
    return out


@router.get("/referrals", response={200: ReferralPage, **READ_ERRORS}, summary="Rujukan")
def list_referrals(request, filters: Query[ReferralQuery]):
    """Referrals in your scope (a partner: those to its agency; a pendamping: its caseload), newest first;
    `overdue=true` lists those still waiting past the limit (what managers chase)."""
    user = require_role(request, *READERS)
    qs = referrals_for(user)
    wilayah = _wilayah(filters.wilayah)
    if wilayah:
        qs = qs.filter(region_q("household__region_id", wilayah))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.agency:
        qs = qs.filter(agency_id=filters.agency)
    if filters.need:
        qs = qs.filter(need=filters.need)
    if filters.overdue:
        qs = qs.filter(Q(pk__in=stale_referrals(user).values("pk")))
    qs = qs.order_by("-referred_at", "-pk")
    now = timezone.now()
    return {"count": qs.count(), "overdue_after_days": stale_after_days(),
            "items": [referral_out(r, now=now) for r in qs[filters.offset:filters.offset + filters.limit]]}


@router.post("/referrals", response={201: ReferralDetail, **WRITE_ERRORS}, summary="Rujuk anggota keluarga")
def create_referral(request, payload: ReferralIn):
    """A pendamping (own caseload) or an operator/manager (scope) refers a family member to an agency whose
    sector matches the need (GET /agencies)."""
    user = request.auth
    key = payload.person.strip()
    if _SIXTEEN.fullmatch(key):
        person = partner_persons(user, with_stunting=False).filter(nik=key).first()
    elif _ID.fullmatch(key):
        person = partner_persons(user, with_stunting=False).filter(pk=int(key)).first()
    else:
        raise BadInput("person", "id anggota keluarga atau NIK lengkap 16 digit.")
    if person is None:
        return Status(404, {"detail": "person: tidak ditemukan atau di luar cakupan Anda.", "field": "person"})
    agency = agencies_visible().filter(pk=payload.agency).first()
    if agency is None:
        raise BadInput("agency", "instansi tidak dikenal (lihat GET /agencies).")
    try:
        referral = services.refer(by=user, person=person, agency=agency, need=payload.need,
                                  description=payload.description)
    except services.PartnerError as exc:
        return _refusal(exc)
    return Status(201, referral_out(referrals_for(user).get(pk=referral.pk), events=True))


def _referral(user, referral_id: int) -> Referral:
    referral = referrals_for(user).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    return referral


@router.get("/referrals/{referral_id}", response={200: ReferralDetail, 404: ErrorOut, **READ_ERRORS},
            summary="Satu rujukan dengan riwayatnya")
def get_referral(request, referral_id: int = Path(..., ge=1, le=MAX_ID)):
    user = require_role(request, *READERS)
    return referral_out(_referral(user, referral_id), events=True)


def _step(request, referral_id: int, action):
    user = request.auth
    referral = _referral(user, referral_id)
    try:
        action(user, referral)
    except services.PartnerError as exc:
        return _refusal(exc)
    return Status(200, referral_out(referrals_for(user).get(pk=referral.pk), events=True))


@router.post("/referrals/{referral_id}/accept", response={200: ReferralDetail, **WRITE_ERRORS},
             summary="Instansi menerima rujukan")
def accept_referral(request, payload: NoteIn, referral_id: int = Path(..., ge=1, le=MAX_ID)):
    return _step(request, referral_id, lambda u, r: services.accept_referral(referral=r, by=u, note=payload.note))


@router.post("/referrals/{referral_id}/act", response={200: ReferralDetail, **WRITE_ERRORS},
             summary="Instansi mencatat tindak lanjut")
def act_on_referral(request, payload: ActIn, referral_id: int = Path(..., ge=1, le=MAX_ID)):
    """Record what the agency did; with `kind`, the service is also recorded as an intervention."""
    return _step(request, referral_id, lambda u, r: services.act_on_referral(
        referral=r, by=u, note=payload.note, kind=payload.kind or "", delivered_on=payload.delivered_on,
        place=payload.place))


@router.post("/referrals/{referral_id}/close", response={200: ReferralDetail, **WRITE_ERRORS},
             summary="Instansi menutup rujukan dengan hasilnya")
def close_referral(request, payload: CloseIn, referral_id: int = Path(..., ge=1, le=MAX_ID)):
    return _step(request, referral_id, lambda u, r: services.close_referral(
        referral=r, by=u, outcome=payload.outcome, note=payload.note))


@router.post("/referrals/{referral_id}/decline", response={200: ReferralDetail, **WRITE_ERRORS},
             summary="Instansi menolak rujukan")
def decline_referral(request, payload: DeclineIn, referral_id: int = Path(..., ge=1, le=MAX_ID)):
    return _step(request, referral_id, lambda u, r: services.decline_referral(referral=r, by=u,
                                                                              reason=payload.reason))


# --- DCI -------------------------------------------------------------------------------------

@router.post("/dci/registry/sync/search", tags=["DCI"], exclude_none=True,
             response={200: DciSearchResponseOut, 400: DciErrorOut, 401: ErrorOut, 403: DciErrorOut,
                       422: ErrorOut, 429: ErrorOut},
             summary="DCI Social Registry: sync search")
def dci_sync_search(request, payload: DciSearchEnvelopeIn):
    """The DCI Social Registry `registry/sync/search` (spdci/standards social_api v1.0.0): the standard's
    envelope in, `search_response[]` out — one entry per `search_request`, `succ` with `data.reg_records`
    and `pagination`, or `rjct` with `status_reason_code` (`rjct.search_criteria.invalid`,
    `rjct.pagination.invalid`, `rjct.sort.invalid`, `rjct.timestamp.invalid`, `rjct.reference_id.*`).
    Queries: `idtype-value` (NIK, KK), `predicate` and `expression`; same scope, sector fields and masking
    as the rest of the API. A message the registry cannot process is 400 with `errors[{code, message}]`."""
    user = request.auth
    if not user.has_role(*dci.SEARCH_ROLES):
        message = "Peran Anda tidak berhak mencari di registri sosial."
        return Status(403, {"detail": message, "errors": [{"code": "err.request.forbidden", "message": message}]})
    try:
        return Status(200, dci.sync_search(payload, user=user, request=request))
    except dci.DciBadRequest as exc:
        return Status(400, {"detail": exc.message, "errors": [{"code": exc.code, "message": exc.message}]})

