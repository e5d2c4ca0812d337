from django.urls import path

from . import views, views_jobs, views_privacy, views_twofactor

app_name = "core"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("masuk/", views_twofactor.TwoStepLoginView.as_view(), name="login"),
    path("masuk/kode/", views_twofactor.login_code, name="login_code"),
    path("keamanan/", views_twofactor.security, name="security"),
    path("keamanan/2fa/daftar/", views_twofactor.totp_enrol, name="totp_enrol"),
    path("keamanan/2fa/konfirmasi/", views_twofactor.totp_confirm, name="totp_confirm"),
    path("keamanan/2fa/hapus/", views_twofactor.totp_remove, name="totp_remove"),
    path("keamanan/laporan-subjek/", views_privacy.subject_report, name="subject_report"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("beranda/", views.home, name="home"),
    path("tugas/<uuid:job_id>/", views.job_status, name="job_status"),
    path("tugas/<uuid:job_id>/unduh/", views_jobs.job_download, name="job_download"),
]
