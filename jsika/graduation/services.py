"""Every write of assessments and graduation decisions: one function per action, transactional, with history.

A refused action raises ``GraduationError`` with a message in Bahasa Indonesia and changes nothing.
UEP grants have their own module (``grants.py``) with the same conventions.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jsika.core.scoping import code_in_scope, region_q
from jsika.programs import permissions as program_permissions
from jsika.programs import services as program_services
from jsika.programs.models import Enrollment, EnrollmentStatus, ExitReason, Program
from jsika.programs.queries import waiting_list
from jsika.regions.models import Region
from jsika.registry.models import Household

from . import permissions, rules, scoring
from .models import Assessment, Graduation, GraduationTarget, Indicator, Instrument, Option

EARLIEST_ASSESSMENT = date(2010, 1, 1)
NOTES_MAX = 4000


class GraduationError(Exception):
    """A refused assessment or graduation action; ``str(error)`` is the message for the user."""


class Conflict(GraduationError):
    """A client id already stored with other content (409 in spirit)."""


@dataclass
class Recorded:
    """The result of recording one (possibly replayed) record: the row, and whether this call created it."""

    obj: object
    created: bool


def _refuse(message: str | None, error=GraduationError):
    if message:
        raise error(message)


# --- the instrument ----------------------------------------------------------------------------------

def instrument_spec(instrument: Instrument) -> list[dict]:
    """An instrument's indicators and options as plain data (what a new version starts from)."""
    return [{"code": i.code, "label": i.label, "help_text": i.help_text, "weight": i.weight,
             "options": [(o.label, o.score) for o in i.options.all()]}
            for i in instrument.indicators.prefetch_related("options").order_by("order", "pk")]


def _check_thresholds(developing_from: int, ready_from: int) -> None:
    if not (0 < developing_from < ready_from <= 100):
        raise GraduationError(_("Ambang skor harus 0 < berkembang < siap graduasi ≤ 100."))


def _check_spec(indicators: list[dict]) -> None:
    if not indicators:
        raise GraduationError(_("Instrumen memerlukan paling sedikit satu indikator."))
    codes = [i["code"] for i in indicators]
    if len(set(codes)) != len(codes):
        raise GraduationError(_("Kode indikator harus unik dalam satu instrumen."))
    for spec in indicators:
        if not isinstance(spec.get("weight"), int) or spec["weight"] < 1:
            raise GraduationError(_("Bobot indikator %(code)s harus bilangan bulat ≥ 1.") % {"code": spec["code"]})
        options = spec.get("options") or []
        if len(options) < 2:
            raise GraduationError(_("Indikator %(code)s memerlukan paling sedikit dua pilihan jawaban.")
                                  % {"code": spec["code"]})
        if any(not isinstance(score, int) or score < 0 for _label, score in options) or not max(
                s for _label, s in options):
            raise GraduationError(_("Poin pilihan indikator %(code)s harus bilangan bulat ≥ 0, paling sedikit satu "
                                    "di atas 0.") % {"code": spec["code"]})


@transaction.atomic
def create_instrument_version(*, by, valid_from: date, base: Instrument | None = None, name: str = "",
                              description: str = "", developing_from: int | None = None, ready_from: int | None = None,
                              indicators: list[dict] | None = None, code: str = "KEMANDIRIAN") -> Instrument:
    """A new draft version (the next number): a copy of ``base`` (default the latest) with the changes given.

    Earlier versions and the assessments made with them stay exactly as they are.
    """
    if not permissions.manages_instruments(by):
        raise GraduationError(_("Hanya pengelola program tingkat provinsi yang dapat mengubah instrumen asesmen."))
    base = base or Instrument.objects.filter(code=code).order_by("-version").first()
    spec = indicators if indicators is not None else (instrument_spec(base) if base else [])
    _check_spec(spec)
    developing_from = developing_from if developing_from is not None else getattr(base, "developing_from", None)
    ready_from = ready_from if ready_from is not None else getattr(base, "ready_from", None)
    if developing_from is None or ready_from is None:
        raise GraduationError(_("Ambang skor wajib diisi untuk instrumen pertama."))
    _check_thresholds(developing_from, ready_from)
    last = Instrument.objects.select_for_update().filter(code=code).order_by("-version").first()
    instrument = Instrument(code=code, version=(last.version + 1) if last else 1,
                            name=name or getattr(base, "name", "") or _("Asesmen kemandirian keluarga"),
                            description=description or getattr(base, "description", ""), valid_from=valid_from,
                            developing_from=developing_from, ready_from=ready_from, created_by=by)
    instrument._history_user = by
    instrument.save()
    for order, item in enumerate(spec):
        indicator = Indicator.objects.create(instrument=instrument, code=item["code"], label=item["label"],
                                             help_text=item.get("help_text", ""), weight=item["weight"], order=order)
        Option.objects.bulk_create(Option(indicator=indicator, label=label, score=score, order=n)
                                   for n, (label, score) in enumerate(item["options"]))
    return instrument


