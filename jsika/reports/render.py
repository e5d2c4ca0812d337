"""Write a ``Document`` as xlsx (openpyxl) or PDF (WeasyPrint), under the agency's letterhead.

The letterhead is the deployment's: ``settings.JSIKA_AGENCY_NAME`` and the optional
``settings.JSIKA_LETTERHEAD`` (or the environment variable of the same name), lines separated by
``|`` or new lines — e.g. ``Jl. Syekh Nawawi Al-Bantani, Serang|Telp. (0254) 000000``.
"""

import io
import os
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .documents import Document

FORMATS = ("xlsx", "pdf")


def letterhead() -> list[str]:
    """The agency's name and the letterhead's further lines."""
    extra = getattr(settings, "JSIKA_LETTERHEAD", None) or os.environ.get("JSIKA_LETTERHEAD", "")
    lines = [line.strip() for line in extra.replace("|", "\n").splitlines() if line.strip()]
    return [getattr(settings, "JSIKA_AGENCY_NAME", "") or "Dinas Sosial", *lines]


def number(value: int | float) -> str:
    """Indonesian digits: 1.686 and 12,5."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", "x").replace(".", ",").replace("x", ".")
    return f"{int(value):,}".replace(",", ".")


def cell_text(value, kind: str) -> str:
    if value is None or value == "":
        return "" if kind == "text" else "–"
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if kind == "rupiah" and isinstance(value, int | float):
        return "Rp" + number(value)
    if kind == "percent" and isinstance(value, int | float):
        return number(value) + "%"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value)
    return str(value)


def render(document: Document, fmt: str) -> bytes:
    if fmt == "xlsx":
        return to_xlsx(document)
    if fmt == "pdf":
        return to_pdf(document)
    raise ValueError(f"unknown format {fmt!r}")


def _printed() -> str:
    return timezone.localtime().strftime("%d-%m-%Y %H:%M")


# --- xlsx ------------------------------------------------------------------------------------------

FORMATS_XLSX = {"int": "#,##0", "rupiah": '"Rp"#,##0', "percent": '0.0"%"', "date": "DD-MM-YYYY"}


def to_xlsx(document: Document) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = document.kind[:31]
    bold, thin = Font(bold=True), Side(style="thin", color="999999")
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    row = 1
    for i, line in enumerate(letterhead()):
        ws.cell(row=row, column=1, value=line.upper() if i == 0 else line).font = Font(bold=i == 0, size=14 if i == 0
                                                                                      else 10)
        row += 1
    row += 1
    for text, font in ((document.title, Font(bold=True, size=13)), (document.subtitle, bold),
                       (f"{_('Wilayah')}: {document.region_name}" + (f" ({document.region_code})"
                                                                       if document.region_code else ""), None),
                       (f"{_('Periode')}: {document.period_label}", None)):
        cell = ws.cell(row=row, column=1, value=text)
        if font:
            cell.font = font
        row += 1
    widths: dict[int, int] = {}
    for table in document.tables:
        row += 1
        ws.cell(row=row, column=1, value=table.title).font = Font(bold=True, size=12)
        row += 1
        for col, column in enumerate(table.columns, start=1):
            cell = ws.cell(row=row, column=col, value=column.label)
            cell.font, cell.fill, cell.border = bold, header_fill, Border(top=thin, bottom=thin, left=thin, right=thin)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[col] = max(widths.get(col, 8), min(len(column.label), 30))
        row += 1
        for values in table.rows:
            _xlsx_row(ws, row, table, values, widths)
            row += 1
        totals = table.totals
        if totals is not None:
            values = [_("Jumlah") if i == 0 and totals[0] is None else v for i, v in enumerate(totals)]
            _xlsx_row(ws, row, table, values, widths, font=bold)
            row += 1
        if table.note:
            ws.cell(row=row, column=1, value=table.note).font = Font(italic=True)
            row += 1
    row += 1
    for note in document.notes:
        ws.cell(row=row, column=1, value=note).font = Font(italic=True, size=9)
        row += 1
    row += 1
    for i, who in enumerate(document.signatures):
        ws.cell(row=row, column=1 + i * 3, value=who).font = bold
        ws.cell(row=row + 4, column=1 + i * 3, value="(.................................)")
    ws.cell(row=row + 6, column=1, value=f"{_('Dicetak dari e-JSiKa')}: {_printed()}").font = Font(size=8)
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width + 2
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _xlsx_row(ws, row: int, table, values: list, widths: dict, font=None) -> None:
    for col, (column, value) in enumerate(zip(table.columns, values, strict=False), start=1):
        if column.kind == "text" and value is not None and not isinstance(value, str):
            value = str(value)  # identity numbers and codes stay text
        cell = ws.cell(row=row, column=col, value=value)
        if column.kind in FORMATS_XLSX:
            cell.number_format = FORMATS_XLSX[column.kind]
        if font:
            cell.font = font
        widths[col] = max(widths.get(col, 8), min(len(cell_text(value, column.kind)), 45))


# --- PDF ---------------------------------------------------------------------------------------------

def to_pdf(document: Document) -> bytes:
    from weasyprint import HTML

    tables = []
    for table in document.tables:
        totals = table.totals
        tables.append({
            "title": table.title, "note": table.note,
            "columns": [{"label": c.label, "numeric": c.kind in ("int", "rupiah", "percent")} for c in table.columns],
            "rows": [[_pdf_cell(v, c) for c, v in zip(table.columns, r, strict=False)] for r in table.rows],
            "totals": None if totals is None else [
                {"text": _("Jumlah"), "num": False} if i == 0 and v is None else
                {"text": "" if v is None else cell_text(v, c.kind), "num": v is not None}
                for i, (c, v) in enumerate(zip(table.columns, totals, strict=False))],
        })
    wide = max((len(t.columns) for t in document.tables), default=0) > 7
    html = render_to_string("reports/pdf/document.html", {
        "doc": document, "tables": tables, "letterhead": letterhead(), "landscape": wide, "printed": _printed()})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _pdf_cell(value, column) -> dict:
    return {"text": cell_text(value, column.kind), "num": column.kind in ("int", "rupiah", "percent")}
