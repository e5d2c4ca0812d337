"""The project's URLs plus two bench-only endpoints, through the same middleware.

- ``/bench/bare``: a fixed JSON answer (Django's floor);
- ``/bench/raw/<no_kk>``: the household and its members read with two hand-written SELECTs and
  returned as JSON, without token, scoping, access log, ORM or ninja (the raw baseline).
"""

from django.db import connection
from django.http import Http404, JsonResponse
from django.urls import path

from jsika.urls import urlpatterns as project_urlpatterns

FIXED = {"id": 1, "no_kk": "3672********0001", "region": "36.72.03.1001", "members": []}


def bare(request):
    return JsonResponse(FIXED)


def raw(request, no_kk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT h.id, h.no_kk, h.region_id, r.name, h.address, h.rt, h.rw, h.desil, h.latitude, "
                       "h.longitude FROM registry_household h JOIN regions_region r ON r.code = h.region_id "
                       "WHERE h.no_kk = %s", [no_kk])
        row = cursor.fetchone()
        if row is None:
            raise Http404
        cursor.execute("SELECT id, nik, name, sex, birth_date, relation, education, school_status, pregnant, "
                       "disabled, occupation FROM registry_person WHERE household_id = %s ORDER BY birth_date, id",
                       [row[0]])
        columns = [c.name for c in cursor.description]
        members = [dict(zip(columns, m, strict=True)) for m in cursor.fetchall()]
    keys = ("id", "no_kk", "region", "region_name", "address", "rt", "rw", "desil", "latitude", "longitude")
    return JsonResponse({**dict(zip(keys, row, strict=True)), "members": members})


urlpatterns = [path("bench/bare", bare), path("bench/raw/<str:no_kk>", raw), *project_urlpatterns]
