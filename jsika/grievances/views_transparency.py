"""/transparansi/: public figures per program, year and region — aggregates only, small cells hidden.

Filters are query parameters so a view can be shared: ``?program=JSCM&tahun=2019&wilayah=36.72.03``;
``&format=csv`` downloads every year of that program and region with the same hiding rule.
"""

import csv
import re
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jsika.regions.models import Region

from . import transparency as tp
from .forms import public_provinces

REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2})?)?$")


@dataclass
class Selection:
    program: str
    year: int
    years: list[int]
    wilayah: Region
    programs: list[tp.ProgramOption]
    errors: list[str] = field(default_factory=list)

    def query(self, **override) -> str:
        params = {"program": self.program, "tahun": self.year, "wilayah": self.wilayah.code, **override}
        return "&".join(f"{k}={v}" for k, v in params.items() if v not in ("", None))


def _default_region(program: str, programs: list[tp.ProgramOption]) -> Region | None:
    owner = next((p.owner_code for p in programs if p.code == program), None)
    for code in [owner, *public_provinces()]:
        if code:
            region = Region.objects.filter(code=code, level__lte=Region.Level.DISTRICT).first()
            if region:
                return region
    return Region.objects.filter(level=Region.Level.PROVINCE).first()


def parse_selection(params) -> Selection | None:
    """Program, year and region from the query string; unusable values fall back to defaults with a message."""
    programs = tp.program_options()
    errors = []
    program = (params.get("program") or "").strip().upper()
    if program and program not in {p.code for p in programs}:
        errors.append(_("Program %(code)s tidak dikenal; menampilkan semua program.") % {"code": program[:20]})
        program = ""
    years = tp.year_range(programs, program, timezone.localdate())
    raw_year = (params.get("tahun") or "").strip()
    year = years[-1]
    if raw_year:
        if raw_year.isdigit() and int(raw_year) in years:
            year = int(raw_year)
        else:
            errors.append(_("Tahun %(year)s tidak tersedia; menampilkan %(shown)s.") % {"year": raw_year[:6],
                                                                                       "shown": year})
    raw_region = (params.get("wilayah") or "").strip()
    wilayah = None
    if raw_region:
        if REGION_CODE.match(raw_region):
            wilayah = Region.objects.filter(code=raw_region).first()
        if wilayah is None:
            errors.append(_("Wilayah %(code)s tidak dikenal (pilih provinsi, kabupaten/kota atau kecamatan).") % {
                "code": raw_region[:20]})
    wilayah = wilayah or _default_region(program, programs)
    if wilayah is None:
        return None
    return Selection(program, year, years, wilayah, programs, errors)


def _ancestors(region: Region) -> list[Region]:
    chain = []
    while region is not None:
        chain.append(region)
        region = region.parent
    return list(reversed(chain))


def _chart_data(sel: Selection, by_year: tp.Table, by_region: tp.Table) -> dict:
    return {
        "years": [r.code for r in by_year.rows],
        "regions": [r.name for r in by_region.rows],
        "figures": [{"key": f.key, "label": str(f.label), "kind": f.kind} for f in by_year.figures],
        "by_year": {k: [r.shown[k] for r in by_year.rows] for k in by_year.keys},
        "by_region": {k: [r.shown[k] for r in by_region.rows] for k in by_region.keys},
        "year": sel.year,
        "region": sel.wilayah.name,
        "hidden_label": str(_("disembunyikan (< 5)")),
    }


def _csv(sel: Selection, figs: list[tp.Figure]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"transparansi-{sel.program or 'semua'}-{sel.wilayah.code}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # spreadsheet programs read UTF-8 with a BOM
    writer = csv.writer(response)
    writer.writerow(["program", "tahun", "kode_wilayah", "nama_wilayah", "tingkat", *[
        f.key + ("_rupiah" if f.kind == "rupiah" else "") for f in figs]])
    for year in sel.years:
        table = tp.region_table(sel.program, year, sel.wilayah, figs)
        for row in [table.total, *table.rows]:
            writer.writerow([sel.program or "SEMUA", year, row.code, row.name, Region.Level(row.level).label, *[
                tp.HIDDEN if row.shown[k] is None else row.shown[k] for k in table.keys]])
    return response


@require_GET
def transparency(request):
    """The public figures page (or its CSV)."""
    sel = parse_selection(request.GET)
    if sel is None:
        return render(request, "grievances/transparency.html", {"sel": None})
    figs = tp.figures()
    if request.GET.get("format") == "csv":
        return _csv(sel, figs)
    by_region = tp.region_table(sel.program, sel.year, sel.wilayah, figs)
    by_year = tp.year_table(sel.program, sel.years, sel.wilayah, figs)
    keys = {f.key for f in figs}
    context = {
        "sel": sel, "by_region": by_region, "by_year": by_year, "figures": figs,
        "chart": _chart_data(sel, by_year, by_region),
        "trail": _ancestors(sel.wilayah),
        "hidden_any": tp.hidden_any(by_region) or tp.hidden_any(by_year),
        "missing_paid": "paid" not in keys,
        "region_choices": _region_choices(sel.wilayah),
        "program_name": next((p.name for p in sel.programs if p.code == sel.program), ""),
    }
    return render(request, "grievances/transparency.html", context)


def _region_choices(current: Region) -> list[tuple[str, str]]:
    """The regions the filter offers: the provinces, their kab/kota, and the kecamatan of the current kab/kota."""
    provinces = public_provinces()
    regions = list(Region.objects.filter(code__in=provinces)) + list(
        Region.objects.filter(parent_id__in=provinces, level=Region.Level.REGENCY))
    kab = current.code[:5] if current.level >= Region.Level.REGENCY else None
    if kab:
        regions += list(Region.objects.filter(parent_id=kab, level=Region.Level.DISTRICT))
    if not any(r.code == current.code for r in regions):
        regions.append(current)
    regions.sort(key=lambda r: r.code)
    return [(r.code, "\u2003" * (r.level - 1) + r.name) for r in regions]
