"""Region scope, roles and the access log: a partner never reads a household outside its region, and every
read of persons' data by a partner is logged."""

import pytest

from jsika.core.models import AccessLog

from .factories import token_for

pytestmark = pytest.mark.django_db


def _get(client, user, path, **params):
    return client.get("/api/v1" + path, params, headers={"Authorization": f"Bearer {token_for(user)}"})


def test_partner_cannot_see_households_outside_its_region(client, world):
    cilegon = world["health_cilegon"]  # scope 36.72
    names = {i["name"] for i in _get(client, cilegon, "/partners/persons", kpm="false", limit=500).json()["items"]}
    assert "Siti Chadidjah" in names and "Putri Saputra" in names
    assert not names & {"Asep Supriatna", "Ujang Supriatna"}
    assert _get(client, cilegon, f"/partners/households/{world['lebak'].pk}").status_code == 404
    assert _get(client, cilegon, "/partners/persons", wilayah="36.02").json()["count"] == 0
    client.force_login(cilegon)
    assert client.get(f"/mitra/keluarga/{world['lebak'].pk}/").status_code == 404
    assert "Ujang" not in client.get("/mitra/cari/", {"q": "", "kpm": "on"}).content.decode()


def test_provincial_partner_reads_the_whole_province(client, world):
    names = {i["name"] for i in _get(client, world["education"], "/partners/persons", limit=500).json()["items"]}
    assert {"Ujang Supriatna", "Rizky Pratama"} <= names
    assert "Putri Saputra" not in names  # Ciwaduk is not a KPM: partners serve KPM by default


def test_kpm_filter_and_program_filter(client, world):
    everyone = _get(client, world["manager"], "/partners/persons", kpm="false", limit=500).json()["count"]
    kpm = _get(client, world["manager"], "/partners/persons", limit=500).json()["count"]
    jscm = _get(client, world["manager"], "/partners/persons", program="JSCM", limit=500).json()
    assert (everyone, kpm, jscm["count"]) == (12, 9, 7)
    assert {i["household"]["region"][:5] for i in jscm["items"]} == {"36.72"}


def test_facilitator_reads_only_its_caseload_and_bank_reads_nothing(client, world):
    body = _get(client, world["facilitator"], "/partners/persons", kpm="false", limit=500).json()
    assert {i["household"]["id"] for i in body["items"]} == {world["pulomerak"].pk, world["suralaya"].pk}
    assert _get(client, world["bank"], "/partners/persons").status_code == 403
    client.force_login(world["bank"])
    assert client.get("/mitra/").status_code == 403
    client.force_login(world["facilitator"])
    assert client.get("/mitra/pendidikan/").status_code == 403


def test_every_partner_read_of_persons_is_logged(client, world):
    partner = world["education"]
    _get(client, partner, "/partners/persons", lulus_smp="true")
    entry = AccessLog.objects.get(user=partner, object_type="partner_persons")
    assert entry.action == AccessLog.Action.API_DETAIL
    assert entry.detail["filter"] == {"lulus_smp": True} and entry.detail["rows"] == 2
    assert set(entry.detail["ids"]) == {world["rizky"].pk, world["ujang"].pk}

    _get(client, partner, f"/partners/households/{world['pulomerak'].pk}")
    assert AccessLog.objects.filter(user=partner, action="api_detail", object_type="household",
                                    object_id=str(world["pulomerak"].pk)).exists()

    client.force_login(partner)
    client.get(f"/mitra/keluarga/{world['lebak'].pk}/")
    assert AccessLog.objects.filter(user=partner, action="view_detail", object_type="household",
                                    object_id=str(world["lebak"].pk)).exists()
    client.get("/mitra/pendidikan/", {"daftar": "putus"})
    listed = AccessLog.objects.filter(user=partner, action="view_detail", object_type="partner_list").last()
    assert listed.detail["ids"] == [world["dewi"].pk] and listed.detail["filter"]["putus_sekolah"] is True


def test_every_export_is_logged_with_who_filter_and_rows(client, world):
    client.force_login(world["health"])
    response = client.get("/mitra/cari/ekspor/", {"q": "", "kpm": "on", "hamil": "on", "wilayah": "36.72"})
    assert response.status_code == 200 and response["X-Rows"] == "1"
    entry = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert entry.user == world["health"]
    assert entry.detail["filter"] == {"wilayah": "36.72", "hamil": True}
    assert entry.detail["rows"] == 1 and entry.detail["sector"] == "kesehatan"


def test_empty_reads_and_staff_lists_are_not_logged_as_partner_reads(client, world):
    _get(client, world["education"], "/partners/persons", wilayah="36.01")
    _get(client, world["manager"], "/partners/persons")
    assert not AccessLog.objects.filter(object_type="partner_persons").exists()
