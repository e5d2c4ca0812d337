from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("perbarui/", views.refresh, name="refresh"),
    path("peta/", views.map_page, name="map"),
    path("peta/wilayah.json", views.map_regions, name="map_regions"),
    path("peta/titik.json", views.map_points, name="map_points"),
    path("unduhan/", views.report_index, name="report_index"),
    path("tugas/<uuid:job_id>/", views.job, name="job"),
    path("tugas/<uuid:job_id>/berkas/", views.download, name="download"),
]
