from django.urls import path

from . import views, views_grants

app_name = "graduation"
urlpatterns = [
    path("", views.index, name="index"),
    path("asesmen/", views.assessment_list, name="assessment_list"),
    path("asesmen/keluarga/<int:household_pk>/", views.assessment_form, name="assessment_form"),
    path("asesmen/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("keluarga/<int:household_pk>/", views.household, name="household"),
    path("instrumen/", views.instrument_list, name="instrument_list"),
    path("instrumen/<int:pk>/", views.instrument_detail, name="instrument_detail"),
    path("kandidat/", views.candidates, name="candidates"),
    path("kandidat/<int:enrollment_pk>/usulkan/", views.propose, name="propose"),
    path("keputusan/", views.decision_list, name="decision_list"),
    path("keputusan/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("keputusan/<int:pk>/surat.pdf", views.certificate, name="certificate"),
    path("keputusan/<int:pk>/<slug:action>/", views.decide, name="decide"),
    path("target/", views.targets, name="targets"),
    path("uep/", views_grants.grant_list, name="grant_list"),
    path("uep/anggaran/", views_grants.budgets, name="budgets"),
    path("uep/laporan/", views_grants.survival, name="survival"),
    path("uep/ajukan/<int:graduation_pk>/", views_grants.grant_apply, name="grant_apply"),
    path("uep/<int:pk>/", views_grants.grant_detail, name="grant_detail"),
    path("uep/<int:pk>/tindak-lanjut/<int:months>/", views_grants.follow_up, name="follow_up"),
    path("uep/<int:pk>/<slug:action>/", views_grants.grant_action, name="grant_action"),
]
