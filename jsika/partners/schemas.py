"""Typed shapes of the partner API: query parameters and bodies in, agencies, persons, interventions and
referrals out. Person and household fields a sector may not read are left out of the answer (not null).
"""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import AfterValidator

from .models import ReferralOutcome, ReferralStatus
from .sectors import InterventionKind, ReferralNeed

MAX_ID = 2**63 - 1  # the largest key the databases store; larger numbers are 422, never an overflow


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("tidak boleh memuat karakter NUL")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
SectorCode = Literal["pendidikan", "kesehatan", "sosial", "ketenagakerjaan", "perumahan", "kependudukan"]
KindCode = Literal[tuple(InterventionKind.values)]  # type: ignore[valid-type]
NeedCode = Literal[tuple(ReferralNeed.values)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(ReferralStatus.values)]  # type: ignore[valid-type]
OutcomeCode = Literal[tuple(ReferralOutcome.values)]  # type: ignore[valid-type]
SchoolCode = Literal["belum", "paud", "sd", "smp", "sma", "tidak"]


def _example(value) -> dict:
    return {"example": value}


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=500, description="Jumlah baris per halaman (1–500).")
    offset: int = Field(0, ge=0, le=10**9, description="Lewati sekian baris pertama.")


# --- agencies --------------------------------------------------------------------------------

class AgencyQuery(PageQuery):
    sector: SectorCode | None = Field(None, description="Hanya instansi sektor ini.")


class AgencyOut(Schema):
    id: int = Field(examples=[2])
    name: str = Field(examples=["Dinas Kesehatan Provinsi Banten"])
    short_name: str = Field(examples=["Dinkes Banten"])
    sector: SectorCode = Field(examples=["kesehatan"])
    sector_label: str = Field(examples=["Kesehatan"])
    region: str = Field(description="Wilayah kerja (kode Kemendagri).", examples=["36"])
    region_name: str = Field(examples=["Banten"])


class AgencyPage(Schema):
    count: int = Field(examples=[2])
    items: list[AgencyOut]


class FieldsOut(Schema):
    """What the caller's sector may read; the same lists decide the pages, the API and the exports."""

    sector: str = Field(description="Sektor instansi Anda ('' untuk staf yang membaca semua kolom).",
                        examples=["pendidikan"])
    person: list[str] = Field(examples=[["id", "nik", "name", "sex", "birth_date", "age", "relation",
                                         "education", "school_status"]])
    household: list[str] = Field(examples=[["id", "no_kk", "region", "region_name", "address", "rt", "rw",
                                            "member_count"]])
    criteria: list[str] = Field(description="Kriteria pencarian yang boleh dipakai sektor ini.",
                                examples=[["wilayah", "kpm", "program", "q", "umur_min", "umur_max", "sekolah",
                                           "putus_sekolah", "lulus_smp", "balita", "lansia"]])


# --- persons ---------------------------------------------------------------------------------

class PersonsQuery(PageQuery):
    """Criteria of ``GET /partners/persons``; a criterion that reads a field your sector may not read is 403."""

    wilayah: str | None = Field(None, max_length=13, description="Kode wilayah (awalan): 36, 36.72, 36.72.03.1001.",
                                json_schema_extra=_example("36.72"))
    kpm: bool = Field(True, description="Hanya anggota keluarga KPM (kepesertaan aktif/ditangguhkan).")
    program: str | None = Field(None, max_length=20, description="Hanya KPM program ini (kode).",
                                json_schema_extra=_example("JSCM"))
    q: str | None = Field(None, max_length=100, description="NIK lengkap atau nama.",
                          json_schema_extra=_example("Rizky"))
    umur_min: int | None = Field(None, ge=0, le=130, description="Umur paling rendah (tahun).")
    umur_max: int | None = Field(None, ge=0, le=130, description="Umur paling tinggi (tahun).")
    sekolah: SchoolCode | None = Field(None, description="Status/jenjang sekolah (sektor pendidikan).")
    putus_sekolah: bool = Field(False, description="Tidak sekolah lagi pada usia wajib belajar 7–18 (pendidikan).")
    lulus_smp: bool = Field(False, description="Siswa SMP yang lulus tahun ini (calon kursi SMA/SMK KPM).")
    hamil: bool = Field(False, description="Ibu hamil (sektor kesehatan).")
    balita: bool = Field(False, description="Berumur di bawah 5 tahun.")
    lansia: bool = Field(False, description="Berumur 60 tahun atau lebih.")
    disabilitas: bool = Field(False, description="Penyandang disabilitas (kesehatan, sosial).")
    stunting: bool = Field(False, description="Balita di keluarga yang ditandai berisiko stunting saat kunjungan.")
    desil_max: int | None = Field(None, ge=1, le=10, description="Desil DTSEN paling tinggi (sosial, "
                                                                 "ketenagakerjaan, perumahan).")


