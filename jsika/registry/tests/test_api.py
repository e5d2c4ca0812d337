"""The registry endpoints of specs/api.md: filters, pagination, detail, person lookup, errors, OpenAPI."""

from datetime import date
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jsika.core.models import ApiToken
from jsika.regions.models import Region
from jsika.registry import api as registry_api

from .factories import make_household, make_person, make_user
from .test_access_api import make_scope_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_scope_world()


@pytest.fixture
def manager_token():
    return ApiToken.issue(user=make_user("dinsos.banten", "manager", "36"))[1]


@pytest.fixture
def call(client, manager_token):
    """GET an API path as the Banten manager (or with ``token=``) and return the response."""

    def get(path, token=None, **params):
        return client.get("/api/v1" + path, params, headers={"Authorization": f"Bearer {token or manager_token}"})

    return get


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


# --- GET /households: filters ------------------------------------------------------------------


def test_households_lists_everything_in_scope_with_count(call, world):
    response = call("/households")
    body = response.json()
    assert ids(response) == {world[k].pk for k in ("pulomerak", "lebakgede", "cibeber", "lebak")}
    assert body["count"] == 4
    assert set(body) == {"count", "items"}


def test_households_filter_by_wilayah_prefix(call, world):
    assert ids(call("/households", wilayah="36.72")) == {world[k].pk for k in ("pulomerak", "lebakgede", "cibeber")}
    assert ids(call("/households", wilayah="36.72.03")) == {world["pulomerak"].pk, world["lebakgede"].pk}
    assert ids(call("/households", wilayah="36.72.03.1002")) == {world["lebakgede"].pk}


def test_households_wilayah_outside_scope_reads_nothing(call, world):
    response = call("/households", wilayah="32.73")
    assert response.json() == {"count": 0, "items": []}


@pytest.mark.parametrize(("param", "expected_true"), [
    ("hamil", {"pulomerak"}),
    ("balita", {"pulomerak"}),
    ("lansia", {"lebakgede"}),
    ("disabilitas", {"lebakgede"}),
])
def test_households_filter_by_member_criterion(call, world, param, expected_true):
    everyone = {"pulomerak", "lebakgede", "cibeber", "lebak"}
    assert ids(call("/households", **{param: "true"})) == {world[k].pk for k in expected_true}
    assert ids(call("/households", **{param: "false"})) == {world[k].pk for k in everyone - expected_true}


@pytest.mark.parametrize(("level", "expected"), [
    ("sd", {"cibeber", "lebak"}), ("smp", {"cibeber"}), ("sma", {"pulomerak"}),
])
def test_households_filter_by_school_level(call, world, level, expected):
    assert ids(call("/households", anak_sekolah=level)) == {world[k].pk for k in expected}


def test_households_filter_by_desil_max(call, world):
    assert ids(call("/households", desil_max=2)) == {world["lebak"].pk, world["pulomerak"].pk}


def test_households_filters_combine(call, world):
    assert ids(call("/households", wilayah="36.72", anak_sekolah="sd", desil_max=4)) == {world["cibeber"].pk}
    assert ids(call("/households", wilayah="36.02", anak_sekolah="sma")) == set()


def test_households_search_by_name_tolerates_old_spelling(call, world):
    assert ids(call("/households", q="Siti Hadijah")) == {world["pulomerak"].pk}
    assert ids(call("/households", q="Sukarjo")) == {world["lebakgede"].pk}


def test_households_search_by_full_nik_and_no_kk(call, world):
    nik = world["cibeber"].members.get(name="Bayu Saputra").nik
    assert ids(call("/households", q=nik)) == {world["cibeber"].pk}
    assert ids(call("/households", q=world["lebak"].no_kk)) == {world["lebak"].pk}


def test_households_items_carry_masked_numbers_and_criteria(call, world):
    item = call("/households", wilayah="36.72.03.1001").json()["items"][0]
    h = world["pulomerak"]
    assert item["no_kk"] == h.no_kk[:4] + "********" + h.no_kk[-4:]
    assert item["region"] == "36.72.03.1001"
    assert item["region_name"] == Region.objects.get(code="36.72.03.1001").name
    assert item["head_name"] == "Ahmad Sujatmiko"
    assert item["member_count"] == 4
    assert item["desil"] == 2
    assert item["criteria"] == {"hamil": True, "balita": True, "lansia": False, "disabilitas": False,
                                "anak_sekolah": ["sma"]}


def test_households_list_never_shows_a_full_number(call, world):
    text = call("/households").content.decode()
    for h in world.values():
        assert h.no_kk not in text
        for p in h.members.all():
            assert p.nik not in text


# --- program / status (enrollments belong to the programs app) ---------------------------------


def test_program_filter_is_400_while_no_program_can_be_known(call, world, monkeypatch):
    monkeypatch.setattr(registry_api, "enrollment_filter", lambda: None)
    response = call("/households", program="JSCM", status="active")
    assert response.status_code == 400
    assert response.json()["field"] == "program"
    assert "program tidak dikenal" in response.json()["detail"]


