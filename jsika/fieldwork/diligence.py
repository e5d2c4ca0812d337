"""Facilitator diligence for supervisors: per pendamping per month, what was done and how well it was recorded.

Measures: visits done / due (households of the caseload visited at least once in the month), P2K2
sessions held, households not visited in 60 days, records entered late (more than 7 days after the
activity), records without GPS or photo, and the sync lag (phone clock → server). Aggregated in a
few queries per month, whatever the number of pendamping.
"""

import csv
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.utils import timezone

from jsika.registry.models import Household

from . import periods
from .models import LATE_AFTER_DAYS, CaseloadAssignment, FamilySession, Visit
from .queries import NOT_VISITED_DAYS, facilitators_for

SORTS = {
    "rank": lambda r: (-r.visit_percent, r.late, r.facilitator.username),
    "terendah": lambda r: (r.visit_percent, -r.late, r.facilitator.username),
    "terlambat": lambda r: (-r.late, r.facilitator.username),
    "belum_dikunjungi": lambda r: (-r.not_visited, r.facilitator.username),
    "nama": lambda r: r.facilitator.username,
}


@dataclass
class DiligenceRow:
    facilitator: object
    due: int = 0
    visited: int = 0
    visits: int = 0
    sessions: int = 0
    not_visited: int = 0
    late: int = 0
    without_gps: int = 0
    without_photo: int = 0
    lag_seconds: int = 0
    lag_count: int = 0
    rank: int = 0

    @property
    def records(self) -> int:
        return self.visits + self.sessions

    @property
    def visit_percent(self) -> int:
        return min(100, round(self.visited * 100 / self.due)) if self.due else 0

    @property
    def sync_lag_hours(self) -> float | None:
        return round(self.lag_seconds / self.lag_count / 3600, 1) if self.lag_count else None


def as_of(period: str, today: date | None = None) -> date:
    """The day a month is judged on: its last day, or today for the current month."""
    today = today or timezone.localdate()
    return min(periods.parse(period)[1], today)


def _add(rows: dict, facilitator_id: int, **values) -> None:
    row = rows.get(facilitator_id)
    if row is None:
        return
    for name, value in values.items():
        setattr(row, name, getattr(row, name) + (value or 0))


def _record_stats(model, date_field: str, ids: list[int], start: date, end: date) -> list[dict]:
    return list(model.objects.filter(facilitator_id__in=ids, **{f"{date_field}__range": (start, end)})
                .values("facilitator_id").order_by()
                .annotate(n=Count("pk"), late=Count("pk", filter=Q(entry_delay_days__gt=LATE_AFTER_DAYS)),
                          no_gps=Count("pk", filter=Q(latitude__isnull=True) | Q(longitude__isnull=True)),
                          no_photo=Count("pk", filter=Q(photo="")),
                          lag=Sum("sync_lag_seconds"), lag_n=Count("sync_lag_seconds")))


def diligence(user, period: str, *, sort: str = "rank", today: date | None = None) -> list[DiligenceRow]:
    """One row per pendamping overseen by ``user`` for month ``period``, ranked (1 = most visits done)."""
    start, end = periods.parse(period)
    day = as_of(period, today)
    facilitators = list(facilitators_for(user).filter(is_active=True).order_by("username"))
    rows = {f.pk: DiligenceRow(f) for f in facilitators}
    ids = list(rows)
    held = CaseloadAssignment.objects.filter(facilitator_id__in=ids, assigned_at__date__lte=day).filter(
        Q(ended_at__isnull=True) | Q(ended_at__date__gt=day))
    for fid, n in held.values_list("facilitator_id").annotate(n=Count("pk")).order_by():
        _add(rows, fid, due=n)
    since = day - timedelta(days=NOT_VISITED_DAYS)
    recent = Visit.objects.filter(household_id=OuterRef("household_id"), visited_on__gt=since, visited_on__lte=day)
    for fid, n in held.exclude(Exists(recent)).values_list("facilitator_id").annotate(n=Count("pk")).order_by():
        _add(rows, fid, not_visited=n)
    visited = Visit.objects.filter(facilitator_id__in=ids, visited_on__range=(start, end))
    for fid, n in visited.values_list("facilitator_id").annotate(n=Count("household_id", distinct=True)).order_by():
        _add(rows, fid, visited=n)
    for stats, count_field in ((_record_stats(Visit, "visited_on", ids, start, end), "visits"),
                               (_record_stats(FamilySession, "held_on", ids, start, end), "sessions")):
        for s in stats:
            _add(rows, s["facilitator_id"], **{count_field: s["n"]}, late=s["late"], without_gps=s["no_gps"],
                 without_photo=s["no_photo"], lag_seconds=s["lag"], lag_count=s["lag_n"])
    ranked = sorted(rows.values(), key=SORTS["rank"])
    for i, row in enumerate(ranked, start=1):
        row.rank = i
    return sorted(ranked, key=SORTS.get(sort, SORTS["rank"]))


def records_of(facilitator, period: str) -> dict:
    """The drill-down of one pendamping's month: visits and sessions with their quality flags."""
    start, end = periods.parse(period)
    visits = (Visit.objects.filter(facilitator=facilitator, visited_on__range=(start, end))
              .select_related("household", "household__region").order_by("visited_on", "pk"))
    sessions = (FamilySession.objects.filter(facilitator=facilitator, held_on__range=(start, end))
                .select_related("region", "module").annotate(n_present=Count("attendances", filter=Q(
                    attendances__present=True)), n_invited=Count("attendances")).order_by("held_on", "pk"))
    return {"visits": list(visits), "sessions": list(sessions)}


def not_visited_households(facilitator, period: str, today: date | None = None):
    """Caseload households with no visit in the 60 days up to the month's judging day, longest first."""
    day = as_of(period, today)
    since = day - timedelta(days=NOT_VISITED_DAYS)
    recent = Visit.objects.filter(household_id=OuterRef("household_id"), visited_on__gt=since, visited_on__lte=day)
    ids = (CaseloadAssignment.objects.filter(facilitator=facilitator, ended_at__isnull=True)
           .exclude(Exists(recent)).values("household_id"))
    return (Household.objects.filter(pk__in=ids).select_related("region")
            .annotate(last_visit=Max("visits__visited_on", filter=Q(visits__visited_on__lte=day)))
            .order_by(F("last_visit").asc(nulls_first=True), "pk"))


CSV_HEADER = ["peringkat", "pendamping", "nama", "wilayah_tugas", "keluarga_dampingan", "keluarga_dikunjungi",
              "persen_kunjungan", "jumlah_kunjungan", "pertemuan_p2k2", "tidak_dikunjungi_60_hari",
              "input_terlambat", "tanpa_gps", "tanpa_foto", "rata_jeda_sinkron_jam"]


def write_csv(rows: list[DiligenceRow], out) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in rows:
        f = r.facilitator
        writer.writerow([r.rank, f.username, f.get_full_name(), f.scope, r.due, r.visited, r.visit_percent, r.visits,
                         r.sessions, r.not_visited, r.late, r.without_gps, r.without_photo,
                         "" if r.sync_lag_hours is None else r.sync_lag_hours])