@transaction.atomic
def publish_instrument(*, instrument: Instrument, by) -> Instrument:
    """Freeze a draft version and put it to use from its ``valid_from`` date on."""
    if not permissions.manages_instruments(by):
        raise GraduationError(_("Hanya pengelola program tingkat provinsi yang dapat menerbitkan instrumen asesmen."))
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if instrument.is_published:
        raise GraduationError(_("Instrumen %(i)s sudah diterbitkan.") % {"i": instrument})
    _check_spec(instrument_spec(instrument))
    newer = Instrument.objects.filter(code=instrument.code, published_at__isnull=False,
                                      valid_from__gt=instrument.valid_from).first()
    if newer:
        raise GraduationError(_("Tanggal berlaku harus sesudah versi terbit terakhir (%(i)s, %(d)s).")
                              % {"i": newer, "d": newer.valid_from.strftime("%d-%m-%Y")})
    instrument.published_at, instrument.published_by = timezone.now(), by
    instrument._history_user = by
    instrument.save()
    return instrument


def instrument_on(day: date, code: str = "KEMANDIRIAN") -> Instrument | None:
    """The published version in force on ``day`` (the latest version whose validity has started)."""
    return (Instrument.objects.filter(code=code, published_at__isnull=False, valid_from__lte=day)
            .order_by("-valid_from", "-version").first())


# --- assessments ---------------------------------------------------------------------------------------

def _content_hash(**fields) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str, separators=(",", ":")).encode()).hexdigest()


def _client_uuid(value) -> uuid.UUID:
    if value is None:
        return uuid.uuid4()
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise GraduationError(_("client_id harus UUID.")) from None


def _enrollment_for(household: Household, enrollment: Enrollment | None) -> Enrollment | None:
    if enrollment is not None:
        if enrollment.household_id != household.pk:
            raise GraduationError(_("Kepesertaan yang dipilih bukan milik keluarga ini."))
        return enrollment
    return (Enrollment.objects.filter(household=household, status__in=(EnrollmentStatus.ACTIVE,
                                                                        EnrollmentStatus.SUSPENDED))
            .order_by("started_on", "pk").first())


@transaction.atomic
def record_assessment(*, by, household, answers: dict, assessed_on: date, instrument: Instrument | None = None,
                      enrollment: Enrollment | None = None, notes: str = "", client_id=None, device_id: str = "",
                      recorded_at: datetime | None = None) -> Recorded:
    """Score and keep one assessment of a household (a pendamping: their caseload only).

    The version in force on ``assessed_on`` is used unless one is named; a named version must be published
    and valid by then, and a superseded one is still accepted (a phone offline may not have the new version
    yet): the assessment keeps the version it was made with. Sending the same ``client_id``
    again with the same content answers the stored assessment (``created`` False); with other content,
    ``Conflict``.
    """
    if not isinstance(household, Household):
        household = Household.objects.filter(pk=household).first()
        if household is None:
            raise GraduationError(_("Keluarga ini tidak ada dalam daftar dampingan Anda."))
    _refuse(permissions.assess_refusal(by, household))
    if assessed_on > timezone.localdate():
        raise GraduationError(_("Tanggal asesmen %(d)s ada di masa depan.") % {"d": assessed_on.strftime("%d-%m-%Y")})
    if assessed_on < EARLIEST_ASSESSMENT:
        raise GraduationError(_("Tanggal asesmen terlalu lama (sebelum 2010)."))
    if len(notes) > NOTES_MAX:
        raise GraduationError(_("Catatan terlalu panjang (paling banyak %(n)s karakter).") % {"n": NOTES_MAX})
    if instrument is None:
        instrument = instrument_on(assessed_on)
        if instrument is None:
            raise GraduationError(_("Belum ada instrumen asesmen yang berlaku pada %(d)s.")
                                  % {"d": assessed_on.strftime("%d-%m-%Y")})
    elif not instrument.is_published or instrument.valid_from > assessed_on:
        raise GraduationError(_("Instrumen %(i)s belum berlaku pada %(d)s.")
                              % {"i": instrument, "d": assessed_on.strftime("%d-%m-%Y")})
    try:
        result = scoring.score_answers(instrument, answers)
    except scoring.ScoringError as exc:
        raise GraduationError(str(exc)) from None
    stored_answers = scoring.normalized_answers(instrument, answers)
    client_id = _client_uuid(client_id)
    digest = _content_hash(household=household.pk, instrument=instrument.pk, assessed_on=assessed_on,
                           answers=stored_answers, notes=notes)
    existing = Assessment.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.content_hash != digest or existing.assessor_id != by.pk:
            raise Conflict(_("client_id %(id)s sudah dipakai untuk asesmen lain dengan isi berbeda.")
                           % {"id": client_id})
        return Recorded(existing, False)
    assessment = Assessment(household=household, enrollment=_enrollment_for(household, enrollment),
                            instrument=instrument, assessed_on=assessed_on, assessor=by, answers=stored_answers,
                            score=result.score, band=result.band, notes=notes, client_id=client_id,
                            device_id=device_id[:100], recorded_at=recorded_at, content_hash=digest)
    assessment._history_user = by
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError:
        existing = Assessment.objects.filter(client_id=client_id).first()
        if existing is None or existing.content_hash != digest:
            raise Conflict(_("client_id %(id)s sudah dipakai untuk asesmen lain.") % {"id": client_id}) from None
        return Recorded(existing, False)
    return Recorded(assessment, True)


