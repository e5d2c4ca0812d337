"""Program reports and campaigns: tenure ending, overlaps (with CSV export), yearly re-verification."""

import csv
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jsika.core.access_log import log_access
from jsika.core.masking import mask_number
from jsika.core.models import AccessLog
from jsika.core.roles import Role
from jsika.core.scoping import code_in_scope, region_q, scope_queryset
from jsika.regions.models import Region
from jsika.registry.forms import region_choices

from . import permissions, queries, services
from .forms import ReverificationForm
from .models import Program, ReverificationCampaign, ReverificationCheck
from .views import back_to_next, staff_required, with_head, without_page

REPORT_READERS = {Role.MANAGER, Role.OPERATOR, Role.AUDITOR}


def report_reader_required(view):
    """Managers, operators and auditors (and superusers) read the program reports."""
    @staff_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_superuser or request.user.role in REPORT_READERS):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


def _int(value, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value)))
    except (TypeError, ValueError):
        return default


@report_reader_required
def tenure_ending(request):
    """Active KPM in scope whose tenure ends within N months (default 6), or has already ended."""
    months = _int(request.GET.get("bulan"), 6, 1, 60)
    program = Program.objects.filter(code=request.GET.get("program", "")).first()
    qs = with_head(queries.tenure_ending_for(request.user, months=months, program=program), "household_id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "programs/tenure_ending.html", {
        "page": page, "months": months, "program": program, "programs": Program.objects.all(),
        "today": timezone.localdate(), "query": without_page(request),
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)})


@report_reader_required
def overlap_report(request):
    """Households in more than one program, or in a program and flagged as national PKH recipients."""
    wilayah = request.GET.get("wilayah", "").strip()
    program = Program.objects.filter(code=request.GET.get("program", "")).first()
    report = queries.overlaps_for(request.user, wilayah=wilayah, program=program)
    if request.GET.get("format") == "csv":
        log_access(user=request.user, action=AccessLog.Action.EXPORT, object_type="overlap_report",
                   object_id=wilayah or request.user.scope or "all", request=request, rows=len(report.rows))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="tumpang-tindih-program.csv"'
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerow(["no_kk", "kode_wilayah", "desa_kelurahan", "program", "penerima_pkh", "keterangan"])
        for row in report.rows:
            h = row.household
            writer.writerow([mask_number(h.no_kk), h.region_id, h.region.name, " + ".join(row.programs),
                             "ya" if row.is_pkh_recipient else "tidak", row.kind])
        return response
    names = dict(Region.objects.filter(code__in=report.per_region).values_list("code", "name"))
    return render(request, "programs/overlap_report.html", {
        "report": report, "region_names": names, "wilayah": wilayah, "program": program,
        "programs": Program.objects.all(),
        "regions": region_choices(request.user), "query": request.GET.urlencode()})


# --- re-verification ---------------------------------------------------------------------------

def _campaigns_for(user):
    qs = ReverificationCampaign.objects.select_related("program", "region").order_by("-year", "program__code")
    if user.is_superuser:
        return qs
    if not user.scope:
        return qs.none()
    # A campaign is visible when it covers part of the user's scope or lies inside it.
    return [c for c in qs if code_in_scope(c.region_id, user.scope) or code_in_scope(user.scope, c.region_id)]


@report_reader_required
def reverification_list(request):
    """Campaigns in scope with their progress; managers open a new one."""
    user = request.user
    form = ReverificationForm(request.POST or None, initial={"year": timezone.localdate().year,
                                                             "region": user.scope})
    if request.method == "POST":
        if not permissions.can_manage_programs(user):
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                campaign = services.open_reverification(program=d["program"], year=d["year"], region=d["region"],
                                                        due_on=d["due_on"], by=user)
            except services.ProgramError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Resertifikasi dibuka untuk %(n)s KPM.") % {"n": campaign.checks.count()})
                return redirect("programs:reverification_detail", pk=campaign.pk)
    campaigns = list(_campaigns_for(user))
    for c in campaigns:
        checks = scope_queryset(ReverificationCheck.objects.filter(campaign=c), user)
        c.total = checks.count()
        c.confirmed = checks.filter(status=ReverificationCheck.Status.CONFIRMED).count()
    return render(request, "programs/reverification_list.html", {
        "campaigns": campaigns, "form": form, "can_open": permissions.can_manage_programs(user)})


@report_reader_required
def reverification_detail(request, pk):
    """The KPM of one campaign in the user's scope, pending first; operators confirm each one."""
    campaign = get_object_or_404(ReverificationCampaign.objects.select_related("program", "region"), pk=pk)
    checks = scope_queryset(ReverificationCheck.objects.filter(campaign=campaign), request.user)
    status = request.GET.get("status", "")
    if status in ReverificationCheck.Status.values:
        checks = checks.filter(status=status)
    wilayah = request.GET.get("wilayah", "").strip()
    if wilayah:
        checks = checks.filter(region_q("enrollment__household__region_id", wilayah))
    checks = with_head(checks.select_related("enrollment__household__region", "confirmed_by"),
                       "enrollment__household_id").order_by("status", "enrollment__household__region_id", "pk")
    page = Paginator(checks, 50).get_page(request.GET.get("page"))
    return render(request, "programs/reverification_detail.html", {
        "campaign": campaign, "page": page, "status": status, "wilayah": wilayah, "query": without_page(request),
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "statuses": ReverificationCheck.Status.choices,
        "can_confirm": permissions.can_propose(request.user),
        "can_close": campaign.is_open and permissions.program_refusal(request.user, campaign.program) is None})


@require_POST
@report_reader_required
def reverification_confirm(request, pk):
    check = get_object_or_404(scope_queryset(ReverificationCheck.objects.all(), request.user), pk=pk)
    try:
        services.confirm_reverification(check=check, by=request.user, note=request.POST.get("note", "").strip())
    except services.ProgramError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Data KPM dikonfirmasi."))
    return back_to_next(request, reverse("programs:reverification_detail", args=[check.campaign_id]))


@require_POST
@report_reader_required
def reverification_close(request, pk):
    campaign = get_object_or_404(ReverificationCampaign, pk=pk)
    try:
        flagged = services.close_reverification(campaign=campaign, by=request.user)
    except services.ProgramError as error:
        messages.error(request, str(error))
    else:
        messages.warning(request, _("Resertifikasi ditutup; %(n)s KPM tidak dikonfirmasi dan ditandai.")
                         % {"n": flagged})
    return redirect("programs:reverification_detail", pk=campaign.pk)
