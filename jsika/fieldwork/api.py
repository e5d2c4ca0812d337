"""Field work endpoints of specs/api.md: the offline app's sync, visits of a household, the cached caseload.

``POST /fieldwork/sync`` answers one entry per record, in request order (a JSON array); a bad record
is answered ``rejected`` with its reason and never blocks the others. Reads start from the scoping
function, so a pendamping sees only their caseload and a household outside scope lists nothing.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.urls import reverse
from ninja import Field, Query, Router, Schema

from jsika.core.api_auth import require_role
from jsika.core.api_errors import COMMON_ERRORS, BadInput
from jsika.core.roles import Role

from . import queries
from .services import FIELD_WRITERS
from .sync import MAX_RECORDS, sync_batch

router = Router(tags=["fieldwork"])

FIELD_READERS = (Role.FACILITATOR, Role.MANAGER, Role.OPERATOR, Role.AUDITOR)

VISIT_EXAMPLE = {
    "client_id": "0b6f3c1e-8a4d-4f4e-9a57-3d2f7c1b9e10", "type": "visit", "household": "3672031705800042",
    "visited_on": "2026-11-20", "purpose": "pemantauan", "notes": "Anak kedua sakit demam.",
    "condition": {"school": [{"person": 12, "attendance_percent": 90}], "problems": ["sakit"]},
    "latitude": -5.9361, "longitude": 106.0032, "recorded_at": "2026-11-20T09:14:00+07:00",
}


class SyncIn(Schema):
    """A phone's queue. Record types: ``visit``, ``session`` (P2K2 meeting), ``attendance`` (of a session)."""

    device_id: str = Field("", max_length=100, description="ID tetap perangkat (dibuat aplikasi).")
    records: list[Any] = Field(
        ..., description=(
            "Catatan dari perangkat, urutan bebas. Semua memuat `client_id` (UUID) dan `type`.\n\n"
            "- `visit`: `household` (ID atau No. KK 16 digit), `visited_on`, `purpose` (pemantauan, verifikasi, "
            "pendampingan, lainnya), `notes`, `condition` (`school`, `pregnant`, `toddlers`, `problems`), "
            "`latitude`, `longitude`, `photo` (data URL JPEG/PNG/WebP ≤ 200 KB), `recorded_at`.\n"
            "- `session`: `region` (kode desa), `module` (kode/nomor), `session_number`, `held_on`, `place`, "
            "`notes`, `latitude`, `longitude`, `photo`, `recorded_at`.\n"
            "- `attendance`: `session` (client_id pertemuan), `household`, `present`, `absence_reason` "
            "(sakit, bekerja, urusan_keluarga, bepergian, tanpa_keterangan), `recorded_at`."),
        json_schema_extra={"examples": [[VISIT_EXAMPLE]]})


class RecordAnswer(Schema):
    client_id: str | None
    status: Literal["stored", "duplicate", "rejected"]
    id: int | None = None
    reason: str | None = None
    type: str | None = None
    retry: bool = Field(False, description="true: ditolak sementara; simpan di antrean dan kirim lagi nanti.")


class VisitQuery(Schema):
    household: str | None = Field(None, description="ID keluarga atau No. KK 16 digit.",
                                  json_schema_extra={"example": "3672031705800042"})
    since: date | None = Field(None, description="Kunjungan pada atau setelah tanggal ini.")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10**9)


class VisitOut(Schema):
    id: int
    client_id: str
    household: int
    visited_on: date
    purpose: str
    notes: str
    condition: dict
    problems: list[str]
    latitude: float | None
    longitude: float | None
    has_photo: bool
    photo_url: str | None
    facilitator: str
    recorded_at: datetime | None
    received_at: datetime


class VisitPage(Schema):
    count: int
    items: list[VisitOut]


class CaseloadMember(Schema):
    id: int
    name: str
    sex: str
    age: int
    relation: str
    school_status: str
    pregnant: bool
    toddler: bool
    disabled: bool


class CaseloadHousehold(Schema):
    id: int
    no_kk_tail: str = Field(..., description="Empat digit terakhir No. KK (nomor lengkap tidak disimpan di ponsel).")
    head_name: str
    region: str
    region_name: str
    address: str
    rt: str
    rw: str
    latitude: float | None
    longitude: float | None
    last_visit: date | None
    visited_this_month: bool
    members: list[CaseloadMember]


class CaseloadVillage(Schema):
    code: str
    name: str


class CaseloadModule(Schema):
    code: str
    number: int
    name: str
    sessions: int


class CaseloadOut(Schema):
    generated_at: datetime
    period: str
    households: list[CaseloadHousehold]
    villages: list[CaseloadVillage]
    modules: list[CaseloadModule]


@router.post("/fieldwork/sync", response={200: list[RecordAnswer], **COMMON_ERRORS},
             summary="Sinkronisasi antrean aplikasi lapangan", url_name="fieldwork_sync")
def sync(request, payload: SyncIn):
    """Store what a phone recorded offline. One answer per record, in order: `stored` (new), `duplicate`
    (this `client_id` with the same content is already stored: nothing created), `rejected` (with `reason`;
    `retry: true` when it may succeed later unchanged). Replaying a batch is harmless."""
    user = require_role(request, *FIELD_WRITERS)
    if len(payload.records) > MAX_RECORDS:
        raise BadInput("records", f"paling banyak {MAX_RECORDS} catatan per kiriman.")
    return sync_batch(by=user, device_id=payload.device_id, records=payload.records)


def _household_q(value: str) -> dict:
    text = value.strip()
    if not text.isdigit() or len(text) not in range(1, 17):
        raise BadInput("household", "harus ID keluarga atau No. KK 16 digit.")
    return {"household__no_kk": text} if len(text) == 16 else {"household_id": int(text)}


def visit_out(v) -> dict:
    return {
        "id": v.pk, "client_id": str(v.client_id), "household": v.household_id, "visited_on": v.visited_on,
        "purpose": v.purpose, "notes": v.notes, "condition": v.condition, "problems": v.problems,
        "latitude": v.latitude, "longitude": v.longitude, "has_photo": bool(v.photo),
        "photo_url": reverse("fieldwork:visit_photo", args=[v.pk]) if v.photo else None,
        "facilitator": v.facilitator.username, "recorded_at": v.recorded_at, "received_at": v.received_at,
    }


@router.get("/fieldwork/visits", response={200: VisitPage, **COMMON_ERRORS}, summary="Kunjungan rumah",
            url_name="fieldwork_visits")
def list_visits(request, filters: Query[VisitQuery]):
    """Visits stored for a household (or all) in the caller's scope, newest first, each with its `client_id`.
    A household outside the scope lists nothing."""
    user = require_role(request, *FIELD_READERS)
    qs = queries.visits_for(user)
    if filters.household:
        qs = qs.filter(**_household_q(filters.household))
    if filters.since:
        qs = qs.filter(visited_on__gte=filters.since)
    qs = qs.order_by("-visited_on", "-pk")
    return {"count": qs.count(), "items": [visit_out(v) for v in qs[filters.offset:filters.offset + filters.limit]]}


@router.get("/fieldwork/caseload", response={200: CaseloadOut, **COMMON_ERRORS},
            summary="Daftar dampingan untuk luring", url_name="fieldwork_caseload")
def caseload(request):
    """The caller's caseload as the field app caches it: households (No. KK shortened), the members the
    forms need, desa and P2K2 modules. Only the caller's own active caseload."""
    user = require_role(request, *FIELD_WRITERS)
    return queries.caseload_payload(user)
