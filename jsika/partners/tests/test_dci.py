"""DCI Social Registry sync search: the standard's envelopes in, search_response out, with scope, sector fields,
masking, the standard's reason codes and the access log."""

import copy
import json
from pathlib import Path

import pytest

from jsika.core.models import AccessLog

from .factories import token_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/dci/registry/sync/search"
FIXTURES = Path(__file__).parent / "fixtures" / "dci"


def fixture(name: str, **values) -> dict:
    text = (FIXTURES / name).read_text()
    for key, value in values.items():
        text = text.replace(f"<{key}>", value)
    return json.loads(text)


def search(client, user, body):
    return client.post(URL, json.dumps(body), content_type="application/json",
                       headers={"Authorization": f"Bearer {token_for(user)}"})


def first(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()["message"]["search_response"][0]


def values(record) -> dict:
    return {a["name"]: a["value"] for a in record["additional_attributes"]}


def test_answer_has_the_shape_of_the_standards_response_example(client, world):
    example = fixture("search_response_example.json")
    request = fixture("search_idtype_value_nik.json", NIK=world["siti"].nik)
    body = search(client, world["health"], request).json()
    assert set(example) <= set(body) and set(example["header"]) <= set(body["header"])
    assert set(example["message"]) <= set(body["message"])
    item = body["message"]["search_response"][0]
    assert set(example["message"]["search_response"][0]) <= set(item)
    assert set(example["message"]["search_response"][0]["data"]) <= set(item["data"])
    assert body["header"]["action"] == "on-search" and body["header"]["status"] == "succ"
    assert body["header"]["receiver_id"] == request["header"]["sender_id"]
    assert body["header"]["total_count"] == body["header"]["completed_count"] == 1
    assert body["message"]["transaction_id"] == "trx-nik-0001" and len(body["message"]["correlation_id"]) <= 99
    assert item["reference_id"] == "ref-nik-1" and item["status"] == "succ"


def test_idtype_value_nik_for_a_partner_is_masked_limited_to_its_sector_and_logged(client, world):
    item = first(search(client, world["health"], fixture("search_idtype_value_nik.json", NIK=world["siti"].nik)))
    (record,) = item["data"]["reg_records"]
    assert item["data"]["reg_record_type"] == "Person"
    assert item["pagination"] == {"page_size": 50, "page_number": 1, "total_count": 1}
    assert record["identifier"] == {"@type": "Identifier", "identifier_type": "NIK",
                                    "identifier_value": world["siti"].nik[:4] + "********" + world["siti"].nik[-4:]}
    assert record["name"]["given_name"] == "Siti Chadidjah" and record["sex"] == "female"
    assert record["address"]["sub_region_code"] == "36.72.03.1001" and record["address"]["region_code"] == "36.72"
    assert values(record)["pregnant"] is True and "school_status" not in values(record)
    entry = AccessLog.objects.get(user=world["health"], object_type="dci_person")
    assert entry.detail["ids"] == [world["siti"].pk] and entry.detail["full_numbers"] is False


def test_idtype_value_by_a_manager_is_a_detail_read_with_full_numbers(client, world):
    item = first(search(client, world["manager"], fixture("search_idtype_value_nik.json", NIK=world["rizky"].nik)))
    (record,) = item["data"]["reg_records"]
    assert record["identifier"]["identifier_value"] == world["rizky"].nik
    assert record["household_identifier"] == world["pulomerak"].no_kk
    assert values(record)["school_status"] == "smp" and values(record)["pregnant"] is False
    assert AccessLog.objects.get(user=world["manager"], object_type="dci_person").detail["full_numbers"] is True


def test_education_partner_gets_schooling_not_health(client, world):
    item = first(search(client, world["education"], fixture("search_idtype_value_nik.json", NIK=world["siti"].nik)))
    (record,) = item["data"]["reg_records"]
    assert "pregnant" not in values(record) and "stunting_risk" not in values(record)
    assert "is_disabled" not in record and values(record)["school_status"] == ""


def test_idtype_value_kk_answers_the_household_with_its_members(client, world):
    item = first(search(client, world["education"], fixture("search_idtype_value_kk.json",
                                                            NO_KK=world["pulomerak"].no_kk)))
    (group,) = item["data"]["reg_records"]
    assert item["data"]["reg_record_type"] == "Group" and group["@type"] == "Group"
    assert group["group_size"] == 5 and len(group["member_list"]) == 5
    assert group["group_head_info"]["name"]["given_name"] == "Ahmad Sujatmiko"
    assert group["group_identifier"][0]["identifier_type"] == "KK"
    assert "*" in group["group_identifier"][0]["identifier_value"]
    assert "poverty_score" not in group  # the education sector does not read desil


def test_a_record_outside_the_callers_scope_is_never_confirmed(client, world):
    item = first(search(client, world["health_cilegon"], fixture("search_idtype_value_nik.json",
                                                                 NIK=world["ujang"].nik)))
    assert item["status"] == "succ" and item["data"]["reg_records"] == []
    assert item["pagination"]["total_count"] == 0


def test_predicate_query_from_the_standards_young_children_example(client, world):
    item = first(search(client, world["health"], fixture("search_predicate.json")))
    assert item["status"] == "succ"
    assert [r["name"]["given_name"] for r in item["data"]["reg_records"]] == ["Nur Aini"]
    assert values(item["data"]["reg_records"][0])["stunting_risk"] is True


@pytest.mark.parametrize(("expression", "expected"), [
    ({"attribute_name": "school_level", "operator": "eq", "attribute_value": "smp"},
     {"Rizky Pratama", "Ujang Supriatna", "Dimas Saputra"}),
    ({"attribute_name": "age", "operator": "ge", "attribute_value": 60}, {"Soekardjo", "Painem"}),
    ({"attribute_name": "region", "operator": "in", "attribute_value": ["36.02", "36.72.03.1002"]},
     {"Soekardjo", "Painem", "Asep Supriatna", "Ujang Supriatna"}),
    ({"attribute_name": "program", "operator": "eq", "attribute_value": "JAMSOSRATU"}, {"Asep Supriatna",
                                                                                      "Ujang Supriatna"}),
    ({"attribute_name": "kpm", "operator": "eq", "attribute_value": False}, {"Bayu Saputra", "Putri Saputra",
                                                                            "Dimas Saputra"}),
    ({"attribute_name": "relationship_head", "operator": "eq", "attribute_value": "istri"}, {"Siti Chadidjah",
                                                                                           "Painem"}),
])
def test_predicate_attributes(client, world, expression, expected):
    body = fixture("search_predicate.json")
    body["message"]["search_request"][0]["search_criteria"]["query"] = [{"seq_num": 1, "expression1": expression}]
    body["message"]["search_request"][0]["search_criteria"]["pagination"] = {"page_size": 100}
    item = first(search(client, world["manager"], body))
    assert {r["name"]["given_name"] for r in item["data"]["reg_records"]} == expected


def test_or_and_not_conditions(client, world):
    body = fixture("search_predicate.json")
    criteria = body["message"]["search_request"][0]["search_criteria"]
    criteria["query"] = [{"seq_num": 1, "condition": "or",
                          "expression1": {"attribute_name": "pregnant", "operator": "eq", "attribute_value": True},
                          "expression2": {"attribute_name": "is_disabled", "operator": "eq", "attribute_value": "1"}}]
    assert {r["name"]["given_name"] for r in first(search(client, world["health"], body))["data"]["reg_records"]} == {
        "Siti Chadidjah", "Soekardjo"}
    criteria["query"] = [{"seq_num": 1, "condition": "not",
                          "expression1": {"attribute_name": "region", "operator": "eq", "attribute_value": "36.72.03"},
                          "expression2": {"attribute_name": "age", "operator": "lt", "attribute_value": 18}}]
    assert {r["name"]["given_name"] for r in first(search(client, world["health"], body))["data"]["reg_records"]} == {
        "Ahmad Sujatmiko", "Siti Chadidjah", "Soekardjo", "Painem"}


def test_expression_query_from_the_standards_household_example(client, world):
    item = first(search(client, world["manager"], fixture("search_expression_household.json")))
    groups = item["data"]["reg_records"]
    assert item["reference_id"] == "" and item["status"] == "succ"
    assert [g["group_size"] for g in groups] == [2, 2, 3]  # fewer than five members, smallest first
    assert {g["place"]["region_code"] for g in groups} == {"36.72.03.1002", "36.02.01.2001", "36.72.01.1001"}
    assert all("poverty_score" in g for g in groups)  # managers read desil


def test_attributes_the_registry_does_not_hold_are_rejected_with_the_standards_code(client, world):
    item = first(search(client, world["manager"], fixture("search_expression_widow.json")))
    assert item["status"] == "rjct" and item["status_reason_code"] == "rjct.search_criteria.invalid"
    assert "marital_status" in item["status_reason_message"] and "data" not in item


def test_a_partner_cannot_search_by_a_field_its_sector_may_not_read(client, world):
    body = fixture("search_predicate.json")
    body["message"]["search_request"][0]["search_criteria"]["query"] = [
        {"seq_num": 1, "expression1": {"attribute_name": "pregnant", "operator": "eq", "attribute_value": True}}]
    item = first(search(client, world["education"], body))
    assert item["status_reason_code"] == "rjct.search_criteria.invalid" and "sektor pendidikan" in item[
        "status_reason_message"]
    body["message"]["search_request"][0]["search_criteria"]["sort"] = [{"attribute_name": "poverty_score"}]
    body["message"]["search_request"][0]["search_criteria"]["query"][0]["expression1"] = {
        "attribute_name": "age", "operator": "lt", "attribute_value": 99}
    assert first(search(client, world["education"], body))["status_reason_code"] == "rjct.sort.invalid"
    assert not AccessLog.objects.filter(object_type__startswith="dci").exists()


def test_pagination_pages_through_the_results(client, world):
    body = fixture("search_predicate.json")
    criteria = body["message"]["search_request"][0]["search_criteria"]
    criteria["query"] = [{"seq_num": 1, "expression1": {"attribute_name": "region", "operator": "eq",
                                                        "attribute_value": "36"}}]
    criteria["sort"] = [{"attribute_name": "name", "sort_order": "asc"}]
    criteria["pagination"] = {"page_size": 4, "page_number": 2}
    item = first(search(client, world["manager"], body))
    assert item["pagination"] == {"page_size": 4, "page_number": 2, "total_count": 12}
    assert [r["name"]["given_name"] for r in item["data"]["reg_records"]] == [
        "Dimas Saputra", "Nur Aini", "Painem", "Putri Saputra"]


@pytest.mark.parametrize(("change", "code"), [
    ({"pagination": {"page_size": 0, "page_number": 1}}, "rjct.pagination.invalid"),
    ({"pagination": {"page_size": 501}}, "rjct.pagination.invalid"),
    ({"pagination": {"page_size": 10, "page_number": 0}}, "rjct.pagination.invalid"),
    ({"pagination": {"page_number": 2}}, "rjct.pagination.invalid"),
    ({"sort": [{"attribute_name": "shoe_size", "sort_order": "asc"}]}, "rjct.sort.invalid"),
    ({"sort": [{"attribute_name": "name", "sort_order": "sideways"}]}, "rjct.sort.invalid"),
    ({"query_type": "graphql"}, "rjct.search_criteria.invalid"),
    ({"reg_type": "ns:org:RegistryType:Civil"}, "rjct.search_criteria.invalid"),
    ({"response_entity": "Farm"}, "rjct.search_criteria.invalid"),
    ({"query": [{"seq_num": 1, "expression1": {"attribute_name": "age", "operator": "like",
                                               "attribute_value": 3}}]}, "rjct.search_criteria.invalid"),
    ({"query": [{"seq_num": 1, "expression1": {"attribute_name": "age", "operator": "lt",
                                               "attribute_value": "three"}}]}, "rjct.search_criteria.invalid"),
    ({"query": {"type": "PASSPORT", "value": "A1234567"}, "query_type": "idtype-value"},
     "rjct.search_criteria.invalid"),
    ({"query": {"type": "NIK", "value": "12345"}, "query_type": "idtype-value"}, "rjct.search_criteria.invalid"),
])
def test_invalid_search_requests_are_rejected_one_by_one(client, world, change, code):
    body = fixture("search_predicate.json")
    body["message"]["search_request"][0]["search_criteria"].update(change)
    good = copy.deepcopy(body["message"]["search_request"][0])
    good["search_criteria"] = fixture("search_predicate.json")["message"]["search_request"][0]["search_criteria"]
    good["reference_id"] = "ref-good"
    body["message"]["search_request"].append(good)
    body["header"]["total_count"] = 2
    response = search(client, world["manager"], body)
    bad, ok = response.json()["message"]["search_response"]
    assert (bad["status"], bad["status_reason_code"]) == ("rjct", code)
    assert ok["status"] == "succ"  # one bad request never blocks the others


def test_reference_ids_and_timestamps_of_each_request_are_checked(client, world):
    body = fixture("search_predicate.json")
    item = body["message"]["search_request"][0]
    body["message"]["search_request"] = [item, copy.deepcopy(item), {**copy.deepcopy(item), "reference_id": "r3",
                                                                    "timestamp": "2024-01-15T10:30:00"}]
    body["header"]["total_count"] = 3
    codes = [r.get("status_reason_code") for r in search(client, world["manager"], body).json()["message"][
        "search_response"]]
    assert codes == [None, "rjct.reference_id.duplicate", "rjct.timestamp.invalid"]


@pytest.mark.parametrize(("header", "code"), [
    ({"action": "subscribe"}, "rjct.action.invalid"),
    ({"version": "2.0.0"}, "err.version.not_supported"),
    ({"is_msg_encrypted": True}, "err.encryption.invalid"),
    ({"message_ts": "yesterday"}, "rjct.message_ts.invalid"),
    ({"total_count": 3}, "rjct.total_count.invalid"),
])
def test_messages_the_registry_cannot_process_are_400_with_the_standards_error(client, world, header, code):
    body = fixture("search_predicate.json")
    body["header"].update(header)
    response = search(client, world["manager"], body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == code and response.json()["detail"]


def test_schema_invalid_messages_are_422_and_auth_is_required(client, world):
    response = search(client, world["manager"], fixture("search_headers_typo.json"))
    assert response.status_code == 422 and "Field required" in response.json()["detail"]
    body = fixture("search_predicate.json")
    del body["message"]
    assert search(client, world["manager"], body).status_code == 422
    anonymous = client.post(URL, json.dumps(fixture("search_predicate.json")), content_type="application/json")
    assert anonymous.status_code == 401 and anonymous.json()["detail"]
    denied = search(client, world["bank"], fixture("search_predicate.json"))
    assert denied.status_code == 403 and denied.json()["errors"][0]["code"] == "err.request.forbidden"
    broken = client.post(URL, "{not json", content_type="application/json",
                         headers={"Authorization": f"Bearer {token_for(world['manager'])}"})
    assert broken.status_code == 400 and broken.json()["detail"]
