"""POST /api/v1/fieldwork/sync (specs/api.md "Field sync"): idempotent, any order, one answer per record."""

import json
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from jsika.fieldwork import services
from jsika.fieldwork.models import Attendance, FamilySession, Visit
from jsika.fieldwork.sync import sync_batch

from .factories import attendance_record, data_url, enroll, jpeg, session_record, visit_record, world

pytestmark = pytest.mark.django_db

URL = "/api/v1/fieldwork/sync"


@pytest.fixture
def w(regions):
    return world()


def post(user, records, device_id="hp-uji-1", client=None):
    client = client or Client()
    client.force_login(user)
    return client.post(URL, json.dumps({"device_id": device_id, "records": records}), content_type="application/json")


def statuses(response):
    return [a["status"] for a in response.json()]


def test_a_visit_is_stored_and_answered_in_the_spec_shape(w):
    record = visit_record(w["family"])
    response = post(w["pendamping"], [record])
    assert response.status_code == 200
    [answer] = response.json()
    visit = Visit.objects.get()
    assert answer == {"client_id": record["client_id"], "status": "stored", "id": visit.pk, "reason": None,
                      "type": "visit", "retry": False}
    assert str(visit.client_id) == record["client_id"]
    assert visit.facilitator == w["pendamping"] and visit.household == w["family"]
    assert visit.device_id == "hp-uji-1" and visit.recorded_at is not None and visit.received_at is not None


def test_household_may_be_given_by_full_no_kk(w):
    response = post(w["pendamping"], [visit_record(w["family"], household=w["family"].no_kk)])
    assert statuses(response) == ["stored"]
    assert Visit.objects.get().household == w["family"]


def test_replaying_a_batch_creates_nothing_twice(w):
    batch = [visit_record(w["family"]), visit_record(w["small"], purpose="pendampingan")]
    first = post(w["pendamping"], batch)
    second = post(w["pendamping"], batch)
    assert statuses(first) == ["stored", "stored"]
    assert statuses(second) == ["duplicate", "duplicate"]
    assert [a["id"] for a in second.json()] == [a["id"] for a in first.json()]
    assert Visit.objects.count() == 2


def test_same_client_id_twice_in_one_batch_is_stored_once(w):
    record = visit_record(w["family"])
    response = post(w["pendamping"], [record, dict(record)])
    assert statuses(response) == ["stored", "duplicate"]
    assert Visit.objects.count() == 1


def test_same_client_id_with_other_content_is_rejected_and_the_first_kept(w):
    record = visit_record(w["family"], notes="asli")
    post(w["pendamping"], [record])
    changed = {**record, "notes": "diubah"}
    response = post(w["pendamping"], [changed])
    [answer] = response.json()
    assert answer["status"] == "rejected"
    assert "isi berbeda" in answer["reason"]
    assert Visit.objects.get().notes == "asli"


def test_one_bad_record_never_blocks_the_others(w):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    records = [
        visit_record(w["family"]),
        visit_record(w["family"], visited_on=tomorrow),
        "not an object",
        {"type": "visit", "household": str(w["family"].pk)},
        visit_record(w["small"], purpose="piknik"),
        visit_record(w["small"]),
    ]
    response = post(w["pendamping"], records)
    assert response.status_code == 200
    answers = response.json()
    assert [a["status"] for a in answers] == ["stored", "rejected", "rejected", "rejected", "rejected", "stored"]
    assert "masa depan" in answers[1]["reason"]
    assert "client_id" in answers[3]["reason"]
    assert "Tujuan kunjungan tidak dikenal" in answers[4]["reason"]
    assert Visit.objects.count() == 2


def test_household_of_another_caseload_is_rejected(w):
    response = post(w["pendamping"], [visit_record(w["other_family"]), visit_record(w["unassigned"])])
    answers = response.json()
    assert [a["status"] for a in answers] == ["rejected", "rejected"]
    assert all("dampingan Anda" in a["reason"] for a in answers)
    assert not Visit.objects.exists()


