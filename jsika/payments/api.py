"""Payment endpoints of specs/api.md: cycles in scope, the bank file, the bank's reconciliation upload.

A bank (role ``bank``) sees only its own bank's cycles from approval on; a cycle of another bank, or not
yet approved, answers 404 exactly like one that does not exist. Managers, operators and auditors see
the cycles overlapping their scope; only a manager whose scope contains the cycle's area takes its file
or uploads a reconciliation (403 otherwise). Bad input answers 400 naming the field, or 422; never 500.
"""

import tempfile
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from jsika.core.api_auth import require_role
from jsika.core.api_errors import COMMON_ERRORS, BadInput, Conflict, ErrorOut
from jsika.core.roles import Role
from jsika.programs.models import Program

from . import permissions, services
from .bankfiles import BankFileError
from .models import BANK_WORK_STATUSES, COMMITTED_CYCLE_STATUSES, CycleStatus, PaymentCycle
from .queries import cycles_for

router = Router(tags=["payments"])

CYCLE_READERS = (Role.MANAGER, Role.OPERATOR, Role.AUDITOR, Role.BANK)
FILE_ROLES = (Role.MANAGER, Role.BANK)
MAX_RECONCILIATION_BYTES = 300 * 1024 * 1024


class CycleQuery(Schema):
    program: str | None = Field(None, max_length=20, description="Kode program, mis. JSCM.",
                                json_schema_extra={"example": "JSCM"})
    status: str | None = Field(None, max_length=12, description="Status tahap: " + ", ".join(CycleStatus.values),
                               json_schema_extra={"example": "approved"})
    year: int | None = Field(None, ge=2000, le=2100, description="Tahun periode.")
    limit: int = Field(50, ge=1, le=500, description="Jumlah baris per halaman (1–500).")
    offset: int = Field(0, ge=0, le=10**9, description="Lewati sekian baris pertama.")


class CycleOut(Schema):
    """One payment cycle: its figures are aggregates (no personal data)."""

    id: int
    program: str
    kind: str = Field(..., description="'benefit' (tahap bantuan) atau 'uep' (bantuan modal usaha UEP)")
    bank: str
    bank_name: str
    period: str = Field(..., description="mis. '2019 tahap 1' (UEP: 'UEP 2021 · 15-10-2021')")
    year: int
    stage: int
    region: str = Field(..., description="kode wilayah yang dicakup tahap ini")
    region_name: str
    status: str
    status_label: str
    count: int = Field(..., description="jumlah pembayaran dalam berkas bank")
    total_rupiah: int = Field(..., description="jumlah nominal berkas bank (rupiah)")
    paid_count: int
    paid_rupiah: int
    failed_count: int = Field(..., description="pembayaran yang GAGAL di bank (termasuk yang sudah diretur atau "
                                               "diterbitkan ulang)")
    pending_count: int
    returned_count: int
    returned_rupiah: int
    paid_on: date | None
    approved_at: datetime | None

    model_config = {"json_schema_extra": {"examples": [{
        "id": 12, "program": "JSCM", "kind": "benefit", "bank": "BJB", "bank_name": "Bank BJB",
        "period": "2019 tahap 1", "year": 2019, "stage": 1, "region": "36.72.03", "region_name": "Pulomerak",
        "status": "closed", "status_label": "Ditutup",
        "count": 201, "total_rupiah": 100500000, "paid_count": 201, "paid_rupiah": 100500000, "failed_count": 0,
        "pending_count": 0, "returned_count": 0, "returned_rupiah": 0, "paid_on": "2019-11-20",
        "approved_at": "2019-11-12T10:00:00+07:00"}]}}


class CyclePage(Schema):
    count: int
    items: list[CycleOut]


class RowOut(Schema):
    row: int = Field(..., description="nomor baris di berkas (judul kolom = baris 1)")
    id_penyaluran: str
    reason: str


class ReconciliationOut(Schema):
    reconciliation_id: int
    cycle: int
    file_sha256: str
    applied: list[RowOut] = Field(..., description="baris yang diterapkan: BERHASIL → dibayar, GAGAL → gagal")
    flagged: list[RowOut] = Field(..., description="baris yang ditandai (mis. nominal berbeda), tidak diterapkan")
    rejected: list[RowOut] = Field(..., description="baris yang ditolak (id tidak dikenal, tahap/bank lain, format)")
    unchanged: int = Field(..., description="baris yang sudah tercatat sama (impor ulang tidak mengubah apa pun)")
    applied_count: int
    flagged_count: int
    rejected_count: int
    unchanged_count: int
    already_imported_at: datetime | None = Field(None, description="bila berkas yang sama sudah pernah diimpor")


