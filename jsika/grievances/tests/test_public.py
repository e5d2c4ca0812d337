"""The public filing form and status page: filing, the challenge, limits per address and on uploads."""

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from jsika.grievances import services
from jsika.grievances.challenge import make_token
from jsika.grievances.models import Grievance

from .factories import JPEG, PNG, WEBP, file, form_data, people

pytestmark = pytest.mark.django_db


def post(client, address="10.0.0.1", **over):
    return client.post("/pengaduan/", form_data(**over), REMOTE_ADDR=address)


def test_form_shows_categories_regions_and_a_question(client, regions):
    page = client.get("/pengaduan/").content.decode()
    for label in ("Bantuan tidak diterima", "Bantuan dipotong/disunat oknum", "Salah sasaran", "Data tidak sesuai",
                  "Perilaku pendamping", "Lainnya"):
        assert label in page
    assert "Kota Cilegon" in page and "Kabupaten Lebak" in page
    assert re.search(r"Berapa \d ditambah \d\?", page)
    assert 'name="website"' in page  # the honeypot


def test_region_cascade_lists_kecamatan_then_desa(client, regions):
    kecamatan = client.get("/pengaduan/wilayah/", {"kabkota": "36.72"}).content.decode()
    assert 'value="36.72.03"' in kecamatan and "Pulomerak" in kecamatan
    assert 'id="id_region" hx-swap-oob="innerHTML"' in kecamatan  # the desa list is emptied
    desa = client.get("/pengaduan/wilayah/", {"kecamatan": "36.72.03"}).content.decode()
    assert 'value="36.72.03.1001"' in desa and 'value="36.72.01.1001"' not in desa
    assert client.get("/pengaduan/wilayah/", {"kecamatan": "<script>"}).content.decode().count("<option") == 1


def test_a_valid_filing_answers_with_its_ticket(client, regions):
    response = post(client, nik="3672031705800042", contact="081234567890", reporter_name="Ibu Sari")
    g = Grievance.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/pengaduan/{g.ticket}/?baru=1"
    page = client.get(response["Location"]).content.decode()
    assert g.ticket in page and "sudah kami terima" in page
    assert (g.category, g.region_id, g.nik, g.contact, g.channel) == (
        "cut", "36.72.03.1001", "3672031705800042", "081234567890", "web")


def test_wrong_answer_files_nothing_and_asks_a_new_question(client, regions):
    response = post(client, answer="8")
    assert response.status_code == 400 and not Grievance.objects.exists()
    page = response.content.decode()
    assert "Jawaban pertanyaan pengaman salah" in page
    assert "Bantuan yang kami terima dipotong" in page  # what was typed is kept
    assert form_data()["token"] not in page  # a fresh question


def test_a_form_sent_too_fast_is_refused(client, regions):
    response = post(client, token=make_token(3, 4, issued_at=time.time()))
    assert response.status_code == 400 and "terlalu cepat" in response.content.decode()
    assert not Grievance.objects.exists()


def test_a_forged_or_expired_question_is_refused(client, regions):
    assert "tidak sah" in post(client, token="abc:def").content.decode()
    old = make_token(3, 4, issued_at=time.time() - 3 * 3600)
    assert "kedaluwarsa" in post(client, token=old).content.decode()
    assert not Grievance.objects.exists()


def test_a_question_answers_only_once(client, regions):
    token = make_token(3, 4, issued_at=time.time() - 10, nonce="once")
    assert post(client, token=token).status_code == 302
    response = post(client, token=token)
    assert response.status_code == 400 and "sudah dipakai" in response.content.decode()
    assert Grievance.objects.count() == 1


def test_the_honeypot_catches_bots(client, regions):
    response = post(client, website="http://spam.example")
    assert response.status_code == 400 and not Grievance.objects.exists()


def test_a_desa_outside_the_chosen_kecamatan_is_refused(client, regions):
    response = post(client, region="36.72.01.1001")
    assert response.status_code == 400 and not Grievance.objects.exists()


def test_five_filings_an_hour_per_address(client, regions):
    for _ in range(5):
        assert post(client).status_code == 302
    response = post(client)
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert Grievance.objects.count() == 5
    assert post(client, address="10.0.0.2").status_code == 302  # another address is not affected


@override_settings(JSIKA_GRIEVANCE_RATES={"attempts_per_hour": 3})
def test_guessing_at_the_challenge_is_limited_too(client, regions):
    for _ in range(3):
        assert post(client, answer="99").status_code == 400
    assert post(client).status_code == 429
    assert not Grievance.objects.exists()


