"""The project's URLs plus ``/bench/bare``: a fixed JSON answer through the same middleware (bench only)."""

from django.http import JsonResponse
from django.urls import path

from jsika.urls import urlpatterns as project_urlpatterns

FIXED = {"id": 1, "no_kk": "3672********0001", "region": "36.72.03.1001", "members": []}


def bare(request):
    return JsonResponse(FIXED)


urlpatterns = [path("bench/bare", bare), *project_urlpatterns]
