"""Reads of the pre-aggregated figures: what the dashboard, the map and the reports show.

A page reads the rows of exactly one region (``Figures``: one query) and, for the table of its parts, the
rows of its child regions for a few metrics (``children``) — never the source tables. Which region a user
may look at is decided here (``user_root``, ``resolve_scope``), with the same scope as their personal data.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, Sum

from jsika.core.roles import REGION_SCOPED_ROLES
from jsika.core.scoping import code_in_scope
from jsika.regions.models import Region

from .models import CycleFact, FigureFact, FigureRefresh, RegionPoint, region_level

# --- scope ---------------------------------------------------------------------------------------

def user_root(user) -> str | None:
    """The widest region ``user`` may see figures of: ``""`` (everything) for a superuser, their scope for
    region-scoped roles; None for everyone else (banks, pendamping: their own pages show their work)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    if user.role in REGION_SCOPED_ROLES and user.scope:
        return user.scope
    return None


def may_see(user, code: str) -> bool:
    root = user_root(user)
    return root is not None and (root == "" or code_in_scope(code, root))


@dataclass
class Scope:
    code: str
    name: str
    level: int
    trail: list  # [(code, name)] from the user's root down to this region

    @property
    def child_level(self) -> int | None:
        return self.level + 1 if self.level < 4 else None


def region_name(code: str) -> str:
    if not code:
        return "Indonesia"
    return Region.objects.filter(code=code).values_list("name", flat=True).first() or code


def resolve_scope(user, wilayah: str = "") -> Scope | None:
    """The region to show: ``wilayah`` when it is a known region inside the user's root, else the root."""
    root = user_root(user)
    if root is None:
        return None
    code = wilayah.strip() if wilayah and may_see(user, wilayah.strip()) else root
    if code and not Region.objects.filter(code=code).exists():
        code = root
    parts = code.split(".") if code else []
    codes = [".".join(parts[:i]) for i in range(region_level(root), len(parts) + 1)]
    names = dict(Region.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))
    names[""] = "Indonesia"
    trail = [(c, names.get(c, c)) for c in codes]
    return Scope(code=code, name=names.get(code, code), level=region_level(code), trail=trail)


def last_refresh() -> FigureRefresh | None:
    return FigureRefresh.objects.filter(finished_at__isnull=False).first()


# --- the figures of one region --------------------------------------------------------------------

