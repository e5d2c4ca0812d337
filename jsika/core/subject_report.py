"""The data-subject report (UU PDP No. 27/2022, right of access): everything held on one NIK, as a PDF.

Only managers and auditors (and superusers) ask for it, only for a NIK inside their scope: every
read below starts from ``scope_queryset``. The request itself goes into the access log, refused
ones included (masked NIK), so lookups of many NIKs show up there.
"""

from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from jsika.registry.timeline import household_timeline

from .access_log import log_access
from .masking import mask_number
from .models import AccessLog
from .roles import Role
from .scoping import scope_queryset

REPORT_ROLES = {Role.MANAGER, Role.AUDITOR}


class SubjectNotFound(Exception):
    """No person with this NIK in the user's scope (never says whether one exists elsewhere)."""


def may_request(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in REPORT_ROLES)


def rupiah(value) -> str:
    return "Rp" + f"{int(value or 0):,}".replace(",", ".")


def day(value) -> str:
    if value is None:
        return "—"
    if hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    totals: list[str] | None = None
    note: str = ""
    numeric: set[int] = field(default_factory=set)  # right-aligned column indexes
    key_value: bool = False  # a two-column "field: value" table


def _scoped(model_label: str, user, **filters):
    model = apps.get_model(model_label)
    return scope_queryset(model.objects.filter(**filters), user)


def find_person(*, user, nik: str = "", person_id=None):
    """The person with ``nik`` (or id) inside ``user``'s scope, else ``SubjectNotFound``."""
    persons = _scoped("registry.Person", user).select_related("household__region__parent__parent")
    if person_id:
        person = persons.filter(pk=person_id).first() if str(person_id).isdigit() else None
    else:
        person = persons.filter(nik=nik).first() if nik else None
    if person is None:
        raise SubjectNotFound
    return person


def _person_section(person, today: date) -> Section:
    rows = [
        [_("Nama"), person.name], [_("NIK"), person.nik], [_("Jenis kelamin"), person.get_sex_display()],
        [_("Tanggal lahir"), f"{day(person.birth_date)} ({person.age_on(today)} th)"],
        [_("Hubungan dalam keluarga"), person.get_relation_display()],
        [_("Pendidikan"), person.education or "—"], [_("Status sekolah"), person.get_school_status_display() or "—"],
        [_("Pekerjaan"), person.occupation or "—"], [_("Telepon"), person.phone or "—"],
        [_("Hamil"), _("Ya") if person.pregnant else _("Tidak")],
        [_("Disabilitas (data spesifik)"), _("Ya") if person.disabled else _("Tidak")],
        [_("Catatan NIK tidak padan"), person.nik_mismatch or "—"],
        [_("Dicatat sejak"), day(person.created_at)], [_("Terakhir diubah"), day(person.updated_at)],
    ]
    return Section(_("Data pribadi"), [_("Data"), _("Isi")], rows, key_value=True)


def _household_section(household) -> Section:
    region, chain = household.region, []
    while region is not None:
        chain.append(f"{region.name} ({region.code})")
        region = region.parent
    coords = (f"{household.latitude:.5f}, {household.longitude:.5f}"
              if household.latitude is not None and household.longitude is not None else "—")
    rows = [
        [_("No. KK"), household.no_kk], [_("Alamat"), household.address or "—"],
        [_("RT/RW"), f"{household.rt or '—'}/{household.rw or '—'}"], [_("Wilayah"), " · ".join(chain)],
        [_("Koordinat rumah"), coords], [_("Desil kesejahteraan"), str(household.desil or "—")],
        [_("Penerima PKH nasional"), _("Ya") if household.is_pkh_recipient else _("Tidak")],
    ]
    return Section(_("Keluarga (Kartu Keluarga)"), [_("Data"), _("Isi")], rows, key_value=True)


def _members_section(person, household) -> Section:
    members = household.members.order_by("birth_date")
    rows = [[m.name + (" *" if m.pk == person.pk else ""), m.nik if m.pk == person.pk else mask_number(m.nik),
             m.get_relation_display(), day(m.birth_date), m.get_sex_display()] for m in members]
    return Section(_("Anggota keluarga"), [_("Nama"), _("NIK"), _("Hubungan"), _("Tanggal lahir"), _("JK")], rows,
                   note=_("* subjek data. NIK anggota lain disamarkan: data mereka hanya diberikan atas permintaan "
                          "masing-masing."))


