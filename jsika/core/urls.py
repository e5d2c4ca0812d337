from django.urls import path

from . import views, views_jobs

app_name = "core"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("beranda/", views.home, name="home"),
    path("tugas/<uuid:job_id>/", views.job_status, name="job_status"),
    path("tugas/<uuid:job_id>/unduh/", views_jobs.job_download, name="job_download"),
]
