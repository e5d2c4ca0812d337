"""The generated files themselves: open the xlsx and the PDF and check what they say and that totals add up."""

import io
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from jsika.reports import render
from jsika.reports.documents import build
from jsika.reports.services import refresh_figures

from .factories import PULOMERAK, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(regions):
    data = world()
    refresh_figures(today=date(2026, 6, 1))
    return data


def xlsx_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[c for c in row] for row in sheet.iter_rows(values_only=True)]


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _row(rows: list[list], first: str) -> list:
    return next(r for r in rows if r and r[0] == first)


def test_monthly_report_carries_the_dashboard_figures(w, tmp_path, settings):
    settings.JSIKA_AGENCY_NAME = "Dinas Sosial Kota Cilegon"
    settings.JSIKA_LETTERHEAD = "Jl. Jend. Sudirman No. 2, Cilegon|Telp. (0254) 000000"
    doc = build(w["cilegon"], "bulanan", {"program": "JSCM", "bulan": "2019-11", "wilayah": ""})
    rows = xlsx_rows(render.to_xlsx(doc))
    assert rows[0][0] == "DINAS SOSIAL KOTA CILEGON" and rows[1][0].startswith("Jl. Jend. Sudirman")
    assert _row(rows, "KPM aktif dalam bulan ini")[1] == 3
    assert _row(rows, "KPM tahun 2019")[1] == 3
    assert _row(rows, "Kebutuhan dana tahun 2019 menurut aturan manfaat (Rp)")[1] == 1_500_000
    assert _row(rows, "Dana tersalur tahun 2019 (Rp)")[1] == 1_000_000
    cycle = _row(rows, "JSCM")
    assert cycle[1:] == ["2019 tahap 1", "BJB", cycle[3], 3, 1_500_000, 2, 1_000_000, None, None, None][:len(cycle) - 1]
    per_region = [r for r in rows if r and r[0] in ("36.72.01", "36.72.03")]
    assert [(r[0], r[2]) for r in per_region] == [("36.72.01", 1), ("36.72.03", 2)]
    assert _row(rows, "Jumlah")[0] == "Jumlah"  # totals rows are written

    text = pdf_text(render.to_pdf(doc), tmp_path)
    assert "DINAS SOSIAL KOTA CILEGON" in text and "Telp. (0254) 000000" in text
    assert "Laporan Bulanan Program" in text and "November 2019" in text
    assert "Rp1.500.000" in text and "Rp1.000.000" in text and "20-11-2019" in text


def test_monthly_report_of_march_counts_field_work_and_grievances(w):
    doc = build(w["cilegon"], "bulanan", {"program": "", "bulan": "2019-03", "wilayah": "36.72.03"})
    rows = xlsx_rows(render.to_xlsx(doc))
    assert _row(rows, "Kunjungan rumah")[1] == 2
    assert _row(rows, "Pertemuan P2K2")[1] == 1
    assert _row(rows, "Kehadiran P2K2 (keluarga hadir dari diundang)")[1] == "1 / 2"
    assert _row(rows, "Pengaduan masuk")[1] == 1
    school = _row(rows, "Kehadiran sekolah anak ≥ 85%")
    assert school[1:4] == [2, 1, 50.0]


def test_village_list_for_the_musyawarah_desa(w, tmp_path):
    doc = build(w["cilegon"], "musdes", {"program": "JSCM", "wilayah": PULOMERAK})
    rows = xlsx_rows(render.to_xlsx(doc))
    listed = [r for r in rows if isinstance(r[0], int)]
    assert [r[0] for r in listed] == [1, 2]  # h1 and h3; h2 left the program in 2017
    assert all("*" in r[1] for r in listed)  # No. KK masked
    assert "ibu hamil" in listed[0][9] and "putus sekolah" in listed[1][9] and "siap graduasi" in listed[1][9]
    assert _row(rows, "Jumlah")[5] == sum(r[5] for r in listed)
    text = pdf_text(render.to_pdf(doc), tmp_path)
    assert "Musyawarah Desa" in text and "Kepala Desa/Lurah" in text and "Jumlah KPM: 2 keluarga" in text


def test_facilitator_report_per_month(w, tmp_path):
    doc = build(w["cilegon"], "kinerja", {"bulan": "2019-03"})
    rows = xlsx_rows(render.to_xlsx(doc))
    row = _row(rows, 1)
    assert row[1] == "pendamping.r" and row[6] == 2 and row[7] == 1  # two visits, one P2K2 session
    assert "Laporan Kinerja Pendamping" in pdf_text(render.to_pdf(doc), tmp_path)


def test_graduation_list_per_year(w, tmp_path):
    doc = build(w["banten"], "graduasi", {"program": "JSCM", "tahun": "2017", "wilayah": ""})
    rows = xlsx_rows(render.to_xlsx(doc))
    row = _row(rows, 1)
    assert row[5] == "Graduasi sejahtera mandiri" and row[7] == "GR-2017-001" and row[9] == "Disalurkan"
    assert _row(rows, "Graduasi sejahtera mandiri")[1] == 1
    text = pdf_text(render.to_pdf(doc), tmp_path)
    assert "Daftar KPM Graduasi" in text and "GR-2017-001" in text and "Target graduasi 2017: 5 KPM" in text
    assert build(w["lebak"], "graduasi", {"program": "JSCM", "tahun": "2017", "wilayah": ""}).row_count == 0
