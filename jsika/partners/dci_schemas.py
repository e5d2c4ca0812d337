"""The DCI Social Registry sync search envelope (spdci/standards ``social_api_v1.0.0.yaml``) as typed shapes.

Requests are typed as leniently as the standard's own examples are (``total_count`` may arrive as
``"1"``; ``query``, ``sort`` and ``pagination`` are checked by ``dci.py``, so a bad value there is a
per-request ``rjct`` with the standard's reason code instead of a 422 for the whole message).
"""

from typing import Any, Literal

from ninja import Field, Schema

from .schemas import Text

ID_TYPE_VALUE_QUERY = {
    "type": "object", "title": "idtype-value",
    "properties": {"type": {"type": "string", "example": "NIK",
                            "description": "NIK (juga UIN/NIN) atau KK (No. KK; juga HOUSEHOLD_ID)."},
                   "value": {"type": "string", "example": "3672035705850002"}},
    "required": ["type", "value"],
}
PREDICATE_EXPRESSION = {
    "type": "object",
    "properties": {"attribute_name": {"type": "string", "example": "age"},
                   "operator": {"type": "string", "enum": ["gt", "lt", "eq", "ge", "le", "in"]},
                   "attribute_value": {}},
    "required": ["attribute_name", "operator", "attribute_value"],
}
PREDICATE_QUERY = {
    "type": "array", "title": "predicate",
    "items": {"type": "object",
              "properties": {"seq_num": {"type": "number", "example": 1}, "expression1": PREDICATE_EXPRESSION,
                             "condition": {"type": "string", "enum": ["and", "or", "not"]},
                             "expression2": PREDICATE_EXPRESSION},
              "required": ["expression1"]},
}
EXPRESSION_QUERY = {
    "type": "object", "title": "expression",
    "properties": {"type": {"type": "string", "example": "ns:org:QueryType:NoSql"},
                   "value": {"type": "object", "properties": {"expression": {
                       "type": "object", "properties": {"collection": {"type": "string", "example": "Household"},
                                                        "query": {"type": "object"}}}}}},
}
QUERY_DOC = (
    "Sesuai `query_type`: **idtype-value** `{\"type\": \"NIK\"|\"KK\", \"value\": \"16 digit\"}`; **predicate** "
    "daftar `{seq_num, expression1, condition, expression2}` dengan atribut `age`, `birth_date`, `sex`, `region`, "
    "`program`, `pregnant`, `is_disabled`, `school_level`, `poverty_score`, `household_size`, `stunting_risk`, "
    "`relationship_head`, `kpm` dan operator `eq`, `gt`, `ge`, `lt`, `le`, `in`; **expression** (NoSql) "
    "`{\"type\": \"ns:org:QueryType:NoSql\", \"value\": {\"expression\": {\"collection\": \"Household\", "
    "\"query\": {\"$and\": [{\"household_size\": {\"$lt\": 5}}]}}}}`. Atribut yang tidak boleh dibaca sektor "
    "Anda ditolak (`rjct.search_criteria.invalid`)."
)


class DciHeaderIn(Schema):
    """MsgHeader_V1.0.0."""

    version: Text = Field("1.0.0", max_length=20)
    message_id: Text = Field(..., max_length=256, examples=["0c96614c-7255-4774-b109-cd53ee851769"])
    message_ts: Text = Field(..., max_length=64, description="ISO 8601 dengan zona waktu.",
                             examples=["2026-07-19T12:15:04.555+07:00"])
    action: Text = Field(..., max_length=40, description="Harus `search`.", examples=["search"])
    sender_id: Text = Field(..., max_length=256, examples=["spmis.dinkes.bantenprov.go.id"])
    sender_uri: Text | None = Field(None, max_length=2000)
    receiver_id: Text | None = Field(None, max_length=256, examples=["e-jsika"])
    total_count: int | Text | None = Field(None, description="Jumlah `search_request` dalam pesan.", examples=[1])
    is_msg_encrypted: bool = Field(False, description="Pesan terenkripsi (JWE) belum didukung: 400.")
    meta: Any = None

    model_config = {"extra": "allow"}