def test_an_unknown_household_is_answered_like_one_outside_the_caseload(w):
    [answer] = post(w["pendamping"], [visit_record(w["family"], household="999999")]).json()
    [other] = post(w["pendamping"], [visit_record(w["other_family"])]).json()
    assert answer["status"] == other["status"] == "rejected"
    assert answer["reason"] == other["reason"]


def test_visit_before_the_enrollment_started_is_rejected(w):
    enroll(w["family"], by=w["operator"], started_on=timezone.localdate() - timedelta(days=30))
    early = (timezone.localdate() - timedelta(days=31)).isoformat()
    [answer] = post(w["pendamping"], [visit_record(w["family"], visited_on=early)]).json()
    assert answer["status"] == "rejected"
    assert "sebelum keluarga mulai menjadi KPM" in answer["reason"]


def test_a_real_photo_is_stored_and_a_fake_or_huge_one_rejected(w):
    good = visit_record(w["family"], photo=data_url(jpeg()))
    fake = visit_record(w["family"], photo=data_url(b"GIF89a not really an image at all"))
    disguised = visit_record(w["family"], photo=data_url(b"\xff\xd8\xff" + b"\x00" * 500))
    huge = visit_record(w["family"], photo=data_url(b"\xff\xd8\xff" + b"\x00" * (201 * 1024)))
    answers = post(w["pendamping"], [good, fake, disguised, huge]).json()
    assert [a["status"] for a in answers] == ["stored", "rejected", "rejected", "rejected"]
    assert "bukan gambar" in answers[1]["reason"]
    assert "rusak" in answers[2]["reason"]
    assert "terlalu besar" in answers[3]["reason"]
    visit = Visit.objects.get()
    assert visit.photo.name.endswith(".jpg")
    with visit.photo.open("rb") as fh:
        assert fh.read() == jpeg()


def test_replay_with_the_same_photo_is_a_duplicate(w):
    record = visit_record(w["family"], photo=data_url(jpeg()))
    post(w["pendamping"], [record])
    assert statuses(post(w["pendamping"], [record])) == ["duplicate"]
    assert Visit.objects.count() == 1


def test_session_and_attendance_in_any_order_in_one_batch(w):
    session = session_record()
    present = attendance_record(session, w["family"], present=True)
    absent = attendance_record(session, w["small"], present=False, absence_reason="bekerja")
    response = post(w["pendamping"], [present, absent, session])
    assert statuses(response) == ["stored", "stored", "stored"]
    stored = FamilySession.objects.get()
    assert stored.module.code == "kesehatan-gizi" and stored.facilitator == w["pendamping"]
    rows = {a.household_id: a for a in Attendance.objects.all()}
    assert rows[w["family"].pk].present is True
    assert rows[w["small"].pk].present is False and rows[w["small"].pk].absence_reason == "bekerja"


def test_attendance_before_its_session_arrived_is_kept_for_retry(w):
    session = session_record()
    early = attendance_record(session, w["family"])
    [answer] = post(w["pendamping"], [early]).json()
    assert answer["status"] == "rejected" and answer["retry"] is True
    assert statuses(post(w["pendamping"], [session, early])) == ["stored", "stored"]


def test_attendance_of_a_household_outside_the_caseload_is_rejected(w):
    session = session_record()
    answers = post(w["pendamping"], [session, attendance_record(session, w["other_family"])]).json()
    assert [a["status"] for a in answers] == ["stored", "rejected"]
    assert not Attendance.objects.exists()


def test_a_second_attendance_of_the_same_household_in_a_session_is_a_conflict(w):
    session = session_record()
    post(w["pendamping"], [session, attendance_record(session, w["family"])])
    [answer] = post(w["pendamping"], [attendance_record(session, w["family"], present=False)]).json()
    assert answer["status"] == "rejected" and "sudah tercatat" in answer["reason"]
    assert Attendance.objects.count() == 1


