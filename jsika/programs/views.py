"""Pages of programs and enrollments: thin — parse, call a service or a query, render."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jsika.core.masking import mask_number
from jsika.core.scoping import region_q
from jsika.core.views import reads_registry
from jsika.registry.models import Person, Relation
from jsika.registry.queries import households_for

from . import permissions, queries, rules, services
from .forms import BenefitRuleForm, EnrollmentFilterForm, ProgramForm, QuotaForm, TransitionForm
from .models import Component, Enrollment, EnrollmentStatus, ExitReason, Program, Quota

PAGE_SIZE = 25
ENTITLEMENT_YEARS = 4  # years of entitlement shown on an enrollment's page
S = EnrollmentStatus


def staff_required(view):
    """Logged in with a role that reads family data (banks never do): 403 otherwise."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not reads_registry(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


def back_to_next(request, default: str):
    """Redirect to the form's ``next`` when it is a local address, else to ``default``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def with_head(qs, household_path: str = "pk"):
    """Annotate the name of the head of household (for lists), read in the same query."""
    head = Person.objects.filter(household=OuterRef(household_path), relation=Relation.HEAD)
    return qs.annotate(head_name=Subquery(head.values("name")[:1]))


def without_page(request) -> str:
    """The query string without ``page`` (for pagination links)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- programs ----------------------------------------------------------------------------------

@login_required
def program_list(request):
    """Every program with its KPM this year (aggregates only)."""
    year = timezone.localdate().year
    programs = list(queries.programs_visible())
    for program in programs:
        program.kpm_this_year = queries.kpm_count(program, year)
    return render(request, "programs/program_list.html", {
        "programs": programs, "year": year, "can_manage": permissions.can_manage_programs(request.user)})


@login_required
def program_detail(request, code):
    """A program's settings, benefit rules, quotas and KPM per year."""
    program = get_object_or_404(queries.programs_visible().prefetch_related(
        "benefit_rules__component_amounts", "banks__region", "funding_shares__funder_region", "excluded_programs"),
        code=code)
    year = timezone.localdate().year
    quotas = list(Quota.objects.filter(program=program).select_related("region").order_by("-year", "region_id"))
    for quota in quotas:
        if quota.year == year:
            quota.used = (Enrollment.objects.filter(program=program, status__in=[S.APPROVED, S.ACTIVE, S.SUSPENDED])
                          .filter(region_q("household__region_id", quota.region_id)).count())
    user = request.user
    context = {
        "program": program, "year": year, "quotas": quotas,
        "kpm_per_year": queries.kpm_counts(program),
        "can_manage": permissions.program_refusal(user, program) is None,
        "can_propose": permissions.can_propose(user),
        "rule_form": BenefitRuleForm(initial={"year": year, "kind": "flat_per_household"}),
        "quota_form": QuotaForm(initial={"year": year, "region": program.owner_region_id}),
        "components": Component,
    }
    return render(request, "programs/program_detail.html", context)


@login_required
def program_edit(request, code=None):
    """Define a new program or change one (managers whose scope holds the owner region)."""
    program = get_object_or_404(Program, code=code) if code else None
    if not permissions.can_manage_programs(request.user) or (
            program and permissions.program_refusal(request.user, program)):
        raise PermissionDenied
    initial = ProgramForm.initial_for(program) if program else {"owner_region": request.user.scope}
    form = ProgramForm(request.POST or None, initial=initial, program=program)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            program = services.save_program(
                by=request.user, program=program, fields=form.program_fields(), code=d["code"],
                owner_region=d["owner_region"], covered_regions=d["covered_regions"],
                excluded_programs=d["excluded_programs"], funding=d["funding"], banks=d["bank_overrides"])
        except services.ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Program %(code)s disimpan.") % {"code": program.code})
            return redirect("programs:program_detail", code=program.code)
    return render(request, "programs/program_form.html", {"form": form, "program": program})


@require_POST
@login_required
def benefit_rule_save(request, code):
    program = get_object_or_404(Program, code=code)
    form = BenefitRuleForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.set_benefit_rule(
                program=program, by=request.user, year=d["year"], kind=d["kind"],
                amount_rupiah=d["amount_rupiah"] or 0, max_components=d["max_components"], note=d["note"],
                component_amounts=form.component_amounts())
            messages.success(request, _("Aturan manfaat %(year)s disimpan.") % {"year": d["year"]})
        except services.ProgramError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Aturan manfaat tidak disimpan: periksa isian."))
    return redirect("programs:program_detail", code=program.code)


@require_POST
@login_required
def quota_save(request, code):
    program = get_object_or_404(Program, code=code)
    form = QuotaForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.set_quota(program=program, by=request.user, year=d["year"], region=d["region"],
                               slots=d["slots"])
            messages.success(request, _("Kuota disimpan."))
        except services.ProgramError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    return redirect("programs:program_detail", code=program.code)