def cycle_out(cycle: PaymentCycle) -> dict:
    return {
        "id": cycle.pk, "program": cycle.program.code, "kind": cycle.kind, "bank": cycle.bank_code,
        "bank_name": cycle.bank_label,
        "period": cycle.period_label, "year": cycle.year, "stage": cycle.stage, "region": cycle.region_id,
        "region_name": cycle.region.name, "status": cycle.status, "status_label": cycle.get_status_display(),
        "count": cycle.payment_count, "total_rupiah": cycle.total_rupiah, "paid_count": cycle.paid_count,
        "paid_rupiah": cycle.paid_rupiah, "failed_count": cycle.failed_count, "pending_count": cycle.pending_count,
        "returned_count": cycle.returned_count, "returned_rupiah": cycle.returned_rupiah, "paid_on": cycle.paid_on,
        "approved_at": cycle.approved_at,
    }


@router.get("/payment-cycles", response={200: CyclePage, **COMMON_ERRORS}, summary="Tahap penyaluran")
def list_cycles(request, filters: Query[CycleQuery]):
    """Cycles in your scope, newest period first. A bank sees only its own bank's cycles from approval on.
    Pendamping and partners: 403."""
    user = require_role(request, *CYCLE_READERS)
    qs = cycles_for(user)
    code = (filters.program or "").strip().upper()
    if code:
        if not Program.objects.filter(code=code).exists():
            raise BadInput("program", f"program {code!r} tidak dikenal.")
        qs = qs.filter(program__code=code)
    status = (filters.status or "").strip().lower()
    if status:
        if status not in CycleStatus.values:
            raise BadInput("status", "harus salah satu dari " + ", ".join(CycleStatus.values) + ".")
        qs = qs.filter(status=status)
    if filters.year:
        qs = qs.filter(year=filters.year)
    qs = qs.order_by("-year", "-stage", "-pk")
    page = qs[filters.offset:filters.offset + filters.limit]
    return {"count": qs.count(), "items": [cycle_out(c) for c in page]}


def _checked(request, cycle_id: int, *, reconciling: bool) -> tuple[PaymentCycle, object]:
    """The cycle if the caller may take its file / reconcile it: 404 unseen, 403 not theirs, 409 wrong status."""
    user = require_role(request, *FILE_ROLES)
    cycle = cycles_for(user).filter(pk=cycle_id).first()
    if cycle is None:
        raise Http404
    if not (user.is_superuser or permissions.is_bank_of(user, cycle.bank_code)
            or permissions.covers(user, cycle.region_id)):
        raise PermissionDenied("Hanya bank penyalur tahap ini atau pengelola program dengan cakupan wilayahnya.")
    allowed = BANK_WORK_STATUSES if reconciling else COMMITTED_CYCLE_STATUSES
    if cycle.status not in allowed:
        raise Conflict(f"Tahap ini berstatus '{cycle.get_status_display()}': "
                       + ("rekonsiliasi tidak dapat diterima." if reconciling else "berkas bank belum tersedia."))
    return cycle, user


@router.get("/payment-cycles/{cycle_id}/file", summary="Berkas bank satu tahap (CSV)",
            response={403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 401: ErrorOut},
            openapi_extra={"responses": {200: {"description": "CSV `;` UTF-8 (specs/bank-files.md); header "
                                                              "`X-Rows`, `X-Total-Rupiah`, `X-Checksum-SHA256`.",
                                               "content": {"text/csv": {"schema": {"type": "string"}}}}}})
def cycle_file(request, cycle_id: int):
    """The bank file of an approved cycle: id_penyaluran;no_rekening;nama;nik;nominal;kode_wilayah;keterangan.
    Role bank (own bank only) or manager (cycle's area in scope). The totals are in the response headers."""
    cycle, user = _checked(request, cycle_id, reconciling=False)
    spool = tempfile.TemporaryFile()
    try:
        summary = services.export_payment_file(cycle=cycle, by=user, out=spool, request=request)
    except services.PaymentError as exc:
        spool.close()
        raise Conflict(str(exc)) from exc
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, filename=summary.file_name,
                            content_type="text/csv; charset=utf-8")
    response["X-Rows"] = str(summary.rows)
    response["X-Total-Rupiah"] = str(summary.total_rupiah)
    response["X-Checksum-SHA256"] = summary.sha256
    response["X-Signature"] = summary.signature
    return response


@router.post("/payment-cycles/{cycle_id}/reconciliation", response={200: ReconciliationOut, 404: ErrorOut,
                                                                    409: ErrorOut, **COMMON_ERRORS},
             summary="Unggah berkas rekonsiliasi bank")
def upload_reconciliation(request, cycle_id: int, file: File[UploadedFile]):
    """The bank's reconciliation file (multipart field `file`, CSV `;` UTF-8: id_penyaluran;no_rekening;nominal;
    status;tanggal;keterangan). Answers what was applied, flagged and rejected (row numbers and reasons) and how
    many rows were unchanged; sending the same file again changes nothing."""
    cycle, user = _checked(request, cycle_id, reconciling=True)
    if file.size > MAX_RECONCILIATION_BYTES:
        raise BadInput("file", f"berkas melebihi {MAX_RECONCILIATION_BYTES // 2**20} MB.")
    try:
        result = services.import_reconciliation(cycle=cycle, file=file, by=user, request=request)
    except BankFileError as exc:
        raise BadInput("file", str(exc)) from exc
    except services.PaymentError as exc:
        raise Conflict(str(exc)) from exc
    return result.as_dict()
