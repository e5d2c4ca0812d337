"""Every API error answers JSON {"detail": "..."} with the status of specs/api.md, never an HTML page."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404
from django.test import RequestFactory
from ninja import NinjaAPI, Schema

from jsika.core.api_errors import BadInput, Conflict, install_error_handlers, validation_detail

probe_api = NinjaAPI(urls_namespace="errors-probe")
install_error_handlers(probe_api)

RAISES = {
    "bad-input": BadInput("nik", "harus tepat 16 digit angka."),
    "conflict": Conflict("client_id sudah dipakai dengan isi lain."),
    "integrity": IntegrityError("duplicate key value violates unique constraint \"secret_index\""),
    "denied": PermissionDenied(),
    "missing": Http404("Household matching query does not exist."),
    "bug": RuntimeError("password=hunter2 in a traceback"),
}


@probe_api.get("/raise/{kind}", auth=None)
def raise_it(request, kind: str):
    raise RAISES[kind]


class Record(Schema):
    client_id: str
    latitude: float


class Batch(Schema):
    records: list[Record]


@probe_api.post("/batch", auth=None)
def batch(request, payload: Batch):
    return {"n": len(payload.records)}


def call(method: str, path: str, body=None):
    factory = RequestFactory()
    request = (factory.get(path) if method == "get"
               else factory.post(path, data=body, content_type="application/json"))
    request._dont_enforce_csrf_checks = True
    for pattern in probe_api.urls[0]:
        match = pattern.resolve(path.lstrip("/"))
        if match:
            response = match.func(request, **match.kwargs)
            return response.status_code, json.loads(response.content)
    raise AssertionError(f"no route for {path}")


@pytest.mark.parametrize(("kind", "status", "body"), [
    ("bad-input", 400, {"detail": "nik: harus tepat 16 digit angka.", "field": "nik"}),
    ("conflict", 409, {"detail": "client_id sudah dipakai dengan isi lain."}),
    ("integrity", 409, {"detail": "Data bertentangan dengan data yang sudah tersimpan."}),
    ("denied", 403, {"detail": "Peran Anda tidak berhak mengakses data ini."}),
    ("missing", 404, {"detail": "Tidak ditemukan."}),
    ("bug", 500, {"detail": "Terjadi kesalahan pada server; sudah dicatat."}),
])
def test_exceptions_map_to_json_statuses(kind, status, body):
    assert call("get", f"/raise/{kind}") == (status, body)


def test_validation_error_in_a_body_names_the_nested_field():
    status, body = call("post", "/batch", {"records": [{"client_id": "a", "latitude": "utara"}]})
    assert status == 422
    assert body["field"] == "records.0.latitude"
    assert "records.0.latitude" in body["detail"]


def test_malformed_json_body_is_400_not_500():
    assert call("post", "/batch", "{not json") == (400, {"detail": "body: isi permintaan bukan JSON yang sah.",
                                                         "field": "body"})


def test_validation_detail_lists_every_field_once():
    detail, fields = validation_detail([
        {"loc": ("query", "limit"), "msg": "Input should be less than or equal to 500"},
        {"loc": ("query", "desil_max"), "msg": "Input should be less than or equal to 10"},
        {"loc": ("query", "limit"), "msg": "again"},
    ])
    assert fields == ["limit", "desil_max"]
    assert detail.startswith("Masukan tidak valid — limit: Input should be less than or equal to 500; desil_max:")
