"""Grievance endpoints of specs/api.md: file one without login, read one ticket's public status.

Both are open to anyone (``auth=None``) and limited per client address: filings share the web form's
limit; lookups of unknown tickets are counted, and past the limit every lookup answers 429 — so tickets
cannot be enumerated. Bad input answers 400 naming the field, or 422 for the wrong shape; never 500.
"""

from datetime import date
from typing import Literal

from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import Throttled

from jsika.core.api_errors import BadInput, ErrorOut

from . import queries, services, throttle
from .models import Channel
from .tickets import normalize_ticket

router = Router(tags=["grievances"])

CategoryCode = Literal["not_received", "cut", "wrong_target", "data_error", "facilitator", "other"]


class GrievanceIn(Schema):
    category: CategoryCode
    region: str = Field(..., max_length=13, description="kode desa/kelurahan, mis. 36.72.03.1001")
    description: str = Field(..., max_length=4000)
    program: str | None = Field(None, max_length=20, description="kode program bila diketahui, mis. JSCM")
    nik: str | None = Field(None, max_length=30)
    no_kk: str | None = Field(None, max_length=30)
    reporter_name: str | None = Field(None, max_length=120)
    contact: str | None = Field(None, max_length=100)
    anonymous: bool = False

    model_config = {"json_schema_extra": {"examples": [{
        "category": "cut", "region": "36.72.03.1001",
        "description": "Bantuan JSCM yang diterima hanya Rp300.000, dipotong oleh orang yang mengaku petugas.",
        "contact": "0812xxxxxxx"}]}}


class TicketOut(Schema):
    ticket: str


class GrievanceStatusOut(Schema):
    ticket: str
    category: str
    category_label: str
    status: str
    status_label: str
    filed_on: date
    updated_on: date
    response: str


@router.post("/grievances", auth=None, response={201: TicketOut, 400: ErrorOut, 422: ErrorOut, 429: ErrorOut},
             summary="Ajukan pengaduan (tanpa login)")
def file_grievance(request, payload: GrievanceIn):
    """File a grievance; answers the ticket to check its status later. Limited per client address (429)."""
    address = throttle.client_address(request)
    if throttle.filings().exceeded(address):
        raise Throttled(wait=3600)
    try:
        grievance = services.file_grievance(
            category=payload.category, region=payload.region, description=payload.description,
            program_code=payload.program or "", nik=payload.nik or "", no_kk=payload.no_kk or "",
            reporter_name=payload.reporter_name or "", contact=payload.contact or "",
            anonymous=payload.anonymous, channel=Channel.API,
        )
    except services.FilingError as exc:
        raise BadInput(exc.field, str(exc)) from exc
    throttle.filings().hit(address)
    return Status(201, {"ticket": grievance.ticket})


@router.get("/grievances/{ticket}", auth=None, response={200: GrievanceStatusOut, 404: ErrorOut, 429: ErrorOut},
            summary="Status publik satu tiket")
def grievance_status(request, ticket: str):
    """The public status of one ticket: no personal data. Unknown: 404; too many unknowns from one address: 429."""
    address = throttle.client_address(request)
    if throttle.misses().exceeded(address):
        raise Throttled(wait=3600)
    canonical = normalize_ticket(ticket)
    grievance = queries.public_status(canonical) if canonical else None
    if grievance is None:
        throttle.misses().hit(address)
        raise Http404
    return {
        "ticket": grievance.ticket, "category": grievance.category, "category_label": grievance.get_category_display(),
        "status": grievance.status, "status_label": grievance.get_status_display(),
        "filed_on": timezone.localdate(grievance.filed_at),
        "updated_on": timezone.localdate(grievance.public_updated_at), "response": grievance.public_response,
    }