class Figures:
    """Every fact of one region (optionally one program), read in one query, with the series pages need.

    Program-less facts (visits, grievances, caseloads) are always included: they belong to no program.
    """

    def __init__(self, code: str, program_id: int | None = None):
        self.code, self.program_id = code, program_id
        qs = FigureFact.objects.filter(region_code=code)
        if program_id:
            qs = qs.filter(Q(program_id=program_id) | Q(program_id__isnull=True))
        self.rows = list(qs.values_list("metric", "program_id", "year", "month", "key", "value"))

    def _rows(self, metric: str):
        return (r for r in self.rows if r[0] == metric)

    def total(self, metric: str, *, year=None, month=None, key=None, yearly: bool = True) -> int:
        """Sum of ``metric``; ``yearly`` reads the year rows (month empty) unless a month is given."""
        total = 0
        for _m, _p, y, mo, k, v in self._rows(metric):
            if year is not None and y != year:
                continue
            if month is not None and mo != month:
                continue
            if month is None and yearly and mo is not None:
                continue
            if key is not None and k != key:
                continue
            total += v
        return total

    def by(self, metric: str, *, index, year=None, month=None, yearly: bool = True) -> dict:
        """``metric`` summed per ``index`` (a function of a row's (program, year, month, key))."""
        out: dict = defaultdict(int)
        for _m, p, y, mo, k, v in self._rows(metric):
            if (year is not None and y != year) or (month is not None and mo != month):
                continue
            if month is None and yearly and mo is not None:
                continue
            out[index(p, y, mo, k)] += v
        return dict(out)

    def years(self) -> list[int]:
        return sorted({r[2] for r in self.rows if r[2] and r[0] in ("kpm", "grievances", "visits", "paid_rupiah")})

    # KPM ------------------------------------------------------------------------------------------
    def kpm_per_year(self) -> dict[int, int]:
        return dict(sorted(self.by("kpm", index=lambda p, y, mo, k: y).items()))

    def kpm_per_program_year(self) -> dict[int, dict[int, int]]:
        out: dict = defaultdict(dict)
        for (p, y), v in self.by("kpm", index=lambda p, y, mo, k: (p, y)).items():
            out[p][y] = v
        return {p: dict(sorted(v.items())) for p, v in out.items()}

    def kpm_in_month(self, year: int, month: int) -> int:
        """KPM active on at least one day of the month: started by its end, not left before its start."""
        started = sum(v for _m, _p, y, mo, _k, v in self._rows("kpm_started") if mo and (y, mo) <= (year, month))
        ended = sum(v for _m, _p, y, mo, _k, v in self._rows("kpm_ended") if mo and (y, mo) < (year, month))
        return started - ended

    def status_counts(self) -> dict[str, int]:
        return self.by("enrollment_status", index=lambda p, y, mo, k: k)

    # money ----------------------------------------------------------------------------------------
    def money_per_year(self, metric: str) -> dict[int, dict[str, int]]:
        """Rupiah per year and funder (the funder's region code) of ``entitled_rupiah``, ``paid_rupiah`` …"""
        out: dict = defaultdict(dict)
        for (y, funder), v in self.by(metric, index=lambda p, y, mo, k: (y, k)).items():
            out[y][funder] = v
        return dict(sorted(out.items()))

    def per_kpm_rupiah(self, year: int) -> int | None:
        """The yearly amount per KPM the benefit rules give (flat rules), None when they don't say."""
        kpm = self.total("kpm", year=year)
        entitled = self.total("entitled_rupiah", year=year)
        return round(entitled / kpm) if kpm and entitled else None

    # field work -----------------------------------------------------------------------------------
    def compliance(self, year: int, month: int | None = None) -> dict[str, tuple[int, int]]:
        """Per condition: (checked, met) in the year or the month."""
        checked = self.by("compliance_checked", index=lambda p, y, mo, k: k, year=year, month=month)
        met = self.by("compliance_met", index=lambda p, y, mo, k: k, year=year, month=month)
        return {k: (n, met.get(k, 0)) for k, n in sorted(checked.items())}

    def monthly(self, metric: str, year: int) -> list[int]:
        """Twelve numbers: ``metric`` in each month of ``year``."""
        per = self.by(metric, index=lambda p, y, mo, k: mo, year=year, yearly=False)
        return [per.get(m, 0) for m in range(1, 13)]

    # graduation -----------------------------------------------------------------------------------
    def graduation_per_year(self) -> dict[int, tuple[int, int | None]]:
        done = self.by("graduations", index=lambda p, y, mo, k: y)
        target = self.by("graduation_target", index=lambda p, y, mo, k: y)
        return {y: (done.get(y, 0), target.get(y)) for y in sorted(set(done) | set(target))}

    def uep_survival(self) -> dict[str, tuple[int, int]]:
        checks = self.by("uep_followups", index=lambda p, y, mo, k: k)
        running = self.by("uep_running", index=lambda p, y, mo, k: k)
        return {k: (checks[k], running.get(k, 0)) for k in sorted(checks, key=int)}


def children(code: str, metrics: list[str], *, year: int | None = None, month: int | None = None,
             program_id: int | None = None) -> dict:
    """``{child code: {metric: value}}`` for the regions one level below ``code``: the year's rows (and
    snapshots), or the month's rows when ``month`` is given."""
    level = region_level(code) + 1
    if level > 4:
        return {}
    qs = FigureFact.objects.filter(level=level, metric__in=metrics)
    qs = qs.filter(month=month) if month else qs.filter(month__isnull=True)
    if code:
        qs = qs.filter(region_code__startswith=code + ".")
    if program_id:
        qs = qs.filter(Q(program_id=program_id) | Q(program_id__isnull=True))
    out: dict = defaultdict(lambda: dict.fromkeys(metrics, 0))
    rows = (qs.filter(year=year) | qs.filter(year__isnull=True)) if year else qs
    for region, metric, value in rows.values_list("region_code", "metric").annotate(v=Sum("value")).order_by():
        out[region][metric] += value
    return dict(sorted(out.items()))


def cycles(code: str, *, program_id: int | None = None, year: int | None = None):
    """Payment cycles' totals within one region (from ``CycleFact``)."""
    qs = CycleFact.objects.filter(region_code=code)
    if program_id:
        qs = qs.filter(program_id=program_id)
    if year:
        qs = qs.filter(year=year)
    return qs.select_related("program").order_by("-year", "-stage", "-paid_on", "cycle_id")


def region_points(code: str, *, program_id: int | None = None, level: int | None = None):
    """The map's circles below ``code`` at ``level`` (default: the next level down)."""
    level = level or min(region_level(code) + 1, 4)
    qs = RegionPoint.objects.filter(level=level, program_id=program_id, latitude__isnull=False)
    if code:
        qs = qs.filter(region_code__startswith=code + ".")
    return qs.order_by("region_code")