class DciSearchCriteriaIn(Schema):
    version: Text | None = Field("1.0.0", max_length=20)
    reg_type: Text | None = Field(None, max_length=120, description="Bila diisi: registri sosial "
                                                                   "(mis. `ns:org:RegistryType:Social`).")
    reg_event_type: Any = None
    query_type: Text = Field(..., max_length=40, description="`idtype-value`, `predicate` atau `expression`.",
                             examples=["predicate"])
    response_entity: Text | None = Field(None, max_length=40, description="`Member` (bawaan: orang) atau "
                                                                          "`Household`/`Family`/`Group` (keluarga).")
    query: Any = Field(..., description=QUERY_DOC, json_schema_extra={
        "oneOf": [ID_TYPE_VALUE_QUERY, PREDICATE_QUERY, EXPRESSION_QUERY]})
    sort: Any = Field(None, description="Daftar `{attribute_name, sort_order: asc|desc}`; atribut: `name`, `age`, "
                                        "`birth_date`, `region`, `poverty_score`, `household_size`, `identifier`.")
    pagination: Any = Field(None, description="`{page_size 1–500, page_number ≥ 1}` (bawaan 50, 1).")
    consent: Any = None
    authorize: Any = None

    model_config = {"extra": "allow"}


class DciSearchRequestItemIn(Schema):
    reference_id: Text = Field(..., max_length=256, examples=["ref-dinkes-2026-0001"])
    timestamp: Text = Field(..., max_length=64, examples=["2026-07-19T12:15:04+07:00"])
    search_criteria: DciSearchCriteriaIn
    pagination: Any = Field(None, description="Diterima juga di sini (seperti perangkat uji kepatuhan OpenSPP).")
    locale: Text | None = Field(None, max_length=20, examples=["ind"])

    model_config = {"extra": "allow"}


class DciSearchMessageIn(Schema):
    transaction_id: Text = Field(..., max_length=99, examples=["trx-2026-07-19-0001"])
    search_request: list[DciSearchRequestItemIn] = Field(..., max_length=100)

    model_config = {"extra": "allow"}


class DciSearchEnvelopeIn(Schema):
    signature: Text | None = Field(None, max_length=4000, description="Tanda tangan pesan (belum diverifikasi; "
                                                                      "autentikasi memakai token Bearer).")
    header: DciHeaderIn
    message: DciSearchMessageIn

    model_config = {"extra": "allow", "json_schema_extra": {"examples": [{
        "signature": "",
        "header": {"version": "1.0.0", "message_id": "0c96614c-7255-4774-b109-cd53ee851769",
                   "message_ts": "2026-07-19T12:15:04+07:00", "action": "search",
                   "sender_id": "spmis.dinkes.bantenprov.go.id", "receiver_id": "e-jsika", "total_count": 1,
                   "is_msg_encrypted": False},
        "message": {"transaction_id": "trx-2026-07-19-0001", "search_request": [{
            "reference_id": "ref-1", "timestamp": "2026-07-19T12:15:04+07:00",
            "search_criteria": {"version": "1.0.0", "reg_type": "ns:org:RegistryType:Social",
                                "query_type": "predicate", "response_entity": "Member",
                                "query": [{"seq_num": 1,
                                           "expression1": {"attribute_name": "pregnant", "operator": "eq",
                                                           "attribute_value": True},
                                           "condition": "and",
                                           "expression2": {"attribute_name": "region", "operator": "eq",
                                                           "attribute_value": "36.72"}}],
                                "pagination": {"page_size": 10, "page_number": 1}},
            "locale": "ind"}]}}]}}


# --- the answer ------------------------------------------------------------------------------

class DciCallbackHeaderOut(Schema):
    """MsgCallbackHeader_V1.0.0."""

    version: str = Field(examples=["1.0.0"])
    message_id: str = Field(examples=["5b1f8f0e8f6b4a52a3c1f1a0f6e2d9c1"])
    message_ts: str = Field(examples=["2026-07-19T12:15:05+07:00"])
    action: Literal["on-search"]
    status: Literal["rcvd", "pdng", "succ", "rjct"]
    total_count: int = Field(examples=[1])
    completed_count: int = Field(examples=[1])
    sender_id: str = Field(examples=["e-jsika"])
    receiver_id: str = Field(examples=["spmis.dinkes.bantenprov.go.id"])
    is_msg_encrypted: bool = False