# --- graduation decisions ------------------------------------------------------------------------------

OPEN_FOR_GRADUATION = (EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED)


def _locked_graduation(graduation: Graduation) -> Graduation:
    return (Graduation.objects.select_for_update(of=("self",))
            .select_related("enrollment", "household", "program", "proposed_by").get(pk=graduation.pk))


@transaction.atomic
def propose_graduation(*, by, enrollment: Enrollment, kind: str, reason: str = "",
                       on: date | None = None) -> Graduation:
    """Propose that an active KPM graduates; refused without an assessment or a reached tenure (see rules.py)."""
    enrollment = (Enrollment.objects.select_for_update(of=("self",)).select_related("household", "program")
                  .get(pk=enrollment.pk))
    _refuse(permissions.propose_refusal(by, enrollment))
    if enrollment.status not in OPEN_FOR_GRADUATION:
        raise GraduationError(_("Hanya KPM aktif atau ditangguhkan yang dapat diusulkan graduasi (status %(s)s).")
                              % {"s": enrollment.get_status_display()})
    if Graduation.objects.filter(enrollment=enrollment, status=Graduation.Status.PROPOSED).exists():
        raise GraduationError(_("KPM ini sudah diusulkan graduasi dan menunggu keputusan."))
    on = on or timezone.localdate()
    evidence = rules.evidence_for(enrollment, on=on)
    _refuse(rules.graduation_refusal(evidence, kind, reason))
    graduation = Graduation(enrollment=enrollment, household=enrollment.household, program=enrollment.program,
                            kind=kind, reason=reason.strip(), evidence=evidence.as_json(), assessment=evidence.latest,
                            proposed_by=by)
    graduation._history_user = by
    try:
        with transaction.atomic():
            graduation.save()
    except IntegrityError:
        raise GraduationError(_("KPM ini sudah diusulkan graduasi dan menunggu keputusan.")) from None
    return graduation


def certificate_number(graduation: Graduation) -> str:
    return f"{graduation.pk:06d}/GRAD/{graduation.program.code}/{graduation.graduated_on.year}"


