from django.urls import path

from . import views, views_reports

app_name = "programs"
urlpatterns = [
    path("", views.program_list, name="program_list"),
    path("baru/", views.program_edit, name="program_create"),
    path("kepesertaan/", views.enrollment_list, name="enrollment_list"),
    path("kepesertaan/setujui/", views.bulk_approve, name="bulk_approve"),
    path("kepesertaan/<int:pk>/", views.enrollment_detail, name="enrollment_detail"),
    path("kepesertaan/<int:pk>/<slug:action>/", views.enrollment_action, name="enrollment_action"),
    path("keluarga/<int:household_pk>/", views.household_programs, name="household_programs"),
    path("masa-berakhir/", views_reports.tenure_ending, name="tenure_ending"),
    path("tumpang-tindih/", views_reports.overlap_report, name="overlap_report"),
    path("resertifikasi/", views_reports.reverification_list, name="reverification_list"),
    path("resertifikasi/<int:pk>/", views_reports.reverification_detail, name="reverification_detail"),
    path("resertifikasi/<int:pk>/tutup/", views_reports.reverification_close, name="reverification_close"),
    path("resertifikasi/cek/<int:pk>/", views_reports.reverification_confirm, name="reverification_confirm"),
    path("<str:code>/", views.program_detail, name="program_detail"),
    path("<str:code>/ubah/", views.program_edit, name="program_edit"),
    path("<str:code>/aturan/", views.benefit_rule_save, name="benefit_rule_save"),
    path("<str:code>/kuota/", views.quota_save, name="quota_save"),
    path("<str:code>/penyaringan/", views.screening, name="screening"),
    path("<str:code>/usulkan/", views.propose, name="propose"),
]
