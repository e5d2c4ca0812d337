"""Partner pages: home, the sector lists, recording a service, saved searches, the counts of services."""

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from jsika.partners import services
from jsika.partners.models import Intervention, SavedSearch
from jsika.partners.queries import interventions_for_household

pytestmark = pytest.mark.django_db


def test_partner_home_shows_its_agency_and_work(client, world):
    services.refer(by=world["facilitator"], person=world["dewi"], agency=world["dindik"], need="putus_sekolah")
    client.force_login(world["education"])
    page = client.get("/mitra/").content.decode()
    assert "Dinas Pendidikan dan Kebudayaan Provinsi Banten" in page
    assert "Anak putus sekolah" in page and "Dewi Lestari" in page
    assert "/mitra/kesehatan/" not in page
    client.force_login(world["loose_partner"])
    assert "belum terhubung ke instansi" in client.get("/mitra/").content.decode()


def test_education_lists(client, world):
    client.force_login(world["education"])
    finishing = client.get("/mitra/pendidikan/").content.decode()  # the default list: finishing SMP this year
    assert "Rizky Pratama" in finishing and "Ujang Supriatna" in finishing and "Dimas" not in finishing
    assert 'id="school-summary"' in finishing
    dropouts = client.get("/mitra/pendidikan/", {"daftar": "putus"}).content.decode()
    assert "Dewi Lestari" in dropouts and "Rizky" not in dropouts
    narrowed = client.get("/mitra/pendidikan/", {"daftar": "lulus_smp", "wilayah": "36.02", "kpm": "on", "q": ""},
                          headers={"HX-Request": "true"}).content.decode()
    assert "Ujang Supriatna" in narrowed and "Rizky" not in narrowed and "<html" not in narrowed


def test_staff_preview_a_sector_and_health_tab_counts(client, world):
    client.force_login(world["manager"])
    page = client.get("/mitra/kesehatan/", {"daftar": "balita"}).content.decode()
    assert "Nur Aini" in page and ">Hamil<" not in page  # Nur is not pregnant; the column exists
    assert client.get("/mitra/pendidikan/").status_code == 200
    client.force_login(world["operator"])
    assert client.get("/mitra/pendidikan/").status_code == 403


def test_record_a_service_from_the_list(client, world):
    client.force_login(world["education"])
    url = f"/mitra/keluarga/{world['pulomerak'].pk}/layanan/?person={world['rizky'].pk}&next=/mitra/pendidikan/"
    form = client.get(url).content.decode()
    assert "Reservasi kursi SMA/SMK" in form and "Pemeriksaan kehamilan" not in form
    response = client.post(url, {"kind": "reservasi_sma_smk", "person": world["rizky"].pk,
                                 "delivered_on": timezone.localdate().isoformat(), "place": "SMK Negeri 1 Cilegon",
                                 "notes": ""})
    assert response.status_code == 302 and response["Location"] == "/mitra/pendidikan/"
    intervention = Intervention.objects.get()
    assert (intervention.person, intervention.agency) == (world["rizky"], world["dindik"])
    listed = client.get("/mitra/pendidikan/").content.decode()
    assert "1 layanan" in listed
    refused = client.post(url, {"kind": "reservasi_sma_smk", "person": "",
                                "delivered_on": timezone.localdate().isoformat()})
    assert refused.status_code == 200 and "pilih orangnya" in refused.content.decode()
    client.force_login(world["manager"])
    assert client.get(url).status_code == 403  # no agency, nothing to record in its name


def test_save_rerun_and_delete_a_search(client, world):
    client.force_login(world["health"])
    response = client.post("/mitra/cari/simpan/", {"name": "Ibu hamil Cilegon", "wilayah": "36.72", "hamil": "on",
                                                   "kpm": "on", "q": ""})
    search = SavedSearch.objects.get()
    assert search.criteria == {"wilayah": "36.72", "hamil": True} and search.sector == "kesehatan"
    rerun = client.get(response["Location"])
    assert rerun.status_code == 302 and "hamil=on" in rerun["Location"] and "wilayah=36.72" in rerun["Location"]
    results = client.get(rerun["Location"]).content.decode()
    assert "Siti Chadidjah" in results and "Soekardjo" not in results
    assert "Ibu hamil Cilegon" in client.get("/mitra/").content.decode()
    client.force_login(world["education"])
    assert client.get(f"/mitra/pencarian/{search.pk}/").status_code == 404  # someone else's search
    client.force_login(world["health"])
    client.post(f"/mitra/pencarian/{search.pk}/hapus/")
    assert not SavedSearch.objects.exists()


def test_interventions_page_counts_per_agency_and_region(client, world):
    today = timezone.localdate()
    services.record_intervention(by=world["education"], household=world["lebak"], person=world["ujang"],
                                 kind="reservasi_sma_smk", delivered_on=today)
    services.record_intervention(by=world["health"], household=world["pulomerak"], person=world["siti"],
                                 kind="pemeriksaan_kehamilan", delivered_on=today)
    client.force_login(world["manager"])
    page = client.get("/mitra/intervensi/").content.decode()
    assert "Dinas Pendidikan dan Kebudayaan Provinsi Banten" in page and "Dinas Kesehatan Provinsi Banten" in page
    assert "36.02" in page and "36.72" in page
    client.force_login(world["education"])
    page = client.get("/mitra/intervensi/").content.decode()
    assert "Reservasi kursi SMA/SMK" in page and "Pemeriksaan kehamilan" not in page


def test_household_timeline_include_lists_services(world):
    services.record_intervention(by=world["health"], household=world["pulomerak"], person=world["siti"],
                                 kind="pemeriksaan_kehamilan", delivered_on=timezone.localdate(),
                                 place="Puskesmas Pulomerak")
    html = render_to_string("partners/_household_interventions.html", {
        "partner_interventions": interventions_for_household(world["manager"], world["pulomerak"])})
    assert "Pemeriksaan kehamilan (ANC)" in html and "Puskesmas Pulomerak" in html and "Siti Chadidjah" in html
    empty = render_to_string("partners/_household_interventions.html", {
        "partner_interventions": interventions_for_household(world["education"], world["pulomerak"])})
    assert "Belum ada layanan mitra" in empty  # the education office does not see health services


ODD = {"wilayah": "36\x00", "q": "a\x00b", "program": "X\x00;", "umur_min": "9" * 30, "umur_max": "-5",
       "page": "-1", "daftar": "\x00", "sektor": "\x00", "jenis": "\x00", "status": "\x00", "nama": "1" * 50,
       "terlambat": "1", "sekolah": "\x00", "desil_max": "99", "kpm": "on"}


@pytest.mark.parametrize("path", ["/mitra/", "/mitra/pendidikan/", "/mitra/kesehatan/", "/mitra/cari/",
                                  "/mitra/cari/ekspor/", "/mitra/intervensi/", "/mitra/rujukan/", "/mitra/api/"])
@pytest.mark.parametrize("who", ["manager", "education", "health"])
def test_pages_never_fail_on_odd_query_strings(client, world, path, who):
    client.force_login(world[who])
    assert client.get(path, ODD).status_code == 400  # NUL bytes are refused before any view (core middleware)
    without_nul = {key: value.replace("\x00", "") for key, value in ODD.items()}
    assert client.get(path, without_nul).status_code in (200, 403)