@transaction.atomic
def approve_graduation(*, graduation: Graduation, by, note: str = "", on: date | None = None) -> Graduation:
    """A manager (not the proposer) approves: the enrollment exits as graduated and its slot goes to the waiting list.

    The rules are checked again on the day of the decision; the letter number is given here.
    """
    graduation = _locked_graduation(graduation)
    if graduation.status != Graduation.Status.PROPOSED:
        raise GraduationError(_("Usulan ini sudah diputuskan (%(s)s).") % {"s": graduation.get_status_display()})
    _refuse(permissions.decide_refusal(by, graduation))
    on = on or timezone.localdate()
    enrollment = graduation.enrollment
    if enrollment.status not in OPEN_FOR_GRADUATION:
        raise GraduationError(_("Kepesertaan ini sudah tidak aktif (status %(s)s).")
                              % {"s": enrollment.get_status_display()})
    evidence = rules.evidence_for(enrollment, on=on)
    _refuse(rules.graduation_refusal(evidence, graduation.kind, graduation.reason))
    note_text = f"{graduation.get_kind_display()}" + (f": {graduation.reason}" if graduation.reason else "")
    try:
        program_services.exit_enrollment(enrollment=enrollment, by=by, reason=ExitReason.GRADUATED, note=note_text,
                                         ended_on=on, fill_slot=False)
    except program_services.ProgramError as exc:
        raise GraduationError(str(exc)) from None
    replacement = release_slot(enrollment, by=by)
    graduation.status = Graduation.Status.APPROVED
    graduation.decided_by, graduation.decided_at, graduation.decision_note = by, timezone.now(), note.strip()
    graduation.graduated_on, graduation.replacement = on, replacement
    graduation.certificate_number = certificate_number(graduation)
    graduation._history_user = by
    graduation.save()
    return graduation


def release_slot(enrollment: Enrollment, *, by) -> Enrollment | None:
    """Propose the next household of the waiting list for the graduated KPM's slot (programs' rules).

    Unlike ``exit_enrollment(fill_slot=True)``, households that graduated from this program (the one just
    leaving included) are skipped: coming back needs a deliberate, flagged proposal, not an automatic one.
    """
    if not program_permissions.can_propose(by):
        return None
    graduated = Graduation.objects.filter(program=enrollment.program_id, status__in=(
        Graduation.Status.APPROVED,)).values("household_id")
    candidates = (waiting_list(enrollment.program, program_services._slot_area(enrollment))
                  .exclude(pk=enrollment.household_id).exclude(pk__in=graduated))
    if not by.is_superuser:
        candidates = candidates.filter(region_q("region_id", by.scope))
    reason = _("Mengisi slot yang dilepas oleh KPM %(kk)s (graduasi)") % {"kk": enrollment.household.no_kk}
    for household in candidates[:20]:
        try:
            return program_services.propose_enrollment(household=household, program=enrollment.program, by=by,
                                                       reason=reason)
        except program_services.TransitionError:
            continue  # the waiting list's database filter and the explained eligibility rules disagree: next
    return None


@transaction.atomic
def reject_graduation(*, graduation: Graduation, by, note: str) -> Graduation:
    """A manager (not the proposer) turns a proposal down; the reason is required and kept."""
    graduation = _locked_graduation(graduation)
    if graduation.status != Graduation.Status.PROPOSED:
        raise GraduationError(_("Usulan ini sudah diputuskan (%(s)s).") % {"s": graduation.get_status_display()})
    _refuse(permissions.decide_refusal(by, graduation))
    if not note.strip():
        raise GraduationError(_("Alasan penolakan wajib diisi."))
    graduation.status = Graduation.Status.REJECTED
    graduation.decided_by, graduation.decided_at, graduation.decision_note = by, timezone.now(), note.strip()
    graduation._history_user = by
    graduation.save()
    return graduation


def _region(value) -> Region:
    if isinstance(value, Region):
        return value
    region = Region.objects.filter(code=str(value).strip()).first()
    if region is None:
        raise GraduationError(_("Kode wilayah %(code)s tidak dikenal.") % {"code": value})
    return region


@transaction.atomic
def set_graduation_target(*, by, program: Program, year: int, region, target: int, note: str = "") -> GraduationTarget:
    """Set how many KPM of ``program`` should graduate in ``region`` in ``year`` (replacing an earlier figure)."""
    _refuse(permissions.program_refusal(by, program))
    region = _region(region)
    if not program.covers(region.code) and not code_in_scope(program.owner_region_id, region.code):
        raise GraduationError(_("Wilayah %(code)s tidak termasuk cakupan program %(program)s.")
                              % {"code": region.code, "program": program.code})
    if not isinstance(target, int) or target < 0:
        raise GraduationError(_("Target graduasi harus bilangan bulat tidak negatif."))
    if year < program.start_year:
        raise GraduationError(_("Tahun target (%(y)s) sebelum program dimulai (%(s)s).")
                              % {"y": year, "s": program.start_year})
    row = (GraduationTarget.objects.select_for_update().filter(program=program, year=year, region=region).first()
           or GraduationTarget(program=program, year=year, region=region))
    row.target, row.note, row.set_by = target, note, by
    row._history_user = by
    row.save()
    return row
