"""Demo grievances in every state, made through the services as the public and the staff would.

The story the sources tell comes first: aid cut by an intermediary ("bansos disunat") in Kecamatan
Pulomerak after the 20 November 2019 JSCM payment, resolved by checking the payment record. Around it:
a fresh complaint, an acknowledged one, one under investigation by the pendamping, a complaint about
that pendamping (hidden from her), an overdue one escalated to the province, and a closed duplicate.
"""

import random
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from jsika.core.scoping import region_q
from jsika.regions.models import Region
from jsika.registry.models import Household

from . import services
from .models import OPEN_STATUSES, Category, Grievance, Outcome

PULOMERAK = "36.72.03"
CUT_OUTCOME_NOTE = (
    "Data penyaluran diperiksa: tahap JSCM 20-11-2019 Bank BJB mencatat Rp500.000 dikreditkan penuh ke rekening "
    "KPM ini (status: dibayar). Penarikan dilakukan bersama seseorang yang mengaku petugas dan meminta Rp200.000 "
    "sebagai 'uang administrasi'. Oknum bukan petugas resmi; kasus dilaporkan ke Inspektorat dan Polsek "
    "Pulomerak, uang Rp200.000 dikembalikan kepada KPM di hadapan lurah."
)
CUT_PUBLIC_RESPONSE = (
    "Hasil pemeriksaan: bank telah menyalurkan bantuan secara penuh (Rp500.000). Pemotongan dilakukan oleh oknum "
    "yang bukan petugas resmi; uang telah dikembalikan dan kasus diteruskan kepada aparat berwenang. Bantuan "
    "JSCM tidak boleh dipotong oleh siapa pun — laporkan bila terjadi lagi."
)


def _user(username: str, fallback):
    return get_user_model().objects.filter(username=username, is_active=True).first() or fallback


def _at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _village(prefix: str, rng: random.Random) -> Region | None:
    villages = list(Region.objects.filter(region_q("code", prefix), level=Region.Level.VILLAGE).order_by("code")[:40])
    return rng.choice(villages) if villages else None


def _jscm_household_in(prefix: str, rng: random.Random) -> Household | None:
    """A JSCM KPM of 2019 in ``prefix`` when the programs demo ran, else any household there."""
    qs = Household.objects.filter(region_q("region_id", prefix))
    if apps.is_installed("jsika.programs"):
        enrollment = apps.get_model("programs", "Enrollment")
        kpm = qs.filter(pk__in=enrollment.objects.filter(program__code="JSCM", started_on__year__lte=2019,
                                                         ended_on__isnull=True).values("household_id"))
        if kpm.exists():
            qs = kpm
    ids = list(qs.order_by("pk").values_list("pk", flat=True)[:200])
    return Household.objects.select_related("region").get(pk=rng.choice(ids)) if ids else None


def _caseload_household(facilitator) -> Household | None:
    if facilitator is None:
        return None
    assignment = apps.get_model("fieldwork", "CaseloadAssignment")
    found = assignment.objects.filter(facilitator=facilitator, ended_at__isnull=True).order_by("pk").first()
    return Household.objects.select_related("region").get(pk=found.household_id) if found else None