# --- screening and proposals -------------------------------------------------------------------

@staff_required
def screening(request, code):
    """Eligible, not-yet-enrolled households in the user's scope, poorest first, each with why it qualifies."""
    if not permissions.can_propose(request.user):
        raise PermissionDenied
    program = get_object_or_404(Program.objects.prefetch_related("excluded_programs", "covered_regions"), code=code)
    wilayah = request.GET.get("wilayah", "").strip()
    households = queries.screening_for(request.user, program)
    if wilayah:
        households = households.filter(region_q("region_id", wilayah))
    members = Prefetch("members", queryset=Person.objects.order_by("birth_date"))
    households = with_head(households.select_related("region")).prefetch_related(members)
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    # The query already left out enrolled and excluded households, hence no open enrollments to look up.
    reasons = {h.pk: rules.eligibility(h, program, on=today, members=list(h.members.all()), open_enrollments={})
               for h in page}
    return render(request, "programs/screening.html", {
        "program": program, "page": page, "reasons": reasons, "wilayah": wilayah,
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)})


@require_POST
@staff_required
def propose(request, code):
    program = get_object_or_404(Program, code=code)
    household = get_object_or_404(households_for(request.user), pk=request.POST.get("household"))
    try:
        enrollment = services.propose_enrollment(household=household, program=program, by=request.user,
                                                 reason=request.POST.get("reason", "").strip())
    except services.ProgramError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Keluarga %(kk)s diusulkan ke %(program)s; menunggu verifikasi petugas lain.")
                         % {"kk": mask_number(household.no_kk), "program": program.code})
        if request.POST.get("open"):
            return redirect("programs:enrollment_detail", pk=enrollment.pk)
    return back_to_next(request, reverse("programs:screening", args=[program.code]))


# --- enrollments -------------------------------------------------------------------------------

@staff_required
def enrollment_list(request):
    """Enrollments in scope with filters; verified ones can be approved together."""
    form = EnrollmentFilterForm(request.GET or None, user=request.user)
    qs = queries.enrollments_for(request.user)
    if form.is_valid():
        d = form.cleaned_data
        if d["program"]:
            qs = qs.filter(program=d["program"])
        if d["status"]:
            qs = qs.filter(status=d["status"])
        if d["wilayah"]:
            qs = qs.filter(region_q("household__region_id", d["wilayah"]))
        if d["q"]:
            qs = qs.filter(household__no_kk__startswith=d["q"].strip())
        if d["belum_resertifikasi"]:
            qs = qs.filter(needs_reverification=True)
    qs = with_head(qs, "household_id").order_by("-proposed_at", "-pk")
    page = Paginator(qs, PAGE_SIZE * 2).get_page(request.GET.get("page"))
    user = request.user
    approvable = {e.pk for e in page if e.status == S.VERIFIED and permissions.approve_refusal(user, e) is None}
    return render(request, "programs/enrollment_list.html", {
        "form": form, "page": page, "approvable": approvable, "query": without_page(request),
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)})