def _history_section(household) -> Section:
    rows = []
    for entry in household_timeline(household):
        action = {"+": _("dibuat"), "~": _("diubah"), "-": _("dihapus")}.get(entry.action, entry.action)
        changes = "; ".join(f"{c.label}: {c.old} → {c.new}" for c in entry.changes)
        rows.append([day(entry.at), entry.who, f"{entry.subject} ({action})",
                     " ".join(filter(None, [changes, entry.reason]))])
    return Section(_("Riwayat perubahan data"), [_("Waktu"), _("Oleh"), _("Data"), _("Perubahan")], rows,
                   note=_("NIK dan No. KK disamarkan dalam riwayat."))


def _enrollment_section(user, household) -> Section:
    enrollments = _scoped("programs.Enrollment", user, household=household).select_related("program")
    rows = [[e.program.code, e.get_status_display(), day(e.started_on), day(e.tenure_ends_on), day(e.ended_on),
             e.get_exit_reason_display() or "—"] for e in enrollments.order_by("pk")]
    return Section(_("Kepesertaan program (KPM)"),
                   [_("Program"), _("Status"), _("Mulai"), _("Batas masa"), _("Keluar"), _("Alasan keluar")], rows)


def _payment_section(user, household) -> Section:
    from jsika.payments.models import PaymentStatus

    payments = _scoped("payments.Payment", user, household=household).select_related("program").order_by(
        "year", "stage", "pk")
    rows, total, paid, paid_count = [], 0, 0, 0
    for p in payments:
        total += p.amount_rupiah
        if p.status == PaymentStatus.PAID:
            paid_count += 1
            paid += p.credited_amount_rupiah or p.amount_rupiah
        rows.append([p.program.code, p.period_label, p.bank_code, mask_number(p.account_number),
                     p.get_status_display(), day(p.credited_on), rupiah(p.amount_rupiah)])
    return Section(
        _("Penyaluran bantuan"),
        [_("Program"), _("Tahap"), _("Bank"), _("Rekening"), _("Status"), _("Dikreditkan"), _("Nominal")], rows,
        totals=[_("Jumlah"), "", "", "", "", "", rupiah(total)], numeric={6},
        note=_("%(n)s penyaluran berhasil, total diterima %(paid)s.") % {"n": paid_count, "paid": rupiah(paid)},
    )


def _fieldwork_sections(user, household) -> list[Section]:
    visits = _scoped("fieldwork.Visit", user, household=household).select_related("facilitator").order_by("visited_on")
    visit_rows = [[day(v.visited_on), v.get_purpose_display(), v.facilitator.get_username(),
                   (v.notes or "—")[:200]] for v in visits]
    checks = _scoped("fieldwork.ComplianceCheck", user, household=household).order_by("period", "condition")
    check_rows = [[c.period, c.get_condition_display(), c.get_status_display(), c.note or "—"] for c in checks]
    attendance = _scoped("fieldwork.Attendance", user, household=household).select_related("session__module")
    attendance_rows = [[day(a.session.held_on), a.session.module.name, _("Hadir") if a.present else _("Tidak hadir")]
                       for a in attendance.order_by("session__held_on")]
    actions = _scoped("fieldwork.ComplianceAction", user, household=household).order_by("period")
    action_rows = [[a.period, a.get_kind_display(), a.reason[:200]] for a in actions]
    return [
        Section(_("Kunjungan rumah pendamping"), [_("Tanggal"), _("Tujuan"), _("Pendamping"), _("Catatan")],
                visit_rows),
        Section(_("Verifikasi komitmen"), [_("Periode"), _("Komitmen"), _("Status"), _("Catatan")], check_rows),
        Section(_("Kehadiran P2K2"), [_("Tanggal"), _("Modul"), _("Kehadiran")], attendance_rows),
        Section(_("Peringatan dan penangguhan"), [_("Periode"), _("Tindakan"), _("Alasan")], action_rows),
    ]


