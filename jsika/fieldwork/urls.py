from django.urls import path

from . import views, views_supervision

app_name = "fieldwork"
urlpatterns = [
    # The field app (PWA) — the service worker lives here so its scope covers these pages.
    path("", views.today, name="today"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("kunjungan/baru/", views.visit_form, name="visit_form"),
    path("p2k2/baru/", views.session_form, name="session_form"),
    path("antrean/", views.queue, name="queue"),
    path("keluarga/<int:pk>/", views.household, name="household"),
    path("kunjungan/", views.visit_list, name="visit_list"),
    path("kunjungan/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("kunjungan/<int:pk>/foto/", views.visit_photo, name="visit_photo"),
    path("p2k2/", views.session_list, name="session_list"),
    path("p2k2/<int:pk>/", views.session_detail, name="session_detail"),
    path("p2k2/<int:pk>/foto/", views.session_photo, name="session_photo"),
    # Supervisors.
    path("dampingan/", views_supervision.caseloads, name="caseloads"),
    path("dampingan/tetapkan-desa/", views_supervision.assign_village, name="assign_village"),
    path("dampingan/alihkan/", views_supervision.reassign, name="reassign"),
    path("dampingan/<int:pk>/", views_supervision.facilitator_caseload, name="facilitator_caseload"),
    path("pendamping/baru/", views_supervision.facilitator_create, name="facilitator_create"),
    path("kinerja/", views_supervision.diligence_report, name="diligence"),
    path("kinerja/<int:pk>/", views_supervision.diligence_detail, name="diligence_detail"),
    path("kepatuhan/", views_supervision.compliance_overview, name="compliance"),
    path("kepatuhan/hitung/", views_supervision.compliance_run, name="compliance_run"),
    path("kepatuhan/<int:pk>/konfirmasi/", views_supervision.confirm_check, name="confirm_check"),
]
