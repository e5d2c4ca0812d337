"""What the map draws: region circles (pre-aggregated ``RegionPoint``) and the KPM households of a few desa.

Household points are read only through the scoping function (``households_for``) and only for the desa the
map shows, so a zoomed-in view stays small whatever the registry's size.
"""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from jsika.core.masking import mask_number
from jsika.registry.queries import pregnant_q

from .criteria import dropout_q, kpm_q, ready_q
from .labels import region_names
from .models import RegionPoint
from .queries import Scope, region_points

MAX_POINTS = 5000
DETAIL_ZOOM = 13  # from this zoom on the map asks for household points


def _point_row(p: RegionPoint, names: dict) -> dict:
    return {"code": p.region_code, "name": names.get(p.region_code, p.region_code), "level": p.level,
            "lat": round(p.latitude, 5), "lon": round(p.longitude, 5), "kpm": p.kpm, "suspended": p.suspended,
            "hamil": p.pregnant, "putus_sekolah": p.dropout, "siap_graduasi": p.ready}


def legend_labels() -> dict:
    return {"active": _("Aktif"), "suspended": _("Ditangguhkan"), "hamil": _("Ada ibu hamil"),
            "putus_sekolah": _("Ada anak putus sekolah"), "siap_graduasi": _("Siap graduasi"), "other": _("Lainnya"),
            "kk": _("No. KK"), "open": _("Buka data keluarga"), "shown": _("rumah KPM di peta"),
            "zoomIn": _("Perbesar peta untuk melihat rumah KPM."), "error": _("Data peta gagal dimuat."),
            "truncated": _("Terlalu banyak rumah: perbesar peta.")}


def regions(scope: Scope, program, level: int | None = None) -> dict:
    """The circles below the scope's region (at ``level`` when given, never above the scope)."""
    level = max(level or 0, scope.level + 1) if level else None
    points = list(region_points(scope.code, program_id=program.pk if program else None, level=level))
    names = region_names(p.region_code for p in points)
    return {"regions": [_point_row(p, names) for p in points if p.kpm]}


def config(scope: Scope, program, *, tile_url: str = "", attribution: str = "") -> dict:
    """The map's start: centre and zoom from the scope's own circle, the levels to draw, the tile URL."""
    own = RegionPoint.objects.filter(region_code=scope.code, program_id=program.pk if program else None).first()
    centre = [own.latitude, own.longitude] if own and own.latitude is not None else [-6.3, 106.1]
    zoom = {0: 5, 1: 9, 2: 11, 3: 13, 4: 14}[scope.level]
    return {"scope": scope.code, "scopeLevel": scope.level, "program": program.code if program else "",
            "centre": centre, "zoom": zoom, "detailZoom": DETAIL_ZOOM, "tileUrl": tile_url,
            "attribution": attribution, "maxPoints": MAX_POINTS}


def points(households, codes: list[str], program, today: date | None = None) -> dict:
    """KPM households of the desa ``codes`` within ``households`` (already scoped), with their criteria."""
    today = today or timezone.localdate()
    program_id = program.pk if program else None
    qs = (households.filter(region_id__in=[c for c in codes if len(c.split(".")) == 4])
          .filter(kpm_q(program_id), latitude__isnull=False, longitude__isnull=False)
          .annotate(is_suspended=kpm_q(program_id, status="suspended"), is_pregnant=pregnant_q(),
                    is_dropout=dropout_q(today), is_ready=ready_q())
          .order_by("pk").values_list("pk", "no_kk", "region_id", "latitude", "longitude", "is_suspended",
                                      "is_pregnant", "is_dropout", "is_ready"))
    rows = list(qs[:MAX_POINTS + 1])
    names = region_names(r[2] for r in rows)
    return {"truncated": len(rows) > MAX_POINTS, "points": [
        {"id": pk, "kk": mask_number(no_kk), "desa": names.get(region, region), "desa_code": region,
         "lat": round(lat, 6), "lon": round(lon, 6), "status": "suspended" if suspended else "active",
         "hamil": bool(pregnant), "putus_sekolah": bool(dropout), "siap_graduasi": bool(ready)}
        for pk, no_kk, region, lat, lon, suspended, pregnant, dropout, ready in rows[:MAX_POINTS]]}
