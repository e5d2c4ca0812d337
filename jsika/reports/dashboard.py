"""What the dashboard page shows for one region, program and year, built from ``queries.Figures``.

Each figure is a ``Panel``: a chart spec (drawn by static/reports/dashboard.js from the JSON the page
embeds), the link to the list behind every bar or point, and a few headline numbers. A panel whose
source app is not installed is left out, so the page grows as apps land.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _

from . import labels, links
from .queries import Figures, Scope, children, cycles

PALETTE = ["#0b3d6e", "#f2b705", "#1c6b3c", "#9c1c4b", "#5b3a99", "#8a5300", "#2a7ab0", "#6b6b6b"]


@dataclass
class Panel:
    key: str
    title: str
    chart: dict | None = None
    stats: list = field(default_factory=list)  # [(label, value, kind, link)]
    link: str | None = None
    note: str = ""
    wide: bool = False


def _chart(key, kind, labels_, datasets, *, unit="count", point_links=None, stacked=False, horizontal=False):
    return {"id": key, "type": kind, "labels": [str(x) for x in labels_], "datasets": datasets, "unit": unit,
            "links": point_links or [], "stacked": stacked, "horizontal": horizontal}


def _dataset(label, data, i, **extra):
    return {"label": str(label), "data": data, "color": PALETTE[i % len(PALETTE)], **extra}


def _period(year: int) -> str:
    today = timezone.localdate()
    return f"{year:04d}-{today.month:02d}" if year == today.year else f"{year:04d}-12"


class Dashboard:
    """The panels of one region (``scope``), program (or all) and year."""

    def __init__(self, scope: Scope, program=None, year: int | None = None, programs=()):
        self.scope, self.program = scope, program
        self.code = scope.code
        self.program_code = program.code if program else ""
        self.figures = Figures(scope.code, program.pk if program else None)
        self.programs = {p.pk: p for p in programs}
        years = self.figures.years()
        today = timezone.localdate()
        self.years = years or [today.year]
        self.year = year if year in self.years else max([y for y in self.years if y <= today.year] or self.years)

    def panels(self) -> list[Panel]:
        panels = [self.kpm(), self.money(), self.statuses()]
        if apps.is_installed("jsika.fieldwork"):
            panels += [self.compliance(), self.diligence()]
        if apps.is_installed("jsika.graduation"):
            panels += [self.graduation(), self.uep()]
        if apps.is_installed("jsika.grievances"):
            panels.append(self.grievances())
        return panels

    def headline(self) -> list:
        f, y = self.figures, self.year
        per_kpm = f.per_kpm_rupiah(y)
        stats = [(_("KPM tahun %(y)s") % {"y": y}, f.total("kpm", year=y), "int",
                  links.enrollments(self.code, self.program_code, "active")),
                 (_("Nominal per KPM per tahun"), per_kpm, "rupiah", links.program(self.program_code)
                  if self.program_code else None),
                 (_("Kebutuhan dana %(y)s") % {"y": y}, f.total("entitled_rupiah", year=y), "rupiah", None)]
        if apps.is_installed("jsika.payments"):
            stats.append((_("Dana tersalur %(y)s") % {"y": y}, f.total("paid_rupiah", year=y), "rupiah",
                          links.payment_cycles(self.code, self.program_code, y)))
        if apps.is_installed("jsika.grievances"):
            stats.append((_("Pengaduan terbuka"), f.total("grievances_open"), "int", links.grievances(self.code,
                                                                                                      status="open")))
        return stats

    # panels ---------------------------------------------------------------------------------------
    def kpm(self) -> Panel:
        per_program = self.figures.kpm_per_program_year()
        years = sorted({y for series in per_program.values() for y in series})
        datasets = []
        for i, (pid, series) in enumerate(sorted(per_program.items(), key=lambda kv: self._code(kv[0]))):
            datasets.append(_dataset(self._code(pid), [series.get(y, 0) for y in years], i,
                                     links=[links.enrollments(self.code, self._code(pid))] * len(years)))
        return Panel("kpm", _("KPM per tahun"), _chart("kpm", "line", years, datasets),
                     link=links.enrollments(self.code, self.program_code),
                     note=_("KPM dihitung bila aktif setidaknya satu hari dalam tahun itu."))

    def money(self) -> Panel:
        series = {"entitled_rupiah": _("Kebutuhan"), "paid_rupiah": _("Tersalur")}
        if not apps.is_installed("jsika.payments"):
            series.pop("paid_rupiah")
        per_metric = {m: self.figures.money_per_year(m) for m in series}
        years = sorted({y for per_year in per_metric.values() for y in per_year})
        funders = sorted({f for per_year in per_metric.values() for row in per_year.values() for f in row})
        names = labels.region_names(funders)
        datasets, i = [], 0
        for metric, stack_label in series.items():
            for funder in funders:
                data = [per_metric[metric].get(y, {}).get(funder, 0) for y in years]
                if any(data):
                    datasets.append(_dataset(f"{stack_label} · {names.get(funder, funder)}", data, i, stack=metric))
                    i += 1
        point_links = [links.payment_cycles(self.code, self.program_code, y) or links.program(self.program_code)
                       for y in years]
        return Panel("money", _("Dana per tahun dan penyandang dana"),
                     _chart("money", "bar", years, datasets, unit="rupiah", point_links=point_links, stacked=True),
                     link=links.payment_cycles(self.code, self.program_code),
                     note=_("Kebutuhan: KPM × nominal aturan manfaat tetap, dibagi menurut porsi pendanaan; "
                            "tersalur: pembayaran berhasil menurut rekonsiliasi bank."))

    def statuses(self) -> Panel:
        counts = self.figures.status_counts()
        names = labels.enrollment_statuses()
        order = [s for s in names if s in counts] + [s for s in counts if s not in names]
        return Panel("status", _("Kepesertaan menurut status"), _chart(
            "status", "bar", [names.get(s, s) for s in order], [_dataset(_("Kepesertaan"), [counts[s] for s in order],
                                                                         0)],
            point_links=[links.enrollments(self.code, self.program_code, s) for s in order], horizontal=True),
            link=links.enrollments(self.code, self.program_code))

    def compliance(self) -> Panel:
        rows = self.figures.compliance(self.year)
        names = labels.conditions()
        keys = list(rows)
        rates = [round(m * 100 / c, 1) if c else 0 for c, m in rows.values()]
        period = _period(self.year)
        return Panel("compliance", _("Kepatuhan komitmen %(y)s") % {"y": self.year}, _chart(
            "compliance", "bar", [names.get(k, k) for k in keys], [_dataset(_("% terpenuhi"), rates, 2)],
            unit="percent", point_links=[links.compliance(period, self.program_code)] * len(keys)),
            stats=[(names.get(k, k), f"{m} / {c}", "text", None) for k, (c, m) in rows.items()],
            link=links.compliance(period, self.program_code),
            note="" if rows else _("Belum ada verifikasi komitmen pada tahun ini."))

    def diligence(self) -> Panel:
        f, y = self.figures, self.year
        months = [str(m) for m in labels.MONTHS]
        visits = f.monthly("visits", y)
        households = f.monthly("caseload_visited", y)
        caseload = f.total("caseload")
        period = _period(y)
        last = int(period[5:]) - 1
        percent = round(households[last] * 100 / caseload, 1) if caseload else None
        return Panel("diligence", _("Keaktifan pendamping %(y)s") % {"y": y}, _chart(
            "diligence", "bar", months, [_dataset(_("Kunjungan rumah"), visits, 0),
                                         _dataset(_("Keluarga dampingan dikunjungi"), households, 1),
                                         _dataset(_("Pertemuan P2K2"), f.monthly("sessions", y), 2)],
            point_links=[links.diligence(f"{y:04d}-{m:02d}") for m in range(1, 13)]),
            stats=[(_("Pendamping"), f.total("facilitators"), "int", links.diligence(period)),
                   (_("Keluarga dampingan"), caseload, "int", None),
                   (_("Dikunjungi bulan %(m)s") % {"m": labels.MONTHS[last]}, percent, "percent", None),
                   (_("Catatan terlambat %(y)s") % {"y": y}, f.total("late_records", year=y), "int", None)],
            link=links.diligence(period))

    def graduation(self) -> Panel:
        per_year = self.figures.graduation_per_year()
        years = list(per_year)
        return Panel("graduation", _("Graduasi dibanding target"), _chart(
            "graduation", "bar", years, [_dataset(_("Graduasi"), [d for d, _t in per_year.values()], 2),
                                         _dataset(_("Target"), [t or 0 for _d, t in per_year.values()], 1)],
            point_links=[links.graduations(self.code, self.program_code, y) for y in years]),
            stats=[(_("Siap graduasi (asesmen terakhir)"), self.figures.total("ready_to_graduate"), "int", None)],
            link=links.graduations(self.code, self.program_code),
            note="" if per_year else _("Belum ada graduasi atau target."))

    def uep(self) -> Panel:
        survival = self.figures.uep_survival()
        keys = list(survival)
        rates = [round(r * 100 / n, 1) if n else 0 for n, r in survival.values()]
        return Panel("uep", _("Usaha UEP yang bertahan"), _chart(
            "uep", "bar", [_("%(m)s bulan") % {"m": k} for k in keys], [_dataset(_("Persen usaha jalan"), rates, 2)],
            unit="percent", point_links=[links.grants(self.code, self.program_code)] * len(keys)),
            stats=[(_("Bantuan UEP disalurkan"), self.figures.total("uep_disbursed"), "int", None),
                   (_("Nilai disalurkan"), self.figures.total("uep_disbursed_rupiah"), "rupiah", None)],
            link=links.grants(self.code, self.program_code),
            note="" if survival else _("Belum ada tindak lanjut usaha UEP."))

    def grievances(self) -> Panel:
        f, y = self.figures, self.year
        filed = f.by("grievances", index=lambda p, yy, mo, k: k, year=y)
        names = labels.categories()
        keys = sorted(filed, key=lambda k: -filed[k])
        closed, on_time = f.total("grievances_closed", year=y), f.total("grievances_on_time", year=y)
        return Panel("grievances", _("Pengaduan %(y)s menurut jenis") % {"y": y}, _chart(
            "grievances", "bar", [names.get(k, k) for k in keys], [_dataset(_("Pengaduan"), [filed[k] for k in keys],
                                                                            3)],
            point_links=[links.grievances(self.code, k) for k in keys], horizontal=True),
            stats=[(_("Selesai tepat waktu"), round(on_time * 100 / closed, 1) if closed else None, "percent", None),
                   (_("Terbuka"), f.total("grievances_open"), "int", links.grievances(self.code, status="open")),
                   (_("Melewati batas waktu"), f.total("grievances_overdue"), "int",
                    links.grievances(self.code, status="open", terlambat="on"))],
            link=links.grievances(self.code))

    # tables ---------------------------------------------------------------------------------------
    def regions(self) -> list[dict]:
        """The child regions with their numbers, each linking to its own dashboard and household list."""
        if self.scope.child_level is None:
            return []
        metrics = ["kpm", "entitled_rupiah", "paid_rupiah", "grievances"]
        rows = children(self.code, metrics, year=self.year, program_id=self.program.pk if self.program else None)
        names = labels.region_names(rows)
        return [{"code": c, "name": names[c], **v, "households": links.households(c),
                 "enrollments": links.enrollments(c, self.program_code, "active")} for c, v in rows.items()]

    def cycles(self) -> list:
        if not apps.is_installed("jsika.payments"):
            return []
        rows = list(cycles(self.code, program_id=self.program.pk if self.program else None, year=self.year)[:50])
        for row in rows:
            row.recap_url = links.cycle_recap(row.cycle_id)
        return rows

    def _code(self, program_id) -> str:
        program = self.programs.get(program_id)
        return program.code if program else str(program_id)