def test_staff_recording_complaints_are_not_limited_per_address(client, regions):
    operator = people()["operator"]
    client.force_login(operator)
    for _ in range(6):
        assert post(client).status_code == 302
    assert set(Grievance.objects.values_list("channel", flat=True)) == {"staff"}
    assert Grievance.objects.first().events.get(action="filed").by == operator


@pytest.mark.parametrize("content, name, ext", [(PNG, "rumah Bu Sari.png", "png"), (JPEG, "IMG_2019.jpeg", "jpg"),
                                                (WEBP, "bukti.webp", "webp")])
def test_a_real_image_is_accepted_under_a_random_name(client, regions, content, name, ext):
    photo = SimpleUploadedFile(name, content, content_type="image/jpeg")
    assert post(client, photo=photo).status_code == 302
    stored = Grievance.objects.get().photo.name
    assert re.fullmatch(rf"grievances/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.{ext}", stored), stored


def test_a_photo_over_two_megabytes_is_refused(client, regions):
    big = SimpleUploadedFile("big.jpg", JPEG + b"\x00" * (2 * 1024 * 1024), content_type="image/jpeg")
    response = post(client, photo=big)
    assert response.status_code == 400 and "terlalu besar" in response.content.decode()
    assert not Grievance.objects.exists()


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(client, regions):
    fake = SimpleUploadedFile("foto.jpg", b"<?php system($_GET['c']); ?>", content_type="image/jpeg")
    response = post(client, photo=fake)
    assert response.status_code == 400 and "bukan foto" in response.content.decode()
    svg = SimpleUploadedFile("x.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>",
                             content_type="image/png")
    assert post(client, photo=svg).status_code == 400
    assert not Grievance.objects.exists()


# --- status by ticket ----------------------------------------------------------------------------------

def test_status_page_shows_only_public_fields(client, regions):
    p = people()
    g = file(nik="3672031705800042", no_kk="3672031705800099", reporter_name="Ibu Sari Wulandari",
             contact="081298765432", description="Dipotong oleh Pak Kadus Rahmat di balai desa.")
    services.add_note(grievance=g, by=p["operator"], note="Catatan internal: saksi Bu Ratna.")
    services.update_public_response(grievance=g, by=p["operator"], text="Sedang dicek ke bank penyalur.")
    page = client.get(f"/pengaduan/{g.ticket}/").content.decode()
    assert g.ticket in page and "Bantuan dipotong/disunat oknum" in page and "Sedang dicek ke bank penyalur." in page
    for secret in ("3672031705800042", "3672031705800099", "Sari", "081298765432", "Rahmat", "Ratna",
                   "Lebak Gede", "Pulomerak", "36.72.03"):
        assert secret not in page, secret


def test_ticket_typed_loosely_redirects_to_its_page(client, regions):
    g = file()
    loose = g.ticket.lower().replace("-", "")
    response = client.get(f"/pengaduan/{loose}/")
    assert response.status_code == 302 and response["Location"] == f"/pengaduan/{g.ticket}/"
    lookup = client.get("/pengaduan/cek/", {"tiket": g.ticket.lower()})
    assert lookup["Location"] == f"/pengaduan/{g.ticket}/"


def test_unknown_ticket_is_404_and_repeated_misses_are_429(client, regions):
    g = file()
    for i in range(10):
        response = client.get(f"/pengaduan/JSK-AAAA-AAAA-AA{i + 2}A/", REMOTE_ADDR="10.9.9.9")
        assert response.status_code == 404
    assert client.get("/pengaduan/JSK-BBBB-BBBB-BBBB/", REMOTE_ADDR="10.9.9.9").status_code == 429
    # once limited, even a real ticket answers 429: guessing cannot continue
    assert client.get(f"/pengaduan/{g.ticket}/", REMOTE_ADDR="10.9.9.9").status_code == 429
    assert client.get("/pengaduan/cek/", {"tiket": "nonsense"}, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert client.get(f"/pengaduan/{g.ticket}/", REMOTE_ADDR="10.1.1.1").status_code == 200


def test_malformed_lookups_count_as_misses(client, regions):
    for _ in range(10):
        assert client.get("/pengaduan/cek/", {"tiket": "12345"}, REMOTE_ADDR="10.7.7.7").status_code == 404
    assert client.get("/pengaduan/cek/", {"tiket": "12345"}, REMOTE_ADDR="10.7.7.7").status_code == 429


def test_status_steps_follow_the_grievance(client, regions):
    p = people()
    g = file()
    services.start_investigation(grievance=g, by=p["operator"])
    page = client.get(f"/pengaduan/{g.ticket}/").content.decode()
    assert 'aria-current="step"><span>Sedang diperiksa' in page
    assert client.get(f"/pengaduan/{g.ticket}/")["X-Robots-Tag"] == "noindex"
