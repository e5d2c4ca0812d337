"""POST /api/v1/grievances and GET /api/v1/grievances/{ticket}: no login, limited, public status only."""

import json

import pytest

from jsika.grievances import services
from jsika.grievances.models import Grievance

from .factories import file, people

pytestmark = pytest.mark.django_db
BODY = {"category": "cut", "region": "36.72.03.1001",
        "description": "Bantuan JSCM dipotong Rp200.000 oleh orang yang mengaku petugas.",
        "nik": "3672031705800042", "contact": "081234567890"}


def post(client, body=None, address="10.0.0.1", raw=None):
    return client.post("/api/v1/grievances", data=raw if raw is not None else json.dumps(body or BODY),
                       content_type="application/json", REMOTE_ADDR=address)


def test_filing_without_login_answers_201_with_a_ticket(client, regions):
    response = post(client)
    assert response.status_code == 201
    ticket = response.json()["ticket"]
    g = Grievance.objects.get(ticket=ticket)
    assert (g.channel, g.nik, g.contact, g.region_id) == ("api", "3672031705800042", "081234567890", "36.72.03.1001")
    assert set(response.json()) == {"ticket"}


def test_status_answers_only_public_fields(client, regions):
    g = file(nik="3672031705800042", reporter_name="Ibu Sari", contact="0812")
    services.update_public_response(grievance=g, by=people()["operator"], text="Sedang diperiksa.")
    body = client.get(f"/api/v1/grievances/{g.ticket}").json()
    assert set(body) == {"ticket", "category", "category_label", "status", "status_label", "filed_on", "updated_on",
                         "response"}
    assert body["ticket"] == g.ticket and body["status"] == "received" and body["response"] == "Sedang diperiksa."
    assert "3672031705800042" not in json.dumps(body) and "Sari" not in json.dumps(body)


@pytest.mark.parametrize("change, status, field", [
    ({"region": "36.72.03"}, 400, "region"),
    ({"region": "36.99.99.9999"}, 400, "region"),
    ({"description": "pendek"}, 400, "description"),
    ({"nik": "12345"}, 400, "nik"),
    ({"program": "ZZZ"}, 400, "program"),
    ({"category": "complaint"}, 422, "category"),
    ({"region": None}, 422, "region"),
    ({"description": "x" * 5000}, 422, "description"),
])
def test_bad_input_answers_json_naming_the_field(client, regions, change, status, field):
    response = post(client, {**BODY, **change})
    assert response.status_code == status, response.content
    body = response.json()
    assert body.get("field") == field and field in body["detail"]
    assert not Grievance.objects.exists()


def test_broken_json_is_400_not_500(client, regions):
    response = post(client, raw="{not json")
    assert response.status_code == 400 and response.json()["detail"]
    assert post(client, raw="[]").status_code in (400, 422)


def test_filing_is_limited_per_address_together_with_the_form(client, regions):
    for _ in range(5):
        assert post(client).status_code == 201
    response = post(client)
    assert response.status_code == 429 and "detail" in response.json()
    assert post(client, address="10.0.0.2").status_code == 201


def test_unknown_ticket_is_404_and_guessing_is_429(client, regions):
    g = file()
    for i in range(10):
        response = client.get(f"/api/v1/grievances/JSK-AAAA-BBBB-CC{i + 2}C", REMOTE_ADDR="10.5.5.5")
        assert response.status_code == 404 and response.json()["detail"]
    assert client.get(f"/api/v1/grievances/{g.ticket}", REMOTE_ADDR="10.5.5.5").status_code == 429
    assert client.get(f"/api/v1/grievances/{g.ticket}", REMOTE_ADDR="10.5.5.6").status_code == 200


def test_the_endpoints_are_in_the_openapi_document_without_auth(client):
    doc = client.get("/api/v1/openapi.json").json()
    post_op = doc["paths"]["/api/v1/grievances"]["post"]
    get_op = doc["paths"]["/api/v1/grievances/{ticket}"]["get"]
    assert "security" not in post_op and "security" not in get_op
    assert "201" in post_op["responses"] and "429" in get_op["responses"]