def test_session_in_a_village_without_caseload_or_a_module_session_that_does_not_exist(w):
    answers = post(w["pendamping"], [session_record(region="36.72.01.1001"),
                                     session_record(module="perlindungan-anak", session_number=7),
                                     session_record(module="modul-x")]).json()
    assert [a["status"] for a in answers] == ["rejected"] * 3
    assert "bukan wilayah dampingan" in answers[0]["reason"]
    assert "hanya memiliki sesi 1–2" in answers[1]["reason"]
    assert "tidak dikenal" in answers[2]["reason"]


def test_replay_after_the_household_moved_to_another_caseload_is_still_a_duplicate(w):
    record = visit_record(w["family"])
    post(w["pendamping"], [record])
    services.assign_caseload(facilitator=w["other"], households=[w["family"]], by=w["manager"])
    assert statuses(post(w["pendamping"], [record])) == ["duplicate"]
    [new] = post(w["pendamping"], [visit_record(w["family"])]).json()
    assert new["status"] == "rejected"


def test_another_user_reusing_a_client_id_is_rejected(w):
    record = visit_record(w["family"])
    post(w["pendamping"], [record])
    services.assign_caseload(facilitator=w["other"], households=[w["family"]], by=w["manager"])
    [answer] = post(w["other"], [record]).json()
    assert answer["status"] == "rejected"
    assert Visit.objects.get().facilitator == w["pendamping"]


def test_a_racing_twin_that_hits_the_unique_constraint_is_answered_duplicate(w, monkeypatch):
    """The other request inserted between our check and our insert: IntegrityError inside a savepoint."""
    record = visit_record(w["family"])
    post(w["pendamping"], [record])
    real = services._existing
    calls = []

    def not_yet(model, client_id, digest, by):
        calls.append(client_id)
        return None if len(calls) == 1 else real(model, client_id, digest, by)

    monkeypatch.setattr(services, "_existing", not_yet)
    [answer] = sync_batch(by=w["pendamping"], device_id="x", records=[record])
    assert answer["status"] == "duplicate" and len(calls) == 2
    assert Visit.objects.count() == 1
    assert Visit.history.count() == 1  # the rolled-back insert left no history row


@pytest.mark.django_db(transaction=True)
def test_concurrent_submission_of_the_same_batch_stores_once(regions):
    w = world()
    record = visit_record(w["family"])
    results = []

    def submit():
        try:
            results.append(sync_batch(by=w["pendamping"], device_id="x", records=[record])[0]["status"])
        finally:
            connection.close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=submit) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:  # SQLite serialises writers; the same guarantee, one after the other
        for _ in range(4):
            submit()
    assert sorted(results) == ["duplicate", "duplicate", "duplicate", "stored"]
    assert Visit.objects.count() == 1


def test_roles_that_do_not_record_field_work_are_refused(w):
    for role in ("partner", "bank", "auditor"):
        response = post(w[role], [visit_record(w["family"])])
        assert response.status_code == 403, role
    assert not Visit.objects.exists()


def test_without_login_the_answer_is_401(w):
    response = Client().post(URL, json.dumps({"records": []}), content_type="application/json")
    assert response.status_code == 401


