"""The partner API contract: typed OpenAPI with examples, pagination, JSON errors, interventions and referrals
end to end, idempotent client ids, and the per-token rate limit."""

import json
import uuid

import pytest
from django.test import override_settings
from django.utils import timezone

from jsika.partners.models import Intervention, Referral

from .factories import token_for

pytestmark = pytest.mark.django_db

PARTNER_PATHS = {
    "/api/v1/agencies": {"get"}, "/api/v1/partners/fields": {"get"}, "/api/v1/partners/persons": {"get"},
    "/api/v1/partners/households/{household_id}": {"get"}, "/api/v1/interventions": {"get", "post"},
    "/api/v1/referrals": {"get", "post"}, "/api/v1/referrals/{referral_id}": {"get"},
    "/api/v1/referrals/{referral_id}/accept": {"post"}, "/api/v1/referrals/{referral_id}/act": {"post"},
    "/api/v1/referrals/{referral_id}/close": {"post"}, "/api/v1/referrals/{referral_id}/decline": {"post"},
    "/api/v1/dci/registry/sync/search": {"post"},
}


class Api:
    def __init__(self, client, user):
        self.client, self.headers = client, {"Authorization": f"Bearer {token_for(user)}"}

    def get(self, path, **params):
        return self.client.get("/api/v1" + path, params, headers=self.headers)

    def post(self, path, body):
        return self.client.post("/api/v1" + path, json.dumps(body), content_type="application/json",
                                headers=self.headers)


@pytest.fixture
def openapi(client, db):
    return client.get("/api/v1/openapi.json").json()


def test_openapi_documents_every_partner_endpoint_with_typed_answers(openapi):
    for path, methods in PARTNER_PATHS.items():
        assert set(openapi["paths"][path]) == methods, path
        for method in methods:
            operation = openapi["paths"][path][method]
            assert operation.get("summary"), (path, method)
            for status, answer in operation["responses"].items():
                schema = answer["content"]["application/json"]["schema"]
                assert schema.get("$ref") or schema.get("type"), (path, method, status)
            assert {"401", "422", "429"} <= set(operation["responses"]), (path, method)


def test_openapi_carries_examples_and_the_limits(openapi):
    schemas = openapi["components"]["schemas"]
    assert schemas["InterventionIn"]["examples"][0]["kind"] == "reservasi_sma_smk"
    assert schemas["PartnerPersonPage"]["examples"][0]["items"][0]["school_status"] == "smp"
    assert schemas["DciSearchEnvelopeIn"]["examples"][0]["header"]["action"] == "search"
    assert schemas["DciDataOut"]["properties"]["reg_records"]["examples"]
    params = {p["name"]: p for p in openapi["paths"]["/api/v1/partners/persons"]["get"]["parameters"]}
    assert params["limit"]["schema"]["maximum"] == 500 and params["offset"]["schema"]["minimum"] == 0
    kinds = schemas["InterventionIn"]["properties"]["kind"]["enum"]
    assert "pemeriksaan_kehamilan" in kinds and "reservasi_sma_smk" in kinds


def test_lists_are_paginated_with_count(client, world):
    api = Api(client, world["manager"])
    body = api.get("/partners/persons", kpm="false", limit=5, offset=10).json()
    assert body["count"] == 12 and len(body["items"]) == 2
    too_many = api.get("/partners/persons", limit=501)
    assert too_many.status_code == 422 and too_many.json()["field"] == "limit"
    assert api.get("/agencies", sector="kesehatan").json()["count"] == 2


@pytest.mark.parametrize(("path", "params", "status", "field"), [
    ("/partners/persons", {"wilayah": "Cilegon"}, 400, "wilayah"),
    ("/partners/persons", {"program": "JSCM;drop"}, 400, "program"),
    ("/partners/persons", {"umur_min": "-1"}, 422, "umur_min"),
    ("/partners/persons", {"sekolah": "kuliah"}, 422, "sekolah"),
    ("/interventions", {"since": "kemarin"}, 422, "since"),
    ("/interventions", {"household": str(2**63)}, 422, "household"),
    ("/referrals", {"status": "lost"}, 422, "status"),
])
def test_bad_input_is_a_json_error_naming_the_field(client, world, path, params, status, field):
    response = Api(client, world["manager"]).get(path, **params)
    assert response.status_code == status and response.json()["field"] == field


def test_unknown_or_out_of_scope_ids_are_json_404(client, world):
    api = Api(client, world["health_cilegon"])
    assert api.get(f"/partners/households/{world['lebak'].pk}").json() == {"detail": "Tidak ditemukan."}
    assert api.get("/partners/households/987654321").status_code == 404
    assert api.get("/referrals/987654321").status_code == 404
    assert api.get(f"/partners/households/{2**63}").status_code == 422


def intervention_body(world, **changes):
    body = {"household": world["pulomerak"].no_kk, "person": world["rizky"].nik, "kind": "reservasi_sma_smk",
            "delivered_on": timezone.localdate().isoformat(), "place": "SMA Negeri 1 Cilegon",
            "client_id": str(uuid.uuid4())}
    return {**body, **changes}


def test_post_intervention_creates_once_and_replays_harmlessly(client, world):
    api = Api(client, world["education"])
    body = intervention_body(world)
    created = api.post("/interventions", body)
    assert created.status_code == 201, created.content
    out = created.json()
    assert (out["household"], out["person"], out["agency_name"]) == (world["pulomerak"].pk, world["rizky"].pk,
                                                                      world["dindik"].name)
    assert out["recorded_by"] == "opd.pendidikan" and out["client_id"] == body["client_id"]
    replay = api.post("/interventions", body)
    assert replay.status_code == 200 and replay.json()["id"] == out["id"]
    conflict = api.post("/interventions", {**body, "place": "SMK Negeri 2"})
    assert conflict.status_code == 409 and conflict.json()["field"] == "client_id"
    assert Intervention.objects.count() == 1
    by_id = api.post("/interventions", intervention_body(world, household=str(world["lebak"].pk),
                                                         person=str(world["ujang"].pk), client_id=None))
    assert by_id.status_code == 201
    listed = api.get("/interventions", kind="reservasi_sma_smk").json()
    assert listed["count"] == 2 and {i["person_name"] for i in listed["items"]} == {"Rizky Pratama",
                                                                                   "Ujang Supriatna"}


