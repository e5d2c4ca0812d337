import pytest

from jsika.core.models import ApiToken
from jsika.programs.models import Enrollment

from .factories import enrolled, family, make_program, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(regions):
    return people()


@pytest.fixture
def jscm(p):
    return make_program(p["admin"], "JSCM", "36.72")


def _auth(user) -> dict:
    _, raw = ApiToken.issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_programs_list_their_rules_and_kpm_per_year(client, p, jscm):
    enrolled(jscm, family(), p)
    body = client.get("/api/v1/programs/jscm", **_auth(p["partner"])).json()
    assert body["code"] == "JSCM" and body["tenure_years"] == 5
    assert body["benefit_rules"][0]["amount_rupiah"] == 1_000_000
    assert body["kpm_per_year"]["2024"] == 1


def test_enrollments_are_scoped_and_masked(client, p, jscm):
    e = enrolled(jscm, family(), p)
    body = client.get("/api/v1/enrollments?program=JSCM&status=active", **_auth(p["operator"])).json()
    assert body["count"] == 1
    assert body["items"][0]["no_kk"] == e.household.no_kk[:4] + "********" + e.household.no_kk[-4:]
    assert client.get("/api/v1/enrollments", **_auth(p["operator_lebak"])).json()["count"] == 0
    assert client.get("/api/v1/enrollments", **_auth(p["bank"])).status_code == 403


def test_unknown_status_is_a_400_naming_the_field(client, p, jscm):
    response = client.get("/api/v1/enrollments?status=aktif", **_auth(p["operator"]))
    assert response.status_code == 400 and response.json()["field"] == "status"


def test_propose_through_the_api_and_conflict_on_double(client, p, jscm):
    household = family()
    payload = {"program": "JSCM", "household": household.pk, "reason": "musdes"}
    first = client.post("/api/v1/enrollments", payload, content_type="application/json", **_auth(p["operator"]))
    assert first.status_code == 201 and first.json()["status"] == "proposed"
    again = client.post("/api/v1/enrollments", payload, content_type="application/json", **_auth(p["operator2"]))
    assert again.status_code == 409 and "sudah terdaftar di JSCM" in again.json()["detail"]
    outside = client.post("/api/v1/enrollments", payload, content_type="application/json",
                          **_auth(p["operator_lebak"]))
    assert outside.status_code == 404
    assert Enrollment.objects.count() == 1


def test_entitlement_line_by_line(client, p, jscm):
    e = enrolled(jscm, family(), p)
    body = client.get(f"/api/v1/enrollments/{e.pk}/entitlement?year=2024", **_auth(p["auditor"])).json()
    assert body["total_rupiah"] == 1_000_000
    assert body["lines"][0]["label"].startswith("Bantuan tetap per keluarga per tahun")


def test_registry_household_search_by_program_and_status(client, p, jscm):
    kpm = enrolled(jscm, family(), p).household
    family()
    body = client.get("/api/v1/households?wilayah=36.72&program=JSCM&status=active", **_auth(p["manager"])).json()
    assert [h["id"] for h in body["items"]] == [kpm.pk]
    bad = client.get("/api/v1/households?program=XYZ", **_auth(p["manager"]))
    assert bad.status_code == 400 and bad.json()["field"] == "program"
