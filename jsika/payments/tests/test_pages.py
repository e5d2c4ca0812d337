"""The payments pages per role: cycles, actions, the bank's desk, berita acara, budget, accounts, household."""

import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory
from openpyxl import load_workbook

from jsika.registry.tests.factories import make_user

from .. import services
from ..models import BankAccount, PaymentCycle
from .factories import approved_cycle, jscm_world, kpm

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(regions):
    program, p, enrollments = jscm_world(n_pulomerak=2, n_ciwaduk=1)
    cycle = approved_cycle(program, p)
    return program, p, cycle, enrollments


def _as(client, user):
    client.force_login(user)
    return client


def _reconcile(cycle, by, day="2025-11-20"):
    a, b, c = cycle.payments.order_by("pk")
    text = ("id_penyaluran;no_rekening;nominal;status;tanggal;keterangan\n"
            f"{a.pk};{a.account_number};1000000;BERHASIL;{day};\n{b.pk};{b.account_number};1000000;BERHASIL;{day};\n"
            f"{c.pk};{c.account_number};1000000;GAGAL;;rekening tidak aktif\n")
    return services.import_reconciliation(cycle=cycle, file=io.BytesIO(text.encode()), by=by)


@pytest.mark.parametrize("role", ["manager", "operator", "auditor", "manager_banten"])
def test_staff_see_the_cycle_list_and_detail(world, client, role):
    program, p, cycle, _ = world
    page = _as(client, p[role]).get("/penyaluran/")
    assert page.status_code == 200 and f'href="/penyaluran/tahap/{cycle.pk}/"' in page.content.decode()
    detail = client.get(f"/penyaluran/tahap/{cycle.pk}/")
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "Rekap per kecamatan" in html and "Pulomerak" in html and "Rp3.000.000" in html


@pytest.mark.parametrize("role", ["facilitator", "partner"])
def test_field_staff_and_partners_cannot_open_payments(world, client, role):
    program, p, cycle, _ = world
    assert _as(client, p[role]).get("/penyaluran/").status_code == 403
    assert client.get(f"/penyaluran/tahap/{cycle.pk}/").status_code == 404


def test_a_manager_elsewhere_does_not_see_the_cycle(world, client):
    program, p, cycle, _ = world
    assert _as(client, p["manager_lebak"]).get(f"/penyaluran/tahap/{cycle.pk}/").status_code == 404


