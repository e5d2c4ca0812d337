"""Pages of UEP grants: list, application, decision, payment state (from the payments module), follow-ups,
budgets, survival report."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jsika.payments import permissions as payment_permissions
from jsika.programs.models import Program

from . import grants, permissions, queries
from .forms import BudgetForm, FollowUpForm, GrantApplyForm, GrantDecisionForm, GrantFilterForm
from .models import FOLLOW_UP_MONTHS, Graduation, Grant
from .views import _page, reader_required


@reader_required
def grant_list(request):
    form = GrantFilterForm(request.GET or None)
    qs = queries.with_latest_payment(queries.with_head(queries.grants_for(request.user)))
    status, program = request.GET.get("status", ""), request.GET.get("program", "")
    if status in Grant.Status.values:
        qs = qs.filter(status=status)
    if program:
        qs = qs.filter(program__code=program)
    return render(request, "graduation/grant_list.html", {
        "form": form, "budgets": queries.budget_use(), **_page(request, qs.order_by("-applied_at", "-pk"))})


@reader_required
def grant_apply(request, graduation_pk):
    """A graduated household's application with a simple business plan."""
    g = get_object_or_404(queries.graduations_for(request.user), pk=graduation_pk, status=Graduation.Status.APPROVED)
    refusal = permissions.household_refusal(request.user, g.household)
    if refusal:
        raise PermissionDenied(refusal)
    form = GrantApplyForm(request.POST or None, initial={"location": g.household.address})
    if request.method == "POST" and form.is_valid():
        try:
            grant = grants.apply_for_grant(by=request.user, graduation=g, **form.cleaned_data)
        except grants.GrantError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Pengajuan bantuan UEP tersimpan; menunggu keputusan pengelola program."))
            return redirect("graduation:grant_detail", pk=grant.pk)
    return render(request, "graduation/grant_apply.html", {"g": g, "form": form})


@reader_required
def grant_detail(request, pk):
    grant = get_object_or_404(queries.with_head(queries.grants_for(request.user)), pk=pk)
    user = request.user
    follow_ups = {f.months: f for f in grant.follow_ups.all()}
    today = timezone.localdate()
    milestones = [{"months": m, "due_on": grant.follow_up_due_on(m), "done": follow_ups.get(m),
                   "open": bool(grant.disbursed_on) and m not in follow_ups
                   and grant.follow_up_due_on(m) <= today + timedelta(days=grants.FOLLOW_UP_EARLY_DAYS)}
                  for m in FOLLOW_UP_MONTHS]
    budget = next((b for b in queries.budget_use(program=grant.program) if b.budget.year == today.year), None)
    state = queries.grant_payment_state(user, grant)
    return render(request, "graduation/grant_detail.html", {
        "grant": grant, "milestones": milestones, "budget": budget, "payment_state": state,
        "decide_refusal": permissions.grant_decide_refusal(user, grant) if grant.status == "applied" else "-",
        "may_open_cycle": grant.status == Grant.Status.APPROVED and state.code in ("waiting", "failed")
        and payment_permissions.prepare_refusal(user, grant.household.region_id) is None,
        "may_follow_up": permissions.household_refusal(user, grant.household) is None,
        "decision_form": GrantDecisionForm(initial={"amount_approved_rupiah": grant.amount_requested_rupiah})})


ACTIONS = ("setujui", "tolak")


@require_POST
@reader_required
def grant_action(request, pk, action):
    grant = get_object_or_404(queries.grants_for(request.user), pk=pk)
    if action not in ACTIONS:
        raise Http404
    by = request.user
    decision = GrantDecisionForm(request.POST)
    decision.is_valid()
    d = decision.cleaned_data
    try:
        if action == "setujui":
            grants.approve_grant(grant=grant, by=by, amount_approved_rupiah=d.get("amount_approved_rupiah"),
                                 note=d.get("note", ""))
            messages.success(request, _("Bantuan UEP disetujui."))
        else:
            grants.reject_grant(grant=grant, by=by, note=d.get("note", ""))
            messages.success(request, _("Pengajuan bantuan UEP ditolak."))
    except grants.GrantError as error:
        messages.error(request, str(error))
    return redirect("graduation:grant_detail", pk=grant.pk)


@reader_required
def follow_up(request, pk, months):
    """The pendamping's visit at 3, 6 or 12 months: is the business running, what does the family earn now."""
    grant = get_object_or_404(queries.with_head(queries.grants_for(request.user)), pk=pk)
    if months not in FOLLOW_UP_MONTHS:
        raise Http404
    refusal = permissions.household_refusal(request.user, grant.household)
    if refusal:
        raise PermissionDenied(refusal)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            grants.record_follow_up(by=request.user, grant=grant, months=months, visited_on=d["visited_on"],
                                    business_running=d["business_running"], income_rupiah=d["income_rupiah"],
                                    notes=d["notes"], client_id=d["client_id"])
        except grants.GrantError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Tindak lanjut bulan ke-%(m)s tersimpan.") % {"m": months})
            return redirect("graduation:grant_detail", pk=grant.pk)
    return render(request, "graduation/follow_up_form.html", {
        "grant": grant, "months": months, "form": form, "due_on": grant.follow_up_due_on(months)})


@reader_required
def budgets(request):
    """UEP budgets per program and year with what is committed; a manager sets one here."""
    form = BudgetForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            grants.set_grant_budget(by=request.user, program=Program.objects.get(code=d["program"]), year=d["year"],
                                    amount_rupiah=d["amount_rupiah"], note=d["note"])
        except grants.GrantError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Pagu UEP disimpan."))
            return redirect("graduation:budgets")
    return render(request, "graduation/budgets.html", {
        "form": form, "rows": queries.budget_use(), "is_manager": permissions.is_manager(request.user)})


@reader_required
def survival(request):
    """Survival of funded businesses at 3, 6 and 12 months, overall and per type of business."""
    program = Program.objects.filter(code=request.GET.get("program", "")).first()
    year = int(request.GET["tahun"]) if request.GET.get("tahun", "").isdigit() else None
    report = queries.survival_report(request.user, program=program, year=year)
    return render(request, "graduation/survival.html", {
        "report": report, "program": program, "year": year, "programs": Program.objects.order_by("code")})
