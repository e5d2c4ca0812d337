"""The field-work demo: pendamping across Kota Cilegon, their caseloads, visits and P2K2 sessions of recent
months on the five modules, and the commitment checks they lead to (some families non-compliant).

Call it as a ``seed_demo`` step after the programs step (``"jsika.fieldwork.demo.seed_fieldwork"`` in
``jsika.core.demo.SEED_STEPS``), or directly: ``seed_fieldwork(admin=user, rng=random.Random(1))``.
Records are inserted in bulk (with history), as a phone's sync would have stored them.
"""

import random
import uuid
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Exists, OuterRef
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from jsika.core.demo import DEMO_PASSWORD
from jsika.core.roles import Role
from jsika.core.scoping import region_q
from jsika.registry.models import Household, Person, SchoolStatus

from . import compliance, periods, services
from .models import (
    Attendance,
    CaseloadAssignment,
    FamilySession,
    Module,
    Problem,
    Visit,
    VisitPurpose,
)

CILEGON = "36.72"
MONTHS = 4  # the current month and the three before it
# (username, kecamatan, first name, last name, caseload size, diligence: share of the caseload visited a month)
DEMO_FACILITATORS = [
    ("pendamping.cibeber", "36.72.01", "Ahmad", "Fauzi", 180, 0.92),
    ("pendamping.cilegon", "36.72.02", "Nurul", "Hidayah", 230, 0.85),
    ("pendamping.ciwandan", "36.72.04", "Dedi", "Kurniawan", 120, 0.55),
    ("pendamping.jombang", "36.72.05", "Rina", "Apriyani", 265, 0.75),
    ("pendamping.citangkil", "36.72.08", "Yusuf", "Maulana", 200, 0.40),
]
DEMO_PHOTO = "fieldwork/demo/kunjungan-demo.jpg"


def _tiny_jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (224, 231, 239))
    draw = ImageDraw.Draw(image)
    draw.rectangle((90, 110, 230, 210), fill=(255, 255, 255), outline=(11, 61, 110), width=4)
    draw.polygon([(70, 115), (160, 45), (250, 115)], fill=(11, 61, 110))
    out = BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def _demo_photo() -> str:
    if not default_storage.exists(DEMO_PHOTO):
        return default_storage.save(DEMO_PHOTO, ContentFile(_tiny_jpeg()))
    return DEMO_PHOTO


def ensure_modules() -> list[Module]:
    """The five standard P2K2 modules (the data migration's rows, restored if a test flushed them)."""
    from importlib import import_module

    standard = import_module("jsika.fieldwork.migrations.0003_p2k2_modules").MODULES
    for number, code, name, sessions, description in standard:
        Module.objects.get_or_create(code=code, defaults={"number": number, "name": name, "session_count": sessions,
                                                          "description": description})
    return list(Module.objects.filter(is_active=True).order_by("number"))


def _facilitators(admin) -> list[tuple]:
    """The extra demo pendamping (created or reused) with their plan."""
    users = get_user_model().objects
    made = []
    for username, district, first, last, size, diligence in DEMO_FACILITATORS:
        user = users.filter(username=username).first()
        if user is None:
            user = services.create_facilitator(by=admin, username=username, password=DEMO_PASSWORD, scope=district,
                                               first_name=first, last_name=last,
                                               organization="Dinas Sosial Kota Cilegon")
        made.append((user, district, size, diligence))
    return made


def _kpm_first(district: str):
    """Households of a kecamatan not yet in a caseload, KPM first (poorest first)."""
    taken = CaseloadAssignment.objects.filter(household=OuterRef("pk"), ended_at__isnull=True)
    qs = Household.objects.filter(region_q("region_id", district)).exclude(Exists(taken))
    if apps.is_installed("jsika.programs"):
        enrollment = apps.get_model("programs", "Enrollment")
        qs = qs.annotate(kpm=Exists(enrollment.objects.filter(household=OuterRef("pk"),
                                                               status__in=("active", "suspended"))))
        return qs.order_by("-kpm", "desil", "pk")
    return qs.order_by("desil", "pk")


def _starts(household_ids: list[int]) -> dict[int, date]:
    if not apps.is_installed("jsika.programs"):
        return {}
    enrollment = apps.get_model("programs", "Enrollment")
    starts: dict[int, date] = {}
    for hid, started in enrollment.objects.filter(household_id__in=household_ids, started_on__isnull=False) \
            .values_list("household_id", "started_on"):
        starts[hid] = min(started, starts.get(hid, started))
    return starts


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _condition(members: list[tuple], day: date, struggling: bool, rng: random.Random) -> tuple[dict, list[str]]:
    """A plausible structured condition for one visit (``members``: pk, school, pregnant, birth date)."""
    five_ago = date(day.year - 5, day.month, min(day.day, 28))
    condition: dict = {}
    problems: set[str] = set()
    for pk, school, pregnant, born in members:
        if school in (SchoolStatus.SD, SchoolStatus.SMP, SchoolStatus.SMA):
            low = struggling and rng.random() < 0.7
            percent = rng.randint(55, 80) if low else rng.randint(86, 100)
            condition.setdefault("school", []).append({"person": pk, "attendance_percent": percent, "in_school": True})
        if pregnant:
            done = not struggling or rng.random() < 0.4
            condition.setdefault("pregnant", []).append({"person": pk, "antenatal_checked": done, "check_count": None})
        if born > five_ago:
            weighed = not struggling or rng.random() < 0.5
            condition.setdefault("toddlers", []).append({
                "person": pk, "weighed": weighed, "weight_kg": round(rng.uniform(7, 16), 1) if weighed else None})
            if weighed and rng.random() < 0.06:
                problems.add(Problem.STUNTING_RISK)
    if rng.random() < 0.05:
        problems.add(Problem.ILLNESS)
    if struggling and rng.random() < 0.1:
        problems.add(Problem.DOMESTIC)
    if problems:
        condition["problems"] = sorted(problems)
    return condition, sorted(problems)


