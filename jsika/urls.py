from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from jsika.api import api
from jsika.core.api_errors import api_not_found

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", api_not_found),  # unknown API addresses answer JSON, not an HTML page
    path("login/", RedirectView.as_view(url="/masuk/", permanent=True)),
    path("", include("jsika.core.urls")),
    path("registry/", include("jsika.registry.urls")),
    path("program/", include("jsika.programs.urls")),
    path("graduasi/", include("jsika.graduation.urls")),
    path("", include("jsika.grievances.urls_public")),  # /pengaduan/, /transparansi/ (public-pages.md)
    path("grievances/", include("jsika.grievances.urls")),
    path("lapangan/", include("jsika.fieldwork.urls")),
    path("penyaluran/", include("jsika.payments.urls")),
    path("laporan/", include("jsika.reports.urls")),
    path("mitra/", include("jsika.partners.urls")),
]
# Media (uploads, generated files, photos) is never served as static files: every download goes
# through a view that checks who may read it.