def test_the_bank_desk_shows_its_cycles_and_takes_the_file_and_reconciliation(world, client):
    program, p, cycle, _ = world
    bank = _as(client, p["bank"])
    assert bank.get("/penyaluran/").url == "/penyaluran/bank/"
    desk = bank.get("/penyaluran/bank/").content.decode()
    assert f"/penyaluran/tahap/{cycle.pk}/berkas/" in desk and "3 KPM · Rp3.000.000" in desk
    response = bank.get(f"/penyaluran/tahap/{cycle.pk}/berkas/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"id_penyaluran;no_rekening;nama;nik;nominal;")
    a, b, c = cycle.payments.order_by("pk")
    upload = SimpleUploadedFile("rekon.csv", (
        "id_penyaluran;no_rekening;nominal;status;tanggal;keterangan\n"
        f"{a.pk};{a.account_number};1000000;BERHASIL;2025-11-20;\n999;1;1;BERHASIL;2025-11-20;\n").encode())
    response = bank.post(f"/penyaluran/tahap/{cycle.pk}/rekonsiliasi/", {"file": upload})
    assert response.status_code == 302
    result = bank.get(response.url).content.decode()
    assert "id_penyaluran tidak dikenal" in result and "Hasil rekonsiliasi" in result
    detail = bank.get(f"/penyaluran/tahap/{cycle.pk}/").content.decode()
    assert 'id="payments"' not in detail  # a bank does not browse KPM lists, it has its file


def test_another_bank_sees_nothing(world, client):
    program, p, cycle, _ = world
    bri = make_user("bank.bri.pages", "bank", bank_code="BRI")
    client = _as(client, bri)
    assert client.get(f"/penyaluran/tahap/{cycle.pk}/").status_code == 404
    assert client.get(f"/penyaluran/tahap/{cycle.pk}/berkas/").status_code == 404
    desk = client.get("/penyaluran/bank/").content.decode()
    assert f"/penyaluran/tahap/{cycle.pk}/" not in desk and "Tidak ada tahap yang menunggu." in desk


def test_maker_checker_through_the_page_buttons(regions, client):
    program, p, _ = jscm_world(n_pulomerak=1, n_ciwaduk=0)
    _as(client, p["operator"])
    response = client.post("/penyaluran/tahap/baru/", {"program": "JSCM", "year": 2025, "stage": 1, "region": "",
                                                        "bank_code": "", "note": "uji"})
    cycle = PaymentCycle.objects.get()
    assert response.url == f"/penyaluran/tahap/{cycle.pk}/"
    page = client.get(response.url).content.decode()
    assert "Verifikasi</button>" not in page  # the maker cannot verify
    client.post(f"/penyaluran/tahap/{cycle.pk}/aksi/verify/", {"note": ""})
    assert PaymentCycle.objects.get().status == "generated"
    _as(client, p["operator2"]).post(f"/penyaluran/tahap/{cycle.pk}/aksi/verify/", {"note": "cek"})
    assert PaymentCycle.objects.get().status == "verified"
    page = _as(client, p["manager"]).get(f"/penyaluran/tahap/{cycle.pk}/").content.decode()
    assert "Setujui</button>" in page
    client.post(f"/penyaluran/tahap/{cycle.pk}/aksi/approve/", {"note": ""})
    assert PaymentCycle.objects.get().status == "approved"
    assert client.post(f"/penyaluran/tahap/{cycle.pk}/aksi/nope/").status_code == 404


def test_opening_a_cycle_shows_the_services_refusal(regions, client):
    program, p, _ = jscm_world(n_pulomerak=1, n_ciwaduk=0)
    response = _as(client, p["operator"]).post("/penyaluran/tahap/baru/", {
        "program": "JSCM", "year": 2025, "stage": 3, "region": "", "bank_code": "", "note": ""})
    assert response.status_code == 200 and "tahap harus 1–1" in response.content.decode()


def test_failed_payments_are_returned_from_the_cycle_page(world, client):
    program, p, cycle, _ = world
    _reconcile(cycle, p["bank"])
    failed = cycle.payments.get(status="failed")
    page = _as(client, p["manager"]).get(f"/penyaluran/tahap/{cycle.pk}/").content.decode()
    assert f'name="payment" value="{failed.pk}"' in page and "rekening tidak aktif" in page
    client.post(f"/penyaluran/tahap/{cycle.pk}/retur/", {"payment": [failed.pk], "reason": "tidak diambil",
                                                         "returned_on": "2025-12-20"})
    failed.refresh_from_db()
    assert failed.status == "returned"
    assert "Retur ke kas daerah: 1 (Rp1.000.000)." in client.get(f"/penyaluran/tahap/{cycle.pk}/").content.decode()


def test_a_payment_is_reversed_from_its_page_with_a_reason(world, client):
    program, p, cycle, _ = world
    payment = cycle.payments.first()
    _as(client, p["manager"])
    assert client.post(f"/penyaluran/pembayaran/{payment.pk}/batal/", {"reason": ""}).status_code == 200
    client.post(f"/penyaluran/pembayaran/{payment.pk}/batal/", {"reason": "salah sasaran"})
    payment.refresh_from_db()
    assert (payment.status, payment.reversal_reason) == ("reversed", "salah sasaran")
    assert _as(client, p["facilitator"]).get(f"/penyaluran/pembayaran/{payment.pk}/batal/").status_code == 404


def test_berita_acara_xlsx_has_counts_and_sums_per_kecamatan(world, client):
    program, p, cycle, _ = world
    _reconcile(cycle, p["bank"])
    response = _as(client, p["manager"]).get(f"/penyaluran/tahap/{cycle.pk}/berita-acara.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows.index(["Kode", "Kecamatan", "Jumlah KPM", "Nominal (Rp)", "Berhasil", "Berhasil (Rp)", "Gagal",
                         "Gagal (Rp)", "Retur", "Retur (Rp)", "Terbit ulang", "Menunggu"])
    table = {r[0]: r[2:] for r in rows[header + 1:header + 3]}
    paid_pulomerak = 2 if cycle.payments.get(status="failed").region_code.startswith("36.72.01") else 1
    assert table["36.72.03"][0:2] == [2, 2_000_000] and table["36.72.01"][0:2] == [1, 1_000_000]
    assert table["36.72.03"][2] == paid_pulomerak
    assert rows[header + 3][1:6] == ["JUMLAH", 3, 3_000_000, 2, 2_000_000]
    assert rows[header + 7][:2] == ["Disetujui oleh", p["manager"].username]


def test_berita_acara_pdf(world, client):
    program, p, cycle, _ = world
    _reconcile(cycle, p["bank"])
    response = _as(client, p["bank"]).get(f"/penyaluran/tahap/{cycle.pk}/berita-acara.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True,
                              check=True).stdout.decode()
        assert "BERITA ACARA PENYALURAN JSCM 2025 TAHAP 1" in text and "Rp3.000.000" in text
        assert "Pulomerak" in text