def test_session_auth_needs_the_csrf_header(w):
    client = Client(enforce_csrf_checks=True)
    client.force_login(w["pendamping"])
    body = json.dumps({"device_id": "x", "records": [visit_record(w["family"])]})
    assert client.post(URL, body, content_type="application/json").status_code == 403
    client.get("/lapangan/")  # sets the csrftoken cookie, as the field app does
    token = client.cookies["csrftoken"].value
    response = client.post(URL, body, content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 200 and statuses(response) == ["stored"]


def test_too_many_records_or_a_malformed_body_is_a_json_error(w):
    client = Client()
    client.force_login(w["pendamping"])
    too_many = [visit_record(w["family"]) for _ in range(201)]
    response = client.post(URL, json.dumps({"records": too_many}), content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "records"
    response = client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()
    response = client.post(URL, json.dumps({"records": "nope"}), content_type="application/json")
    assert response.status_code == 422


def test_visits_endpoint_lists_a_households_visits_with_client_ids(w):
    records = [visit_record(w["family"]), visit_record(w["small"])]
    post(w["pendamping"], records)
    client = Client()
    client.force_login(w["pendamping"])
    body = client.get(f"/api/v1/fieldwork/visits?household={w['family'].pk}").json()
    assert body["count"] == 1 and body["items"][0]["client_id"] == records[0]["client_id"]
    by_kk = client.get(f"/api/v1/fieldwork/visits?household={w['family'].no_kk}").json()
    assert by_kk["items"][0]["client_id"] == records[0]["client_id"]


def test_visits_of_a_household_outside_scope_list_nothing(w):
    post(w["other"], [visit_record(w["other_family"])])
    client = Client()
    client.force_login(w["pendamping"])
    body = client.get(f"/api/v1/fieldwork/visits?household={w['other_family'].pk}").json()
    assert body == {"count": 0, "items": []}
    client.force_login(w["operator_lebak"])
    assert client.get("/api/v1/fieldwork/visits").json()["count"] == 0
    client.force_login(w["manager"])
    assert client.get(f"/api/v1/fieldwork/visits?household={w['other_family'].pk}").json()["count"] == 1
    assert client.get("/api/v1/fieldwork/visits?household=abc").status_code == 400
    for role in ("partner", "bank"):
        client.force_login(w[role])
        assert client.get("/api/v1/fieldwork/visits").status_code == 403
        assert client.get("/api/v1/fieldwork/caseload").status_code == 403


def test_caseload_endpoint_gives_the_phone_its_households_members_and_modules(w):
    client = Client()
    client.force_login(w["pendamping"])
    body = client.get("/api/v1/fieldwork/caseload").json()
    assert sorted(h["id"] for h in body["households"]) == sorted([w["family"].pk, w["small"].pk])
    family = next(h for h in body["households"] if h["id"] == w["family"].pk)
    assert family["head_name"] == "Ahmad Sujatmiko"
    assert "no_kk" not in family and family["no_kk_tail"] == w["family"].no_kk[-4:]
    members = {m["name"]: m for m in family["members"]}
    assert members["Siti Chadidjah"]["pregnant"] and members["Nur Aini"]["toddler"]
    assert members["Rizky Pratama"]["school_status"] == "sd"
    assert [m["number"] for m in body["modules"]] == [1, 2, 3, 4, 5]
    assert [v["code"] for v in body["villages"]] == ["36.72.03.1001", "36.72.03.1002"]


def test_openapi_documents_the_fieldwork_endpoints(w):
    client = Client()
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/fieldwork/sync", "/api/v1/fieldwork/visits", "/api/v1/fieldwork/caseload"} <= set(paths)


def test_client_ids_are_uuids_made_by_the_device(w):
    [answer] = post(w["pendamping"], [visit_record(w["family"], client_id="1234")]).json()
    assert answer["status"] == "rejected" and answer["client_id"] == "1234"
    uid = uuid.uuid4()
    [ok] = post(w["pendamping"], [visit_record(w["family"], client_id=str(uid).upper())]).json()
    assert ok["status"] == "stored" and ok["client_id"] == str(uid)


def test_a_bearer_token_works_without_csrf(w):
    from jsika.core.models import ApiToken

    _, raw = ApiToken.issue(user=w["pendamping"], name="hp")
    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, json.dumps({"device_id": "hp", "records": [visit_record(w["family"])]}),
                           content_type="application/json", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and statuses(response) == ["stored"]


def test_odd_values_are_rejected_per_record_never_a_server_error(w):
    odd = [
        visit_record(w["family"], latitude=10**400, longitude=1),
        visit_record(w["family"], household="12345678901234567890"),
        visit_record(w["family"], type=["visit"]),
        visit_record(w["family"], client_id={"a": 1}),
        visit_record(w["family"], visited_on=20261120),
        visit_record(w["family"], condition=["school"]),
        visit_record(w["family"], notes="x" * 5000),
        session_record(session_number=10**6),
        session_record(module=True),
        {**attendance_record(session_record(), w["family"]), "present": "ya"},
    ]
    response = post(w["pendamping"], odd)
    assert response.status_code == 200
    assert statuses(response) == ["rejected"] * len(odd)
    assert all(a["reason"] for a in response.json())
