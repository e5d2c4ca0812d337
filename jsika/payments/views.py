"""Pages of payment cycles: list, open, detail with actions by role, bank file, reconciliation, berita acara."""

import hashlib
import io
import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jsika.core.models import Job
from jsika.core.roles import Role
from jsika.programs.models import Program

from . import permissions, queries, recap, services, uep
from .bankfiles import (
    RECONCILIATION_JOB,
    BankFileError,
    BankFileSummary,
    sign_summary,
    start_reconciliation_job,
    write_payment_rows,
)
from .forms import CycleForm, ReconciliationForm, ReissueForm, ReturnForm, ReverseForm, SettleForm, UepCycleForm
from .models import CycleKind, CycleStatus, Payment, PaymentCycle, PaymentStatus, Reconciliation

STAFF = (Role.MANAGER, Role.OPERATOR, Role.AUDITOR)
# Bigger files than this (≈ 40,000 rows) are imported in the background; the page polls the job.
INLINE_RECONCILIATION_BYTES = getattr(settings, "JSIKA_INLINE_RECONCILIATION_BYTES", 2 * 1024 * 1024)
ACTIONS = {
    "verify": lambda cycle, by, note: services.verify_cycle(cycle=cycle, by=by, note=note),
    "approve": lambda cycle, by, note: services.approve_cycle(cycle=cycle, by=by, note=note),
    "regenerate": lambda cycle, by, note: services.regenerate_cycle(cycle=cycle, by=by),
    "cancel": lambda cycle, by, note: services.cancel_cycle(cycle=cycle, by=by, reason=note),
    "close": lambda cycle, by, note: services.close_cycle(cycle=cycle, by=by, note=note),
}
DONE = {"verify": gettext_lazy("Tahap diverifikasi."),
        "approve": gettext_lazy("Tahap disetujui; berkas bank siap diambil."),
        "regenerate": gettext_lazy("Tahap dibuat ulang."), "cancel": gettext_lazy("Tahap dibatalkan."),
        "close": gettext_lazy("Tahap ditutup.")}


def require_staff(user) -> None:
    if not (user.is_superuser or user.role in STAFF):
        raise PermissionDenied


def visible_cycle(request, pk: int) -> PaymentCycle:
    """The cycle if the user may see it; 404 otherwise (existence is never confirmed)."""
    return get_object_or_404(queries.cycles_for(request.user).select_related(
        "generated_by", "verified_by", "approved_by", "closed_by"), pk=pk)


@login_required
def cycle_list(request):
    if request.user.role == Role.BANK and not request.user.is_superuser:
        return redirect("payments:bank_home")
    require_staff(request.user)
    qs = queries.cycles_for(request.user)
    program, status, year = request.GET.get("program", ""), request.GET.get("status", ""), request.GET.get("year", "")
    if program:
        qs = qs.filter(program__code=program)
    if status in CycleStatus.values:
        qs = qs.filter(status=status)
    if year.isdigit():
        qs = qs.filter(year=int(year))
    kind = request.GET.get("kind", "")
    if kind in CycleKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs.order_by("-year", "-stage", "-pk"), 30).get_page(request.GET.get("page"))
    return render(request, "payments/cycle_list.html", {
        "page": page, "programs": Program.objects.order_by("code"), "statuses": CycleStatus.choices,
        "filters": {"program": program, "status": status, "year": year, "kind": kind}, "kinds": CycleKind.choices,
        "can_open": request.user.is_superuser or request.user.role in permissions.PREPARER_ROLES,
        "returns": queries.returns_by_cycle().filter(pk__in=qs.values("pk"))[:10],
    })


@login_required
def cycle_create(request):
    require_staff(request.user)
    form = CycleForm(request.POST or None, initial={"program": request.GET.get("program")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.open_cycle(program=data["program"], year=data["year"], stage=data["stage"],
                                        region=data["region"].strip() or None, bank_code=data["bank_code"],
                                        note=data["note"], by=request.user)
        except services.PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Tahap dibuat: %(n)s pembayaran, %(x)s KPM tidak dibayar (lihat alasannya).")
                             % {"n": cycle.payment_count, "x": cycle.excluded_count})
            return redirect("payments:cycle_detail", pk=cycle.pk)
    return render(request, "payments/cycle_form.html", {"form": form})


@login_required
def uep_cycle_create(request):
    """A one-off UEP cycle: the approved, not yet paid grants of a budget year, in an area, through its bank."""
    require_staff(request.user)
    initial = {k: request.GET[k] for k in ("program", "year", "region") if request.GET.get(k)}
    form = UepCycleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = uep.open_uep_cycle(program=data["program"], year=data["year"], scheduled_on=data["scheduled_on"],
                                       region=data["region"].strip() or None, bank_code=data["bank_code"],
                                       note=data["note"], by=request.user)
        except services.PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Tahap UEP dibuat: %(n)s bantuan, %(x)s belum punya rekening (lihat "
                                        "daftarnya).") % {"n": cycle.payment_count, "x": cycle.excluded_count})
            return redirect("payments:cycle_detail", pk=cycle.pk)
    return render(request, "payments/uep_cycle_form.html", {"form": form})


