from django.urls import path

from . import views, views_import

app_name = "registry"
urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("keluarga/<int:pk>/", views.household_detail, name="household_detail"),
    path("anggota/<int:pk>/nik/", views.reveal_nik, name="reveal_nik"),
    path("impor/", views_import.import_start, name="import"),
    path("impor/contoh.csv", views_import.import_template, name="import_template"),
    path("impor/<uuid:job_id>/", views_import.import_job, name="import_job"),
    path("impor/<uuid:job_id>/penolakan.csv", views_import.import_rejects, name="import_rejects"),
    path("ekspor/", views_import.export, name="export"),
]
