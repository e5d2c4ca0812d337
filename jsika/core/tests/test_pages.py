"""The public pages, login and lockout, the home page per role, the language switch."""

import re

import pytest
from django.urls import reverse

from jsika.registry.tests.factories import assign_caseload, make_banten_world, make_user

pytestmark = pytest.mark.django_db
SIXTEEN_DIGITS = re.compile(r"\d{16}")


@pytest.fixture
def world():
    return make_banten_world()


def test_landing_explains_the_programs_and_links_complaints_and_figures(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Jamsosratu" in html and "JSCM" in html
    assert 'href="/pengaduan/"' in html and 'href="/transparansi/"' in html
    assert 'href="/masuk/"' in html


def test_landing_shows_no_personal_data(client, world):
    html = client.get("/").content.decode()
    assert not SIXTEEN_DIGITS.search(html)
    for household in world.values():
        for person in household.members.all():
            assert person.name not in html
        assert household.address not in html


def test_pages_load_assets_from_the_project_never_a_cdn(client):
    html = client.get("/").content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_login_page_renders_a_username_and_password_form(client):
    response = client.get("/masuk/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in html and 'name="password"' in html and 'type="submit"' in html


def test_old_login_address_redirects_to_masuk(client):
    response = client.get("/login/")
    assert response.status_code == 301
    assert response["Location"] == "/masuk/"


def test_login_with_the_right_password_lands_on_beranda(client):
    make_user("operator.cilegon", "operator", "36.72")
    response = client.post("/masuk/", {"username": "operator.cilegon", "password": "demo-jsika-2026"})
    assert response.status_code == 302
    assert response["Location"] == "/beranda/"


def test_wrong_password_shows_an_error_in_indonesian(client):
    make_user("operator.cilegon", "operator", "36.72")
    response = client.post("/masuk/", {"username": "operator.cilegon", "password": "salah-sekali"})
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah." in response.content.decode()


def test_five_failures_lock_the_account_with_the_lockout_page(client):
    make_user("operator.cilegon", "operator", "36.72")
    for _ in range(5):
        client.post("/masuk/", {"username": "operator.cilegon", "password": "salah-sekali"})
    response = client.post("/masuk/", {"username": "operator.cilegon", "password": "demo-jsika-2026"})
    assert response.status_code == 429
    assert "Akun dikunci sementara" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_home_counts_households_in_the_users_scope(client, world):
    client.force_login(make_user("operator.cilegon", "operator", "36.72"))
    response = client.get(reverse("core:home"))
    counts = response.context["counts"]
    assert counts["total"] == 3  # Pulomerak ×2 and Ciwaduk; not Lebak
    assert (counts["hamil"], counts["balita"], counts["lansia"], counts["disabilitas"]) == (1, 1, 1, 1)
    assert (counts["sd"], counts["smp"], counts["sma"]) == (1, 1, 1)
    assert counts["desil_1_4"] == 2
    html = response.content.decode()
    assert reverse("registry:household_list") + "?hamil=on" in html
    assert "Kota Cilegon" in html


def test_home_of_a_facilitator_counts_the_caseload(client, world):
    facilitator = make_user("pendamping.pulomerak", "facilitator")
    assign_caseload(facilitator, world["pulomerak"])
    client.force_login(facilitator)
    response = client.get(reverse("core:home"))
    assert response.context["counts"]["total"] == 1
    assert "Keluarga dampingan saya" in response.content.decode()


def test_bank_home_has_no_registry_link_or_counts(client, world):
    client.force_login(make_user("bank.bjb", "bank", bank_code="bjb"))
    response = client.get(reverse("core:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "counts" not in response.context
    assert reverse("registry:household_list") not in html
    assert "Berkas penyaluran" in html


def test_navbar_offers_the_registry_to_staff_and_the_import_only_to_writers(client, world):
    client.force_login(make_user("auditor.inspektorat", "auditor", "36"))
    html = client.get(reverse("core:home")).content.decode()
    assert 'href="/registry/"' in html
    assert "Impor data keluarga" not in html
    client.force_login(make_user("operator.cilegon", "operator", "36.72"))
    assert "Impor data keluarga" in client.get(reverse("core:home")).content.decode()


def test_language_switch_to_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "File a complaint" in html
    response = client.post("/i18n/setlang/", {"language": "id", "next": "/"}, follow=True)
    assert "Sampaikan pengaduan" in response.content.decode()


def test_indonesian_is_the_default_language(client):
    html = client.get("/", headers={"Accept-Language": ""}).content.decode()
    assert '<html lang="id">' in html
    assert "Sampaikan pengaduan" in html


def test_a_browser_set_to_english_still_gets_indonesian_until_the_user_switches(client):
    html = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="id">' in html
    assert "Sampaikan pengaduan" in html