def _actions(user, cycle: PaymentCycle) -> dict[str, bool]:
    S = CycleStatus
    return {
        "verify": cycle.status == S.GENERATED and not permissions.verify_refusal(user, cycle),
        "approve": cycle.status == S.VERIFIED and not permissions.approve_refusal(user, cycle),
        "regenerate": cycle.status == S.GENERATED and not permissions.prepare_refusal(user, cycle.region_id),
        "cancel": cycle.status in (S.GENERATED, S.VERIFIED) and not permissions.prepare_refusal(user,
                                                                                               cycle.region_id),
        "close": cycle.status in (S.SENT, S.RECONCILED) and not permissions.manage_refusal(user, cycle),
        "file": not permissions.bank_file_refusal(user, cycle),
        "reconcile": not permissions.reconcile_refusal(user, cycle),
        "manage": cycle.is_committed and cycle.status != S.CLOSED and not permissions.manage_refusal(user, cycle),
    }


@login_required
def cycle_detail(request, pk):
    cycle = visible_cycle(request, pk)
    user = request.user
    is_bank = user.role == Role.BANK and not user.is_superuser
    rows, total = queries.cycle_recap(cycle)
    context = {"cycle": cycle, "rows": rows, "total": total, "actions": _actions(user, cycle), "is_bank": is_bank,
               "reconciliations": cycle.reconciliations.select_related("imported_by")[:20],
               "events": cycle.events.select_related("by"), "exclusion_counts": queries.exclusion_counts(cycle)}
    if not is_bank:
        payments = queries.payments_for(user).filter(cycle=cycle).order_by("pk").select_related("grant")
        status = request.GET.get("status", "")
        if status in PaymentStatus.values:
            payments = payments.filter(status=status)
        elif status == "flagged":
            payments = payments.exclude(flag_reason="").filter(status=PaymentStatus.PENDING)
        context.update({
            "payments": Paginator(payments.select_related("household__region"), 50).get_page(request.GET.get("page")),
            "status_filter": status, "statuses": PaymentStatus.choices,
            "exclusions": queries.exclusions_for(user, cycle).order_by("reason", "household__region_id")[:200],
            "visible_payments": queries.payments_for(user).filter(cycle=cycle).count(),
        })
        if context["actions"]["manage"]:
            context["reissue_form"] = ReissueForm(targets=_reissue_targets(user, cycle))
            context["return_form"] = ReturnForm()
    return render(request, "payments/cycle_detail.html", context)


def _reissue_targets(user, cycle: PaymentCycle):
    return (queries.cycles_for(user).filter(program=cycle.program, status=CycleStatus.GENERATED,
                                            kind=CycleKind.BENEFIT).exclude(pk=cycle.pk).order_by("-pk"))


@login_required
@require_POST
def cycle_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    cycle = visible_cycle(request, pk)
    try:
        ACTIONS[action](cycle, request.user, request.POST.get("note", "").strip())
    except services.PaymentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, DONE[action])
    return redirect("payments:cycle_detail", pk=cycle.pk)


@login_required
def cycle_file(request, pk):
    """Download the bank file (bank of the cycle, or a manager in scope)."""
    cycle = visible_cycle(request, pk)
    spool = tempfile.TemporaryFile()
    try:
        summary = services.export_payment_file(cycle=cycle, by=request.user, out=spool, request=request)
    except services.PaymentError as exc:
        spool.close()
        raise PermissionDenied(str(exc)) from exc
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, filename=summary.file_name,
                            content_type="text/csv; charset=utf-8")
    response["X-Checksum-SHA256"] = summary.sha256
    return response