NOTES = [
    "Keluarga dalam kondisi baik; anak rajin bersekolah.",
    "Mengingatkan jadwal Posyandu dan pertemuan P2K2 bulan depan.",
    "Ibu menanyakan jadwal pencairan bantuan.",
    "Rumah sedang diperbaiki; keluarga sementara menumpang di rumah saudara.",
    "Kepala keluarga baru mendapat pekerjaan harian di pelabuhan.",
    "Anak kedua sakit demam, sudah dibawa ke Puskesmas.",
    "",
]


def _visits(facilitator, households: list[Household], members: dict, starts: dict, struggling: set,
            diligence: float, today: date, rng: random.Random, photo: str) -> list[Visit]:
    visits = []
    late_prone = diligence < 0.6
    for back in range(MONTHS - 1, -1, -1):
        period = periods.shift(periods.of(today), -back)
        start, end = periods.parse(period)
        end = min(end, today - timedelta(days=1)) if back == 0 else end
        if end < start:
            continue
        share = diligence * (0.6 if back == 0 else 1.0)  # the current month is not over yet
        for household in households:
            if rng.random() > share:
                continue
            day = start + timedelta(days=rng.randrange((end - start).days + 1))
            if household.pk in starts and day < starts[household.pk]:
                continue
            condition, problems = _condition(members.get(household.pk, []), day, household.pk in struggling, rng)
            recorded = _aware(day, rng.randint(8, 15), rng.randint(0, 59))
            delay = timedelta(days=rng.randint(8, 20)) if late_prone and rng.random() < 0.3 else timedelta(
                hours=rng.randint(0, 30))
            received = min(recorded + delay, timezone.now())
            has_gps = household.latitude is not None and rng.random() < (0.6 if late_prone else 0.95)
            lat = round(household.latitude + rng.uniform(-0.0004, 0.0004), 6) if has_gps else None
            lon = round(household.longitude + rng.uniform(-0.0004, 0.0004), 6) if has_gps else None
            purpose = rng.choices(VisitPurpose.values, weights=[70, 5, 20, 5])[0]
            notes = rng.choice(NOTES)
            client_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            digest = services.content_hash(kind="visit", household=household.pk, visited_on=day.isoformat(),
                                           purpose=purpose, notes=notes, condition=condition, latitude=lat,
                                           longitude=lon, photo="demo", recorded_at=recorded.isoformat())
            visits.append(Visit(
                client_id=client_id, household=household, facilitator=facilitator, visited_on=day, purpose=purpose,
                notes=notes, condition=condition, problems=problems, latitude=lat, longitude=lon,
                photo=photo if rng.random() < (0.5 if late_prone else 0.85) else "", recorded_at=recorded,
                received_at=received, device_id=f"demo-{facilitator.username}", content_hash=digest,
                entry_delay_days=(timezone.localtime(received).date() - day).days,
                sync_lag_seconds=int((received - recorded).total_seconds())))
    return visits


def _sessions(facilitator, households: list[Household], modules: list[Module], struggling: set, today: date,
              rng: random.Random, photo: str) -> tuple[list[FamilySession], list[tuple[FamilySession, int, bool]]]:
    """One P2K2 meeting per desa per past month, the modules in turn; attendance of the desa's families."""
    by_village: dict[str, list[Household]] = {}
    for h in households:
        by_village.setdefault(h.region_id, []).append(h)
    sessions, attendance = [], []
    for back in range(MONTHS - 1, 0, -1):
        start, end = periods.parse(periods.shift(periods.of(today), -back))
        for index, (village, members) in enumerate(sorted(by_village.items())):
            module = modules[(MONTHS - back + index) % len(modules)]  # every module comes round
            day = start + timedelta(days=rng.randrange(5, 25))
            recorded = _aware(day, 10)
            received = recorded + timedelta(hours=rng.randint(1, 48))
            session = FamilySession(
                client_id=uuid.UUID(int=rng.getrandbits(128), version=4), facilitator=facilitator,
                region_id=village, module=module, session_number=1 + (MONTHS - back) % module.session_count,
                held_on=day, place=rng.choice(["Balai RW", "Rumah ketua kelompok", "Aula kelurahan", "Musala"]),
                latitude=members[0].latitude, longitude=members[0].longitude, photo=photo, recorded_at=recorded,
                received_at=received, device_id=f"demo-{facilitator.username}", content_hash="demo",
                entry_delay_days=(timezone.localtime(received).date() - day).days,
                sync_lag_seconds=int((received - recorded).total_seconds()))
            sessions.append(session)
            for h in members:
                present = rng.random() < (0.25 if h.pk in struggling else 0.97)
                attendance.append((session, h.pk, present))
    return sessions, attendance


