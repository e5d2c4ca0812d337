"""The payment endpoints of specs/api.md, per role: bank (own bank only), manager in scope, everyone else."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jsika.core.models import ApiToken
from jsika.programs import services as program_services
from jsika.registry.tests.factories import make_user

from .. import services
from .factories import approved_cycle, jscm_world, kpm, make_program

pytestmark = pytest.mark.django_db

FIELDS = {"id", "program", "kind", "bank", "period", "status", "count", "total_rupiah", "paid_count", "paid_rupiah",
          "failed_count"}


@pytest.fixture
def world(regions):
    """JSCM (BJB): one approved cycle, one only generated; Jamsosratu (BRI, province): one approved cycle."""
    program, p, _ = jscm_world(n_pulomerak=2, n_ciwaduk=1)
    approved = approved_cycle(program, p)
    kpm(program, by=p["admin"])
    generated = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"], note="susulan")
    jamsosratu = make_program(p["admin"], "JAMSOSRATU", "36", bank_code="BRI", cycles_per_year=4)
    program_services.set_funding_shares(program=jamsosratu, by=p["admin"], shares=[("36", 100)])
    kpm(jamsosratu, "36.02.01.2001", by=p["admin"], bank="BRI")
    services.set_budget(program=jamsosratu, year=2025, funder_region="36", allocated_rupiah=10**9,
                        by=p["manager_banten"])
    bri_cycle = services.open_cycle(program=jamsosratu, year=2025, stage=2, by=p["manager_banten"])
    services.verify_cycle(cycle=bri_cycle, by=make_user("op.banten", "operator", "36"))
    services.approve_cycle(cycle=bri_cycle, by=make_user("mgr.banten.2", "manager", "36"))
    p["bri"] = make_user("bank.bri.api", "bank", bank_code="BRI")
    return {"p": p, "approved": approved, "generated": generated, "bri": bri_cycle}


@pytest.fixture
def api(client):
    def call(method, path, user=None, **kw):
        headers = {"Authorization": f"Bearer {ApiToken.issue(user=user)[1]}"} if user else {}
        return getattr(client, method)("/api/v1" + path, headers=headers, **kw)
    return call


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_cycle_list_has_the_contract_fields(world, api):
    response = api("get", "/payment-cycles", world["p"]["manager"], data={"program": "JSCM", "status": "approved"})
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert FIELDS <= set(item)
    assert {k: item[k] for k in FIELDS} == {
        "id": world["approved"].pk, "program": "JSCM", "kind": "benefit", "bank": "BJB", "period": "2025 tahap 1",
        "status": "approved", "count": 3, "total_rupiah": 3_000_000, "paid_count": 0, "paid_rupiah": 0,
        "failed_count": 0}


def test_a_bank_sees_only_its_own_cycles_from_approval_on(world, api):
    p = world["p"]
    assert ids(api("get", "/payment-cycles", p["bank"])) == [world["approved"].pk]
    assert ids(api("get", "/payment-cycles", p["bri"])) == [world["bri"].pk]
    assert ids(api("get", "/payment-cycles", p["bank"], data={"program": "JAMSOSRATU"})) == []
    nobank = make_user("bank.none", "bank")
    assert ids(api("get", "/payment-cycles", nobank)) == []


def test_staff_see_cycles_overlapping_their_scope(world, api):
    p = world["p"]
    every = {world["approved"].pk, world["generated"].pk, world["bri"].pk}
    assert set(ids(api("get", "/payment-cycles", p["manager"]))) == every  # Cilegon sees the province's cycle too
    assert set(ids(api("get", "/payment-cycles", p["manager_banten"]))) == every
    assert set(ids(api("get", "/payment-cycles", p["auditor"]))) == every
    assert ids(api("get", "/payment-cycles", p["manager_lebak"])) == [world["bri"].pk]
    assert ids(api("get", "/payment-cycles", p["operator_lebak"], data={"program": "JSCM"})) == []


@pytest.mark.parametrize("role", ["facilitator", "partner"])
def test_field_staff_and_partners_get_403(world, api, role):
    response = api("get", "/payment-cycles", world["p"][role])
    assert response.status_code == 403 and "detail" in response.json()


def test_bad_filters_answer_json_errors(world, api):
    manager = world["p"]["manager"]
    response = api("get", "/payment-cycles", manager, data={"program": "NOPE"})
    assert response.status_code == 400 and response.json()["field"] == "program"
    response = api("get", "/payment-cycles", manager, data={"status": "paid"})
    assert response.status_code == 400 and response.json()["field"] == "status"
    assert api("get", "/payment-cycles", manager, data={"limit": 501}).status_code == 422
    assert api("get", "/payment-cycles", manager, data={"year": "abc"}).status_code == 422
    assert api("get", "/payment-cycles").status_code == 401


def test_the_bank_downloads_its_file_with_totals_in_headers(world, api):
    cycle = world["approved"]
    response = api("get", f"/payment-cycles/{cycle.pk}/file", world["p"]["bank"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    lines = text.strip().split("\n")
    assert lines[0] == "id_penyaluran;no_rekening;nama;nik;nominal;kode_wilayah;keterangan"
    assert len(lines) == 4 and all(line.endswith(";1000000;" + line.split(";")[5] + ";JSCM 2025 tahap 1")
                                   for line in lines[1:])
    assert (response["X-Rows"], response["X-Total-Rupiah"]) == ("3", "3000000")
    cycle.refresh_from_db()
    assert cycle.status == "sent"


def test_file_access_per_role(world, api):
    p, jscm, bri, generated = world["p"], world["approved"], world["bri"], world["generated"]
    assert api("get", f"/payment-cycles/{jscm.pk}/file", p["bri"]).status_code == 404  # other bank: unseen
    assert api("get", f"/payment-cycles/{generated.pk}/file", p["bank"]).status_code == 404  # not yet approved
    assert api("get", f"/payment-cycles/{generated.pk}/file", p["manager"]).status_code == 409
    assert api("get", f"/payment-cycles/{jscm.pk}/file", p["operator"]).status_code == 403
    assert api("get", f"/payment-cycles/{jscm.pk}/file", p["auditor"]).status_code == 403
    assert api("get", f"/payment-cycles/{bri.pk}/file", p["manager"]).status_code == 403  # province's cycle
    assert api("get", f"/payment-cycles/{bri.pk}/file", p["manager_banten"]).status_code == 200
    assert api("get", f"/payment-cycles/{jscm.pk}/file", p["manager_lebak"]).status_code == 404
    assert api("get", "/payment-cycles/999999/file", p["manager"]).status_code == 404


def _upload(cycle, lines: str, name="rekon.csv"):
    head = "id_penyaluran;no_rekening;nominal;status;tanggal;keterangan\n"
    return {"file": SimpleUploadedFile(name, (head + lines).encode(), content_type="text/csv")}


def test_the_bank_uploads_its_reconciliation(world, api):
    cycle = world["approved"]
    a, b, c = cycle.payments.order_by("pk")
    lines = (f"{a.pk};{a.account_number};1000000;BERHASIL;2025-11-20;\n"
             f"{b.pk};{b.account_number};1000000;GAGAL;;rekening tidak aktif\n"
             f"{c.pk};{c.account_number};999000;BERHASIL;2025-11-20;\n"
             "424242;1;1000000;BERHASIL;2025-11-20;\n")
    response = api("post", f"/payment-cycles/{cycle.pk}/reconciliation", world["p"]["bank"],
                   data=_upload(cycle, lines))
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["row"] for r in body["applied"]] == [2, 3]
    assert body["flagged"] == [{"row": 4, "id_penyaluran": str(c.pk),
                                "reason": "nominal 999000 berbeda dari yang dikirim 1000000"}]
    assert body["rejected"] == [{"row": 5, "id_penyaluran": "424242", "reason": "id_penyaluran tidak dikenal"}]
    assert body["unchanged"] == 0
    again = api("post", f"/payment-cycles/{cycle.pk}/reconciliation", world["p"]["bank"],
                data=_upload(cycle, lines)).json()
    assert (again["applied"], again["unchanged"], again["already_imported_at"] is not None) == ([], 2, True)
    listed = api("get", "/payment-cycles", world["p"]["bank"]).json()["items"][0]
    assert (listed["paid_count"], listed["paid_rupiah"], listed["failed_count"]) == (1, 1_000_000, 1)


def test_reconciliation_errors(world, api):
    p, cycle = world["p"], world["approved"]
    url = f"/payment-cycles/{cycle.pk}/reconciliation"
    response = api("post", url, p["bank"], data={"file": SimpleUploadedFile("x.csv", b"a;b\n1;2\n")})
    assert response.status_code == 400 and response.json()["field"] == "file"
    assert "Kolom wajib tidak ada" in response.json()["detail"]
    response = api("post", url, p["bank"], data={"file": SimpleUploadedFile("x.csv", b"\xff\xfe\xfa")})
    assert response.status_code == 400
    assert api("post", url, p["bank"], data={}).status_code == 422
    assert api("post", url, p["bri"], data=_upload(cycle, "")).status_code == 404
    assert api("post", url, p["operator"], data=_upload(cycle, "")).status_code == 403
    assert api("post", url, p["facilitator"], data=_upload(cycle, "")).status_code == 403
    generated = f"/payment-cycles/{world['generated'].pk}/reconciliation"
    assert api("post", generated, p["manager"], data=_upload(cycle, "")).status_code == 409
    assert api("post", url, p["manager"], data=_upload(cycle, "")).status_code == 200


def test_closed_cycles_take_no_more_reconciliation(world, api):
    p, cycle = world["p"], world["approved"]
    lines = "".join(f"{x.pk};{x.account_number};1000000;BERHASIL;2025-11-20;\n" for x in cycle.payments.all())
    assert api("post", f"/payment-cycles/{cycle.pk}/reconciliation", p["bank"],
               data=_upload(cycle, lines)).status_code == 200
    services.close_cycle(cycle=cycle, by=p["manager"])
    response = api("post", f"/payment-cycles/{cycle.pk}/reconciliation", p["bank"], data=_upload(cycle, lines))
    assert response.status_code == 409 and "Ditutup" in response.json()["detail"]
    assert api("get", f"/payment-cycles/{cycle.pk}/file", p["bank"]).status_code == 200


def test_openapi_documents_the_payment_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/payment-cycles", "/api/v1/payment-cycles/{cycle_id}/file",
            "/api/v1/payment-cycles/{cycle_id}/reconciliation"} <= set(paths)

