"""Every write to grievances: one function per action, transactional, each step written as an event.

A refused action raises ``GrievanceError`` (``FilingError`` names the field for a bad filing) with a
message in Bahasa Indonesia, and changes nothing. Every function takes an optional ``at`` (the clock),
so seeding and tests can place steps in time.
"""

from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from jsika.core.masking import mask_number
from jsika.regions.models import Region
from jsika.registry.identity import IdentityError, clean_sixteen_digits
from jsika.registry.queries import households_for

from . import permissions
from .models import CLOSED_STATUSES, OPEN_STATUSES, Category, Channel, Grievance, GrievanceEvent, Outcome, Status
from .tickets import new_ticket
from .uploads import PhotoRejected, check_photo

Action = GrievanceEvent.Action
DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 4000
NOTE_MAX = 4000


class GrievanceError(Exception):
    """A refused grievance action; ``str(error)`` is the message for the user."""


class FilingError(GrievanceError):
    """A grievance that cannot be filed as given; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def sla_days() -> tuple[int, int]:
    """(days to acknowledge, days to resolve) from ``settings.JSIKA_GRIEVANCE_SLA``."""
    sla = {"acknowledge_days": 3, "resolve_days": 14, **getattr(settings, "JSIKA_GRIEVANCE_SLA", {})}
    return int(sla["acknowledge_days"]), int(sla["resolve_days"])


def _refuse(message: str | None) -> None:
    if message:
        raise GrievanceError(message)


def _locked(grievance: Grievance) -> Grievance:
    return Grievance.objects.select_for_update().get(pk=grievance.pk)


def _event(grievance: Grievance, action: str, *, by, at: datetime, note: str = "", from_status: str = "",
           to_status: str = "") -> GrievanceEvent:
    return GrievanceEvent.objects.create(grievance=grievance, action=action, by=by, at=at, note=note,
                                         from_status=from_status, to_status=to_status)


def _save(grievance: Grievance, by, reason: str) -> None:
    grievance._history_user = by
    grievance._change_reason = reason
    grievance.save()


def _clean_note(note: str, *, required: bool = False, label: str = "") -> str:
    text = (note or "").strip()
    if required and not text:
        raise GrievanceError(_("%(label)s wajib diisi.") % {"label": label or _("Catatan")})
    if len(text) > NOTE_MAX:
        raise GrievanceError(_("%(label)s paling panjang %(n)s huruf.") % {"label": label or _("Catatan"),
                                                                           "n": NOTE_MAX})
    return text


# --- filing ----------------------------------------------------------------------------------------------

def _village(region) -> Region:
    code = region.code if isinstance(region, Region) else str(region or "").strip()
    found = Region.objects.filter(code=code).first() if code else None
    if found is None:
        raise FilingError("region", _("Pilih desa/kelurahan tempat kejadian."))
    if found.level != Region.Level.VILLAGE:
        raise FilingError("region", _("Wilayah harus desa/kelurahan (kode seperti 36.72.03.1001)."))
    return found


def _program_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not code:
        return ""
    if apps.is_installed("jsika.programs"):
        program_model = apps.get_model("programs", "Program")
        if program_model.objects.filter(code=code).exists():
            return code
    raise FilingError("program", _("Program %(code)s tidak dikenal.") % {"code": code})


def _identity(value: str, field: str, label: str) -> str:
    if not (value or "").strip():
        return ""
    try:
        return clean_sixteen_digits(value, label)
    except IdentityError as exc:
        raise FilingError(field, str(exc)) from exc


def _unused_ticket() -> str:
    for _attempt in range(8):
        ticket = new_ticket()
        if not Grievance.objects.filter(ticket=ticket).exists():
            return ticket
    raise GrievanceError(_("Nomor tiket tidak dapat dibuat; coba lagi."))  # 8 collisions in 2^60: never


def file_grievance(*, category: str, region, description: str, program_code: str = "", nik: str = "",
                   no_kk: str = "", reporter_name: str = "", contact: str = "", anonymous: bool = False,
                   photo=None, channel: str = Channel.WEB, by=None, at: datetime | None = None) -> Grievance:
    """Record a complaint from anyone and start its clocks; the new grievance carries a fresh random ticket.

    Anonymous filings keep no name or contact. ``by`` is the staff member recording it on someone's
    behalf (channel ``staff``), or None for the public.
    """
    at = at or timezone.now()
    if category not in Category.values:
        raise FilingError("category", _("Pilih jenis pengaduan."))
    village = _village(region)
    text = (description or "").strip()
    if len(text) < DESCRIPTION_MIN:
        raise FilingError("description", _("Ceritakan kejadiannya (paling sedikit %(n)s huruf).") % {
            "n": DESCRIPTION_MIN})
    if len(text) > DESCRIPTION_MAX:
        raise FilingError("description", _("Uraian paling panjang %(n)s huruf.") % {"n": DESCRIPTION_MAX})
    name, contact = (reporter_name or "").strip(), (contact or "").strip()
    if len(name) > 120:
        raise FilingError("reporter_name", _("Nama paling panjang 120 huruf."))
    if len(contact) > 100:
        raise FilingError("contact", _("Kontak paling panjang 100 huruf."))
    if anonymous:
        name, contact = "", ""
    photo_ext = None
    if photo:
        try:
            photo_ext = check_photo(photo)
        except PhotoRejected as exc:
            raise FilingError("photo", str(exc)) from exc
        photo.name = f"foto.{photo_ext}"
    ack_days, resolve_days = sla_days()
    with transaction.atomic():
        grievance = Grievance(
            ticket=_unused_ticket(), category=category, program_code=_program_code(program_code), region=village,
            description=text, reporter_name=name, contact=contact, is_anonymous=bool(anonymous),
            nik=_identity(nik, "nik", "NIK"), no_kk=_identity(no_kk, "no_kk", "No. KK"),
            channel=Channel.STAFF if by is not None else channel, filed_at=at, public_updated_at=at,
            acknowledge_due_at=at + timedelta(days=ack_days), resolve_due_at=at + timedelta(days=resolve_days),
        )
        if photo_ext:
            grievance.photo = photo
        _save(grievance, by, "filed")
        _event(grievance, Action.FILED, by=by, at=at, to_status=Status.RECEIVED,
               note=str(Channel(grievance.channel).label))
    return grievance


# --- handling --------------------------------------------------------------------------------------------

def _transition(grievance: Grievance, *, to: str, action: str, by, at: datetime, note: str = "") -> Grievance:
    before = grievance.status
    grievance.status = to
    grievance.public_updated_at = at
    _save(grievance, by, action)
    _event(grievance, action, by=by, at=at, note=note, from_status=before, to_status=to)
    return grievance


def acknowledge(*, grievance: Grievance, by, note: str = "", at: datetime | None = None) -> Grievance:
    """A handler confirms the grievance was read: stops the acknowledgement clock."""
    at = at or timezone.now()
    note = _clean_note(note)
    with transaction.atomic():
        g = _locked(grievance)
        _refuse(permissions.handle_refusal(by, g))
        if g.status != Status.RECEIVED:
            raise GrievanceError(_("Pengaduan ini sudah ditanggapi."))
        g.acknowledged_at = at
        return _transition(g, to=Status.ACKNOWLEDGED, action=Action.ACKNOWLEDGED, by=by, at=at, note=note)


def start_investigation(*, grievance: Grievance, by, note: str = "", at: datetime | None = None) -> Grievance:
    """Mark the grievance as being checked (acknowledging it too, when that was still pending)."""
    at = at or timezone.now()
    note = _clean_note(note)
    with transaction.atomic():
        g = _locked(grievance)
        _refuse(permissions.handle_refusal(by, g))
        if g.status not in (Status.RECEIVED, Status.ACKNOWLEDGED):
            raise GrievanceError(_("Pemeriksaan hanya dapat dimulai pada pengaduan yang baru atau sudah ditanggapi."))
        g.acknowledged_at = g.acknowledged_at or at
        return _transition(g, to=Status.INVESTIGATING, action=Action.INVESTIGATING, by=by, at=at, note=note)


def assign(*, grievance: Grievance, assignee, by, note: str = "", at: datetime | None = None) -> Grievance:
    """Give the grievance to a person in its region to investigate (never to the pendamping it is about)."""
    at = at or timezone.now()
    note = _clean_note(note)
    with transaction.atomic():
        g = _locked(grievance)
        _refuse(permissions.handle_refusal(by, g))
        if not g.is_open:
            raise GrievanceError(_("Pengaduan yang sudah ditutup tidak dapat ditugaskan."))
        _refuse(permissions.assignee_refusal(assignee, g))
        g.assigned_to = assignee
        _save(g, by, "assigned")
        label = assignee.get_full_name() or assignee.get_username()
        _event(g, Action.ASSIGNED, by=by, at=at, note=f"{label} ({assignee.get_username()})" + (
            f" — {note}" if note else ""))
        return g


def add_note(*, grievance: Grievance, by, note: str, at: datetime | None = None) -> GrievanceEvent:
    """An investigation note on the timeline (internal: never shown to the public)."""
    at = at or timezone.now()
    text = _clean_note(note, required=True)
    with transaction.atomic():
        g = _locked(grievance)
        _refuse(permissions.note_refusal(by, g))
        return _event(g, Action.NOTE, by=by, at=at, note=text)


def _active_facilitator(household):
    assignment = apps.get_model("fieldwork", "CaseloadAssignment")
    found = (assignment.objects.filter(household=household, ended_at__isnull=True)
             .select_related("facilitator").first())
    return found.facilitator if found else None


def link_household(*, grievance: Grievance, no_kk: str, by, at: datetime | None = None) -> Grievance:
    """Link the grievance to a household of the registry found by its No. KK inside ``by``'s scope.

    For a complaint about a pendamping, the household's current pendamping becomes its subject (so
    it is hidden from them) unless a subject is already recorded.
    """
    at = at or timezone.now()
    try:
        digits = clean_sixteen_digits(no_kk, "No. KK")
    except IdentityError as exc:
        raise GrievanceError(str(exc)) from exc
    with transaction.atomic():
        g = _locked(grievance)
        _refuse(permissions.handle_refusal(by, g))
        household = households_for(by).filter(no_kk=digits).first()
        if household is None:
            raise GrievanceError(_("Keluarga dengan No. KK tersebut tidak ditemukan dalam cakupan wilayah Anda."))
        g.household = household
        note = _("No. KK %(kk)s") % {"kk": mask_number(household.no_kk)}
        subject = None
        if g.category == Category.FACILITATOR and g.subject_facilitator_id is None:
            subject = _active_facilitator(household)
            if subject is not None:
                g.subject_facilitator = subject
                if g.assigned_to_id == subject.pk:
                    g.assigned_to = None
        _save(g, by, "household_linked")
        _event(g, Action.HOUSEHOLD_LINKED, by=by, at=at, note=note)
        if subject is not None:
            _event(g, Action.SUBJECT_SET, by=by, at=at, note=subject.get_full_name() or subject.get_username())
        return g


def set_subject_facilitator(*, grievance: Grievance, facilitator, by, at: datetime | None = None) -> Grievance:
    """Record which pendamping a conduct complaint is about; they stop seeing it (and lose it if assigned)."""
    at = at or timezone.now()
    with transaction.atomic():
        g = _locked(grievance)
        _refuse(permissions.handle_refusal(by, g))
        if facilitator.role != "facilitator":
            raise GrievanceError(_("Yang diadukan harus seorang pendamping."))
        g.subject_facilitator = facilitator
        if g.assigned_to_id == facilitator.pk:
            g.assigned_to = None
        _save(g, by, "subject_set")
        _event(g, Action.SUBJECT_SET, by=by, at=at, note=facilitator.get_full_name() or facilitator.get_username())
        return g


def update_public_response(*, grievance: Grievance, by, text: str, at: datetime | None = None) -> Grievance:
    """Change what the public status page says about this grievance (no personal data belongs there)."""
    at = at or timezone.now()
    text = _clean_note(text, required=True, label=_("Tanggapan publik"))
    with transaction.atomic():
        g = _locked(grievance)
        _refuse(permissions.handle_refusal(by, g))
        g.public_response = text
        g.public_updated_at = at
        _save(g, by, "response")
        _event(g, Action.RESPONSE, by=by, at=at, note=text)
        return g


def _close(*, grievance: Grievance, by, to: str, action: str, outcome: str, outcome_note: str,
           public_response: str, at: datetime | None) -> Grievance:
    at = at or timezone.now()
    if outcome not in Outcome.values:
        raise GrievanceError(_("Pilih hasil pemeriksaan; pengaduan hanya dapat ditutup dengan hasilnya."))
    outcome_note = _clean_note(outcome_note, required=True, label=_("Catatan hasil"))
    public_response = _clean_note(public_response, required=True, label=_("Tanggapan publik"))
    with transaction.atomic():
        g = _locked(grievance)
        _refuse(permissions.handle_refusal(by, g))
        if not g.is_open:
            raise GrievanceError(_("Pengaduan ini sudah ditutup."))
        g.outcome, g.outcome_note, g.public_response = outcome, outcome_note, public_response
        g.closed_at = at
        g.acknowledged_at = g.acknowledged_at or at
        note = f"{Outcome(outcome).label}: {outcome_note}"
        return _transition(g, to=to, action=action, by=by, at=at, note=note)


def resolve(*, grievance: Grievance, by, outcome: str, outcome_note: str, public_response: str,
            at: datetime | None = None) -> Grievance:
    """Close the grievance as handled: an outcome, what was found, and the answer the public sees."""
    return _close(grievance=grievance, by=by, to=Status.RESOLVED, action=Action.RESOLVED, outcome=outcome,
                  outcome_note=outcome_note, public_response=public_response, at=at)


def reject(*, grievance: Grievance, by, outcome: str, outcome_note: str, public_response: str,
           at: datetime | None = None) -> Grievance:
    """Close the grievance without action (duplicate, not enough information, not substantiated)."""
    return _close(grievance=grievance, by=by, to=Status.REJECTED, action=Action.REJECTED, outcome=outcome,
                  outcome_note=outcome_note, public_response=public_response, at=at)


def reopen(*, grievance: Grievance, by, reason: str, at: datetime | None = None) -> Grievance:
    """Open a closed grievance again (e.g. the family reports the problem continues); a new resolution clock."""
    at = at or timezone.now()
    reason = _clean_note(reason, required=True, label=_("Alasan"))
    with transaction.atomic():
        g = _locked(grievance)
        _refuse(permissions.handle_refusal(by, g))
        if g.status not in CLOSED_STATUSES:
            raise GrievanceError(_("Hanya pengaduan yang sudah ditutup yang dapat dibuka kembali."))
        g.closed_at = None
        g.outcome = ""
        g.resolve_due_at = at + timedelta(days=sla_days()[1])
        return _transition(g, to=Status.INVESTIGATING, action=Action.REOPENED, by=by, at=at, note=reason)


# --- escalation ------------------------------------------------------------------------------------------

def escalate(*, grievance: Grievance, by, reason: str, at: datetime | None = None) -> Grievance:
    """Send an open grievance to the province's queue (handlers may do it before the clock runs out)."""
    at = at or timezone.now()
    reason = _clean_note(reason, required=True, label=_("Alasan"))
    with transaction.atomic():
        g = _locked(grievance)
        _refuse(permissions.handle_refusal(by, g))
        if not g.is_open:
            raise GrievanceError(_("Pengaduan yang sudah ditutup tidak dapat dieskalasi."))
        if g.escalated:
            raise GrievanceError(_("Pengaduan ini sudah dieskalasi ke provinsi."))
        g.escalated, g.escalated_at = True, at
        _save(g, by, "escalated")
        _event(g, Action.ESCALATED, by=by, at=at, note=reason)
        return g