def _graduation_sections(user, household) -> list[Section]:
    assessments = _scoped("graduation.Assessment", user, household=household).order_by("assessed_on")
    graduations = _scoped("graduation.Graduation", user, household=household).select_related("program")
    grants = _scoped("graduation.Grant", user, household=household).select_related("program")
    return [
        Section(_("Asesmen kemandirian"), [_("Tanggal"), _("Skor"), _("Kategori")],
                [[day(a.assessed_on), str(a.score), a.get_band_display()] for a in assessments]),
        Section(_("Graduasi"), [_("Program"), _("Jenis"), _("Status"), _("Tanggal graduasi")],
                [[g.program.code, g.get_kind_display(), g.get_status_display(), day(g.graduated_on)]
                 for g in graduations.order_by("pk")]),
        Section(_("Bantuan usaha (UEP)"), [_("Program"), _("Jenis usaha"), _("Status"), _("Disetujui")],
                [[g.program.code, g.get_business_type_display(), g.get_status_display(),
                  rupiah(g.amount_approved_rupiah) if g.amount_approved_rupiah else "—"]
                 for g in grants.order_by("pk")],
                numeric={3}),
    ]


def _partner_section(user, household) -> Section:
    interventions = _scoped("partners.Intervention", user, household=household).select_related("agency")
    return Section(_("Layanan dari OPD/mitra"), [_("Tanggal"), _("Instansi"), _("Layanan")],
                   [[day(i.delivered_on), i.agency.short_name or i.agency.name, i.get_kind_display()]
                    for i in interventions.order_by("delivered_on")])


def _grievance_section(user, person, household) -> Section:
    grievances = _scoped("grievances.Grievance", user).filter(Q(household=household) | Q(nik=person.nik))
    return Section(_("Pengaduan terkait keluarga"), [_("Tiket"), _("Diterima"), _("Jenis"), _("Status")],
                   [[g.ticket, day(g.filed_at), g.get_category_display(), g.get_status_display()]
                    for g in grievances.order_by("filed_at")])


def access_entries(person, household):
    """Access-log entries about this person or this household, oldest first."""
    return AccessLog.objects.filter(
        Q(object_type="person", object_id=str(person.pk)) | Q(object_type="household", object_id=str(household.pk))
    ).select_related("user").order_by("at", "pk")


def _access_section(person, household) -> Section:
    rows = [[day(e.at), e.user.get_username(), e.user.role_label,
             _("Laporan data subjek") if e.detail.get("report") == "subject_report" else e.get_action_display(),
             _("anggota") if e.object_type == "person" else _("keluarga")]
            for e in access_entries(person, household)]
    return Section(_("Catatan akses: siapa melihat atau mengekspor data ini"),
                   [_("Waktu"), _("Pengguna"), _("Peran"), _("Tindakan"), _("Data")], rows)


def build_report(*, person, user) -> dict:
    """Every section of the report for ``person``, read through ``user``'s scope."""
    household = person.household
    today = timezone.localdate()
    sections = [
        _person_section(person, today), _household_section(household), _members_section(person, household),
        _enrollment_section(user, household), _payment_section(user, household),
        *_fieldwork_sections(user, household), *_graduation_sections(user, household),
        _partner_section(user, household), _grievance_section(user, person, household),
        _history_section(household), _access_section(person, household),
    ]
    return {"person": person, "household": household, "sections": sections, "requested_by": user,
            "printed": timezone.localtime()}


def subject_report_pdf(*, user, nik: str = "", person_id=None, request=None) -> tuple[bytes, object]:
    """The PDF for one NIK in scope; the request is logged first (refused ones too). Raises
    ``SubjectNotFound`` outside the scope."""
    from weasyprint import HTML

    from jsika.reports.render import letterhead

    try:
        person = find_person(user=user, nik=nik, person_id=person_id)
    except SubjectNotFound:
        log_access(user=user, action=AccessLog.Action.EXPORT, object_type="subject_report", object_id="-",
                   request=request, result="not_found", nik=mask_number(nik) if nik else "",
                   person_id=str(person_id or ""))
        raise
    log_access(user=user, action=AccessLog.Action.EXPORT, object_type="person", object_id=person.pk,
               request=request, report="subject_report")
    context = build_report(person=person, user=user)
    html = render_to_string("core/subject_report_pdf.html", {**context, "letterhead": letterhead()})
    return HTML(string=html).write_pdf(), person
