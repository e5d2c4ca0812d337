"""Writing the family data file back out (same columns as the import), streamed from the database."""

import csv
from collections.abc import Iterator
from pathlib import Path

from django.db.models import Case, IntegerField, Value, When

from jsika.core.scoping import region_q

from .fileformat import COLUMNS, format_bool, format_number
from .models import Relation
from .queries import persons_for


def family_rows(*, by, wilayah: str = "") -> Iterator[list[str]]:
    """One list per person in ``by``'s scope, heads first within each household, in COLUMNS order."""
    qs = persons_for(by).select_related("household")
    if wilayah:
        qs = qs.filter(region_q("household__region_id", wilayah))
    qs = qs.annotate(head_first=Case(When(relation=Relation.HEAD, then=Value(0)), default=Value(1),
                                     output_field=IntegerField()))
    for p in qs.order_by("household__no_kk", "head_first", "nik").iterator(chunk_size=5000):
        h = p.household
        yield [
            h.no_kk, p.nik, p.name, p.sex, p.birth_date.isoformat(), p.relation, h.region_id, h.address,
            h.rt, h.rw, p.education, p.school_status, format_bool(p.pregnant), format_bool(p.disabled),
            p.occupation, format_number(h.desil), p.phone, format_number(h.latitude), format_number(h.longitude),
        ]


def export_registry(*, by, out: str | Path, wilayah: str = "", fmt: str = "csv") -> int:
    """Write the rows in scope to ``out`` as CSV or XLSX (NIK and No. KK as text). Returns the row count."""
    count = 0
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("data keluarga")
        sheet.append(COLUMNS)
        for row in family_rows(by=by, wilayah=wilayah):
            sheet.append(row)  # every value is a str, so Excel keeps all 16 digits
            count += 1
        book.save(out)
    elif fmt == "csv":
        with open(out, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            for row in family_rows(by=by, wilayah=wilayah):
                writer.writerow(row)
                count += 1
    else:
        raise ValueError(f"Format {fmt!r} tidak dikenal; pilih csv atau xlsx.")
    return count



