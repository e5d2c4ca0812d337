"""Graduation API: the instrument for the field app, graduations in scope (masked), a household's scores, and
offline assessments through the field sync (the ``assessment`` record type)."""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from jsika.core.models import ApiToken
from jsika.fieldwork import sync as field_sync
from jsika.graduation import services
from jsika.graduation.models import Assessment, GraduationKind
from jsika.graduation.sync import sync_assessment

from .factories import answers, assess, assign_caseload, kpm, world

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _get(client, user, path, **params):
    _token, raw = ApiToken.issue(user=user)
    return client.get(f"/api/v1{path}", params, HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_instrument_in_force_lists_indicators_with_option_ids(client):
    p, _program = world()
    response = _get(client, p["facilitator"], "/graduation/instrument")
    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["ready_from"]) == (1, 70)
    assert [i["code"] for i in body["indicators"]][:2] == ["penghasilan", "pekerjaan"]
    assert body["indicators"][0]["options"][0]["score"] == 0
    assert _get(client, p["bank"], "/graduation/instrument").status_code == 403
    assert _get(client, p["facilitator"], "/graduation/instrument", on="2009-01-01").status_code == 404


def test_partners_list_graduations_in_scope_with_masked_numbers(client):
    p, program = world()
    e = kpm(program, p, started_on=date(2019, 1, 2))
    g = services.propose_graduation(by=p["operator"], enrollment=e, kind=GraduationKind.NATURAL)
    services.approve_graduation(graduation=g, by=p["manager"])
    body = _get(client, p["partner"], "/graduations", wilayah="36.72", program="jscm").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["kind"], item["program"], item["household"]) == ("alamiah", "JSCM", e.household_id)
    assert "*" in item["no_kk"] and item["no_kk"] != e.household.no_kk
    assert _get(client, p["operator_lebak"], "/graduations").json()["count"] == 0
    bad = _get(client, p["partner"], "/graduations", wilayah="36-72")
    assert bad.status_code == 400 and bad.json()["field"] == "wilayah"


def test_assessment_history_of_a_household_only_in_scope(client):
    p, program = world()
    e = kpm(program, p, started_on=date(2022, 1, 2))
    assess(e.household, p["operator"], level="mid", on=TODAY - timedelta(days=100))
    assess(e.household, p["operator"], level="best", on=TODAY - timedelta(days=10))
    rows = _get(client, p["auditor"], "/graduation/assessments", household=e.household_id).json()
    assert [r["band"] for r in rows] == ["developing", "ready"] and rows[1]["score"] == "100.0"
    assert _get(client, p["facilitator"], "/graduation/assessments", household=e.household_id).json() == []


def _record(household, **over):
    record = {"client_id": str(uuid.uuid4()), "type": "assessment", "household": household.no_kk,
              "assessed_on": (TODAY - timedelta(days=2)).isoformat(), "answers": answers(), "instrument_version": 1,
              "notes": "Diisi luring", "recorded_at": f"{(TODAY - timedelta(days=2)).isoformat()}T09:14:00+07:00"}
    record.update(over)
    return record


def test_offline_assessments_through_the_field_sync(monkeypatch):
    """With the handler plugged into the field sync: stored, duplicate on replay, rejected with a reason."""
    monkeypatch.setitem(field_sync.HANDLERS, "assessment", sync_assessment)
    p, program = world()
    mine = kpm(program, p, started_on=date(2022, 1, 2))
    other = kpm(program, p, started_on=date(2022, 1, 2))
    assign_caseload(p["facilitator"], mine.household)
    good = _record(mine.household)
    half = _record(mine.household, answers={"penghasilan": answers()["penghasilan"]})
    records = [good, _record(other.household), half, good, _record(mine.household, answers="semua baik"),
               {**good, "notes": "isi lain"}]
    result = field_sync.sync_batch(by=p["facilitator"], device_id="hp-siti", records=records)
    assert [r["status"] for r in result] == ["stored", "rejected", "rejected", "duplicate", "rejected", "rejected"]
    assert "daftar dampingan" in result[1]["reason"] and "belum dijawab" in result[2]["reason"]
    assert result[4]["reason"].startswith("answers:") and "isi berbeda" in result[5]["reason"]
    stored = Assessment.objects.get()
    assert (stored.pk, stored.device_id, stored.band) == (result[0]["id"], "hp-siti", "ready")
    assert stored.recorded_at is not None


def test_the_handler_rejects_an_unknown_instrument_version():
    p, program = world()
    e = kpm(program, p, started_on=date(2022, 1, 2))
    assign_caseload(p["facilitator"], e.household)
    from jsika.fieldwork.services import FieldworkError

    with pytest.raises(FieldworkError, match="instrument_version"):
        sync_assessment(_record(e.household, instrument_version=9), by=p["facilitator"], device_id="x")
