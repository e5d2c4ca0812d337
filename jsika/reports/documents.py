"""Reports as documents: a title, the region and period, tables with totals, and signature lines.

A builder (``builders.py``) gathers one report's numbers or list into a ``Document``; ``render.py`` writes
the same document as xlsx or PDF, so both files always carry the same figures. Which reports exist
depends on the installed apps (``available_reports``).
"""

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from jsika.core.access_log import log_access
from jsika.core.models import AccessLog

from .queries import may_see

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass
class Column:
    label: str
    kind: str = "text"  # text, int, rupiah, percent, date
    total: bool = False


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    note: str = ""

    @property
    def totals(self) -> list | None:
        """The sum of every column marked ``total`` (None when no column is)."""
        if not any(c.total for c in self.columns):
            return None
        return [sum(r[i] or 0 for r in self.rows) if c.total else None for i, c in enumerate(self.columns)]


@dataclass
class Document:
    kind: str
    title: str
    subtitle: str
    region_code: str
    region_name: str
    period_label: str
    file_stem: str
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    personal_data: bool = False

    @property
    def row_count(self) -> int:
        return sum(len(t.rows) for t in self.tables)


@dataclass(frozen=True)
class ReportSpec:
    code: str
    label: str
    description: str
    needs: str  # the app the report reads
    builder: str  # dotted path in builders.py
    params: tuple  # which of program, bulan, tahun, wilayah it takes
    personal_data: bool = False


REPORTS = [
    ReportSpec("bulanan", _("Laporan bulanan program"),
               _("KPM, penyaluran, kepatuhan, kunjungan, P2K2 dan pengaduan satu bulan, per wilayah."),
               "jsika.programs", "monthly_report", ("program", "bulan", "wilayah")),
    ReportSpec("musdes", _("Daftar KPM per desa (musyawarah desa)"),
               _("Daftar keluarga penerima satu desa/kelurahan untuk verifikasi dalam musyawarah desa."),
               "jsika.programs", "village_list", ("program", "wilayah"), personal_data=True),
    ReportSpec("kinerja", _("Kinerja pendamping per bulan"),
               _("Kunjungan, pertemuan P2K2 dan ketepatan pencatatan setiap pendamping dalam satu bulan."),
               "jsika.fieldwork", "facilitator_report", ("bulan",)),
    ReportSpec("graduasi", _("Daftar graduasi per tahun"),
               _("KPM yang graduasi dalam satu tahun, jenisnya, dan bantuan UEP."),
               "jsika.graduation", "graduation_list", ("program", "tahun", "wilayah"), personal_data=True),
]


def available_reports() -> dict[str, ReportSpec]:
    return {r.code: r for r in REPORTS if apps.is_installed(r.needs)}


def check_request(user, kind: str, params: dict) -> None:
    """Refuse a report outside the user's scope or with incomplete parameters (PermissionDenied)."""
    spec = available_reports()[kind]
    wilayah = params.get("wilayah", "")
    if "wilayah" in spec.params and not may_see(user, wilayah or (user.scope if not user.is_superuser else "")):
        raise PermissionDenied("Wilayah di luar cakupan Anda.")
    if "bulan" in spec.params and not MONTH.match(params.get("bulan", "")):
        raise PermissionDenied("Bulan harus berbentuk TTTT-BB.")
    if "tahun" in spec.params and not str(params.get("tahun", "")).isdigit():
        raise PermissionDenied("Tahun laporan belum diisi.")
    if kind == "musdes" and (len(wilayah.split(".")) != 4 or not params.get("program")):
        raise PermissionDenied("Pilih program dan satu desa/kelurahan.")
    if kind == "kinerja" and not (user.is_superuser or user.role in ("manager", "operator", "auditor")):
        raise PermissionDenied("Laporan kinerja pendamping hanya untuk pengawas pendamping.")


def build(user, kind: str, params: dict) -> Document:
    from . import builders

    spec = available_reports()[kind]
    check_request(user, kind, params)
    document = getattr(builders, spec.builder)(user, params)
    document.personal_data = spec.personal_data
    return document


def log_export(user, document: Document, params: dict) -> None:
    """Lists of families are exports of personal data: on the access log (UU PDP)."""
    if document.personal_data:
        log_access(user=user, action=AccessLog.Action.EXPORT, object_type="report", object_id=document.kind,
                   rows=document.row_count, wilayah=document.region_code, format=params.get("format", ""),
                   program=params.get("program", ""))
