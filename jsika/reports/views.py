"""Pages of the dashboard, the map and the reports: thin — parse, call a query or a service, render."""

import os
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jsika.core.models import Job
from jsika.registry.queries import households_for

from . import documents, links, mapdata, services
from .dashboard import Dashboard
from .forms import DashboardFilter, ReportForm
from .queries import last_refresh, resolve_scope, user_root


def figures_required(view):
    """Logged in with a role that sees figures of a region (managers, operators, partners, auditors)."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if user_root(request.user) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


@figures_required
def dashboard(request):
    """The figures of one region (the user's scope or a region inside it), program and year."""
    form = DashboardFilter(request.GET or None)
    choice = form.choice()
    scope = resolve_scope(request.user, choice["wilayah"])
    board = Dashboard(scope, choice["program"], choice["tahun"], programs=form.programs)
    panels = board.panels()
    return render(request, "reports/dashboard.html", {
        "form": form, "scope": scope, "board": board, "panels": panels, "headline": board.headline(),
        "regions": board.regions(), "cycles": board.cycles(), "refresh": last_refresh(),
        "may_refresh": services.may_refresh(request.user), "households_url": links.households(scope.code),
        "charts": {"charts": [p.chart for p in panels if p.chart]}, "program_code": board.program_code})


@require_POST
@figures_required
def refresh(request):
    job = services.start_refresh(by=request.user)
    return redirect("reports:job", job_id=job.pk)


def _map_tile_url() -> str:
    return getattr(settings, "JSIKA_MAP_TILE_URL", "") or os.environ.get("JSIKA_MAP_TILE_URL", "")


@figures_required
def map_page(request):
    """KPM households on a map: region circles when zoomed out, household points (clustered) when zoomed in."""
    form = DashboardFilter(request.GET or None)
    choice = form.choice()
    scope = resolve_scope(request.user, choice["wilayah"])
    program = choice["program"]
    config = mapdata.config(scope, program, tile_url=_map_tile_url(),
                            attribution=getattr(settings, "JSIKA_MAP_ATTRIBUTION", ""))
    config.update({"regionsUrl": reverse("reports:map_regions"), "pointsUrl": reverse("reports:map_points"),
                   "householdUrl": reverse("registry:household_detail", args=[0]), "labels": mapdata.legend_labels()})
    return render(request, "reports/map.html", {"form": form, "scope": scope, "config": config,
                                                "program_code": program.code if program else ""})


@figures_required
def map_regions(request):
    """JSON: the circles of the regions below ``wilayah`` (in scope) at ``level``."""
    scope = resolve_scope(request.user, request.GET.get("wilayah", ""))
    program = DashboardFilter(request.GET).choice()["program"]
    level = request.GET.get("level", "")
    return JsonResponse(mapdata.regions(scope, program, int(level) if level in ("1", "2", "3", "4") else None))


@figures_required
def map_points(request):
    """JSON: the KPM households of the listed desa/kelurahan that the user may read (at most a few thousand)."""
    codes = [c for c in request.GET.get("desa", "").split(",") if c][:60]
    program = DashboardFilter(request.GET).choice()["program"]
    return JsonResponse(mapdata.points(households_for(request.user), codes, program))


# --- reports ------------------------------------------------------------------------------------------

@figures_required
def report_index(request):
    """The reports a user may build; starting one queues a background job."""
    if request.method == "POST":
        form = ReportForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                job = services.start_report(by=request.user, kind=form.cleaned_data["jenis"],
                                            fmt=form.cleaned_data["format"], params=form.params())
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("reports:job", job_id=job.pk)
    else:
        form = ReportForm(user=request.user, initial=request.GET.dict())
    recent = Job.objects.filter(user=request.user, kind=services.REPORT_KIND)[:10]
    return render(request, "reports/reports.html", {
        "form": form, "reports": documents.available_reports().values(), "recent": recent,
        "recap_note": links.payment_cycles() is not None})


def _own_job(request, job_id) -> Job:
    job = get_object_or_404(Job, pk=job_id, kind__in=(services.REPORT_KIND, services.REFRESH_KIND))
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return job


@login_required
def job(request, job_id):
    return render(request, "reports/job.html", {"job": _own_job(request, job_id)})


@login_required
def download(request, job_id):
    """The file of one report, only for the user who asked for it (never a public media address)."""
    job = _own_job(request, job_id)
    if job.kind != services.REPORT_KIND or job.status != Job.Status.DONE or not job.output_file:
        raise Http404
    name = job.result.get("file") or Path(job.output_file.name).name
    content_type = ("application/pdf" if name.endswith(".pdf")
                    else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return FileResponse(job.output_file.open("rb"), as_attachment=True, filename=name, content_type=content_type)
