"""Supervisors' pages: caseload balance and assignment, pendamping accounts, diligence, compliance."""

import io
from functools import wraps

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jsika.core.roles import Role

from . import compliance, diligence, periods, queries, services
from .forms import (
    AssignVillageForm,
    ConfirmCheckForm,
    EndCaseloadForm,
    FacilitatorForm,
    PeriodForm,
    ReassignForm,
)
from .models import CaseloadAssignment, CheckStatus, Condition
from .queries import CASELOAD_TARGET
from .services import FieldworkError
from .views import SUPERVISION_READERS

SUPERVISORS = (Role.MANAGER, Role.OPERATOR)


def supervision_required(write: bool = False):
    """Managers and operators (write); the auditor too when only reading."""
    roles = SUPERVISORS if write else tuple(SUPERVISION_READERS)

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


def _may_write(user) -> bool:
    return user.has_role(*SUPERVISORS)


# --- caseloads ---------------------------------------------------------------------------------------

@supervision_required()
def caseloads(request):
    """Households per pendamping (target 150–250), desa with households not yet followed, bulk assignment."""
    user = request.user
    only_kpm = request.GET.get("semua") != "1"
    context = {
        "rows": queries.caseload_balance(user), "target": CASELOAD_TARGET,
        "villages": queries.unassigned_by_village(user, request.GET.get("wilayah", "").strip(), only_kpm=only_kpm),
        "only_kpm": only_kpm, "may_write": _may_write(user),
        "assign_form": AssignVillageForm(user=user, initial={"only_kpm": only_kpm}),
        "reassign_form": ReassignForm(user=user),
    }
    return render(request, "fieldwork/caseloads.html", context)


@require_POST
@supervision_required(write=True)
def assign_village(request):
    form = AssignVillageForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("fieldwork:caseloads")
    data = form.cleaned_data
    households = queries.assignable_households(request.user, data["village"], only_kpm=data["only_kpm"],
                                               include_assigned=data["include_assigned"])
    try:
        result = services.assign_caseload(facilitator=data["facilitator"], households=households, by=request.user)
    except FieldworkError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(n)s keluarga di %(v)s masuk dampingan %(f)s (%(m)s dipindahkan dari pendamping "
                                    "lain, %(u)s sudah didampingi).") % {
            "n": result.assigned, "v": data["village"], "f": data["facilitator"].username, "m": result.moved,
            "u": result.unchanged})
    return redirect("fieldwork:caseloads")


@require_POST
@supervision_required(write=True)
def reassign(request):
    form = ReassignForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("fieldwork:caseloads")
    data = form.cleaned_data
    try:
        result = services.reassign_all(from_facilitator=data["from_facilitator"], to_facilitator=data["to_facilitator"],
                                       by=request.user, reason=data["reason"])
    except FieldworkError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(n)s keluarga dialihkan ke %(f)s.") % {
            "n": result.assigned, "f": data["to_facilitator"].username})
    return redirect("fieldwork:caseloads")


@supervision_required()
def facilitator_caseload(request, pk):
    """One pendamping's caseload with last visits; supervisors may take households out of it."""
    facilitator = get_object_or_404(queries.facilitators_for(request.user), pk=pk)
    households = queries.with_field_columns(
        queries.households_for(request.user).filter(pk__in=queries.active_caseload(facilitator).values(
            "household_id")), timezone.localdate()).order_by("region_id", "pk")
    if request.method == "POST":
        if not _may_write(request.user):
            raise PermissionDenied
        form = EndCaseloadForm(request.POST, household_ids=list(households.values_list("pk", flat=True)))
        if form.is_valid():
            try:
                n = services.end_caseload(facilitator=facilitator, households=form.cleaned_data["households"],
                                          by=request.user, reason=form.cleaned_data["reason"])
            except FieldworkError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("%(n)s keluarga dikeluarkan dari dampingan.") % {"n": n})
                return redirect("fieldwork:facilitator_caseload", pk=pk)
        else:
            messages.error(request, _("Pilih keluarga dan isi alasannya."))
    history = (CaseloadAssignment.objects.filter(facilitator=facilitator, ended_at__isnull=False)
               .filter(household__in=queries.households_for(request.user))
               .select_related("ended_by").order_by("-ended_at")[:20])
    return render(request, "fieldwork/facilitator_caseload.html", {
        "facilitator": facilitator, "households": households, "history": history,
        "may_write": _may_write(request.user)})


@supervision_required(write=True)
def facilitator_create(request):
    form = FacilitatorForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_facilitator(by=request.user, username=data["username"], password=data["password"],
                                               scope=data["scope"], first_name=data["first_name"],
                                               last_name=data["last_name"])
        except FieldworkError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Akun pendamping %(u)s dibuat. Tetapkan keluarga dampingannya di bawah.")
                             % {"u": user.username})
            return redirect("fieldwork:caseloads")
    return render(request, "fieldwork/facilitator_form.html", {"form": form})


# --- diligence ---------------------------------------------------------------------------------------