def test_status_filter_alone_is_400_naming_status_while_no_program_can_be_known(call, world, monkeypatch):
    monkeypatch.setattr(registry_api, "enrollment_filter", lambda: None)
    response = call("/households", status="active")
    assert response.status_code == 400
    assert response.json()["field"] == "status"


def test_program_filter_applies_the_programs_app_filter(call, world, monkeypatch):
    from django.core.exceptions import ValidationError

    def households_enrolled(qs, *, program, status):
        if program != "JSCM":
            raise ValidationError({"program": f"program tidak dikenal ({program})."})
        if status not in ("", "active"):
            raise ValidationError({"status": "status tidak dikenal."})
        return qs.filter(pk=world["pulomerak"].pk)

    monkeypatch.setattr(registry_api, "enrollment_filter", lambda: households_enrolled)
    assert ids(call("/households", program="JSCM", status="active", hamil="true")) == {world["pulomerak"].pk}
    unknown = call("/households", program="XYZ")
    assert (unknown.status_code, unknown.json()["field"]) == (400, "program")
    bad_status = call("/households", program="JSCM", status="zzz")
    assert (bad_status.status_code, bad_status.json()["field"]) == (400, "status")


# --- pagination --------------------------------------------------------------------------------


def test_households_default_page_is_50_with_full_count(call, world):
    for _ in range(53):
        make_household("36.72.03.1001")
    body = call("/households").json()
    assert body["count"] == 53 + 4
    assert len(body["items"]) == 50


def test_households_limit_and_offset_walk_every_row_once(call, world):
    seen = []
    for offset in range(0, 4, 3):
        seen += [i["id"] for i in call("/households", limit=3, offset=offset).json()["items"]]
    assert len(seen) == 4
    assert set(seen) == {world[k].pk for k in ("pulomerak", "lebakgede", "cibeber", "lebak")}


def test_households_offset_past_the_end_is_an_empty_page(call, world):
    assert call("/households", offset=100).json() == {"count": 4, "items": []}


def test_households_limit_500_is_accepted(call, world):
    assert call("/households", limit=500).status_code == 200


@pytest.mark.parametrize(("params", "field"), [
    ({"limit": 501}, "limit"), ({"limit": 0}, "limit"), ({"offset": -1}, "offset"),
    ({"limit": "banyak"}, "limit"),
])
def test_households_pagination_out_of_bounds_is_422_naming_the_field(call, params, field):
    response = call("/households", **params)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert field in response.json()["detail"]


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("params", "field"), [
    ({"hamil": "mungkin"}, "hamil"), ({"anak_sekolah": "kuliah"}, "anak_sekolah"),
    ({"desil_max": 11}, "desil_max"), ({"desil_max": 0}, "desil_max"), ({"q": "x" * 101}, "q"),
])
def test_households_invalid_filter_value_is_422_naming_the_field(call, params, field):
    response = call("/households", **params)
    assert response.status_code == 422
    assert response.json()["field"] == field


@pytest.mark.parametrize("wilayah", ["abc", "36.7", "3672", "36.72.03.10011", "36..72"])
def test_households_malformed_wilayah_is_400_naming_the_field(call, wilayah):
    response = call("/households", wilayah=wilayah)
    assert response.status_code == 400
    assert response.json()["field"] == "wilayah"
    assert response.json()["detail"].startswith("wilayah:")


def test_two_invalid_params_are_both_named(call):
    response = call("/households", limit=9999, desil_max=99)
    assert response.status_code == 422
    assert "limit" in response.json()["detail"] and "desil_max" in response.json()["detail"]


def test_unknown_api_address_is_json_404(call):
    response = call("/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Alamat API tidak dikenal."}


# --- GET /households/{no_kk} -------------------------------------------------------------------


def test_household_detail_lists_members_head_first(call, world):
    h = world["pulomerak"]
    body = call(f"/households/{h.no_kk}").json()
    assert body["id"] == h.pk
    assert [m["name"] for m in body["members"]][0] == "Ahmad Sujatmiko"
    assert {m["name"] for m in body["members"]} == {"Ahmad Sujatmiko", "Siti Chadidjah", "Rizky Pratama", "Nur Aini"}
    wife = next(m for m in body["members"] if m["name"] == "Siti Chadidjah")
    assert (wife["sex"], wife["relation"], wife["pregnant"], wife["birth_date"]) == ("P", "istri", True, "1985-05-17")
    assert body["criteria"]["anak_sekolah"] == ["sma"]
    assert body["address"] == "Jl. Raya Merak No. 12"
    assert (body["latitude"], body["longitude"]) == (-5.9361, 106.0032)


def test_household_detail_also_accepts_the_household_id(call, world):
    h = world["lebak"]
    assert call(f"/households/{h.pk}").json()["no_kk"] == h.no_kk


def test_household_detail_unknown_no_kk_is_404(call, world):
    response = call("/households/3672030101999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Tidak ditemukan."}


