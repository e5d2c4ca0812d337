"""The offline field app's assessments: a handler for ``POST /api/v1/fieldwork/sync`` records of type ``assessment``.

Plugged into the field sync by adding ``"assessment": sync_assessment`` to ``jsika.fieldwork.sync.HANDLERS``
(and ``"assessment"`` to its ``RECORD_TYPES``). A record::

    {"client_id": "<uuid4>", "type": "assessment", "household": "<id or No. KK>", "assessed_on": "2026-11-20",
     "answers": {"penghasilan": 12, "pekerjaan": 17, ...}, "instrument_version": 1, "notes": "…",
     "recorded_at": "2026-11-20T09:14:00+07:00"}

``answers`` maps indicator codes to option ids of ``GET /api/v1/graduation/instrument``; without
``instrument_version`` the version in force on ``assessed_on`` scores it. A replay answers ``duplicate``;
a refusal (outside the caseload, an unanswered indicator, ...) is raised as the field sync's own error,
so it becomes a ``rejected`` answer with its reason and never blocks the other records.
"""

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from jsika.fieldwork.services import FieldworkError, Saved
from jsika.fieldwork.sync import BadField, resolve_household

from . import services
from .models import Instrument

RECORD_TYPE = "assessment"


def _assessed_on(record: dict):
    value = record.get("assessed_on")
    parsed = parse_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise BadField("assessed_on", _("harus tanggal TTTT-BB-HH."))
    return parsed


def _recorded_at(record: dict):
    value = record.get("recorded_at")
    if value in (None, ""):
        return None
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadField("recorded_at", _("harus waktu ISO 8601, mis. 2026-11-20T09:14:00+07:00."))
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _instrument(record: dict) -> Instrument | None:
    value = record.get("instrument_version")
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadField("instrument_version", _("harus nomor versi instrumen."))
    found = Instrument.objects.filter(code="KEMANDIRIAN", version=value, published_at__isnull=False).first()
    if found is None:
        raise BadField("instrument_version", _("versi %(v)s tidak ada atau belum diterbitkan.") % {"v": value})
    return found


def sync_assessment(record: dict, *, by, device_id: str) -> Saved:
    """Store one assessment recorded offline (``services.record_assessment``); same answer shape as visits."""
    answers = record.get("answers")
    if not isinstance(answers, dict):
        raise BadField("answers", _("harus objek {kode indikator: id pilihan}."))
    notes = record.get("notes") or ""
    if not isinstance(notes, str):
        raise BadField("notes", _("harus teks."))
    try:
        saved = services.record_assessment(
            by=by, household=resolve_household(record.get("household")), answers=answers,
            assessed_on=_assessed_on(record), instrument=_instrument(record), notes=notes,
            client_id=record["client_id"], device_id=device_id, recorded_at=_recorded_at(record))
    except services.GraduationError as exc:
        raise FieldworkError(str(exc)) from None
    return Saved(saved.obj, saved.created)