class DciPaginationOut(Schema):
    page_size: int = Field(examples=[10])
    page_number: int = Field(examples=[1])
    total_count: int = Field(examples=[37])


PERSON_RECORD_EXAMPLE = {
    "@context": {"@vocab": "https://schema.spdci.org/extensions/social/v1"}, "@type": "Person",
    "identifier": {"@type": "Identifier", "identifier_type": "NIK", "identifier_value": "3672********0002"},
    "name": {"@type": "Name", "given_name": "Siti Chadidjah", "surname": ""},
    "sex": "female", "birth_date": "1985-05-17",
    "address": {"@type": "Address", "address_line1": "Jl. Raya Merak No. 12", "address_line2": "RT 003/RW 002",
                "locality": "Lebak Gede", "sub_region_code": "36.72.03.1001", "region_code": "36.72",
                "country_code": "ID"},
    "household_identifier": "3672********0042", "relationship_head": "istri",
    "additional_attributes": [{"name": "age", "value": 41}, {"name": "pregnant", "value": True}],
    "registration_date": "2026-01-05T09:00:00+07:00", "last_updated": "2026-06-01T10:30:00+07:00",
}
GROUP_RECORD_EXAMPLE = {
    "@context": {"@vocab": "https://schema.spdci.org/extensions/social/v1"}, "@type": "Group",
    "group_identifier": [{"@type": "Identifier", "identifier_type": "KK", "identifier_value": "3672********0042"}],
    "group_type": "household", "group_size": 4,
    "place": {"@type": "Place", "address": "Jl. Raya Merak No. 12, Lebak Gede", "region_code": "36.72.03.1001"},
    "group_head_info": PERSON_RECORD_EXAMPLE, "member_list": [PERSON_RECORD_EXAMPLE],
    "registration_date": "2026-01-05T09:00:00+07:00", "last_updated": "2026-06-01T10:30:00+07:00",
}


class DciDataOut(Schema):
    version: str = Field("1.0.0", examples=["1.0.0"])
    reg_type: str = Field(examples=["ns:org:RegistryType:Social"])
    reg_record_type: Literal["Person", "Group"]
    reg_records: list[dict[str, Any]] = Field(
        description="Person (social/v1/Person) atau Group (social/v1/Group) dengan hanya kolom yang boleh dibaca "
                    "sektor Anda; NIK/No. KK tersamar kecuali pengelola/operator pada pencarian idtype-value.",
        examples=[[PERSON_RECORD_EXAMPLE], [GROUP_RECORD_EXAMPLE]])


class DciSearchResponseItemOut(Schema):
    reference_id: str = Field(examples=["ref-1"])
    timestamp: str = Field(examples=["2026-07-19T12:15:05+07:00"])
    status: Literal["succ", "rjct"]
    status_reason_code: Literal[
        "rjct.reference_id.invalid", "rjct.reference_id.duplicate", "rjct.timestamp.invalid",
        "rjct.search_criteria.invalid", "rjct.filter.invalid", "rjct.sort.invalid", "rjct.pagination.invalid",
        "rjct.search.too_many_records_found"] | None = None
    status_reason_message: str | None = Field(None, max_length=999)
    data: DciDataOut | None = None
    pagination: DciPaginationOut | None = None
    locale: str = Field("ind", examples=["ind"])


class DciSearchResponseMessageOut(Schema):
    transaction_id: str = Field(examples=["trx-2026-07-19-0001"])
    correlation_id: str = Field(examples=["9b2e4c7a1d3f4e5a8b6c0d1e2f3a4b5c"])
    search_response: list[DciSearchResponseItemOut]


class DciSearchResponseOut(Schema):
    signature: str = Field("", description="Tidak ditandatangani (kosong).")
    header: DciCallbackHeaderOut
    message: DciSearchResponseMessageOut


class DciErrorItem(Schema):
    code: str = Field(examples=["err.request.bad"])
    message: str = Field(examples=["header.action harus 'search'."])


class DciErrorOut(Schema):
    """HttpErrorResponse of the standard (``errors``), with the API's usual ``detail``."""

    detail: str = Field(examples=["header.action harus 'search'."])
    errors: list[DciErrorItem]