@pytest.mark.parametrize("bad", ["abc", "3672-0301-0199", "36720301019999990"])
def test_household_detail_malformed_no_kk_is_400(call, bad):
    response = call(f"/households/{bad}")
    assert response.status_code == 400
    assert response.json()["field"] == "no_kk"


# --- GET /persons?nik= -------------------------------------------------------------------------


def test_person_lookup_by_full_nik_returns_that_person_and_household(call, world):
    person = world["cibeber"].members.get(name="Putri Lestari")
    body = call("/persons", nik=person.nik).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["name"], item["school_status"]) == (person.pk, "Putri Lestari", "sd")
    assert item["household"]["id"] == world["cibeber"].pk
    assert item["household"]["region"] == "36.72.01.1001"


def test_person_lookup_is_exact_only(call, world):
    person = world["cibeber"].members.get(name="Putri Lestari")
    near = person.nik[:-1] + ("0" if person.nik[-1] != "0" else "1")
    assert call("/persons", nik=near).json() == {"count": 0, "numbers_masked": False, "items": []}


@pytest.mark.parametrize("bad", ["123", "36720301019999991", "36720301O1999999", "3672 0301 0199 99"])
def test_person_lookup_needs_sixteen_digits_400_naming_nik(call, bad):
    response = call("/persons", nik=bad)
    assert response.status_code == 400
    assert response.json()["field"] == "nik"
    assert response.json()["detail"].startswith("nik:")


def test_person_lookup_without_nik_is_422_naming_nik(call):
    response = call("/persons")
    assert response.status_code == 422
    assert response.json()["field"] == "nik"


# --- auth and OpenAPI --------------------------------------------------------------------------


def test_session_login_works_for_the_pages_own_calls(client, world):
    client.force_login(make_user("operator.cilegon", "operator", "36.72"))
    response = client.get("/api/v1/households")
    assert ids(response) == {world[k].pk for k in ("pulomerak", "lebakgede", "cibeber")}


def test_openapi_document_lists_the_registry_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert {"/api/v1/households", "/api/v1/households/{no_kk}", "/api/v1/persons"} <= set(doc["paths"])
    params = {p["name"]: p for p in doc["paths"]["/api/v1/households"]["get"]["parameters"]}
    assert {"wilayah", "program", "status", "hamil", "balita", "lansia", "disabilitas", "anak_sekolah",
            "desil_max", "q", "limit", "offset"} <= set(params)
    assert params["limit"]["schema"]["maximum"] == 500
    assert params["wilayah"]["example"] == "36.72"
    assert "BearerToken" in doc["components"]["securitySchemes"]
    responses = doc["paths"]["/api/v1/households/{no_kk}"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404", "422"} <= set(responses)
    assert "HouseholdDetail" in doc["components"]["schemas"]


def test_docs_page_is_served_locally(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"cdn.jsdelivr" not in response.content


def test_members_of_a_household_without_a_head_still_list(call, world):
    h = make_household("36.72.03.1001")
    make_person(h, name="Anak Saja", relation="anak", sex="L")
    body = call(f"/households/{h.no_kk}").json()
    assert body["head_name"] is None
    assert [m["name"] for m in body["members"]] == ["Anak Saja"]


# --- never 500 on bad input --------------------------------------------------------------------

PARAMS = ["wilayah", "program", "status", "hamil", "balita", "lansia", "disabilitas", "anak_sekolah", "desil_max",
          "q", "limit", "offset"]
nasty_text = st.one_of(st.text(max_size=40), st.sampled_from(["\x00", "36.72\x00", "1e309", "-0", "NaN", "true",
                                                              "9" * 40, "%", "_", "' OR 1=1 --", "36.72.03.1001"]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(PARAMS), nasty_text, max_size=5), nik=nasty_text, no_kk=nasty_text)
def test_arbitrary_input_never_answers_500(call, world, params, nik, no_kk):
    for response in (call("/households", **params), call("/persons", nik=nik),
                     call("/households/" + quote(no_kk or "x", safe=""))):
        assert response.status_code in (200, 400, 404, 422), (params, nik, no_kk, response.content)
        assert "detail" in response.json() or response.status_code == 200


@pytest.mark.parametrize("nik", ["٣٦٧٢٠٣٠١٠١٩٩٩٩٩٩", "３６７２０３０１０１９９９９９９"])
def test_person_lookup_accepts_only_ascii_digits(call, nik):
    response = call("/persons", nik=nik)
    assert (response.status_code, response.json()["field"]) == (400, "nik")


def test_list_query_count_does_not_grow_with_the_page(call, world, django_assert_max_num_queries):
    for _ in range(30):
        make_person(make_household("36.72.03.1001"), name="Warga", sex="L", birth_date=date(1990, 1, 1),
                    relation="kepala keluarga")
    with django_assert_max_num_queries(5):  # token, last-used stamp, count, one page
        assert len(call("/households", limit=100).json()["items"]) == 34