class HouseholdRef(Schema):
    id: int = Field(examples=[1042])
    no_kk: str = Field(examples=["3672********0042"])
    region: str = Field(examples=["36.72.03.1001"])
    region_name: str = Field(examples=["Lebak Gede"])
    address: str | None = Field(None, examples=["Jl. Raya Merak No. 12"])
    rt: str | None = Field(None, examples=["003"])
    rw: str | None = Field(None, examples=["002"])
    desil: int | None = Field(None, examples=[2])
    is_pkh_recipient: bool | None = None
    latitude: float | None = Field(None, examples=[-5.9361])
    longitude: float | None = Field(None, examples=[106.0032])
    member_count: int | None = Field(None, examples=[4])


class PartnerPersonOut(Schema):
    """One person with only the fields the caller's sector may read (the others are absent)."""

    id: int = Field(examples=[5120])
    nik: str = Field(description="NIK, tersamar untuk mitra.", examples=["3672********0003"])
    name: str = Field(examples=["Rizky Pratama"])
    sex: Literal["L", "P"]
    birth_date: date = Field(examples=["2010-08-01"])
    age: int = Field(examples=[15])
    relation: str = Field(examples=["anak"])
    education: str | None = Field(None, examples=["SMP"])
    school_status: str | None = Field(None, examples=["smp"])
    pregnant: bool | None = None
    disabled: bool | None = None
    stunting_risk: bool | None = None
    occupation: str | None = None
    phone: str | None = None
    nik_mismatch: str | None = None
    household: HouseholdRef | None = None


class PartnerPersonPage(Schema):
    count: int = Field(examples=[312])
    sector: str = Field(examples=["pendidikan"])
    numbers_masked: bool
    items: list[PartnerPersonOut]

    model_config = {"json_schema_extra": {"examples": [{
        "count": 1, "sector": "pendidikan", "numbers_masked": True,
        "items": [{"id": 5120, "nik": "3672********0003", "name": "Rizky Pratama", "sex": "L",
                   "birth_date": "2010-08-01", "age": 15, "relation": "anak", "education": "SMP",
                   "school_status": "smp",
                   "household": {"id": 1042, "no_kk": "3672********0042", "region": "36.72.03.1001",
                                 "region_name": "Lebak Gede", "address": "Jl. Raya Merak No. 12", "rt": "003",
                                 "rw": "002", "member_count": 4}}]}]}}


# --- interventions ---------------------------------------------------------------------------

class InterventionIn(Schema):
    household: Text = Field(..., min_length=1, max_length=16,
                            description="Id keluarga di e-JSiKa, atau No. KK lengkap 16 digit.")
    person: Text | None = Field(None, max_length=16, description="Id anggota keluarga, atau NIK lengkap 16 digit.")
    kind: KindCode = Field(..., description="Jenis layanan; harus layanan sektor instansi Anda.")
    delivered_on: date = Field(..., description="Tanggal layanan (tidak di masa depan).")
    place: Text = Field("", max_length=150, description="Tempat layanan, mis. nama sekolah/puskesmas.")
    notes: Text = Field("", max_length=2000)
    client_id: UUID | None = Field(None, description="Id buatan sistem Anda: kirim ulang dengan id yang sama "
                                                     "tidak menggandakan (isi lain: 409).")
    referral: int | None = Field(None, ge=1, le=MAX_ID, description="Id rujukan yang ditindaklanjuti layanan ini.")

    model_config = {"json_schema_extra": {"examples": [{
        "household": "3672031705800042", "person": "3672030108090003", "kind": "reservasi_sma_smk",
        "delivered_on": "2026-06-20", "place": "SMA Negeri 1 Cilegon",
        "notes": "Kursi jalur afirmasi KPM tahun ajaran 2026/2027",
        "client_id": "0b6f3c1e-7d2a-4f7e-9a51-2f0c4d9e8a11"}]}}