@require_POST
@staff_required
def bulk_approve(request):
    ids = [int(i) for i in request.POST.getlist("enrollment") if i.isdigit()]
    chosen = list(queries.enrollments_for(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    try:
        if len(chosen) != len(set(ids)):
            raise services.TransitionError(_("Sebagian usulan yang dipilih tidak ditemukan di wilayah Anda."))
        n = services.bulk_approve(enrollments=chosen, by=request.user, reason=request.POST.get("reason", "").strip())
    except services.ProgramError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(n)s usulan disetujui.") % {"n": n})
    return back_to_next(request, reverse("programs:enrollment_list"))


def available_actions(user, enrollment: Enrollment) -> list[str]:
    """The transitions this user may try on this enrollment now (the service re-checks)."""
    status, actions = enrollment.status, []
    manage = permissions.manage_enrollment_refusal(user, enrollment) is None
    if status == S.PROPOSED and permissions.verify_refusal(user, enrollment) is None:
        actions.append("verify")
    if status == S.VERIFIED and permissions.approve_refusal(user, enrollment) is None:
        actions.append("approve")
    if status in (S.PROPOSED, S.VERIFIED) and manage:
        actions.append("reject")
    if status == S.APPROVED and manage:
        actions.append("activate")
    if status == S.ACTIVE and manage:
        actions.append("suspend")
    if status == S.SUSPENDED and manage:
        actions.append("resume")
    if status in (S.APPROVED, S.ACTIVE, S.SUSPENDED) and manage:
        actions.append("exit")
    return actions


@staff_required
def enrollment_detail(request, pk):
    """One enrollment: status, tenure, its events, the household's entitlement explained and eligibility."""
    enrollment = get_object_or_404(queries.enrollments_for(request.user).select_related(
        "proposed_by", "verified_by", "approved_by", "household__region__parent"), pk=pk)
    household, program = enrollment.household, enrollment.program
    members = list(household.members.order_by("birth_date"))
    today = timezone.localdate()
    # Its own enrollment is not a reason against it: only the other programs count here.
    others = {pid: e for pid, e in rules.open_enrollments_of(household).items() if pid != program.pk}
    # The years it was (or will be) paid for, latest first: from activation to exit or this year.
    first_year = (enrollment.started_on or today).year
    last_year = (enrollment.ended_on or today).year
    years = list(range(last_year, max(first_year, last_year - ENTITLEMENT_YEARS + 1) - 1, -1))
    context = {
        "enrollment": enrollment, "household": household, "program": program,
        "head": next((m for m in members if m.relation == Relation.HEAD), None),
        "events": enrollment.events.select_related("by"),
        "entitlements": [rules.entitlement(household, program, y, members=members) for y in years],
        "eligibility": rules.eligibility(household, program, members=members, open_enrollments=others),
        "actions": available_actions(request.user, enrollment),
        "exit_reasons": ExitReason.choices, "today": today,
        "years_in_program": enrollment.years_in_program(today),
    }
    return render(request, "programs/enrollment_detail.html", context)


ACTIONS = {
    "verify": lambda e, by, d: services.verify_enrollment(enrollment=e, by=by, reason=d["reason"]),
    "approve": lambda e, by, d: services.approve_enrollment(enrollment=e, by=by, reason=d["reason"]),
    "reject": lambda e, by, d: services.reject_enrollment(enrollment=e, by=by, reason=d["reason"]),
    "activate": lambda e, by, d: services.activate_enrollment(enrollment=e, by=by, started_on=d["started_on"],
                                                              reason=d["reason"]),
    "suspend": lambda e, by, d: services.suspend_enrollment(enrollment=e, by=by, reason=d["reason"]),
    "resume": lambda e, by, d: services.resume_enrollment(enrollment=e, by=by, reason=d["reason"]),
    "exit": lambda e, by, d: services.exit_enrollment(enrollment=e, by=by, reason=d["exit_reason"],
                                                      note=d["reason"], ended_on=d["ended_on"]),
}
DONE = {"verify": _("Usulan diverifikasi."), "approve": _("Kepesertaan disetujui."), "reject": _("Usulan ditolak."),
        "activate": _("KPM diaktifkan; masa kepesertaan mulai dihitung."), "suspend": _("KPM ditangguhkan."),
        "resume": _("KPM diaktifkan kembali."), "exit": _("KPM dikeluarkan dari program.")}


@require_POST
@staff_required
def enrollment_action(request, pk, action):
    """Run one transition; a refusal is shown as a message and changes nothing."""
    if action not in ACTIONS:
        raise PermissionDenied
    enrollment = get_object_or_404(queries.enrollments_for(request.user), pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return redirect("programs:enrollment_detail", pk=pk)
    try:
        result = ACTIONS[action](enrollment, request.user, form.cleaned_data)
    except services.ProgramError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, str(DONE[action]))
        if action == "exit" and result[1] is not None:
            messages.info(request, _("Slot yang dilepas diusulkan untuk keluarga %(kk)s dari daftar tunggu.")
                          % {"kk": mask_number(result[1].household.no_kk)})
    return back_to_next(request, reverse("programs:enrollment_detail", args=[pk]))


@staff_required
def household_programs(request, household_pk):
    """A household's programs: enrollment, this year's entitlement line by line, and eligibility for the others.

    Meant to be loaded into the household page (htmx), but it is a page of its own too.
    """
    household = get_object_or_404(households_for(request.user).select_related("region"), pk=household_pk)
    members = list(household.members.order_by("birth_date"))
    today = timezone.localdate()
    open_enrollments = rules.open_enrollments_of(household)
    latest = {e.program_id: e for e in queries.enrollments_for(request.user).filter(household=household)
              .order_by("proposed_at")}
    cards = []
    for program in Program.objects.filter(is_active=True).prefetch_related("excluded_programs", "covered_regions",
                                                                          "benefit_rules__component_amounts"):
        if not program.covers(household.region_id) and program.pk not in latest:
            continue
        cards.append({
            "program": program, "enrollment": latest.get(program.pk),
            "entitlement": rules.entitlement(household, program, today.year, members=members),
            "eligibility": rules.eligibility(household, program, on=today, members=members,
                                             open_enrollments=open_enrollments),
        })
    template = "programs/_household_programs.html" if request.htmx else "programs/household_programs.html"
    return render(request, template, {"household": household, "cards": cards, "year": today.year,
                                      "can_propose": permissions.propose_refusal(request.user, household) is None})

