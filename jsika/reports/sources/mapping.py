"""The map's region circles: the centroid of each region's household GPS points and its KPM per criterion.

Region shapes are not drawn (no maintained package of Indonesian boundaries exists in the registries);
a region is placed at the mean of its households' points, weighted by their number when summed up.
"""

from collections import defaultdict
from datetime import date

from django.db.models import Avg, Count

from jsika.registry.models import Household
from jsika.registry.queries import pregnant_q

from ..criteria import dropout_q, kpm_q, ready_q
from ..models import RegionPoint
from .common import PREFIX_LENGTH

COUNTS = ("kpm", "suspended", "pregnant", "dropout", "ready")


def _kpm_counts(program_id: int | None, today: date) -> dict:
    return dict(kpm=Count("pk"), suspended=Count("pk", filter=kpm_q(program_id, status="suspended")),
                pregnant=Count("pk", filter=pregnant_q()), dropout=Count("pk", filter=dropout_q(today)),
                ready=Count("pk", filter=ready_q()))


def refresh(today: date) -> int:
    from jsika.programs.models import Program

    points: dict[tuple[str, int | None], dict] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    centres = {}
    for region, lat, lon, n in (Household.objects.filter(latitude__isnull=False, longitude__isnull=False)
                                .values_list("region_id").annotate(Avg("latitude"), Avg("longitude"), Count("pk"))
                                .order_by()):
        centres[region] = (lat * n, lon * n, n)
    programs = [None, *Program.objects.values_list("pk", flat=True)]
    for program_id in programs:
        rows = (Household.objects.filter(kpm_q(program_id)).values("region_id")
                .annotate(**_kpm_counts(program_id, today)).order_by())
        for row in rows:
            points[(row["region_id"], program_id)] = {k: row[k] for k in COUNTS}
    return _write(points, centres)


def _write(points: dict, centres: dict) -> int:
    """Desa rows, then each level summed into its parent (centroids weighted by their households)."""
    objects = []
    by_level = {4: (points, centres)}
    for level in (3, 2, 1, 0):
        child_points, child_centres = by_level[level + 1]
        up_points: dict = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
        up_centres: dict = defaultdict(lambda: (0.0, 0.0, 0))
        for (code, program_id), counts in child_points.items():
            target = up_points[(code[:PREFIX_LENGTH[level]], program_id)]
            for k in COUNTS:
                target[k] += counts[k]
        for code, (lat, lon, n) in child_centres.items():
            a, b, m = up_centres[code[:PREFIX_LENGTH[level]]]
            up_centres[code[:PREFIX_LENGTH[level]]] = (a + lat, b + lon, m + n)
        by_level[level] = (up_points, up_centres)
    for level, (level_points, level_centres) in by_level.items():
        for (code, program_id), counts in level_points.items():
            lat, lon, n = level_centres.get(code, (0.0, 0.0, 0))
            objects.append(RegionPoint(region_code=code, level=level, program_id=program_id,
                                       latitude=lat / n if n else None, longitude=lon / n if n else None,
                                       households=n, **counts))
    RegionPoint.objects.bulk_create(objects, batch_size=2000)
    return len(objects)
