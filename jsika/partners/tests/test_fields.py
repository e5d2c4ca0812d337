"""Data minimisation per sector: what each sector reads, on the pages, the API, the exports and the DCI search."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from jsika.partners.fields import FULL_FIELDS, partner_fields

from .factories import token_for

pytestmark = pytest.mark.django_db

HEALTH_ONLY = {"pregnant", "disabled", "stunting_risk"}
SCHOOLING = {"school_status", "education"}


def test_partner_fields_per_sector_follow_the_mandate():
    education, health = partner_fields("pendidikan"), partner_fields("kesehatan")
    assert SCHOOLING <= education.person and not HEALTH_ONLY & education.person
    assert HEALTH_ONLY <= health.person and not SCHOOLING & health.person
    assert "desil" in partner_fields("sosial").household and "desil" not in education.household
    assert {"latitude", "longitude"} <= partner_fields("perumahan").household
    assert "nik_mismatch" in partner_fields("kependudukan").person
    unknown = partner_fields("pariwisata")
    assert unknown.person == {"id", "nik", "name", "sex", "birth_date", "age", "relation"}
    assert not unknown.allows_criterion("hamil") and unknown.allows_criterion("umur_min")
    assert FULL_FIELDS.allows_criterion("hamil") and FULL_FIELDS.allows_criterion("sekolah")


def _get(client, user, path, **params):
    return client.get("/api/v1" + path, params, headers={"Authorization": f"Bearer {token_for(user)}"})


def test_education_partner_never_receives_health_fields_from_the_api(client, world):
    body = _get(client, world["education"], "/partners/persons", wilayah="36.72.03").json()
    assert {item["name"] for item in body["items"]} >= {"Siti Chadidjah", "Rizky Pratama", "Nur Aini"}
    for item in body["items"]:
        assert not HEALTH_ONLY & set(item), item
        assert "school_status" in item and item["nik"].count("*") == 8
        assert "desil" not in item["household"] and "latitude" not in item["household"]
    detail = _get(client, world["education"], f"/partners/households/{world['pulomerak'].pk}").json()
    assert all(not HEALTH_ONLY & set(m) for m in detail["members"])
    assert {m["name"]: m["school_status"] for m in detail["members"]}["Rizky Pratama"] == "smp"


def test_health_partner_never_receives_schooling_details_from_the_api(client, world):
    body = _get(client, world["health"], "/partners/persons", wilayah="36.72.03").json()
    by_name = {item["name"]: item for item in body["items"]}
    assert by_name["Siti Chadidjah"]["pregnant"] is True
    assert by_name["Nur Aini"]["stunting_risk"] is True and by_name["Rizky Pratama"]["stunting_risk"] is False
    assert by_name["Soekardjo"]["disabled"] is True
    assert all(not SCHOOLING & set(item) for item in body["items"])


@pytest.mark.parametrize(("who", "criterion", "value"), [
    ("education", "hamil", "true"), ("education", "disabilitas", "true"), ("education", "stunting", "true"),
    ("health", "sekolah", "smp"), ("health", "lulus_smp", "true"), ("health", "putus_sekolah", "true"),
    ("education", "desil_max", "3"),
])
def test_a_criterion_reading_a_forbidden_field_is_refused(client, world, who, criterion, value):
    response = _get(client, world[who], "/partners/persons", **{criterion: value})
    assert response.status_code == 403
    assert response.json()["field"] == criterion and criterion in response.json()["detail"]


def test_my_fields_endpoint_lists_the_sector_columns_and_criteria(client, world):
    body = _get(client, world["education"], "/partners/fields").json()
    assert body["sector"] == "pendidikan"
    assert "school_status" in body["person"] and "pregnant" not in body["person"]
    assert "lulus_smp" in body["criteria"] and "hamil" not in body["criteria"]
    assert set(_get(client, world["manager"], "/partners/fields").json()["person"]) >= HEALTH_ONLY | SCHOOLING


def test_education_pages_show_schooling_and_hide_health(client, world):
    client.force_login(world["education"])
    page = client.get("/mitra/pendidikan/", {"daftar": "anak"}).content.decode()
    assert "Rizky Pratama" in page and "Nur Aini" in page
    assert "Risiko stunting" not in page and ">Hamil<" not in page and "Kesehatan</th>" not in page
    household = client.get(f"/mitra/keluarga/{world['pulomerak'].pk}/").content.decode()
    assert "Sekolah</th>" in household and ">Hamil<" not in household and "Risiko stunting" not in household
    assert client.get("/mitra/kesehatan/").status_code == 403


def test_health_pages_show_health_and_hide_schooling(client, world):
    client.force_login(world["health"])
    page = client.get("/mitra/kesehatan/", {"daftar": "hamil"}).content.decode()
    assert "Siti Chadidjah" in page and ">Hamil<" in page and "Sekolah</th>" not in page
    stunting = client.get("/mitra/kesehatan/", {"daftar": "stunting"}).content.decode()
    assert "Nur Aini" in stunting and "Rizky Pratama" not in stunting
    household = client.get(f"/mitra/keluarga/{world['pulomerak'].pk}/").content.decode()
    assert ">Hamil<" in household and "Sekolah</th>" not in household
    assert client.get("/mitra/pendidikan/").status_code == 403


def test_search_form_offers_only_the_sector_criteria(client, world):
    client.force_login(world["education"])
    page = client.get("/mitra/cari/").content.decode()
    assert 'name="lulus_smp"' in page and 'name="hamil"' not in page and 'name="stunting"' not in page
    client.force_login(world["health"])
    page = client.get("/mitra/cari/").content.decode()
    assert 'name="hamil"' in page and 'name="sekolah"' not in page


def _sheet(response):
    book = load_workbook(BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return book.active


def test_exports_carry_only_the_sector_columns_with_nik_as_text(client, world):
    client.force_login(world["education"])
    sheet = _sheet(client.get("/mitra/cari/ekspor/", {"q": "", "kpm": "on", "wilayah": "36.72.03"}))
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "Status sekolah" in header and "NIK" in header
    assert not {"Hamil", "Disabilitas", "Risiko stunting", "Desil"} & set(header)
    nik = header.index("NIK")
    cells = [row[nik] for row in sheet.iter_rows(min_row=2)]
    assert len(cells) == 7  # the two KPM households of Pulomerak (5 + 2 members)
    assert all(c.data_type == "s" and c.number_format == "@" and c.value.count("*") == 8 for c in cells)

    client.force_login(world["health"])
    header = [c.value for c in next(_sheet(client.get("/mitra/cari/ekspor/", {"q": "", "kpm": "on"})).iter_rows(
        max_row=1))]
    assert {"Hamil", "Disabilitas", "Risiko stunting"} <= set(header) and "Status sekolah" not in header


def test_manager_export_has_full_nik_as_text(client, world):
    client.force_login(world["manager"])
    sheet = _sheet(client.get("/mitra/cari/ekspor/", {"q": "Siti", "kpm": "on"}))
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    row = next(sheet.iter_rows(min_row=2))
    assert row[header.index("NIK")].value == world["siti"].nik and row[header.index("NIK")].data_type == "s"
    assert row[header.index("No. KK")].value == world["pulomerak"].no_kk
