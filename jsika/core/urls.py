from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("beranda/", views.home, name="home"),
    path("tugas/<uuid:job_id>/", views.job_status, name="job_status"),
]