@supervision_required()
def diligence_report(request):
    """Pendamping ranked by visits done this month, with the quality of what they recorded."""
    form = PeriodForm(request.GET or None)
    period = form.period()
    sort = request.GET.get("urut", "rank")
    rows = diligence.diligence(request.user, period, sort=sort)
    if request.GET.get("format") == "csv":
        out = io.StringIO()
        diligence.write_csv(rows, out)
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="kinerja-pendamping-{period}.csv"'
        return response
    totals = {
        "due": sum(r.due for r in rows), "visited": sum(r.visited for r in rows),
        "sessions": sum(r.sessions for r in rows), "late": sum(r.late for r in rows),
        "not_visited": sum(r.not_visited for r in rows),
    }
    return render(request, "fieldwork/diligence.html", {
        "form": form, "period": period, "period_label": periods.label(period), "rows": rows, "sort": sort,
        "totals": totals, "sorts": [("rank", _("Peringkat")), ("terendah", _("Kunjungan terendah")),
                                    ("terlambat", _("Input terlambat")),
                                    ("belum_dikunjungi", _("Belum dikunjungi 60 hari")), ("nama", _("Nama"))]})


@supervision_required()
def diligence_detail(request, pk):
    """The drill-down: one pendamping's visits and sessions of the month, and households left unvisited."""
    facilitator = get_object_or_404(queries.facilitators_for(request.user), pk=pk)
    form = PeriodForm(request.GET or None)
    period = form.period()
    row = next((r for r in diligence.diligence(request.user, period) if r.facilitator.pk == facilitator.pk), None)
    records = diligence.records_of(facilitator, period)
    unvisited = diligence.not_visited_households(facilitator, period).filter(
        pk__in=queries.households_for(request.user).values("pk"))[:100]
    return render(request, "fieldwork/diligence_detail.html", {
        "facilitator": facilitator, "form": form, "period": period, "period_label": periods.label(period),
        "row": row, "visits": records["visits"], "sessions": records["sessions"], "unvisited": unvisited})


# --- compliance --------------------------------------------------------------------------------------

def _programs(user):
    if not apps.is_installed("jsika.programs"):
        return []
    program = apps.get_model("programs", "Program")
    return list(program.objects.filter(is_active=True).order_by("code"))


@supervision_required()
def compliance_overview(request):
    """Per condition: met / not met / without data for a month; the families not meeting a commitment."""
    form = PeriodForm(request.GET or None)
    period = form.period()
    programs = _programs(request.user)
    program = next((p for p in programs if p.code == request.GET.get("program")), None)
    checks = queries.checks_for(request.user).filter(period=period, status=CheckStatus.NOT_MET)
    actions = queries.actions_for(request.user).filter(period=period)
    if program is not None:
        checks, actions = checks.filter(enrollment__program=program), actions.filter(enrollment__program=program)
    summary = queries.compliance_summary(request.user, period, program)
    page = Paginator(queries.unmet_by_family(checks), 25).get_page(request.GET.get("page"))
    queries.with_head_names(page.object_list)
    kinds = dict(actions.values_list("kind").annotate(n=Count("pk")).order_by())
    return render(request, "fieldwork/compliance.html", {
        "form": form, "period": period, "period_label": periods.label(period), "programs": programs,
        "program": program, "summary": [(value, label, summary.get(value, {})) for value, label in Condition.choices],
        "page": page, "warnings": kinds.get("warning", 0), "suspensions": kinds.get("suspension", 0),
        "actions": actions.order_by("kind", "household__region_id", "household_id")[:30],
        "may_write": _may_write(request.user)})


@require_POST
@supervision_required(write=True)
def compliance_run(request):
    """Compute the month's checks (``hitung``) or apply the program's rules to them (``terapkan``)."""
    period = request.POST.get("bulan", "")
    program = next((p for p in _programs(request.user) if p.code == request.POST.get("program")), None)
    try:
        if request.POST.get("action") == "terapkan":
            if program is None:
                raise FieldworkError(_("Pilih program untuk menerapkan aturannya."))
            r = compliance.apply_compliance_rules(program=program, period=period, by=request.user)
            messages.success(request, _("%(w)s peringatan dan %(s)s penangguhan diterapkan (%(a)s sudah ada "
                                        "sebelumnya).") % {"w": r.warnings, "s": r.suspensions, "a": r.already})
            for eid, why in r.not_suspended:
                messages.warning(request, _("Kepesertaan %(id)s tidak ditangguhkan: %(why)s") % {"id": eid, "why": why})
        else:
            r = compliance.evaluate_compliance(period=period, by=request.user, program=program)
            messages.success(request, _("%(n)s KPM dihitung: %(met)s memenuhi, %(not)s tidak memenuhi, %(unk)s belum "
                                        "ada data.") % {"n": r.enrollments, "met": r.counts.get("met", 0),
                                                        "not": r.counts.get("not_met", 0),
                                                        "unk": r.counts.get("unknown", 0)})
    except FieldworkError as exc:
        messages.error(request, str(exc))
    query = f"?bulan={period}" + (f"&program={program.code}" if program else "")
    return redirect(reverse("fieldwork:compliance") + query)


@require_POST
@login_required
def confirm_check(request, pk):
    """A pendamping (or supervisor) confirms one commitment check of a family in their caseload."""
    check = get_object_or_404(queries.checks_for(request.user), pk=pk)
    form = ConfirmCheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih memenuhi atau tidak memenuhi."))
    else:
        try:
            compliance.confirm_compliance(check=check, status=form.cleaned_data["status"], by=request.user,
                                          note=form.cleaned_data["note"])
        except FieldworkError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Verifikasi komitmen dikonfirmasi."))
    return redirect("fieldwork:household", pk=check.household_id)
