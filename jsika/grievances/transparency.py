"""The public figures of /transparansi/: aggregates per program, year and region, small cells hidden.

Figures come from *providers*, so each domain app supplies its own numbers without this page knowing its
tables. A provider is a ``Figure`` whose ``compute(program, year, prefix, depth)`` answers
``{area_code: Cell}`` for the areas below ``prefix`` (codes cut to ``depth`` characters: 2 province,
5 kab/kota, 8 kecamatan). Built in: KPM and graduations (from ``jsika.programs`` enrollments), the
amounts paid (``jsika.payments``, when installed) and grievances filed/resolved. An installed app may
add or replace figures with a module ``<app>.public_figures`` holding ``FIGURES: list[Figure]`` (e.g.
``jsika.graduation.public_figures``; the same ``key`` replaces the built-in one).

Privacy: a cell resting on 1–4 households is shown as "< 5"; when only one cell of a column is hidden in a
table whose total is shown, the next smallest is hidden too, so it cannot be worked out by subtraction.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext_lazy as _

from jsika.core.scoping import region_q
from jsika.regions.models import Region

from .models import Grievance, Status

SMALL_CELL = 5
HIDDEN = "< 5"
DEPTH = {Region.Level.PROVINCE: 2, Region.Level.REGENCY: 5, Region.Level.DISTRICT: 8, Region.Level.VILLAGE: 13}
PLUGIN_APPS = ("jsika.payments", "jsika.graduation")


@dataclass(frozen=True)
class Cell:
    value: int
    households: int  # how many households the value rests on (the small-cell rule counts these)

    def __add__(self, other: "Cell") -> "Cell":
        return Cell(self.value + other.value, self.households + other.households)


ZERO = Cell(0, 0)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: str  # "households", "rupiah" or "count"
    compute: Callable[[str, int, str, int], dict[str, Cell]]
    note: str = ""
    order: int = 50


def _counts(qs, region: str, prefix: str, depth: int, *, distinct: str | None = None) -> dict[str, Cell]:
    """Rows of ``qs`` below ``prefix`` counted per area code (the region code's first ``depth`` characters).

    ``region`` is the path to the region foreign key (``"region"``, ``"household__region"``).
    """
    counter = Count(distinct, distinct=True) if distinct else Count("pk")
    rows = (qs.filter(region_q(f"{region}_id", prefix)).annotate(area=Substr(region, 1, depth))
            .values("area").annotate(n=counter).order_by())
    return {r["area"]: Cell(r["n"], r["n"]) for r in rows}


# --- built-in providers ---------------------------------------------------------------------------------

def _enrollments(program: str):
    enrollment = apps.get_model("programs", "Enrollment")
    qs = enrollment.objects.all()
    return qs.filter(program__code=program) if program else qs


def kpm_cells(program: str, year: int, prefix: str, depth: int) -> dict[str, Cell]:
    """Households enrolled (active or suspended) on at least one day of ``year`` — the published KPM counts."""
    from jsika.programs.queries import active_during_q

    return _counts(_enrollments(program).filter(active_during_q(year)), "household__region", prefix, depth,
                   distinct="household_id")


def graduation_cells(program: str, year: int, prefix: str, depth: int) -> dict[str, Cell]:
    """Households that left the program by graduation in ``year``."""
    qs = _enrollments(program).filter(exit_reason="graduated", ended_on__year=year)
    return _counts(qs, "household__region", prefix, depth, distinct="household_id")


def paid_cells(program: str, year: int, prefix: str, depth: int) -> dict[str, Cell]:
    """Rupiah credited to KPM accounts for ``year``'s payments (status paid), and how many households got them.

    Counted where the household lived when paid (the payment's own region code)."""
    payment = apps.get_model("payments", "Payment")
    qs = payment.objects.filter(status="paid", year=year)
    if program:
        qs = qs.filter(program__code=program)
    rows = (qs.filter(region_q("region_code", prefix)).annotate(area=Substr("region_code", 1, depth))
            .values("area")
            .annotate(total=Sum(Coalesce("credited_amount_rupiah", "amount_rupiah")),
                      n=Count("household_id", distinct=True))
            .order_by())
    return {r["area"]: Cell(r["total"] or 0, r["n"]) for r in rows}


def grievances_filed_cells(program: str, year: int, prefix: str, depth: int) -> dict[str, Cell]:
    """Grievances filed in ``year`` (all programs: many who complain do not know the program's name)."""
    return _counts(Grievance.objects.filter(filed_at__year=year), "region", prefix, depth)


def grievances_resolved_cells(program: str, year: int, prefix: str, depth: int) -> dict[str, Cell]:
    """Grievances closed as resolved in ``year``."""
    qs = Grievance.objects.filter(status=Status.RESOLVED, closed_at__year=year)
    return _counts(qs, "region", prefix, depth)


BUILT_IN = [
    Figure("grievances_filed", _("Pengaduan masuk"), "count", grievances_filed_cells,
           note=_("Semua program"), order=80),
    Figure("grievances_resolved", _("Pengaduan selesai"), "count", grievances_resolved_cells,
           note=_("Semua program"), order=90),
]
PROGRAM_FIGURES = [
    Figure("kpm", _("KPM"), "households", kpm_cells, note=_("Keluarga penerima manfaat"), order=10),
    Figure("graduations", _("Graduasi"), "households", graduation_cells, order=60),
]
PAYMENT_FIGURES = [
    Figure("paid", _("Dana tersalur"), "rupiah", paid_cells, note=_("Dikreditkan ke rekening KPM"), order=20),
]


def figures() -> list[Figure]:
    """Every figure available on this installation, in display order."""
    found = {f.key: f for f in BUILT_IN}
    if apps.is_installed("jsika.programs"):
        found.update({f.key: f for f in PROGRAM_FIGURES})
    if apps.is_installed("jsika.payments"):
        found.update({f.key: f for f in PAYMENT_FIGURES})
    for app in PLUGIN_APPS:
        if not apps.is_installed(app):
            continue
        try:
            module = importlib.import_module(f"{app}.public_figures")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.public_figures":
                raise
            continue
        found.update({f.key: f for f in getattr(module, "FIGURES", [])})
    return sorted(found.values(), key=lambda f: (f.order, f.key))


def compute(fig: Figure, program: str, year: int, prefix: str, depth: int) -> dict[str, Cell]:
    """``fig.compute`` through the cache (``settings.JSIKA_TRANSPARENCY_CACHE_SECONDS``, default 300; 0 = off):
    the page is public, and each view costs dozens of aggregate queries."""
    seconds = int(getattr(settings, "JSIKA_TRANSPARENCY_CACHE_SECONDS", 300))
    if seconds <= 0:
        return fig.compute(program, year, prefix, depth)
    key = f"jsika:transparency:{fig.key}:{program}:{year}:{prefix}:{depth}"
    found = cache.get(key)
    if found is None:
        found = fig.compute(program, year, prefix, depth)
        cache.set(key, found, seconds)
    return found


# --- tables with small cells hidden ---------------------------------------------------------------------

@dataclass
class Row:
    code: str
    name: str
    level: int
    cells: dict[str, Cell]
    shown: dict[str, int | None] = field(default_factory=dict)  # None = hidden
    is_total: bool = False


def _suppress(rows: list[Row], keys: list[str], total: Row | None) -> None:
    """Hide cells under SMALL_CELL households, then one more per column where a single hidden cell
    could be recovered from the total."""
    for row in rows + ([total] if total else []):
        row.shown = {k: (None if 0 < row.cells.get(k, ZERO).households < SMALL_CELL else row.cells.get(k, ZERO).value)
                     for k in keys}
    if total is None:
        return
    for k in keys:
        hidden = [r for r in rows if r.shown[k] is None]
        if len(hidden) == 1 and total.shown[k] is not None:
            others = [r for r in rows if r.shown[k] not in (None, 0)]
            if others:
                min(others, key=lambda r: (r.cells[k].households, r.code)).shown[k] = None


@dataclass
class Table:
    figures: list[Figure]
    rows: list[Row]
    total: Row | None

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.figures]


def region_table(program: str, year: int, wilayah: Region, figs: list[Figure]) -> Table:
    """One row per region directly below ``wilayah`` (down to kecamatan) and the total of ``wilayah``."""
    parent_depth = DEPTH[wilayah.level]
    if wilayah.level >= Region.Level.DISTRICT:
        children = []
    else:
        children = list(Region.objects.filter(parent=wilayah).order_by("code").only("code", "name", "level"))
    child_depth = DEPTH.get(wilayah.level + 1, parent_depth)
    per_child = {f.key: compute(f, program, year, wilayah.code, child_depth) for f in figs} if children else {}
    per_total = {f.key: compute(f, program, year, wilayah.code, parent_depth) for f in figs}
    rows = [Row(c.code, c.name, c.level, {k: per_child[k].get(c.code, ZERO) for k in per_child}) for c in children]
    total = Row(wilayah.code, wilayah.name, wilayah.level, {k: per_total[k].get(wilayah.code, ZERO) for k in per_total},
                is_total=True)
    _suppress(rows, [f.key for f in figs], total)
    return Table(figs, rows, total)


def year_table(program: str, years: list[int], wilayah: Region, figs: list[Figure]) -> Table:
    """One row per year for ``wilayah`` as a whole."""
    depth = DEPTH[wilayah.level]
    rows = []
    for year in years:
        cells = {f.key: compute(f, program, year, wilayah.code, depth).get(wilayah.code, ZERO) for f in figs}
        rows.append(Row(str(year), str(year), wilayah.level, cells))
    _suppress(rows, [f.key for f in figs], None)
    return Table(figs, rows, None)


# --- what the page offers -------------------------------------------------------------------------------

@dataclass
class ProgramOption:
    code: str
    name: str
    start_year: int
    end_year: int | None
    owner_code: str


def program_options() -> list[ProgramOption]:
    if not apps.is_installed("jsika.programs"):
        return []
    program = apps.get_model("programs", "Program")
    return [ProgramOption(p.code, p.name, p.start_year, p.end_year, p.owner_region_id)
            for p in program.objects.order_by("code").only("code", "name", "start_year", "end_year",
                                                           "owner_region_id")]


def year_range(options: list[ProgramOption], program: str, today: date) -> list[int]:
    chosen = [o for o in options if o.code == program] if program else options
    first = min((o.start_year for o in chosen), default=today.year)
    ends = [o.end_year or today.year for o in chosen]
    last = min(max(ends, default=today.year), today.year)
    first_grievance = Grievance.objects.order_by("filed_at").values_list("filed_at__year", flat=True).first()
    if first_grievance:
        first = min(first, first_grievance)
    return list(range(first, max(first, last) + 1))


def hidden_any(table: Table) -> bool:
    return any(v is None for r in table.rows + ([table.total] if table.total else []) for v in r.shown.values())

