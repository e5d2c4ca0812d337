"""The figures the dashboard and the reports show, as codes with their meaning.

Each metric is a count or a sum of whole rupiah, stored per program (or none), year, month (or none),
key (a sub-dimension: status, funder, condition, category, …) and region (``FigureFact``). How a metric
is stored decides how it adds up:

- ``monthly``: base rows carry a month; a yearly row (month empty) is added as their sum, unless
  ``sum_months`` is off (distinct households per month do not add up over a year);
- ``snapshot``: the state at the last refresh (no year, no month);
- ``roll_regions``: rows add up from desa to kecamatan, kab/kota, province and the whole country;
  a target set for one region (``graduation_target``) does not.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    source: str  # the app that feeds it ("jsika.programs", ...)
    monthly: bool = False
    snapshot: bool = False
    sum_months: bool = True
    roll_regions: bool = True
    rupiah: bool = False


METRICS = [
    # programs
    Metric("kpm", _("KPM (aktif setidaknya satu hari dalam tahun)"), "jsika.programs"),
    Metric("kpm_started", _("KPM mulai aktif"), "jsika.programs", monthly=True),
    Metric("kpm_ended", _("KPM keluar"), "jsika.programs", monthly=True),
    Metric("enrollment_status", _("Kepesertaan menurut status"), "jsika.programs", snapshot=True),
    Metric("entitled_rupiah", _("Kebutuhan dana menurut aturan manfaat (Rp)"), "jsika.programs", rupiah=True),
    # payments
    Metric("committed_rupiah", _("Dana dalam tahap penyaluran disetujui (Rp)"), "jsika.payments", rupiah=True),
    Metric("paid_rupiah", _("Dana tersalur (Rp)"), "jsika.payments", rupiah=True),
    Metric("paid_count", _("Penyaluran berhasil"), "jsika.payments"),
    Metric("returned_rupiah", _("Dana diretur ke kas daerah (Rp)"), "jsika.payments", rupiah=True),
    # fieldwork
    Metric("compliance_checked", _("Verifikasi komitmen (ada data)"), "jsika.fieldwork", monthly=True),
    Metric("compliance_met", _("Verifikasi komitmen terpenuhi"), "jsika.fieldwork", monthly=True),
    Metric("visits", _("Kunjungan rumah"), "jsika.fieldwork", monthly=True),
    Metric("visited_households", _("Keluarga dikunjungi"), "jsika.fieldwork", monthly=True, sum_months=False),
    Metric("caseload_visited", _("Keluarga dampingan dikunjungi"), "jsika.fieldwork", monthly=True,
           sum_months=False),
    Metric("caseload", _("Keluarga dampingan"), "jsika.fieldwork", snapshot=True),
    Metric("facilitators", _("Pendamping dengan keluarga dampingan"), "jsika.fieldwork", snapshot=True),
    Metric("sessions", _("Pertemuan P2K2"), "jsika.fieldwork", monthly=True),
    Metric("attendance_total", _("Undangan P2K2 (keluarga)"), "jsika.fieldwork", monthly=True),
    Metric("attendance_present", _("Kehadiran P2K2 (keluarga)"), "jsika.fieldwork", monthly=True),
    Metric("late_records", _("Catatan lapangan terlambat (> 7 hari)"), "jsika.fieldwork", monthly=True),
    # graduation
    Metric("graduations", _("Graduasi disetujui"), "jsika.graduation", monthly=True),
    Metric("graduation_target", _("Target graduasi"), "jsika.graduation", roll_regions=False),
    Metric("ready_to_graduate", _("KPM siap graduasi (asesmen terakhir)"), "jsika.graduation", snapshot=True),
    Metric("uep_disbursed", _("Bantuan UEP disalurkan"), "jsika.graduation"),
    Metric("uep_disbursed_rupiah", _("Nilai bantuan UEP disalurkan (Rp)"), "jsika.graduation", rupiah=True),
    Metric("uep_followups", _("Tindak lanjut UEP"), "jsika.graduation"),
    Metric("uep_running", _("Usaha UEP masih berjalan"), "jsika.graduation"),
    # grievances
    Metric("grievances", _("Pengaduan masuk"), "jsika.grievances", monthly=True),
    Metric("grievances_closed", _("Pengaduan selesai"), "jsika.grievances", monthly=True),
    Metric("grievances_on_time", _("Pengaduan selesai tepat waktu"), "jsika.grievances", monthly=True),
    Metric("grievances_open", _("Pengaduan terbuka"), "jsika.grievances", snapshot=True),
    Metric("grievances_overdue", _("Pengaduan terbuka melewati batas waktu"), "jsika.grievances", snapshot=True),
]

BY_CODE = {m.code: m for m in METRICS}


def metrics_of(source: str) -> list[Metric]:
    return [m for m in METRICS if m.source == source]