@pytest.mark.parametrize(("who", "changes", "status", "field"), [
    ("education", {"kind": "pmt"}, 400, "kind"),
    ("education", {"person": None}, 400, "person"),
    ("education", {"person": "3672000000000000"}, 400, "person"),
    ("education", {"household": "12-34"}, 400, "household"),
    ("education", {"delivered_on": "2999-01-01"}, 400, "delivered_on"),
    ("education", {"kind": "terbang"}, 422, "kind"),
    ("education", {"notes": "a\u0000b"}, 422, "notes"),
    ("health_cilegon", {"household": "LEBAK"}, 404, "household"),
    ("manager", {}, 403, None),
    ("loose_partner", {}, 403, None),
])
def test_post_intervention_refusals(client, world, who, changes, status, field):
    if changes.get("household") == "LEBAK":
        changes = {"household": world["lebak"].no_kk, "person": world["ujang"].nik, "kind": "imunisasi"}
    response = Api(client, world[who]).post("/interventions", intervention_body(world, **changes))
    assert response.status_code == status, response.content
    assert response.json().get("field") == field and response.json()["detail"]
    assert not Intervention.objects.exists()


def test_referral_lifecycle_through_the_api(client, world):
    facilitator, partner = Api(client, world["facilitator"]), Api(client, world["health"])
    created = facilitator.post("/referrals", {"person": world["siti"].nik, "agency": world["dinkes"].pk,
                                              "need": "kehamilan_belum_diperiksa", "description": "Belum ANC"})
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    assert created.json()["status"] == "open" and created.json()["events"][0]["action"] == "referred"
    assert partner.get("/referrals", status="open").json()["count"] == 1
    assert Api(client, world["education"]).get("/referrals").json()["count"] == 0
    assert partner.post(f"/referrals/{rid}/close", {"outcome": "terlayani"}).status_code == 400
    assert partner.post(f"/referrals/{rid}/accept", {"note": "ok"}).json()["status"] == "accepted"
    acted = partner.post(f"/referrals/{rid}/act", {"note": "ANC pertama", "kind": "pemeriksaan_kehamilan",
                                                   "place": "Puskesmas Pulomerak"})
    assert acted.status_code == 200 and acted.json()["status"] == "acted"
    closed = partner.post(f"/referrals/{rid}/close", {"outcome": "terlayani", "note": "4 kali ANC"}).json()
    assert closed["status"] == "closed" and [e["action"] for e in closed["events"]] == [
        "referred", "accepted", "acted", "closed"]
    assert Intervention.objects.get().referral_id == rid
    assert Api(client, world["education"]).post(f"/referrals/{rid}/decline", {"reason": "x"}).status_code == 404
    assert facilitator.post(f"/referrals/{rid}/accept", {}).status_code == 403


def test_overdue_referrals_through_the_api(client, world):
    api = Api(client, world["manager"])
    rid = api.post("/referrals", {"person": str(world["dewi"].pk), "agency": world["dindik"].pk,
                                  "need": "putus_sekolah"}).json()["id"]
    Referral.objects.filter(pk=rid).update(referred_at=timezone.now() - timezone.timedelta(days=15))
    body = api.get("/referrals", overdue="true").json()
    assert body["count"] == 1 and body["items"][0]["overdue"] is True and body["overdue_after_days"] == 14
    with override_settings(JSIKA_REFERRAL_STALE_DAYS=20):
        assert api.get("/referrals", overdue="true").json()["count"] == 0


def test_refused_referrals_through_the_api(client, world):
    api = Api(client, world["facilitator"])
    outside = api.post("/referrals", {"person": world["ujang"].nik, "agency": world["dindik"].pk,
                                      "need": "putus_sekolah"})
    assert outside.status_code == 404
    wrong = api.post("/referrals", {"person": world["siti"].nik, "agency": world["dindik"].pk,
                                    "need": "kehamilan_belum_diperiksa"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "agency"
    unknown = api.post("/referrals", {"person": world["siti"].nik, "agency": 999999, "need": "sakit"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "agency"
    assert Api(client, world["education"]).post("/referrals", {"person": world["siti"].nik,
                                                               "agency": world["dinkes"].pk,
                                                               "need": "sakit"}).status_code == 403


def test_rate_limit_per_token(client, world):
    first, second = Api(client, world["manager"]), Api(client, world["manager"])
    with override_settings(JSIKA_API_RATE_LIMIT="3/minute"):
        assert [first.get("/agencies").status_code for _ in range(3)] == [200, 200, 200]
        limited = first.get("/agencies")
        assert limited.status_code == 429 and limited.json()["detail"] and int(limited["Retry-After"]) >= 0
        assert second.get("/agencies").status_code == 200  # another token has its own budget


def test_api_page_explains_how_to_connect(client, world):
    client.force_login(world["education"])
    page = client.get("/mitra/api/").content.decode()
    assert "manage.py create_api_token opd.pendidikan" in page
    assert "curl" in page and "/api/v1/interventions" in page and "/api/v1/dci/registry/sync/search" in page
    assert "<code>school_status</code>" in page and "<code>pregnant</code>" not in page
    client.force_login(world["bank"])
    assert client.get("/mitra/api/").status_code == 403