@login_required
def cycle_file_summary(request, pk):
    """The ``.sha256`` summary of the bank file as it is now (hash, rows, sum, signature)."""
    cycle = visible_cycle(request, pk)
    refusal = permissions.bank_file_refusal(request.user, cycle)
    if refusal:
        raise PermissionDenied(refusal)
    buffer = io.BytesIO()
    write_payment_rows(cycle, buffer)
    data = buffer.getvalue()
    sha, rows = hashlib.sha256(data).hexdigest(), data.count(b"\n") - 1
    summary = BankFileSummary(cycle.file_name(), rows, cycle.total_rupiah,
                              sha, sign_summary(cycle.pk, rows, cycle.total_rupiah, sha))
    response = HttpResponse(summary.text(cycle, request.user), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{cycle.file_name()}.sha256"'
    return response


@login_required
def reconciliation_upload(request, pk):
    cycle = visible_cycle(request, pk)
    refusal = permissions.reconcile_refusal(request.user, cycle)
    if refusal:
        raise PermissionDenied(refusal)
    form = ReconciliationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and form.cleaned_data["file"].size > INLINE_RECONCILIATION_BYTES:
        job = start_reconciliation_job(cycle=cycle, uploaded=form.cleaned_data["file"], by=request.user)
        return redirect("payments:reconciliation_job", pk=cycle.pk, job_id=job.pk)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_reconciliation(cycle=cycle, file=form.cleaned_data["file"], by=request.user,
                                                    collect_applied=False, request=request)
        except BankFileError as exc:
            form.add_error("file", str(exc))
        except services.PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("payments:reconciliation_detail", pk=cycle.pk, rid=result.reconciliation.pk)
    return render(request, "payments/reconciliation_form.html", {"cycle": cycle, "form": form})


@login_required
def reconciliation_job(request, pk, job_id):
    """A big reconciliation file imported in the background: the page polls the job."""
    cycle = visible_cycle(request, pk)
    job = get_object_or_404(Job, pk=job_id, kind=RECONCILIATION_JOB, params__cycle=cycle.pk)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return render(request, "payments/reconciliation_job.html", {"cycle": cycle, "job": job})


@login_required
def reconciliation_detail(request, pk, rid):
    cycle = visible_cycle(request, pk)
    reconciliation = get_object_or_404(Reconciliation.objects.select_related("imported_by"), pk=rid, cycle=cycle)
    lines = Paginator(reconciliation.lines.all(), 100).get_page(request.GET.get("page"))
    earlier = (Reconciliation.objects.filter(cycle=cycle, file_sha256=reconciliation.file_sha256,
                                             imported_at__lt=reconciliation.imported_at).order_by("imported_at")
               .first())
    return render(request, "payments/reconciliation_detail.html", {
        "cycle": cycle, "reconciliation": reconciliation, "lines": lines, "earlier": earlier})


def _selected(request, cycle: PaymentCycle) -> list[int]:
    ids = [int(v) for v in request.POST.getlist("payment") if v.isdigit()]
    return list(queries.payments_for(request.user).filter(cycle=cycle, pk__in=ids, status=PaymentStatus.FAILED)
                .values_list("pk", flat=True))


@login_required
@require_POST
def reissue(request, pk):
    cycle = visible_cycle(request, pk)
    form = ReissueForm(request.POST, targets=_reissue_targets(request.user, cycle))
    ids = _selected(request, cycle)
    if not ids:
        messages.error(request, _("Pilih pembayaran gagal yang akan diterbitkan ulang."))
    elif not form.is_valid():
        messages.error(request, _("Pilih tahap tujuan berstatus 'Dibuat' dari program yang sama."))
    else:
        try:
            n = services.reissue_payments(payments=ids, into=form.cleaned_data["into"], by=request.user,
                                          reason=form.cleaned_data["reason"])
        except services.PaymentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(n)s pembayaran diterbitkan ulang.") % {"n": n})
    return redirect("payments:cycle_detail", pk=cycle.pk)


@login_required
@require_POST
def return_to_treasury(request, pk):
    cycle = visible_cycle(request, pk)
    form = ReturnForm(request.POST)
    ids = _selected(request, cycle)
    if not ids or not form.is_valid():
        messages.error(request, _("Pilih pembayaran gagal dan isi alasan retur."))
    else:
        try:
            n = services.return_payments(payments=ids, by=request.user, reason=form.cleaned_data["reason"],
                                         on=form.cleaned_data["returned_on"])
        except services.PaymentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(n)s pembayaran diretur ke kas daerah.") % {"n": n})
    return redirect("payments:cycle_detail", pk=cycle.pk)


def _payment(request, pk) -> Payment:
    return get_object_or_404(queries.payments_for(request.user), pk=pk)


@login_required
def payment_reverse(request, pk):
    payment = _payment(request, pk)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reverse_payment(payment=payment, by=request.user, reason=form.cleaned_data["reason"])
        except services.PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Pembayaran dibatalkan."))
            return redirect("payments:cycle_detail", pk=payment.cycle_id)
    return render(request, "payments/payment_action.html", {"payment": payment, "form": form,
                                                            "title": _("Batalkan pembayaran")})


@login_required
def payment_settle(request, pk):
    payment = _payment(request, pk)
    form = SettleForm(request.POST or None, initial={"credited_amount_rupiah": payment.amount_rupiah})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.settle_flagged_payment(payment=payment, by=request.user, outcome=data["outcome"],
                                            note=data["note"], credited_amount_rupiah=data["credited_amount_rupiah"],
                                            credited_on=data["credited_on"])
        except services.PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Selisih diselesaikan."))
            return redirect("payments:cycle_detail", pk=payment.cycle_id)
    return render(request, "payments/payment_action.html", {"payment": payment, "form": form,
                                                            "title": _("Selesaikan selisih rekonsiliasi")})


@login_required
def berita_acara(request, pk, fmt):
    """The cycle's recap per kecamatan as xlsx or PDF (staff who see the cycle, or its bank)."""
    cycle = visible_cycle(request, pk)
    name = "berita-acara-" + cycle.file_name().removeprefix("penyaluran-").removesuffix(".csv")
    if fmt == "xlsx":
        response = HttpResponse(recap.recap_xlsx(cycle), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    elif fmt == "pdf":
        response = HttpResponse(recap.recap_pdf(cycle), content_type="application/pdf")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
