"""The staff pages of grievances (login): the queue, one grievance, and its actions."""

from django.urls import path

from . import views

app_name = "grievances"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/foto/", views.photo, name="photo"),
    path("<int:pk>/aksi/<slug:action>/", views.act, name="act"),
]
