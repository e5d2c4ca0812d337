from django.urls import path

from . import views, views_referrals

app_name = "partners"
urlpatterns = [
    path("", views.home, name="home"),
    path("pendidikan/", views.education, name="education"),
    path("kesehatan/", views.health, name="health"),
    path("cari/", views.search, name="search"),
    path("cari/ekspor/", views.export, name="export"),
    path("cari/simpan/", views.save_search, name="save_search"),
    path("pencarian/<int:pk>/", views.saved_search, name="saved_search"),
    path("pencarian/<int:pk>/hapus/", views.delete_saved_search, name="delete_saved_search"),
    path("keluarga/<int:pk>/", views.household, name="household"),
    path("keluarga/<int:household_id>/layanan/", views.record_intervention, name="record_intervention"),
    path("intervensi/", views.interventions, name="interventions"),
    path("rujukan/", views_referrals.referral_list, name="referrals"),
    path("rujukan/baru/<int:person_id>/", views_referrals.referral_new, name="referral_new"),
    path("rujukan/<int:pk>/", views_referrals.referral_detail, name="referral_detail"),
    path("api/", views.api_page, name="api"),
]