def seed_grievances(ctx=None, /, *, admin=None, rng: random.Random | None = None, today: date | None = None) -> str:
    """The demo step; skipped when grievances exist. Call as a seed_demo step or with keywords."""
    if ctx is not None:
        admin, rng, today = ctx.admin, random.Random(ctx.seed + 9), ctx.today
    rng = rng or random.Random(20191120)
    today = today or timezone.localdate()
    if Grievance.objects.exists():
        return "dilewati: pengaduan sudah ada"
    operator = _user("operator.cilegon", admin)
    manager = _user("dinsos.cilegon", admin)
    lebak_operator = _user("operator.lebak", admin)
    facilitator = get_user_model().objects.filter(username="pendamping.pulomerak", is_active=True).first()
    made = []

    # 1. Aid cut by an intermediary in Pulomerak, checked against the payment record and resolved.
    household = _jscm_household_in(PULOMERAK, rng)
    village = household.region if household else _village(PULOMERAK, rng)
    if village is not None:
        filed = _at(date(2019, 11, 25), 10, 12)
        g = services.file_grievance(
            category=Category.CUT, region=village, program_code=_program("JSCM"), no_kk=household.no_kk if household
            else "", contact="0812-0000-0000 (demo)", reporter_name="Warga (demo)", at=filed,
            description="Bantuan JSCM tahap 20 November 2019 seharusnya Rp500.000, tetapi setelah diambil di ATM "
                        "bersama orang yang mengaku petugas kelurahan, kami hanya menerima Rp300.000. Orang itu "
                        "bilang Rp200.000 untuk 'uang administrasi'.")
        services.acknowledge(grievance=g, by=operator, at=filed + timedelta(days=1),
                             note="Pelapor dihubungi lewat telepon; keterangan dicatat.")
        if household is not None:
            services.link_household(grievance=g, no_kk=household.no_kk, by=operator, at=filed + timedelta(days=1))
        services.start_investigation(grievance=g, by=operator, at=filed + timedelta(days=2))
        services.add_note(grievance=g, by=operator, at=filed + timedelta(days=3),
                          note="Cek data penyaluran tahap 20-11-2019 (Bank BJB): Rp500.000 dikreditkan penuh, "
                               "status dibayar. Selisih terjadi setelah penarikan.")
        services.add_note(grievance=g, by=operator, at=filed + timedelta(days=6),
                          note="Klarifikasi dengan lurah dan KPM: pelaku bukan petugas; dilaporkan ke Polsek.")
        services.resolve(grievance=g, by=manager, outcome=Outcome.SUBSTANTIATED, outcome_note=CUT_OUTCOME_NOTE,
                         public_response=CUT_PUBLIC_RESPONSE, at=filed + timedelta(days=9))
        made.append(g)

    # 2. Fresh: aid not received, filed last evening, nobody has looked yet.
    village = _village("36.72.01", rng)
    if village is not None:
        made.append(services.file_grievance(
            category=Category.NOT_RECEIVED, region=village, program_code=_program("JSCM"),
            at=_at(today - timedelta(days=1), 19, 40), contact="0813-0000-0001 (demo)",
            description="Sudah dua bulan nama kami ada di daftar KPM tetapi bantuan belum masuk ke rekening."))

    # 3. Acknowledged: wrong target in Lebak.
    village = _village("36.02", rng)
    if village is not None:
        g = services.file_grievance(
            category=Category.WRONG_TARGET, region=village, program_code=_program("JAMSOSRATU"),
            at=_at(today - timedelta(days=4), 13), anonymous=True,
            description="Keluarga yang punya toko dan mobil menerima bantuan, sementara tetangga kami yang janda "
                        "lansia tidak terdaftar.")
        services.acknowledge(grievance=g, by=lebak_operator, at=_at(today - timedelta(days=3), 9),
                             note="Akan dicek saat musyawarah kelurahan.")
        made.append(g)

    # 4. Under investigation by the pendamping of the family's caseload.
    household = _caseload_household(facilitator)
    if household is not None:
        g = services.file_grievance(
            category=Category.DATA_ERROR, region=household.region, no_kk=household.no_kk,
            at=_at(today - timedelta(days=6), 15), contact="0857-0000-0002 (demo)",
            description="Nama anak kami salah tulis di data bantuan sehingga tidak tercatat sebagai anak sekolah.")
        services.start_investigation(grievance=g, by=operator, at=_at(today - timedelta(days=5), 10))
        services.link_household(grievance=g, no_kk=household.no_kk, by=operator, at=_at(today - timedelta(days=5), 10))
        services.assign(grievance=g, assignee=facilitator, by=operator, at=_at(today - timedelta(days=5), 10, 5),
                        note="Mohon cek dokumen KK dan surat keterangan sekolah saat kunjungan.")
        services.add_note(grievance=g, by=facilitator, at=_at(today - timedelta(days=2), 11),
                          note="Kunjungan rumah: fotokopi KK dan surat sekolah sudah diambil.")
        made.append(g)

    # 5. Conduct of the pendamping herself: recorded as its subject, so she never sees it.
    village = _village(PULOMERAK, rng)
    if village is not None:
        g = services.file_grievance(
            category=Category.FACILITATOR, region=village, at=_at(today - timedelta(days=2), 16), anonymous=True,
            description="Pendamping meminta uang bensin setiap kali datang memverifikasi kehadiran P2K2.")
        services.acknowledge(grievance=g, by=operator, at=_at(today - timedelta(days=1), 8))
        if facilitator is not None:
            services.set_subject_facilitator(grievance=g, facilitator=facilitator, by=operator,
                                             at=_at(today - timedelta(days=1), 8, 5))
        services.assign(grievance=g, assignee=manager, by=operator, at=_at(today - timedelta(days=1), 8, 10))
        made.append(g)

    # 6. Overdue: never acknowledged, then escalated to the province by the daily task.
    village = _village("36.72", rng)
    if village is not None:
        filed = _at(today - timedelta(days=20), 11)
        made.append(services.file_grievance(
            category=Category.NOT_RECEIVED, region=village, program_code=_program("JSCM"), at=filed,
            contact="0819-0000-0003 (demo)",
            description="Kartu ATM tertahan di mesin sejak bulan lalu dan bantuan tahap ini tidak bisa diambil."))

    # 7. Closed as a duplicate.
    if made:
        first_open = (Grievance.objects.filter(pk__in=[g.pk for g in made], status__in=OPEN_STATUSES)
                      .order_by("-filed_at").first())
        if first_open is not None:
            g = services.file_grievance(
                category=first_open.category, region=first_open.region, at=_at(today - timedelta(days=1), 12),
                description="Sama dengan laporan sebelumnya: bantuan belum masuk rekening sejak dua bulan.")
            services.reject(grievance=g, by=operator, outcome=Outcome.DUPLICATE,
                            outcome_note=f"Sama dengan pengaduan {first_open.ticket}.",
                            public_response="Pengaduan ini sama dengan laporan lain yang sedang ditangani; "
                                            "tindak lanjut dicatat pada laporan tersebut.")
            made.append(g)

    escalated = services.escalate_overdue(now=_at(today, 6))
    return f"{len(made)} pengaduan demo ({escalated} dieskalasi ke provinsi), termasuk kasus pemotongan di Pulomerak"


def _program(code: str) -> str:
    if apps.is_installed("jsika.programs") and apps.get_model("programs", "Program").objects.filter(code=code).exists():
        return code
    return ""
