"""The public addresses of specs/public-pages.md: printed on posters and letters, so they never change."""

from django.urls import path

from . import views_public, views_transparency

app_name = "grievances_public"
urlpatterns = [
    path("pengaduan/", views_public.file_grievance, name="file"),
    path("pengaduan/wilayah/", views_public.region_options, name="regions"),
    path("pengaduan/cek/", views_public.lookup, name="lookup"),
    path("pengaduan/<str:ticket>/", views_public.status, name="status"),
    path("transparansi/", views_transparency.transparency, name="transparency"),
]