class InterventionOut(Schema):
    id: int = Field(examples=[77])
    agency: int = Field(examples=[1])
    agency_name: str = Field(examples=["Dinas Pendidikan dan Kebudayaan Provinsi Banten"])
    household: int = Field(examples=[1042])
    person: int | None = Field(None, examples=[5120])
    person_name: str | None = Field(None, examples=["Rizky Pratama"])
    kind: str = Field(examples=["reservasi_sma_smk"])
    kind_label: str = Field(examples=["Reservasi kursi SMA/SMK untuk anak KPM"])
    delivered_on: date
    place: str = Field(examples=["SMA Negeri 1 Cilegon"])
    notes: str
    referral: int | None = None
    client_id: UUID | None = None
    recorded_by: str = Field(examples=["opd.pendidikan"])
    recorded_at: datetime


class InterventionQuery(PageQuery):
    household: int | None = Field(None, ge=1, le=MAX_ID, description="Hanya keluarga ini (id).")
    agency: int | None = Field(None, ge=1, le=MAX_ID, description="Hanya instansi ini (id).")
    kind: KindCode | None = None
    wilayah: str | None = Field(None, max_length=13, json_schema_extra=_example("36.72"))
    since: date | None = Field(None, description="Layanan pada/sesudah tanggal ini.")
    until: date | None = Field(None, description="Layanan pada/sebelum tanggal ini.")


class InterventionPage(Schema):
    count: int = Field(examples=[12])
    items: list[InterventionOut]


# --- referrals -------------------------------------------------------------------------------

class ReferralIn(Schema):
    person: Text = Field(..., min_length=1, max_length=16, description="Id anggota keluarga atau NIK lengkap.")
    agency: int = Field(..., ge=1, le=MAX_ID, description="Id instansi tujuan (GET /agencies).")
    need: NeedCode = Field(..., description="Kebutuhan yang ditemukan; menentukan sektor instansi tujuan.")
    description: Text = Field("", max_length=2000)

    model_config = {"json_schema_extra": {"examples": [{
        "person": "3672030108090003", "agency": 1, "need": "putus_sekolah",
        "description": "Berhenti sekolah sejak semester lalu, membantu orang tua di pelabuhan."}]}}


class ReferralEventOut(Schema):
    action: str = Field(examples=["accepted"])
    from_status: str = Field(examples=["open"])
    to_status: str = Field(examples=["accepted"])
    note: str
    by: str = Field(examples=["opd.pendidikan"])
    at: datetime


class ReferralOut(Schema):
    id: int = Field(examples=[31])
    household: int = Field(examples=[1042])
    person: int = Field(examples=[5120])
    person_name: str = Field(examples=["Rizky Pratama"])
    agency: int = Field(examples=[1])
    agency_name: str = Field(examples=["Dinas Pendidikan dan Kebudayaan Provinsi Banten"])
    need: str = Field(examples=["putus_sekolah"])
    need_label: str = Field(examples=["Anak putus sekolah"])
    description: str
    status: StatusCode
    status_label: str = Field(examples=["Baru dirujuk"])
    outcome: str = Field(examples=[""])
    outcome_note: str
    referred_by: str = Field(examples=["pendamping.pulomerak"])
    referred_at: datetime
    age_days: int = Field(description="Umur rujukan dalam hari.", examples=[3])
    overdue: bool = Field(description="Belum selesai dan lebih tua dari batas hari (JSIKA_REFERRAL_STALE_DAYS).")


class ReferralDetail(ReferralOut):
    events: list[ReferralEventOut]


class ReferralQuery(PageQuery):
    status: StatusCode | None = None
    agency: int | None = Field(None, ge=1, le=MAX_ID)
    need: NeedCode | None = None
    overdue: bool = Field(False, description="Hanya rujukan yang belum selesai melewati batas hari.")
    wilayah: str | None = Field(None, max_length=13, json_schema_extra=_example("36.72.03"))


class ReferralPage(Schema):
    count: int = Field(examples=[4])
    overdue_after_days: int = Field(examples=[14])
    items: list[ReferralOut]


class NoteIn(Schema):
    note: Text = Field("", max_length=2000)


class ActIn(Schema):
    note: Text = Field("", max_length=2000, description="Apa yang dilakukan.")
    kind: KindCode | None = Field(None, description="Bila sebuah layanan diberikan: dicatat sebagai intervensi.")
    delivered_on: date | None = None
    place: Text = Field("", max_length=150)


class CloseIn(Schema):
    outcome: OutcomeCode
    note: Text = Field("", max_length=2000)


class DeclineIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=2000)


class HouseholdDetailOut(HouseholdRef):
    sector: str = Field(examples=["kesehatan"])
    numbers_masked: bool
    members: list[PartnerPersonOut]
    interventions: list[InterventionOut]

