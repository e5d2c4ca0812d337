"""The reports' contents. Figures come from the same pre-aggregated rows as the dashboard (``queries``);
lists of families start from the scoping function (``households_for``, ``graduations_for``)."""


from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from jsika.core.masking import mask_number
from jsika.core.scoping import region_q
from jsika.registry.models import Person, Relation
from jsika.registry.queries import disability_q, elderly_q, households_for, pregnant_q, school_q, toddler_q

from . import labels
from .criteria import KPM_STATUSES, dropout_q, ready_q
from .documents import Column, Document, Table
from .queries import Figures, children, cycles, region_name


def _program(params: dict):
    code = params.get("program") or ""
    if not code:
        return None
    from jsika.programs.models import Program

    return Program.objects.filter(code=code).first()


def _scope_code(user, params: dict) -> str:
    return params.get("wilayah") or ("" if user.is_superuser else user.scope)


def _percent(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _stem(*parts) -> str:
    return "-".join(str(p).replace(".", "") for p in parts if p)


# --- monthly program report -------------------------------------------------------------------------

def monthly_report(user, params: dict) -> Document:
    """One month of a program in one region: KPM, money, compliance, field work, grievances, and per region."""
    program = _program(params)
    code = _scope_code(user, params)
    year, month = (int(x) for x in params["bulan"].split("-"))
    figures = Figures(code, program.pk if program else None)
    period = labels.month_label(year, month)
    doc = Document(kind="bulanan", title=_("Laporan Bulanan Program Jaminan Sosial Keluarga"),
                   subtitle=program.name if program else _("Semua program"), region_code=code,
                   region_name=region_name(code), period_label=period,
                   file_stem=_stem("laporan-bulanan", program.code if program else "semua", code or "id",
                                   params["bulan"]))
    compliance = figures.compliance(year, month)
    checked, met = sum(c for c, _m in compliance.values()), sum(m for _c, m in compliance.values())
    attendance = figures.total("attendance_total", year=year, month=month)
    summary = Table(_("Ringkasan"), [Column(_("Uraian")), Column(_("Jumlah"), "int")], rows=[
        [_("KPM aktif dalam bulan ini"), figures.kpm_in_month(year, month)],
        [_("KPM mulai aktif bulan ini"), figures.total("kpm_started", year=year, month=month)],
        [_("KPM keluar bulan ini"), figures.total("kpm_ended", year=year, month=month)],
        [_("KPM tahun %(year)s") % {"year": year}, figures.total("kpm", year=year)],
        [_("Kebutuhan dana tahun %(year)s menurut aturan manfaat (Rp)") % {"year": year},
         figures.total("entitled_rupiah", year=year)],
        [_("Dana tersalur tahun %(year)s (Rp)") % {"year": year}, figures.total("paid_rupiah", year=year)],
        [_("Verifikasi komitmen dengan data"), checked],
        [_("Verifikasi komitmen terpenuhi"), met],
        [_("Kunjungan rumah"), figures.total("visits", year=year, month=month)],
        [_("Keluarga dikunjungi"), figures.total("visited_households", year=year, month=month)],
        [_("Pertemuan P2K2"), figures.total("sessions", year=year, month=month)],
        [_("Kehadiran P2K2 (keluarga hadir dari diundang)"),
         f"{figures.total('attendance_present', year=year, month=month)} / {attendance}"],
        [_("Pengaduan masuk"), figures.total("grievances", year=year, month=month)],
        [_("Pengaduan selesai"), figures.total("grievances_closed", year=year, month=month)],
        [_("Pengaduan masih terbuka (saat data diperbarui)"), figures.total("grievances_open")],
    ])
    doc.tables.append(summary)
    paid = [c for c in cycles(code, program_id=program.pk if program else None)
            if c.paid_on and (c.paid_on.year, c.paid_on.month) == (year, month)]
    doc.tables.append(Table(_("Penyaluran pada bulan ini"), [
        Column(_("Program")), Column(_("Tahap")), Column(_("Bank")), Column(_("Tanggal"), "date"),
        Column(_("KPM"), "int", total=True), Column(_("Nominal (Rp)"), "rupiah", total=True),
        Column(_("Berhasil"), "int", total=True), Column(_("Tersalur (Rp)"), "rupiah", total=True)],
        rows=[[c.program.code, f"{c.year} tahap {c.stage}", c.bank_code, c.paid_on, c.payments, c.amount_rupiah,
               c.paid_count, c.paid_rupiah] for c in paid],
        note="" if paid else _("Tidak ada tahap penyaluran dengan tanggal penyaluran dalam bulan ini.")))
    names = labels.conditions()
    doc.tables.append(Table(_("Kepatuhan komitmen"), [
        Column(_("Komitmen")), Column(_("Diverifikasi"), "int", total=True), Column(_("Terpenuhi"), "int", total=True),
        Column(_("Persen terpenuhi"), "percent")],
        rows=[[names.get(k, k), c, m, _percent(m, c)] for k, (c, m) in compliance.items()]))
    filed = figures.by("grievances", index=lambda p, y, mo, k: k, year=year, month=month)
    closed = figures.by("grievances_closed", index=lambda p, y, mo, k: k, year=year, month=month)
    on_time = figures.by("grievances_on_time", index=lambda p, y, mo, k: k, year=year, month=month)
    cats = labels.categories()
    doc.tables.append(Table(_("Pengaduan per jenis"), [
        Column(_("Jenis")), Column(_("Masuk"), "int", total=True), Column(_("Selesai"), "int", total=True),
        Column(_("Selesai tepat waktu"), "int", total=True)],
        rows=[[cats.get(k, k), filed[k], closed.get(k, 0), on_time.get(k, 0)] for k in sorted(filed)]))
    doc.tables.append(_per_region(code, program, year, month))
    doc.notes = [_("KPM dihitung bila aktif setidaknya satu hari dalam periode. Angka dari tabel ringkasan "
                   "dasbor yang sama."), _notes_refresh()]
    doc.signatures = [_("Kepala Dinas Sosial"), _("Pengelola program")]
    return doc


def _per_region(code: str, program, year: int, month: int) -> Table:
    program_id = program.pk if program else None
    yearly = children(code, ["kpm", "paid_rupiah"], year=year, program_id=program_id)
    monthly = children(code, ["visits", "sessions", "grievances"], year=year, month=month, program_id=program_id)
    names = labels.region_names(list(yearly) + list(monthly))
    rows = []
    for region in sorted(set(yearly) | set(monthly)):
        y, m = yearly.get(region, {}), monthly.get(region, {})
        rows.append([region, names[region], y.get("kpm", 0), y.get("paid_rupiah", 0), m.get("visits", 0),
                     m.get("sessions", 0), m.get("grievances", 0)])
    return Table(_("Per wilayah"), [
        Column(_("Kode")), Column(_("Wilayah")), Column(_("KPM tahun ini"), "int", total=True),
        Column(_("Tersalur tahun ini (Rp)"), "rupiah", total=True), Column(_("Kunjungan bulan ini"), "int", total=True),
        Column(_("P2K2 bulan ini"), "int", total=True), Column(_("Pengaduan bulan ini"), "int", total=True)],
        rows=rows)


def _notes_refresh() -> str:
    from .queries import last_refresh

    run = last_refresh()
    when = timezone.localtime(run.finished_at).strftime("%d-%m-%Y %H:%M") if run else "-"
    return _("Data diperbarui: %(when)s WIB.") % {"when": when}


# --- list of KPM per desa (musyawarah desa) -------------------------------------------------------------

def village_list(user, params: dict) -> Document:
    """The program's KPM households of one desa, for the village meeting to verify (No. KK masked)."""
    program = _program(params)
    code = params["wilayah"]
    enrollment = apps.get_model("programs", "Enrollment")
    mine = enrollment.objects.filter(household_id=OuterRef("pk"), program=program, status__in=KPM_STATUSES)
    head = Person.objects.filter(household_id=OuterRef("pk"), relation=Relation.HEAD)
    today = timezone.localdate()
    qs = (households_for(user).filter(region_id=code).filter(Exists(mine))
          .annotate(head_name=Subquery(head.values("name")[:1]), status=Subquery(mine.values("status")[:1]),
                    started_on=Subquery(mine.values("started_on")[:1]), n_members=Count("members"))
          .order_by("rw", "rt", "address", "pk"))
    flags = {"hamil": pregnant_q(), "balita": toddler_q(today), "sd": school_q("sd"), "smp": school_q("smp"),
             "sma": school_q("sma"), "lansia": elderly_q(today), "disabilitas": disability_q(),
             "putus_sekolah": dropout_q(today), "siap_graduasi": ready_q()}
    flagged = {name: set(qs.filter(condition).values_list("pk", flat=True)) for name, condition in flags.items()}
    flag_labels = {"hamil": _("ibu hamil"), "balita": _("balita"), "sd": "SD", "smp": "SMP", "sma": "SMA/SMK",
                   "lansia": _("lansia"), "disabilitas": _("disabilitas"), "putus_sekolah": _("putus sekolah"),
                   "siap_graduasi": _("siap graduasi")}
    statuses = labels.enrollment_statuses()
    rows = []
    for i, h in enumerate(qs, start=1):
        criteria = ", ".join(str(flag_labels[n]) for n in flags if h.pk in flagged[n])
        rows.append([i, mask_number(h.no_kk), h.head_name or "", h.address, f"{h.rt}/{h.rw}", h.n_members,
                     h.desil, statuses.get(h.status, h.status), h.started_on, criteria, ""])
    doc = Document(kind="musdes", title=_("Daftar KPM untuk Musyawarah Desa/Kelurahan"),
                   subtitle=program.name, region_code=code, region_name=_village_label(code),
                   period_label=_("Keadaan per %(day)s") % {"day": today.strftime("%d-%m-%Y")},
                   file_stem=_stem("daftar-kpm", program.code, code))
    doc.tables.append(Table(_("Keluarga penerima manfaat"), [
        Column(_("No."), "int"), Column(_("No. KK")), Column(_("Kepala keluarga")), Column(_("Alamat")),
        Column(_("RT/RW")), Column(_("Anggota"), "int", total=True), Column(_("Desil"), "int"), Column(_("Status")),
        Column(_("Mulai"), "date"), Column(_("Kriteria")), Column(_("Hasil musyawarah (layak/tidak, alasan)"))],
        rows=rows))
    doc.notes = [_("Jumlah KPM: %(n)s keluarga. No. KK disamarkan; data lengkap ada di e-JSiKa.") % {"n": len(rows)},
                 _("Daftar ini memuat data pribadi: hanya untuk musyawarah, jangan ditempel di tempat umum.")]
    doc.signatures = [_("Kepala Desa/Lurah"), _("Pendamping"), _("Notulis musyawarah")]
    return doc


def _village_label(code: str) -> str:
    from jsika.regions.models import Region

    names = dict(Region.objects.filter(code__in=[code[:5], code[:8], code]).values_list("code", "name"))
    return ", ".join(names.get(c, c) for c in (code, code[:8], code[:5]))


# --- facilitator performance per month --------------------------------------------------------------------

def facilitator_report(user, params: dict) -> Document:
    """The fieldwork app's diligence ranking of the month, for the pendamping ``user`` oversees."""
    from jsika.fieldwork import diligence

    period = params["bulan"]
    year, month = (int(x) for x in period.split("-"))
    rows = diligence.diligence(user, period)
    code = "" if user.is_superuser else user.scope
    doc = Document(kind="kinerja", title=_("Laporan Kinerja Pendamping"), subtitle=_("Keaktifan pendampingan"),
                   region_code=code, region_name=region_name(code), period_label=labels.month_label(year, month),
                   file_stem=_stem("kinerja-pendamping", code or "id", period))
    doc.tables.append(Table(_("Pendamping"), [
        Column(_("Peringkat"), "int"), Column(_("Pendamping")), Column(_("Wilayah tugas")),
        Column(_("Keluarga dampingan"), "int", total=True), Column(_("Dikunjungi"), "int", total=True),
        Column(_("Persen dikunjungi"), "percent"), Column(_("Kunjungan"), "int", total=True),
        Column(_("Pertemuan P2K2"), "int", total=True), Column(_("Belum dikunjungi 60 hari"), "int", total=True),
        Column(_("Input terlambat"), "int", total=True), Column(_("Tanpa GPS"), "int", total=True),
        Column(_("Tanpa foto"), "int", total=True)],
        rows=[[r.rank, r.facilitator.get_full_name() or r.facilitator.username, r.facilitator.scope, r.due,
               r.visited, r.visit_percent, r.visits, r.sessions, r.not_visited, r.late, r.without_gps,
               r.without_photo] for r in rows]))
    doc.notes = [_("Kunjungan dihitung per keluarga dampingan yang dikunjungi setidaknya sekali dalam bulan ini; "
                   "input terlambat: dicatat lebih dari 7 hari setelah kegiatan.")]
    doc.signatures = [_("Koordinator pendamping"), _("Kepala Bidang Perlindungan dan Jaminan Sosial")]
    return doc


# --- graduation list per year ---------------------------------------------------------------------------------

def graduation_list(user, params: dict) -> Document:
    """Approved graduations of the year in the region, with the kind, the latest score and the UEP grant."""
    from jsika.graduation.queries import graduations_for

    program = _program(params)
    code = _scope_code(user, params)
    year = int(params["tahun"])
    qs = graduations_for(user).filter(status="approved", graduated_on__year=year)
    if code:
        qs = qs.filter(region_q("household__region_id", code))
    if program:
        qs = qs.filter(program=program)
    head = Person.objects.filter(household_id=OuterRef("household_id"), relation=Relation.HEAD)
    grant = apps.get_model("graduation", "Grant").objects.filter(graduation_id=OuterRef("pk")).exclude(
        status="rejected")
    qs = (qs.annotate(head_name=Subquery(head.values("name")[:1]), grant_status=Subquery(grant.values("status")[:1]))
          .select_related("assessment").order_by("household__region_id", "graduated_on", "pk"))
    kinds, grant_labels = labels.graduation_kinds(), labels.grant_statuses()
    rows = []
    for i, g in enumerate(qs, start=1):
        rows.append([i, mask_number(g.household.no_kk), g.head_name or "", g.household.region.name, g.program.code,
                     kinds.get(g.kind, g.kind), g.graduated_on, g.certificate_number,
                     float(g.assessment.score) if g.assessment else None,
                     grant_labels.get(g.grant_status, "") if g.grant_status else ""])
    doc = Document(kind="graduasi", title=_("Daftar KPM Graduasi"), subtitle=program.name if program else
                   _("Semua program"), region_code=code, region_name=region_name(code),
                   period_label=_("Tahun %(year)s") % {"year": year},
                   file_stem=_stem("graduasi", program.code if program else "semua", code or "id", year))
    doc.tables.append(Table(_("Graduasi disetujui"), [
        Column(_("No."), "int"), Column(_("No. KK")), Column(_("Kepala keluarga")), Column(_("Desa/Kelurahan")),
        Column(_("Program")), Column(_("Jenis graduasi")), Column(_("Tanggal"), "date"), Column(_("Nomor surat")),
        Column(_("Skor asesmen")), Column(_("Bantuan UEP"))], rows=rows))
    per_kind: dict = {}
    for row in rows:
        per_kind[row[5]] = per_kind.get(row[5], 0) + 1
    doc.tables.append(Table(_("Menurut jenis"), [Column(_("Jenis graduasi")), Column(_("KPM"), "int", total=True)],
                            rows=[[k, n] for k, n in sorted(per_kind.items())]))
    figures = Figures(code, program.pk if program else None)
    done, target = figures.graduation_per_year().get(year, (0, None))
    doc.notes = [_("Target graduasi %(year)s: %(target)s KPM; tercatat di dasbor: %(done)s.")
                 % {"year": year, "target": target if target is not None else "-", "done": done}]
    doc.signatures = [_("Kepala Dinas Sosial"), _("Pengelola program")]
    return doc