def _evaluate(admin, today: date) -> str:
    """Compute the last complete months' checks and apply the rules: warnings, then suspensions."""
    if not apps.is_installed("jsika.programs"):
        return "tanpa modul program: verifikasi komitmen dilewati"
    program_model = apps.get_model("programs", "Program")
    warnings = suspensions = 0
    months = [periods.shift(periods.of(today), -2), periods.shift(periods.of(today), -1)]
    for program in program_model.objects.filter(is_active=True):
        for period in months:
            compliance.evaluate_compliance(period=period, by=admin, program=program, region=CILEGON)
            result = compliance.apply_compliance_rules(program=program, period=period, by=admin)
            warnings += result.warnings
            suspensions += result.suspensions
    compliance.evaluate_compliance(period=periods.of(today), by=admin, region=CILEGON)
    return f"{warnings} peringatan dan {suspensions} penangguhan komitmen"


def seed_fieldwork(ctx=None, /, *, admin=None, rng: random.Random | None = None, today: date | None = None) -> str:
    """The demo step: pendamping, caseloads, visits and P2K2 sessions of recent months; skipped when visits exist."""
    if ctx is not None:
        admin, rng, today = ctx.admin, random.Random(ctx.seed + 5), ctx.today
    rng = rng or random.Random(20170105)
    today = today or timezone.localdate()
    if Visit.objects.exists():
        return f"dilewati: sudah ada {Visit.objects.count()} kunjungan"
    modules = ensure_modules()
    plan = _facilitators(admin)
    for user, district, size, _diligence in plan:
        if not CaseloadAssignment.objects.filter(facilitator=user, ended_at__isnull=True).exists():
            ids = list(_kpm_first(district).values_list("pk", flat=True)[:size])
            if ids:
                services.assign_caseload(facilitator=user, households=ids, by=admin, reason="Penugasan awal (demo)")
    pulomerak = get_user_model().objects.filter(username="pendamping.pulomerak", role=Role.FACILITATOR).first()
    if pulomerak is not None:
        plan.insert(0, (pulomerak, pulomerak.scope, 0, 0.88))
    # The demo's caseloads were made just now; date them back so past months have visits due.
    CaseloadAssignment.objects.filter(facilitator__in=[u for u, *_ in plan], ended_at__isnull=True,
                                      assigned_at__gte=timezone.now() - timedelta(days=1)).update(
        assigned_at=timezone.now() - timedelta(days=31 * (MONTHS + 2)))
    photo = _demo_photo()
    all_visits, all_sessions, all_attendance = [], [], []
    for user, _district, _size, diligence in plan:
        households = list(Household.objects.filter(caseload__facilitator=user, caseload__ended_at__isnull=True)
                          .order_by("pk"))
        ids = [h.pk for h in households]
        members: dict[int, list] = {}
        for pk, hid, school, pregnant, born in Person.objects.filter(household_id__in=ids).values_list(
                "pk", "household_id", "school_status", "pregnant", "birth_date"):
            members.setdefault(hid, []).append((pk, school, pregnant, born))
        struggling = {pk for pk in ids if rng.random() < 0.05}
        all_visits += _visits(user, households, members, _starts(ids), struggling, diligence, today, rng, photo)
        sessions, attendance = _sessions(user, households, modules, struggling, today, rng, photo)
        all_sessions += sessions
        all_attendance += attendance
    bulk_create_with_history(all_visits, Visit, batch_size=1000, default_user=admin,
                             default_change_reason="seed_demo")
    saved = bulk_create_with_history(all_sessions, FamilySession, batch_size=1000, default_user=admin,
                                     default_change_reason="seed_demo")
    by_client = {s.client_id: s for s in saved}
    rows = [Attendance(client_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                       session=by_client.get(s.client_id, s), household_id=hid, present=present,
                       absence_reason="" if present else rng.choice(["sakit", "bekerja", "urusan_keluarga",
                                                                     "tanpa_keterangan"]),
                       recorded_at=s.recorded_at, received_at=s.received_at, content_hash="demo")
            for s, hid, present in all_attendance]
    bulk_create_with_history(rows, Attendance, batch_size=2000, default_user=admin, default_change_reason="seed_demo")
    consequences = _evaluate(admin, today)
    return (f"{len(plan)} pendamping, {len(all_visits)} kunjungan, {len(all_sessions)} pertemuan P2K2 "
            f"({len(rows)} kehadiran); {consequences}")