def escalate_overdue(*, now: datetime | None = None) -> int:
    """Escalate every open grievance past one of its clocks to the province; how many were escalated.

    Runs as a daily task / ``manage.py escalate_overdue_grievances``; re-running escalates nothing twice.
    """
    now = now or timezone.now()
    late_ack = Q(status=Status.RECEIVED, acknowledge_due_at__lt=now)
    late_resolve = Q(resolve_due_at__lt=now)
    with transaction.atomic():
        overdue = list(Grievance.objects.select_for_update()
                       .filter(late_ack | late_resolve, status__in=OPEN_STATUSES, escalated=False))
        if not overdue:
            return 0
        events = []
        for g in overdue:
            g.escalated, g.escalated_at = True, now
            if g.resolve_overdue(now):
                note = _("Melewati batas waktu penyelesaian (%(due)s).")
                due = g.resolve_due_at
            else:
                note = _("Belum ditanggapi melewati batas waktu tanggapan (%(due)s).")
                due = g.acknowledge_due_at
            note = note % {"due": timezone.localtime(due).strftime("%d-%m-%Y %H:%M")}
            events.append(GrievanceEvent(grievance=g, action=Action.ESCALATED, at=now, note=note))
        bulk_update_with_history(overdue, Grievance, ["escalated", "escalated_at"], batch_size=500,
                                 default_change_reason="escalate_overdue")
        GrievanceEvent.objects.bulk_create(events)
    return len(overdue)

