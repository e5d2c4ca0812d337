"""Typed shapes of the registry API (specs/api.md): query parameters in, households and persons out.

Query parameters carry a single ``example`` (ninja copies it onto the OpenAPI parameter, where
``examples`` would have to be a map); response fields carry JSON Schema ``examples``.
"""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

SchoolLevel = Literal["sd", "smp", "sma"]

NO_KK_EXAMPLE = "3672031705800042"
NO_KK_MASKED_EXAMPLE = "3672********0042"


def _example(value) -> dict:
    return {"example": value}


class HouseholdQuery(Schema):
    """Filters of ``GET /households``; all optional, combined with AND, always inside the caller's scope."""

    wilayah: str | None = Field(
        None, description="Kode wilayah Kemendagri (awalan): 36, 36.72, 36.72.03, 36.72.03.1001.",
        json_schema_extra=_example("36.72"))
    program: str | None = Field(
        None, description="Kode program (mis. JSCM): hanya keluarga KPM program itu. Selama modul program belum "
                          "terpasang, nilai apa pun dijawab 400 'program tidak dikenal'.",
        json_schema_extra=_example("JSCM"))
    status: str | None = Field(
        None, description="Status kepesertaan KPM (mis. active); berlaku bersama modul program.",
        json_schema_extra=_example("active"))
    hamil: bool | None = Field(None, description="Ada anggota yang hamil (true) / tidak ada (false).")
    balita: bool | None = Field(None, description="Ada anggota berusia di bawah 5 tahun.")
    lansia: bool | None = Field(None, description="Ada anggota berusia 60 tahun atau lebih.")
    disabilitas: bool | None = Field(None, description="Ada anggota penyandang disabilitas.")
    anak_sekolah: SchoolLevel | None = Field(
        None, description="Ada anak yang bersekolah di jenjang ini.", json_schema_extra=_example("sma"))
    desil_max: int | None = Field(
        None, ge=1, le=10, description="Desil kesejahteraan DTSEN paling tinggi (1–10).",
        json_schema_extra=_example(4))
    q: str | None = Field(
        None, max_length=100,
        description="Cari: NIK atau No. KK lengkap, awalan No. KK, atau nama (toleran ejaan lama/baru).",
        json_schema_extra=_example("Siti Hadijah"))
    limit: int = Field(50, ge=1, le=500, description="Jumlah baris per halaman (1–500; lebih dari 500 dijawab 422).")
    offset: int = Field(0, ge=0, le=10**9, description="Lewati sekian baris pertama.")


class PersonQuery(Schema):
    nik: str = Field(..., description="NIK lengkap 16 digit (hanya cocok persis).",
                     json_schema_extra=_example("3672035705850002"))


class Criteria(Schema):
    """The derived criteria a clerk or partner filters by, for this household today."""

    hamil: bool | None = Field(description="null bila bidang ini bukan data sektor mitra (OPD) pembaca.")
    balita: bool
    lansia: bool
    disabilitas: bool | None = Field(description="null bila bidang ini bukan data sektor mitra (OPD) pembaca.")
    anak_sekolah: list[SchoolLevel] | None = Field(description="Jenjang sekolah anak-anak keluarga ini (null bila "
                                                   "bukan data sektor mitra pembaca).")


class HouseholdItem(Schema):
    id: int = Field(description="Id keluarga di e-JSiKa; tetap walau No. KK berganti.", examples=[1042])
    no_kk: str = Field(description="No. KK; tersamar (3672********0042) kecuali operator/pengelola pada baca detail.",
                       examples=[NO_KK_MASKED_EXAMPLE])
    region: str = Field(description="Kode desa/kelurahan.", examples=["36.72.03.1001"])
    region_name: str = Field(examples=["Lebak Gede"])
    address: str = Field(examples=["Jl. Raya Merak No. 12"])
    rt: str = Field(examples=["003"])
    rw: str = Field(examples=["002"])
    desil: int | None = Field(description="Desil DTSEN 1–10, kosong bila belum diperingkat.", examples=[2])
    is_pkh_recipient: bool | None = Field(description="null bila bidang ini bukan data sektor mitra (OPD) pembaca.")
    head_name: str | None = Field(description="Nama kepala keluarga.", examples=["Ahmad Sujatmiko"])
    member_count: int = Field(examples=[4])
    latitude: float | None = Field(examples=[-5.9361])
    longitude: float | None = Field(examples=[106.0032])
    criteria: Criteria


class HouseholdPage(Schema):
    count: int = Field(description="Jumlah seluruh keluarga yang cocok (bukan hanya halaman ini).", examples=[1686])
    items: list[HouseholdItem]


class PersonOut(Schema):
    id: int
    nik: str = Field(description="NIK; tersamar kecuali operator/pengelola pada baca detail.",
                     examples=["3672********0002"])
    name: str = Field(examples=["Siti Hadijah"])
    sex: Literal["L", "P"]
    birth_date: date
    age: int = Field(description="Umur dalam tahun hari ini.", examples=[39])
    relation: str = Field(examples=["istri"])
    education: str | None = Field(description="null bila bidang ini bukan data sektor mitra (OPD) pembaca.")
    school_status: str | None = Field(description="'', belum sekolah, paud, sd, smp, sma, tidak sekolah lagi "
                                      "(null bila bukan data sektor mitra pembaca).", examples=["sma"])
    pregnant: bool | None = Field(description="null bila bidang ini bukan data sektor mitra (OPD) pembaca.")
    disabled: bool | None = Field(description="null bila bidang ini bukan data sektor mitra (OPD) pembaca.")
    occupation: str | None = Field(description="null bila bidang ini bukan data sektor mitra (OPD) pembaca.")
    nik_mismatch: str | None = Field(description="Alasan NIK tidak padan dengan jenis kelamin/tanggal lahir ('' bila "
                                     "padan; null bila bukan data sektor mitra pembaca).")


class HouseholdDetail(HouseholdItem):
    numbers_masked: bool = Field(description="true bila NIK/No. KK dalam jawaban ini tersamar.")
    updated_at: datetime
    members: list[PersonOut]


class HouseholdRef(Schema):
    id: int
    no_kk: str = Field(examples=[NO_KK_MASKED_EXAMPLE])
    region: str = Field(examples=["36.72.03.1001"])
    region_name: str = Field(examples=["Lebak Gede"])


class PersonMatch(PersonOut):
    household: HouseholdRef


class PersonPage(Schema):
    count: int = Field(description="0 atau 1: NIK unik; 0 juga bila di luar cakupan Anda.")
    numbers_masked: bool
    items: list[PersonMatch]