def test_budget_page_shows_each_funder(world, client):
    program, p, cycle, _ = world
    page = _as(client, p["manager"]).get("/penyaluran/anggaran/", {"program": "JSCM", "year": 2025})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Rp100.000.000" in html and "Rp3.000.000" in html and "Rp97.000.000" in html
    response = client.post("/penyaluran/anggaran/?program=JSCM&year=2026",
                           {"funder_region": "36.72", "allocated_rupiah": 850_000_000, "note": "APBD 2026"})
    assert response.status_code == 302
    assert "Rp850.000.000" in client.get(response.url).content.decode()
    assert _as(client, p["operator"]).post("/penyaluran/anggaran/?program=JSCM&year=2026", {
        "funder_region": "36.72", "allocated_rupiah": 1, "note": ""}).status_code == 200  # refused, shown
    assert _as(client, p["bank"]).get("/penyaluran/anggaran/").status_code == 403


def test_collective_account_opening_round_trip(regions, client):
    program, p, _ = jscm_world(n_pulomerak=1, n_ciwaduk=0)
    waiting = kpm(program, by=p["admin"], bank=None)
    _as(client, p["operator"])
    response = client.get("/penyaluran/rekening/", {"program": "JSCM", "bank_code": "BJB", "region": ""})
    assert response["X-Rows"] == "1"
    lines = response.content.decode().splitlines()
    assert lines[0] == "id_keluarga;no_kk;nik;nama;tanggal_lahir;alamat;kode_wilayah;no_rekening"
    mother = waiting.household.members.get(relation="istri")
    assert lines[1].startswith(f"{waiting.household_id};{waiting.household.no_kk};{mother.nik};{mother.name};")
    filled = (lines[0] + "\n" + lines[1] + "0011223344\n").encode()
    page = _as(client, p["bank"]).post("/penyaluran/rekening/", {
        "bank_code": "BJB", "file": SimpleUploadedFile("dibuka.csv", filled)})
    assert page.status_code == 200 and "1 rekening baru tercatat" in page.content.decode()
    account = BankAccount.objects.get(household=waiting.household)
    assert (account.account_number, account.holder_nik, account.status) == ("0011223344", mother.nik, "active")
    again = client.post("/penyaluran/rekening/", {"bank_code": "BJB", "file": SimpleUploadedFile("x.csv", filled)})
    assert "0 rekening baru tercatat, 1 sudah ada" in again.content.decode()


def test_household_payments_include_shows_what_was_owed_and_what_arrived(world):
    program, p, cycle, enrollments = world
    _reconcile(cycle, p["bank"])
    paid = cycle.payments.filter(status="paid").first()
    request = RequestFactory().get("/")
    html = Template('{% include "payments/_household_payments.html" %}').render(
        Context({"household": paid.household, "request": _user(request, p["manager"]), "user": p["manager"]}))
    assert "JSCM</span> 2025 tahap 1" in html and "Rp1.000.000 · 20 Nov 2025" in html
    assert "Hak: <strong>Rp1.000.000</strong> · diterima di rekening: <strong>Rp1.000.000</strong>" in html
    outsider = Template('{% include "payments/_household_payments.html" %}').render(
        Context({"household": paid.household, "request": _user(request, p["manager_lebak"]),
                 "user": p["manager_lebak"]}))
    assert "Belum ada penyaluran" in outsider and "Rp1.000.000" not in outsider


def _user(request, user):
    request.user = user
    return request


def test_a_big_reconciliation_file_is_imported_in_the_background(world, client, monkeypatch):
    from .. import views

    program, p, cycle, _ = world
    monkeypatch.setattr(views, "INLINE_RECONCILIATION_BYTES", 10)
    lines = "".join(f"{x.pk};{x.account_number};1000000;BERHASIL;2025-11-20;\n" for x in cycle.payments.all())
    upload = SimpleUploadedFile("besar.csv", ("id_penyaluran;no_rekening;nominal;status;tanggal;keterangan\n"
                                              + lines).encode())
    bank = _as(client, p["bank"])
    response = bank.post(f"/penyaluran/tahap/{cycle.pk}/rekonsiliasi/", {"file": upload})
    assert "/rekonsiliasi/proses/" in response.url
    page = bank.get(response.url).content.decode()
    assert "Diterapkan 3, ditandai 0, ditolak 0, tidak berubah 0." in page and "Lihat hasil rekonsiliasi" in page
    cycle.refresh_from_db()
    assert (cycle.status, cycle.paid_count) == ("reconciled", 3)
    assert _as(client, p["manager"]).get(response.url).status_code == 404  # someone else's job
