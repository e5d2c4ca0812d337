"""The agency sectors and, per sector, the services it records and the needs it is referred — as data.

Which person/household fields each sector may read lives next door in ``fields.py``
(``partner_fields``); both tables are the one place to change when an agency's mandate changes.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    EDUCATION = "pendidikan", _("Pendidikan")
    HEALTH = "kesehatan", _("Kesehatan")
    SOCIAL = "sosial", _("Sosial")
    MANPOWER = "ketenagakerjaan", _("Ketenagakerjaan")
    HOUSING = "perumahan", _("Perumahan")
    CIVIL_REGISTRY = "kependudukan", _("Kependudukan dan pencatatan sipil")


class InterventionKind(models.TextChoices):
    """A service an agency gives a KPM household or one of its members."""

    # education
    SCHOOL_PLACE = "reservasi_sma_smk", _("Reservasi kursi SMA/SMK untuk anak KPM")
    SCHOOL_ENROLLMENT = "pendaftaran_sekolah", _("Pendaftaran/penerimaan sekolah")
    BACK_TO_SCHOOL = "kembali_sekolah", _("Pendampingan kembali ke sekolah")
    SCHOLARSHIP = "beasiswa", _("Beasiswa/bantuan biaya sekolah")
    # health
    ANTENATAL_CHECK = "pemeriksaan_kehamilan", _("Pemeriksaan kehamilan (ANC)")
    SUPPLEMENTARY_FOOD = "pmt", _("Pemberian makanan tambahan (PMT)")
    HEALTH_INSURANCE = "pendaftaran_jkn", _("Pendaftaran JKN/BPJS Kesehatan (PBI)")
    IMMUNISATION = "imunisasi", _("Imunisasi")
    TODDLER_WEIGHING = "penimbangan_balita", _("Penimbangan dan pemantauan tumbuh kembang balita")
    ELDERLY_CARE = "layanan_lansia", _("Layanan kesehatan lansia")
    DISABILITY_CARE = "layanan_disabilitas", _("Layanan kesehatan penyandang disabilitas")
    # social welfare
    SOCIAL_REHABILITATION = "rehabilitasi_sosial", _("Rehabilitasi sosial")
    ASSISTIVE_DEVICE = "alat_bantu", _("Alat bantu penyandang disabilitas")
    # manpower
    JOB_TRAINING = "pelatihan_kerja", _("Pelatihan kerja")
    JOB_PLACEMENT = "penempatan_kerja", _("Penempatan kerja")
    # housing
    HOUSE_REPAIR = "rehab_rtlh", _("Rehabilitasi rumah tidak layak huni (RTLH)")
    # civil registry
    CIVIL_DOCUMENT = "dokumen_kependudukan", _("Penerbitan dokumen kependudukan (KTP-el/KK/akta)")
    CIVIL_DATA_FIX = "perbaikan_data", _("Perbaikan data kependudukan")
    OTHER = "lainnya", _("Layanan lainnya")


K = InterventionKind
KINDS_BY_SECTOR: dict[str, tuple[str, ...]] = {
    Sector.EDUCATION: (K.SCHOOL_PLACE, K.SCHOOL_ENROLLMENT, K.BACK_TO_SCHOOL, K.SCHOLARSHIP, K.OTHER),
    Sector.HEALTH: (K.ANTENATAL_CHECK, K.SUPPLEMENTARY_FOOD, K.HEALTH_INSURANCE, K.IMMUNISATION, K.TODDLER_WEIGHING,
                    K.ELDERLY_CARE, K.DISABILITY_CARE, K.OTHER),
    Sector.SOCIAL: (K.SOCIAL_REHABILITATION, K.ASSISTIVE_DEVICE, K.OTHER),
    Sector.MANPOWER: (K.JOB_TRAINING, K.JOB_PLACEMENT, K.OTHER),
    Sector.HOUSING: (K.HOUSE_REPAIR, K.OTHER),
    Sector.CIVIL_REGISTRY: (K.CIVIL_DOCUMENT, K.CIVIL_DATA_FIX, K.OTHER),
}
# Services given to one person (the others may name the whole household).
PERSON_KINDS = frozenset({
    K.SCHOOL_PLACE, K.SCHOOL_ENROLLMENT, K.BACK_TO_SCHOOL, K.SCHOLARSHIP, K.ANTENATAL_CHECK, K.SUPPLEMENTARY_FOOD,
    K.IMMUNISATION, K.TODDLER_WEIGHING, K.ELDERLY_CARE, K.DISABILITY_CARE, K.ASSISTIVE_DEVICE, K.JOB_TRAINING,
    K.JOB_PLACEMENT, K.CIVIL_DOCUMENT,
})


class ReferralNeed(models.TextChoices):
    """A need a pendamping finds in a visit, and so which sector it is referred to."""

    DROPOUT = "putus_sekolah", _("Anak putus sekolah")
    SCHOOL_COST = "biaya_sekolah", _("Kesulitan biaya sekolah")
    ANTENATAL = "kehamilan_belum_diperiksa", _("Ibu hamil belum diperiksa")
    STUNTING = "risiko_stunting", _("Balita berisiko stunting")
    NO_INSURANCE = "belum_jkn", _("Belum terdaftar JKN/BPJS Kesehatan")
    ILLNESS = "sakit", _("Anggota keluarga sakit")
    DISABILITY = "disabilitas", _("Penyandang disabilitas perlu layanan")
    ELDERLY = "lansia_terlantar", _("Lansia perlu pendampingan")
    WORK = "pekerjaan", _("Perlu pekerjaan/pelatihan kerja")
    HOUSING = "rumah_tidak_layak", _("Rumah tidak layak huni")
    DOCUMENTS = "dokumen_kependudukan", _("Belum punya KTP-el/KK/akta")
    OTHER = "lainnya", _("Lainnya")


N = ReferralNeed
SECTOR_OF_NEED: dict[str, str | None] = {
    N.DROPOUT: Sector.EDUCATION, N.SCHOOL_COST: Sector.EDUCATION,
    N.ANTENATAL: Sector.HEALTH, N.STUNTING: Sector.HEALTH, N.NO_INSURANCE: Sector.HEALTH, N.ILLNESS: Sector.HEALTH,
    N.DISABILITY: Sector.SOCIAL, N.ELDERLY: Sector.SOCIAL,
    N.WORK: Sector.MANPOWER, N.HOUSING: Sector.HOUSING, N.DOCUMENTS: Sector.CIVIL_REGISTRY,
    N.OTHER: None,  # any agency
}


def kinds_for(sector: str) -> tuple[str, ...]:
    """The intervention kinds an agency of ``sector`` records ('lainnya' only, for an unknown sector)."""
    return KINDS_BY_SECTOR.get(sector, (K.OTHER,))


def kind_choices(sector: str) -> list[tuple[str, str]]:
    return [(k, InterventionKind(k).label) for k in kinds_for(sector)]


def needs_for(sector: str) -> list[str]:
    return [need for need, s in SECTOR_OF_NEED.items() if s in (sector, None)]
