"""The offline field app's sync (specs/api.md "Field sync"): a batch of records, one answer per record.

Records may come in any order and any number of times. Each is stored in its own transaction,
so one bad record never blocks the others; sessions are handled before the attendance that names
them, whatever their place in the batch, and answers keep the order of the request.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from jsika.registry.models import Household

from . import photos, services
from .services import FieldworkError

RECORD_TYPES = ("session", "visit", "attendance", "assessment")
MAX_RECORDS = 200


@dataclass
class Answer:
    client_id: str | None
    status: str  # stored | duplicate | rejected
    id: int | None = None
    reason: str | None = None
    retry: bool = False
    type: str | None = None

    def as_dict(self) -> dict:
        return {"client_id": self.client_id, "status": self.status, "id": self.id, "reason": self.reason,
                "type": self.type, "retry": self.retry}


class BadField(FieldworkError):
    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")


def _text(record: dict, name: str, *, required: bool = False, max_length: int = 4000) -> str:
    value = record.get(name)
    if value in (None, ""):
        if required:
            raise BadField(name, _("wajib diisi."))
        return ""
    if not isinstance(value, str):
        raise BadField(name, _("harus teks."))
    if len(value) > max_length:
        raise BadField(name, _("terlalu panjang (paling banyak %(n)s karakter).") % {"n": max_length})
    return value


def _date(record: dict, name: str) -> date:
    value = record.get(name)
    parsed = parse_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise BadField(name, _("harus tanggal TTTT-BB-HH."))
    return parsed


def _datetime(record: dict, name: str) -> datetime | None:
    value = record.get(name)
    if value in (None, ""):
        return None
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadField(name, _("harus waktu ISO 8601, mis. 2026-11-20T09:14:00+07:00."))
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _number(record: dict, name: str) -> float | None:
    value = record.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadField(name, _("harus angka."))
    try:
        return float(value)
    except OverflowError:
        raise BadField(name, _("angka di luar rentang.")) from None


def _integer(record: dict, name: str) -> int:
    value = record.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.isdigit():
            return int(value)
        raise BadField(name, _("harus bilangan bulat."))
    return value


def _bool(record: dict, name: str) -> bool:
    value = record.get(name)
    if not isinstance(value, bool):
        raise BadField(name, _("harus true atau false."))
    return value


def _photo(record: dict) -> bytes | None:
    value = record.get("photo")
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise BadField("photo", _("harus data URL gambar (data:image/jpeg;base64,...)."))
    try:
        return photos.decode_photo(value)
    except photos.PhotoError as exc:
        raise BadField("photo", str(exc)) from None


def resolve_household(value) -> int:
    """The household's id from its API id or full No. KK; not in scope here (the service checks that)."""
    text = str(value).strip() if value is not None and not isinstance(value, bool) else ""
    if not text.isdigit() or len(text) > 16:
        raise BadField("household", _("harus ID keluarga atau No. KK 16 digit."))
    lookup = {"no_kk": text} if len(text) == 16 else {"pk": int(text)}
    pk = Household.objects.filter(**lookup).values_list("pk", flat=True).first()
    if pk is None:
        raise FieldworkError(_("Keluarga ini tidak ada dalam daftar dampingan Anda."))
    return pk


def _visit(record: dict, *, by, device_id: str):
    return services.record_visit(
        by=by, client_id=record["client_id"], household=resolve_household(record.get("household")),
        visited_on=_date(record, "visited_on"), purpose=_text(record, "purpose", required=True, max_length=20),
        notes=_text(record, "notes"), condition=record.get("condition") or {},
        latitude=_number(record, "latitude"), longitude=_number(record, "longitude"), photo=_photo(record),
        recorded_at=_datetime(record, "recorded_at"), device_id=device_id)


def _session(record: dict, *, by, device_id: str):
    module = record.get("module")
    if isinstance(module, bool) or not isinstance(module, str | int):
        raise BadField("module", _("harus kode atau nomor modul."))
    return services.record_session(
        by=by, client_id=record["client_id"], region=_text(record, "region", required=True, max_length=13),
        module=str(module), session_number=_integer(record, "session_number"), held_on=_date(record, "held_on"),
        place=_text(record, "place", max_length=200), notes=_text(record, "notes"),
        latitude=_number(record, "latitude"), longitude=_number(record, "longitude"), photo=_photo(record),
        recorded_at=_datetime(record, "recorded_at"), device_id=device_id)


def _attendance(record: dict, *, by, device_id: str):
    return services.record_attendance(
        by=by, client_id=record["client_id"], session_client_id=_text(record, "session", required=True),
        household=resolve_household(record.get("household")), present=_bool(record, "present"),
        absence_reason=_text(record, "absence_reason", max_length=20), recorded_at=_datetime(record, "recorded_at"))


def _assessment(record: dict, *, by, device_id: str):
    """Graduation assessments filled in offline (jsika.graduation owns the instrument and the scoring)."""
    from jsika.graduation.sync import sync_assessment

    return sync_assessment(record, by=by, device_id=device_id)


HANDLERS = {"visit": _visit, "session": _session, "attendance": _attendance, "assessment": _assessment}


def sync_one(record, *, by, device_id: str) -> Answer:
    """Store one record and say what happened to it; a refusal is an answer, never an exception."""
    if not isinstance(record, dict):
        return Answer(None, "rejected", reason=_("Setiap catatan harus objek JSON."))
    raw_id = record.get("client_id")
    kind = record.get("type") if isinstance(record.get("type"), str) else None
    try:
        client_id = str(uuid.UUID(str(raw_id))) if raw_id else None
    except ValueError:
        client_id = None
    if client_id is None:
        return Answer(raw_id if isinstance(raw_id, str) else None, "rejected", type=kind,
                      reason=_("client_id: wajib UUID yang dibuat perangkat."))
    if kind not in HANDLERS:
        return Answer(client_id, "rejected", type=None,
                      reason=_("type: harus salah satu dari %(list)s.") % {"list": ", ".join(RECORD_TYPES)})
    try:
        saved = HANDLERS[kind]({**record, "client_id": client_id}, by=by, device_id=device_id)
    except FieldworkError as exc:
        return Answer(client_id, "rejected", reason=str(exc), retry=exc.retry, type=kind)
    return Answer(client_id, "stored" if saved.created else "duplicate", id=saved.obj.pk, type=kind)


def sync_batch(*, by, device_id: str, records: list) -> list[dict]:
    """Answers for ``records`` in request order; sessions are stored first so their attendance finds them."""
    order = sorted(range(len(records)), key=lambda i: (
        RECORD_TYPES.index(records[i].get("type")) if isinstance(records[i], dict)
        and records[i].get("type") in RECORD_TYPES else len(RECORD_TYPES), i))
    answers: list[Answer | None] = [None] * len(records)
    for i in order:
        answers[i] = sync_one(records[i], by=by, device_id=device_id[:100])
    return [a.as_dict() for a in answers]
