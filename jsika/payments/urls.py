from django.urls import path

from . import views, views_treasury

app_name = "payments"

urlpatterns = [
    path("", views.cycle_list, name="cycle_list"),
    path("tahap/baru/", views.cycle_create, name="cycle_create"),
    path("tahap/baru-uep/", views.uep_cycle_create, name="uep_cycle_create"),
    path("tahap/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("tahap/<int:pk>/aksi/<slug:action>/", views.cycle_action, name="cycle_action"),
    path("tahap/<int:pk>/berkas/", views.cycle_file, name="cycle_file"),
    path("tahap/<int:pk>/berkas.sha256", views.cycle_file_summary, name="cycle_file_summary"),
    path("tahap/<int:pk>/rekonsiliasi/", views.reconciliation_upload, name="reconciliation_upload"),
    path("tahap/<int:pk>/rekonsiliasi/<int:rid>/", views.reconciliation_detail, name="reconciliation_detail"),
    path("tahap/<int:pk>/rekonsiliasi/proses/<uuid:job_id>/", views.reconciliation_job, name="reconciliation_job"),
    path("tahap/<int:pk>/terbit-ulang/", views.reissue, name="reissue"),
    path("tahap/<int:pk>/retur/", views.return_to_treasury, name="return"),
    path("tahap/<int:pk>/berita-acara.<slug:fmt>", views.berita_acara, name="berita_acara"),
    path("pembayaran/<int:pk>/batal/", views.payment_reverse, name="payment_reverse"),
    path("pembayaran/<int:pk>/selesaikan/", views.payment_settle, name="payment_settle"),
    path("bank/", views_treasury.bank_home, name="bank_home"),
    path("anggaran/", views_treasury.budget, name="budget"),
    path("rekening/", views_treasury.bank_accounts, name="accounts"),
]
