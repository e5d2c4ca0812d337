"""Every API error is JSON ``{"detail": "..."}`` (specs/api.md); one place maps exceptions to statuses.

- 400 ``BadInput``: a well-typed value the API cannot use (a NIK that is not 16 digits, a malformed
  region code, an unknown program); the answer names the field (``detail`` starts with it, and
  ``field`` holds it).
- 401 no or a bad token / session; 403 the role may not use the endpoint; 404 not found *or outside
  the caller's scope* (never confirm that a record exists); 409 a conflict; 422 the request does not
  match the documented parameter types and ranges (``detail`` lists each field); 429 too many requests.
- Anything else is a bug: logged, and answered 500 as JSON without internals.
"""

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

logger = logging.getLogger("jsika.api")


class ErrorOut(Schema):
    """The body of every error answer."""

    detail: str
    field: str | None = None

    model_config = {"json_schema_extra": {"examples": [{"detail": "nik: harus tepat 16 digit angka.", "field": "nik"}]}}


class BadInput(HttpError):
    """400: a value the endpoint cannot use; ``field`` names the parameter."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(400, f"{field}: {message}")


class Conflict(HttpError):
    """409: the request conflicts with what is stored (e.g. a client id reused with other content)."""

    def __init__(self, message: str):
        super().__init__(409, message)


# The statuses most endpoints can answer besides 200, for the OpenAPI document.
COMMON_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


def _field_name(loc) -> str:
    """``("query", "limit")`` → ``limit``; ``("body", "payload", "records", 0, "id")`` → ``records.0.id``."""
    parts = [str(p) for p in loc if p not in ("query", "path", "body", "form", "file", "header", "cookie")]
    if len(parts) > 1 and parts[0] in ("payload", "filters", "data"):
        parts = parts[1:]
    return ".".join(parts) or "request"


def validation_detail(errors: list[dict]) -> tuple[str, list[str]]:
    fields, messages = [], []
    for error in errors:
        name = _field_name(error.get("loc", ()))
        if name not in fields:
            fields.append(name)
        messages.append(f"{name}: {error.get('msg', '')}")
    return _("Masukan tidak valid") + " — " + "; ".join(messages), fields


def install_error_handlers(api: NinjaAPI) -> None:
    """Register the JSON error answers of specs/api.md on ``api``."""

    def reply(request: HttpRequest, status: int, detail: str, **extra) -> HttpResponse:
        body = {"detail": detail, **{k: v for k, v in extra.items() if v is not None}}
        return api.create_response(request, body, status=status)

    @api.exception_handler(ValidationError)
    def on_validation(request, exc: ValidationError):
        detail, fields = validation_detail(exc.errors)
        return reply(request, 422, detail, field=fields[0] if len(fields) == 1 else None)

    @api.exception_handler(BadInput)
    def on_bad_input(request, exc: BadInput):
        return reply(request, 400, exc.message, field=exc.field)

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc: AuthenticationError):
        detail = exc.message if exc.message != "Unauthorized" else _(
            "Autentikasi diperlukan: kirim 'Authorization: Bearer <token>' yang berlaku, "
            "atau masuk lewat halaman aplikasi.")
        response = reply(request, 401, detail)
        response["WWW-Authenticate"] = 'Bearer realm="e-JSiKa"'
        return response

    @api.exception_handler(Throttled)
    def on_throttled(request, exc: Throttled):
        response = reply(request, 429, _("Terlalu banyak permintaan; coba lagi nanti."))
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait))
        return response

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        if exc.status_code == 400 and exc.message == "Cannot parse request body":  # ninja's words for bad JSON
            return reply(request, 400, _("body: isi permintaan bukan JSON yang sah."), field="body")
        return reply(request, exc.status_code, exc.message)

    @api.exception_handler(PermissionDenied)
    def on_permission_denied(request, exc):
        return reply(request, 403, str(exc) or _("Peran Anda tidak berhak mengakses data ini."))

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return reply(request, 404, _("Tidak ditemukan."))

    @api.exception_handler(ObjectDoesNotExist)
    def on_does_not_exist(request, exc):
        return reply(request, 404, _("Tidak ditemukan."))

    @api.exception_handler(IntegrityError)
    def on_integrity_error(request, exc):
        logger.warning("API conflict: %s", exc)
        return reply(request, 409, _("Data bertentangan dengan data yang sudah tersimpan."))

    @api.exception_handler(DataError)
    def on_data_error(request, exc):
        # A value the database cannot hold (NUL byte, out-of-range number): bad input, not a server fault.
        logger.warning("API value refused by the database: %s", exc)
        return reply(request, 400, _("Nilai masukan tidak dapat diproses; periksa kembali parameter."))

    @api.exception_handler(Exception)
    def on_bug(request, exc):
        logger.exception("API error on %s %s", request.method, request.path)
        return reply(request, 500, _("Terjadi kesalahan pada server; sudah dicatat."))


def api_not_found(request, *args, **kwargs) -> HttpResponse:
    """A JSON 404 for unknown addresses under /api/v1/ (instead of Django's HTML page)."""
    return JsonResponse({"detail": _("Alamat API tidak dikenal.")}, status=404)
