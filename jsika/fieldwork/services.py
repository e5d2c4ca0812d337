"""Every write of field work: caseloads, pendamping accounts, home visits, P2K2 sessions and attendance.

A refused action raises ``FieldworkError`` with a message in Bahasa Indonesia and changes nothing.
Records from phones are idempotent by ``client_id``: the same id with the same content is a
``duplicate`` (nothing is created), the same id with other content a ``Conflict``.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from jsika.core.roles import Role
from jsika.core.scoping import code_in_scope, region_q
from jsika.regions.models import Region
from jsika.registry.models import Household, Person
from jsika.registry.queries import households_for

from . import photos
from .models import (
    AbsenceReason,
    Attendance,
    CaseloadAssignment,
    FamilySession,
    Module,
    Problem,
    Visit,
    VisitPurpose,
)

# Who assigns caseloads and creates pendamping accounts.
SUPERVISORS = {Role.MANAGER, Role.OPERATOR}
# Who records field work (a pendamping for their caseload; supervisors in their region).
FIELD_WRITERS = {Role.FACILITATOR, Role.MANAGER, Role.OPERATOR}
NOTES_MAX = 4000


class FieldworkError(Exception):
    """A refused field-work action; ``str(error)`` is the message for the user.

    ``retry`` marks a refusal that may succeed later unchanged (e.g. attendance whose session has
    not arrived yet), so the phone keeps the record queued.
    """

    def __init__(self, message: str, *, retry: bool = False):
        super().__init__(message)
        self.retry = retry


class Conflict(FieldworkError):
    """A client id already stored with other content (409 in spirit)."""


@dataclass
class Saved:
    """The result of recording one phone record: the row, and whether this call created it."""

    obj: object
    created: bool


def _is_supervisor(user) -> bool:
    return user.is_active and (user.is_superuser or user.role in SUPERVISORS)


def _require_supervisor(user) -> None:
    if not _is_supervisor(user):
        raise FieldworkError(_("Hanya pengelola program dan operator yang dapat mengatur pendamping dan dampingan."))


def _require_field_writer(user) -> None:
    if not (user.is_active and (user.is_superuser or user.role in FIELD_WRITERS)):
        raise FieldworkError(_("Peran Anda tidak dapat mencatat kegiatan lapangan."))


# --- pendamping accounts and caseloads ---------------------------------------------------------------

@transaction.atomic
def create_facilitator(*, by, username: str, password: str, scope: str, first_name: str = "", last_name: str = "",
                       organization: str = "", phone: str = ""):
    """A new pendamping account working in ``scope`` (a kab/kota, kecamatan or desa inside the creator's scope)."""
    _require_supervisor(by)
    user_model = get_user_model()
    username = username.strip().lower()
    if not username:
        raise FieldworkError(_("Nama pengguna wajib diisi."))
    if user_model.objects.filter(username__iexact=username).exists():
        raise FieldworkError(_("Nama pengguna %(u)s sudah dipakai.") % {"u": username})
    region = Region.objects.filter(code=scope.strip()).first()
    if region is None or region.level < Region.Level.REGENCY:
        raise FieldworkError(_("Wilayah tugas harus kode kab/kota, kecamatan atau desa yang dikenal."))
    if not by.is_superuser and not code_in_scope(region.code, by.scope):
        raise FieldworkError(_("Wilayah tugas %(code)s di luar cakupan wilayah Anda (%(scope)s).")
                             % {"code": region.code, "scope": by.scope})
    user = user_model(username=username, role=Role.FACILITATOR, scope=region.code, first_name=first_name.strip(),
                      last_name=last_name.strip(), organization=organization.strip() or by.organization)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise FieldworkError(" ".join(exc.messages)) from None
    user.set_password(password)
    user._history_user = by
    user.save()
    return user


def _facilitator(user) -> None:
    if user is None or not user.is_active or user.role != Role.FACILITATOR:
        raise FieldworkError(_("Dampingan hanya dapat diberikan kepada akun aktif berperan pendamping."))


def _household_ids(households) -> list[int]:
    if isinstance(households, QuerySet):
        return list(households.values_list("pk", flat=True))
    return sorted({getattr(h, "pk", h) for h in households})


@dataclass
class AssignResult:
    assigned: int  # newly in this pendamping's caseload (moved ones included)
    moved: int  # of which were taken from another pendamping
    unchanged: int  # already in this caseload


@transaction.atomic
def assign_caseload(*, facilitator, households, by, reason: str = "") -> AssignResult:
    """Put households in ``facilitator``'s caseload, in bulk and all or nothing.

    A household followed by another pendamping moves here: that assignment is ended (kept as
    history), a new one starts. Every household must lie in ``by``'s region scope.
    """
    _require_supervisor(by)
    _facilitator(facilitator)
    ids = _household_ids(households)
    if not ids:
        raise FieldworkError(_("Tidak ada keluarga yang dipilih."))
    in_scope = households_for(by).filter(pk__in=ids).count()
    if in_scope != len(ids):
        raise FieldworkError(_("%(n)s keluarga yang dipilih berada di luar cakupan wilayah Anda; tidak ada yang "
                               "diubah.") % {"n": len(ids) - in_scope})
    now = timezone.now()
    current = list(CaseloadAssignment.objects.select_for_update().filter(household_id__in=ids, ended_at__isnull=True))
    unchanged = {a.household_id for a in current if a.facilitator_id == facilitator.pk}
    moving = [a for a in current if a.facilitator_id != facilitator.pk]
    end_reason = (reason or _("Dipindahkan ke %(name)s") % {"name": facilitator.username})[:200]
    for a in moving:
        a.ended_at, a.ended_by, a.end_reason = now, by, end_reason
    if moving:
        bulk_update_with_history(moving, CaseloadAssignment, ["ended_at", "ended_by", "end_reason"], batch_size=1000,
                                 default_user=by, default_change_reason=end_reason)
    new = [CaseloadAssignment(facilitator=facilitator, household_id=pk, assigned_by=by)
           for pk in ids if pk not in unchanged]
    bulk_create_with_history(new, CaseloadAssignment, batch_size=1000, default_user=by,
                             default_change_reason=(reason or _("Penugasan dampingan"))[:100])
    return AssignResult(assigned=len(new), moved=len(moving), unchanged=len(unchanged))


@transaction.atomic
def end_caseload(*, facilitator, households, by, reason: str) -> int:
    """Take households out of a pendamping's caseload (history kept); returns how many were ended."""
    _require_supervisor(by)
    if not reason.strip():
        raise FieldworkError(_("Alasan wajib diisi."))
    ids = _household_ids(households)
    rows = list(CaseloadAssignment.objects.select_for_update()
                .filter(facilitator=facilitator, household_id__in=ids, ended_at__isnull=True)
                .filter(household__in=households_for(by)))
    now = timezone.now()
    for a in rows:
        a.ended_at, a.ended_by, a.end_reason = now, by, reason.strip()[:200]
    bulk_update_with_history(rows, CaseloadAssignment, ["ended_at", "ended_by", "end_reason"], batch_size=1000,
                             default_user=by, default_change_reason=reason.strip()[:100])
    return len(rows)


@transaction.atomic
def reassign_all(*, from_facilitator, to_facilitator, by, reason: str = "") -> AssignResult:
    """Move a whole caseload to another pendamping (e.g. when one leaves); history is kept."""
    _require_supervisor(by)
    if from_facilitator.pk == to_facilitator.pk:
        raise FieldworkError(_("Pendamping asal dan tujuan sama."))
    ids = list(CaseloadAssignment.objects.filter(facilitator=from_facilitator, ended_at__isnull=True)
               .values_list("household_id", flat=True))
    if not ids:
        raise FieldworkError(_("%(name)s tidak memiliki keluarga dampingan.") % {"name": from_facilitator.username})
    reason = reason or _("Dialihkan dari %(a)s ke %(b)s") % {"a": from_facilitator.username,
                                                             "b": to_facilitator.username}
    return assign_caseload(facilitator=to_facilitator, households=ids, by=by, reason=reason)


# --- records from the field --------------------------------------------------------------------------

def content_hash(**fields) -> str:
    """A stable digest of a record's content: same content, same digest, whatever the key order."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str, separators=(",", ":")).encode()).hexdigest()


def _uuid(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise FieldworkError(_("client_id harus UUID.")) from None


def _existing(model, client_id: uuid.UUID, digest: str, by):
    """The stored row for ``client_id`` when it is the same record again; Conflict when it is another."""
    row = model.objects.filter(client_id=client_id).first()
    if row is None:
        return None
    owner = getattr(row, "facilitator_id", None) or getattr(getattr(row, "session", None), "facilitator_id", None)
    if row.content_hash != digest or owner != by.pk:
        raise Conflict(_("client_id %(id)s sudah dipakai untuk catatan lain dengan isi berbeda.") % {"id": client_id})
    return row


def _create_once(model, client_id, digest, by, build) -> Saved:
    """Insert the row ``build()`` makes, inside a savepoint; a concurrent twin is answered as a duplicate."""
    row = None
    try:
        with transaction.atomic():
            row = build()
            return Saved(row, True)
    except IntegrityError:
        if row is not None and getattr(row, "photo", None) and row.photo.name:
            row.photo.storage.delete(row.photo.name)
        existing = _existing(model, client_id, digest, by)
        if existing is None:
            raise
        return Saved(existing, False)


def _local_date(moment: datetime | None) -> date:
    return timezone.localtime(moment).date() if moment else timezone.localdate()


def _timing(activity_on: date, recorded_at: datetime | None, received_at: datetime) -> dict:
    lag = int((received_at - recorded_at).total_seconds()) if recorded_at else None
    return {"entry_delay_days": (_local_date(received_at) - activity_on).days,
            "sync_lag_seconds": max(lag, 0) if lag is not None else None}


def _check_date(day: date, label: str, recorded_at: datetime | None = None) -> None:
    """Refuse a date in the future. "Today" is the server's (WIB), or the phone's own calendar day when the
    phone's clock is believable — a pendamping in WITA/WIT is already in tomorrow before WIB is."""
    today = timezone.localdate()
    if recorded_at is not None and recorded_at <= timezone.now() + timedelta(minutes=5):
        today = max(today, recorded_at.date())
    if day > today:
        raise FieldworkError(_("%(label)s %(day)s ada di masa depan.") % {"label": label, "day": day.isoformat()})


def _check_gps(latitude, longitude) -> tuple[float | None, float | None]:
    if (latitude is None) != (longitude is None):
        raise FieldworkError(_("Lintang dan bujur harus diisi bersama."))
    if latitude is None:
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise FieldworkError(_("Koordinat GPS di luar rentang (lintang −90…90, bujur −180…180)."))
    return round(float(latitude), 7), round(float(longitude), 7)


def _photo(data: bytes | None) -> str | None:
    """The extension of an accepted photo, None when there is none."""
    if not data:
        return None
    try:
        return photos.check_photo(data)
    except photos.PhotoError as exc:
        raise FieldworkError(_("photo: %(why)s") % {"why": exc}) from None


def enrollment_start(household) -> date | None:
    """The day the household's earliest enrollment became active, when the programs module knows one."""
    if not apps.is_installed("jsika.programs"):
        return None
    enrollment = apps.get_model("programs", "Enrollment")
    return enrollment.objects.filter(household=household, started_on__isnull=False).aggregate(
        first=Min("started_on"))["first"]


def _field_household(by, household) -> Household:
    """``household`` if ``by`` may record field work for it (a pendamping: in their caseload)."""
    _require_field_writer(by)
    found = households_for(by).filter(pk=getattr(household, "pk", household)).select_related("region").first()
    if found is None:
        if by.role == Role.FACILITATOR:
            raise FieldworkError(_("Keluarga ini tidak ada dalam daftar dampingan Anda."))
        raise FieldworkError(_("Keluarga ini di luar cakupan wilayah Anda."))
    return found


def _clean_condition(condition: dict | None, household: Household) -> tuple[dict, list[str]]:
    """The structured condition with person ids checked against the household's members."""
    condition = condition or {}
    if not isinstance(condition, dict):
        raise FieldworkError(_("condition harus objek JSON."))
    members = set(Person.objects.filter(household=household).values_list("pk", flat=True))
    clean: dict = {}

    def person_of(item, section):
        if not isinstance(item, dict):
            raise FieldworkError(_("condition.%(s)s: setiap isian harus objek.") % {"s": section})
        try:
            pk = int(item.get("person"))
        except (TypeError, ValueError):
            raise FieldworkError(_("condition.%(s)s: person harus ID anggota keluarga.") % {"s": section}) from None
        if pk not in members:
            raise FieldworkError(_("condition.%(s)s: orang %(pk)s bukan anggota keluarga ini.")
                                 % {"s": section, "pk": pk})
        return pk

    school = []
    for item in condition.get("school") or []:
        pk = person_of(item, "school")
        percent = item.get("attendance_percent")
        if percent is not None and (not isinstance(percent, int | float) or isinstance(percent, bool)
                                    or not 0 <= percent <= 100):
            raise FieldworkError(_("condition.school: kehadiran harus angka 0–100."))
        school.append({"person": pk, "attendance_percent": percent, "in_school": bool(item.get("in_school", True))})
    pregnant = []
    for item in condition.get("pregnant") or []:
        pk = person_of(item, "pregnant")
        count = item.get("check_count")
        if count is not None and (not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 20):
            raise FieldworkError(_("condition.pregnant: jumlah pemeriksaan harus bilangan 0–20."))
        pregnant.append({"person": pk, "antenatal_checked": bool(item.get("antenatal_checked")), "check_count": count})
    toddlers = []
    for item in condition.get("toddlers") or []:
        pk = person_of(item, "toddlers")
        weight = item.get("weight_kg")
        if weight is not None and (not isinstance(weight, int | float) or isinstance(weight, bool)
                                   or not 0 < weight < 40):
            raise FieldworkError(_("condition.toddlers: berat badan harus antara 0 dan 40 kg."))
        toddlers.append({"person": pk, "weighed": bool(item.get("weighed")), "weight_kg": weight})
    problems = condition.get("problems") or []
    if not isinstance(problems, list) or any(p not in Problem.values for p in problems):
        raise FieldworkError(_("condition.problems: masalah yang dikenal: %(list)s.")
                             % {"list": ", ".join(Problem.values)})
    problems = sorted(set(problems))
    for key, value in (("school", school), ("pregnant", pregnant), ("toddlers", toddlers)):
        if value:
            clean[key] = sorted(value, key=lambda i: i["person"])
    if problems:
        clean["problems"] = problems
    return clean, problems


def record_visit(*, by, client_id, household, visited_on: date, purpose: str, notes: str = "",
                 condition: dict | None = None, latitude: float | None = None, longitude: float | None = None,
                 photo: bytes | None = None, recorded_at: datetime | None = None, device_id: str = "") -> Saved:
    """Store a home visit once per ``client_id``; refused outside the caseload, in the future or before enrollment.

    Replaying the same record answers the stored visit (``created`` False) even if the household
    has since moved to another caseload; the same id with other content raises ``Conflict``.
    """
    client_id = _uuid(client_id)
    notes = (notes or "").strip()
    latitude, longitude = _check_gps(latitude, longitude)
    household_pk = getattr(household, "pk", household)
    digest = content_hash(kind="visit", household=household_pk, visited_on=visited_on.isoformat(), purpose=purpose,
                          notes=notes, condition=condition or {}, latitude=latitude, longitude=longitude,
                          photo=photos.photo_digest(photo),
                          recorded_at=recorded_at.isoformat() if recorded_at else None)
    existing = _existing(Visit, client_id, digest, by)
    if existing is not None:
        return Saved(existing, False)
    household = _field_household(by, household_pk)
    if purpose not in VisitPurpose.values:
        raise FieldworkError(_("Tujuan kunjungan tidak dikenal: %(p)s (pilihan: %(list)s).")
                             % {"p": purpose, "list": ", ".join(VisitPurpose.values)})
    _check_date(visited_on, _("Tanggal kunjungan"), recorded_at)
    started = enrollment_start(household)
    if started and visited_on < started:
        raise FieldworkError(_("Tanggal kunjungan %(day)s sebelum keluarga mulai menjadi KPM (%(start)s).")
                             % {"day": visited_on.isoformat(), "start": started.isoformat()})
    if len(notes) > NOTES_MAX:
        raise FieldworkError(_("Catatan terlalu panjang (paling banyak %(n)s karakter).") % {"n": NOTES_MAX})
    clean, problems = _clean_condition(condition, household)
    ext = _photo(photo)
    received_at = timezone.now()

    def build():
        visit = Visit(client_id=client_id, household=household, facilitator=by, visited_on=visited_on,
                      purpose=purpose, notes=notes, condition=clean, problems=problems, latitude=latitude,
                      longitude=longitude, recorded_at=recorded_at, received_at=received_at, device_id=device_id[:100],
                      content_hash=digest, **_timing(visited_on, recorded_at, received_at))
        if ext:
            visit.photo = photos.photo_file(photo, ext)
        visit._history_user = by
        visit.save()
        return visit

    return _create_once(Visit, client_id, digest, by, build)


def session_regions_for(user) -> QuerySet[Region]:
    """Desa where ``user`` may hold P2K2 sessions: a pendamping's caseload desa; supervisors' scope."""
    if user.is_superuser:
        return Region.objects.filter(level=Region.Level.VILLAGE)
    if user.role == Role.FACILITATOR:
        return Region.objects.filter(code__in=households_for(user).values("region_id"))
    if user.scope:
        return Region.objects.filter(region_q("code", user.scope), level=Region.Level.VILLAGE)
    return Region.objects.none()


def record_session(*, by, client_id, region: str, module, session_number: int, held_on: date, place: str = "",
                   notes: str = "", latitude: float | None = None, longitude: float | None = None,
                   photo: bytes | None = None, recorded_at: datetime | None = None, device_id: str = "") -> Saved:
    """Store a P2K2 session once per ``client_id``, in a desa where ``by`` works, on an existing module session."""
    client_id = _uuid(client_id)
    place, notes = (place or "").strip()[:200], (notes or "").strip()
    latitude, longitude = _check_gps(latitude, longitude)
    module_key = getattr(module, "code", module)
    digest = content_hash(kind="session", region=region, module=str(module_key), session_number=session_number,
                          held_on=held_on.isoformat(), place=place, notes=notes, latitude=latitude,
                          longitude=longitude, photo=photos.photo_digest(photo),
                          recorded_at=recorded_at.isoformat() if recorded_at else None)
    existing = _existing(FamilySession, client_id, digest, by)
    if existing is not None:
        return Saved(existing, False)
    _require_field_writer(by)
    desa = session_regions_for(by).filter(code=region).first()
    if desa is None:
        raise FieldworkError(_("Desa %(code)s bukan wilayah dampingan Anda.") % {"code": region})
    found = module if isinstance(module, Module) else Module.objects.filter(
        code=str(module_key)).first() or (Module.objects.filter(number=module_key).first()
                                         if str(module_key).isdigit() else None)
    if found is None or not found.is_active:
        raise FieldworkError(_("Modul P2K2 tidak dikenal: %(m)s.") % {"m": module_key})
    if not isinstance(session_number, int) or not 1 <= session_number <= found.session_count:
        raise FieldworkError(_("Modul %(m)s hanya memiliki sesi 1–%(n)s.")
                             % {"m": found.name, "n": found.session_count})
    _check_date(held_on, _("Tanggal pertemuan"), recorded_at)
    ext = _photo(photo)
    received_at = timezone.now()

    def build():
        session = FamilySession(client_id=client_id, facilitator=by, region=desa, module=found,
                                session_number=session_number, held_on=held_on, place=place, notes=notes,
                                latitude=latitude, longitude=longitude, recorded_at=recorded_at,
                                received_at=received_at, device_id=device_id[:100], content_hash=digest,
                                **_timing(held_on, recorded_at, received_at))
        if ext:
            session.photo = photos.photo_file(photo, ext)
        session._history_user = by
        session.save()
        return session

    return _create_once(FamilySession, client_id, digest, by, build)


def record_attendance(*, by, client_id, session_client_id, household, present: bool, absence_reason: str = "",
                      recorded_at: datetime | None = None) -> Saved:
    """Store whether a household of ``by``'s caseload came to ``by``'s session, once per ``client_id``.

    An attendance whose session has not reached the server yet is refused with ``retry`` set.
    """
    client_id = _uuid(client_id)
    session_client_id = _uuid(session_client_id)
    household_pk = getattr(household, "pk", household)
    absence_reason = "" if present else (absence_reason or AbsenceReason.NONE)
    digest = content_hash(kind="attendance", session=str(session_client_id), household=household_pk,
                          present=bool(present), absence_reason=absence_reason,
                          recorded_at=recorded_at.isoformat() if recorded_at else None)
    existing = _existing(Attendance, client_id, digest, by)
    if existing is not None:
        return Saved(existing, False)
    session = FamilySession.objects.filter(client_id=session_client_id).first()
    if session is None:
        raise FieldworkError(_("Pertemuan P2K2 %(id)s belum diterima server; kirim bersama pertemuannya.")
                             % {"id": session_client_id}, retry=True)
    if session.facilitator_id != by.pk and not by.is_superuser:
        raise FieldworkError(_("Pertemuan P2K2 ini dicatat oleh pendamping lain."))
    household = _field_household(by, household_pk)
    if absence_reason and absence_reason not in AbsenceReason.values:
        raise FieldworkError(_("Alasan tidak hadir tidak dikenal: %(r)s.") % {"r": absence_reason})
    if Attendance.objects.filter(session=session, household=household).exists():
        raise Conflict(_("Kehadiran keluarga ini pada pertemuan tersebut sudah tercatat."))

    def build():
        row = Attendance(client_id=client_id, session=session, household=household, present=bool(present),
                         absence_reason=absence_reason, recorded_at=recorded_at, content_hash=digest)
        row._history_user = by
        row.save()
        return row

    try:
        return _create_once(Attendance, client_id, digest, by, build)
    except IntegrityError:
        raise Conflict(_("Kehadiran keluarga ini pada pertemuan tersebut sudah tercatat.")) from None
