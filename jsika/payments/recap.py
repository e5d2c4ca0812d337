"""The berita acara of a cycle: counts and sums per kecamatan (paid, failed, returned), as xlsx and PDF."""

import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from .models import PaymentCycle
from .queries import cycle_recap

COLUMNS = [
    ("Kode", "code"), ("Kecamatan", "name"), ("Jumlah KPM", "count"), ("Nominal (Rp)", "total_rupiah"),
    ("Berhasil", "paid_count"), ("Berhasil (Rp)", "paid_rupiah"), ("Gagal", "failed_count"),
    ("Gagal (Rp)", "failed_rupiah"), ("Retur", "returned_count"), ("Retur (Rp)", "returned_rupiah"),
    ("Terbit ulang", "reissued_count"), ("Menunggu", "pending_count"),
]


def _people(cycle: PaymentCycle) -> list[tuple[str, str, str]]:
    def name(user):
        return (user.get_full_name() or user.username) if user else "—"

    def when(at):
        return timezone.localtime(at).strftime("%d-%m-%Y") if at else ""

    return [("Dibuat oleh", name(cycle.generated_by), when(cycle.generated_at)),
            ("Diverifikasi oleh", name(cycle.verified_by), when(cycle.verified_at)),
            ("Disetujui oleh", name(cycle.approved_by), when(cycle.approved_at))]


def context(cycle: PaymentCycle) -> dict:
    rows, total = cycle_recap(cycle)
    return {"cycle": cycle, "rows": rows, "total": total, "people": _people(cycle),
            "agency": getattr(settings, "JSIKA_AGENCY_NAME", ""), "printed_at": timezone.localtime()}


def recap_xlsx(cycle: PaymentCycle) -> bytes:
    """The berita acara as a workbook: heading, the per-kecamatan table with totals, and the signatories."""
    data = context(cycle)
    book = Workbook()
    sheet = book.active
    sheet.title = "Berita acara"
    bold = Font(bold=True)
    sheet.append([f"BERITA ACARA PENYALURAN {cycle.description.upper()}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([data["agency"]])
    sheet.append([f"Bank penyalur: {cycle.bank_label}", "", "", f"Wilayah: {cycle.region.name} ({cycle.region_id})"])
    sheet.append([f"Tanggal penyaluran: {cycle.paid_on:%d-%m-%Y}" if cycle.paid_on else "Tanggal penyaluran: —",
                  "", "", f"Status: {cycle.get_status_display()} · tahap #{cycle.pk}"])
    sheet.append([])
    sheet.append([title for title, _key in COLUMNS])
    header_row = sheet.max_row
    fill = PatternFill("solid", fgColor="DCE6F1")
    thin = Side(style="thin", color="999999")
    for cell in sheet[header_row]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in data["rows"]:
        sheet.append([getattr(row, key) for _title, key in COLUMNS])
    total = data["total"]
    sheet.append(["", "JUMLAH", *[getattr(total, key) for _title, key in COLUMNS[2:]]])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for table_row in sheet.iter_rows(min_row=header_row, max_row=sheet.max_row):
        for cell in table_row:
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            if isinstance(cell.value, int) and cell.column > 2:
                cell.number_format = "#,##0"
    for cell in sheet["A"][header_row:]:
        cell.number_format = "@"  # region codes stay text
    sheet.append([])
    for role, name, day in data["people"]:
        sheet.append([role, name, day])
    sheet.append([f"Dicetak {data['printed_at']:%d-%m-%Y %H:%M} WIB dari e-JSiKa"])
    widths = [12, 24, 12, 16, 10, 16, 9, 14, 9, 14, 12, 11]
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def recap_pdf(cycle: PaymentCycle) -> bytes:
    """The same berita acara as an A4 landscape PDF (WeasyPrint, from ``payments/berita_acara.html``)."""
    from weasyprint import HTML

    html = render_to_string("payments/berita_acara.html", context(cycle))
    return HTML(string=html).write_pdf()
