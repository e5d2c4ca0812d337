"""Pages of assessments and graduation decisions: thin — parse, call a service or a query, render."""

from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jsika.programs.models import Enrollment, EnrollmentStatus, Program
from jsika.programs.queries import enrollments_for
from jsika.registry.queries import households_for, search_q

from . import permissions, queries, rules, scoring, services
from .forms import AssessmentForm, CandidateFilterForm, DecisionForm, ProposeForm, TargetForm
from .models import Assessment, Band, Graduation, Instrument

PAGE_SIZE = 25


def reader_required(view):
    """Logged in with a role that reads graduation data (banks never do): 403 otherwise."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.can_read(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


def _page(request, qs):
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "query": query.urlencode(),
            "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)}


def _default_program(code: str = "") -> Program | None:
    programs = Program.objects.order_by("code")
    return programs.filter(code=code).first() or programs.filter(code="JAMSOSRATU").first() or programs.first()


# --- overview ------------------------------------------------------------------------------------------

@reader_required
def index(request):
    """Targets of the year with their progress, proposals waiting, and the way into each page."""
    year = int(request.GET["tahun"]) if request.GET.get("tahun", "").isdigit() else timezone.localdate().year
    user = request.user
    return render(request, "graduation/index.html", {
        "year": year, "progress": queries.target_progress(year=year),
        "pending": queries.graduations_for(user).filter(status=Graduation.Status.PROPOSED).count(),
        "recent": queries.with_head(queries.graduations_for(user).filter(status=Graduation.Status.APPROVED))
        .order_by("-decided_at", "-pk")[:8],
        "can_field": permissions.can_work_in_field(user), "is_manager": permissions.is_manager(user),
    })


# --- assessments ---------------------------------------------------------------------------------------

@reader_required
def assessment_list(request):
    """KPM households to assess (a pendamping: the caseload), with their latest score."""
    q = request.GET.get("q", "").strip()
    open_enrollment = Enrollment.objects.filter(household=OuterRef("pk"), status__in=(EnrollmentStatus.ACTIVE,
                                                                                       EnrollmentStatus.SUSPENDED))
    last = Assessment.objects.filter(household=OuterRef("pk")).order_by("-assessed_on", "-pk")
    households = households_for(request.user).filter(Exists(open_enrollment))
    if q:
        households = households.filter(search_q(q))
    households = (queries.with_head(households, "pk").select_related("region")
                  .annotate(last_score=Subquery(last.values("score")[:1]), last_band=Subquery(last.values("band")[:1]),
                            last_on=Subquery(last.values("assessed_on")[:1]))
                  .order_by("region_id", "pk"))
    return render(request, "graduation/assessment_list.html", {
        "q": q, "can_assess": permissions.can_work_in_field(request.user), **_page(request, households)})


@reader_required
def assessment_form(request, household_pk):
    """The phone-friendly assessment: one card per indicator, big radio buttons, scored on save."""
    household = get_object_or_404(households_for(request.user).select_related("region"), pk=household_pk)
    refusal = permissions.assess_refusal(request.user, household)
    if refusal:
        raise PermissionDenied(refusal)
    instrument = services.instrument_on(timezone.localdate())
    if instrument is None:
        raise Http404(_("Belum ada instrumen asesmen yang berlaku."))
    posted_instrument = Instrument.objects.filter(pk=request.POST.get("instrument"), published_at__isnull=False).first()
    form = AssessmentForm(request.POST or None, instrument=posted_instrument or instrument)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = services.record_assessment(
                by=request.user, household=household, answers=form.answers(), assessed_on=d["assessed_on"],
                instrument=form.instrument, notes=d["notes"], client_id=d["client_id"])
        except services.GraduationError as error:
            form.add_error(None, str(error))
        else:
            a = saved.obj
            messages.success(request, _("Asesmen tersimpan: skor %(score)s (%(band)s).")
                             % {"score": a.score, "band": a.get_band_display()})
            return redirect("graduation:assessment_detail", pk=a.pk)
    return render(request, "graduation/assessment_form.html", {
        "household": household, "form": form, "instrument": form.instrument,
        "head": household.members.filter(relation="kepala keluarga").first()})


@reader_required
def assessment_detail(request, pk):
    """One assessment: each answer, its points and weight, and the score as computed again now."""
    assessment = get_object_or_404(queries.assessments_for(request.user), pk=pk)
    result = scoring.rescore(assessment)
    return render(request, "graduation/assessment_detail.html", {
        "a": assessment, "result": result, "reproduced": result.score == assessment.score})


@reader_required
def household(request, household_pk):
    """A household's assessments over time (a score line), its graduations and UEP grants."""
    household = get_object_or_404(households_for(request.user).select_related("region"), pk=household_pk)
    history = queries.score_history(request.user, household)
    info = queries.graduation_for_household(request.user, household)
    latest = history[-1].instrument if history else services.instrument_on(timezone.localdate())
    chart = {
        "labels": [a.assessed_on.strftime("%d-%m-%Y") for a in history],
        "scores": [float(a.score) for a in history],
        "versions": [a.instrument.version for a in history],
        "bands": [a.get_band_display() for a in history],
        "ready_from": latest.ready_from if latest else None,
        "developing_from": latest.developing_from if latest else None,
        "label_score": _("Skor kemandirian"), "label_ready": _("Ambang siap graduasi"),
        "label_developing": _("Ambang berkembang"), "label_version": _("versi instrumen"),
    }
    return render(request, "graduation/household.html", {
        "household": household, "history": list(reversed(history)), "info": info, "chart": chart,
        "can_assess": permissions.assess_refusal(request.user, household) is None,
        "head": household.members.filter(relation="kepala keluarga").first()})


@reader_required
def instrument_list(request):
    """Every version of the instrument, with what it is valid for and how many assessments used it."""
    instruments = Instrument.objects.annotate(n_assessments=Count("assessments")).order_by("code", "-version")
    return render(request, "graduation/instrument_list.html", {
        "instruments": instruments, "in_force": services.instrument_on(timezone.localdate())})


@reader_required
def instrument_detail(request, pk):
    instrument = get_object_or_404(Instrument, pk=pk)
    indicators = scoring.indicators_of(instrument)
    total = sum(i.weight for i in indicators)
    return render(request, "graduation/instrument_detail.html", {
        "instrument": instrument, "indicators": indicators, "total_weight": total})


# --- candidates and decisions --------------------------------------------------------------------------

@reader_required
def candidates(request):
    """Households reaching the tenure limit or scoring ready twice, the evidence side by side, with the target."""
    form = CandidateFilterForm(request.GET or None, initial={"program": getattr(_default_program(), "code", "")})
    program = _default_program(request.GET.get("program", ""))
    if program is None:
        raise Http404(_("Belum ada program."))
    wilayah = request.GET.get("wilayah", "").strip()
    path = request.GET.get("jalur", "")
    today = timezone.localdate()
    qs = queries.graduation_candidates(request.user, program, region=wilayah,
                                       path=path if path in ("alamiah", "mandiri") else "", on=today)
    paging = _page(request, qs.select_related("household__region"))
    rows = list(paging["page"])
    latest = queries.latest_assessments([e.household_id for e in rows], on=today, per_household=6)
    for e in rows:
        e.recent = [a for a in latest.get(e.household_id, []) if a.assessed_on >= e.started_on][:2]
        e.days_left = (e.tenure_ends_on - today).days if e.tenure_ends_on else None
        e.tenure_reached = e.days_left is not None and e.days_left <= 0
        e.days_ago = -e.days_left if e.tenure_reached else 0
        e.score_ready = (len(e.recent) == 2 and all(a.band == Band.READY for a in e.recent)
                         and (today - e.recent[0].assessed_on).days <= rules.ASSESSMENT_VALID_DAYS)
    return render(request, "graduation/candidates.html", {
        "form": form, "program": program, "rows": rows, "wilayah": wilayah, "path": path,
        "progress": queries.target_progress(program=program, year=today.year, region=wilayah),
        "can_propose": permissions.can_work_in_field(request.user), "year": today.year, **paging})


@reader_required
def propose(request, enrollment_pk):
    """The evidence of one KPM and the proposal form; the service applies the rules."""
    enrollment = get_object_or_404(enrollments_for(request.user), pk=enrollment_pk)
    refusal = permissions.propose_refusal(request.user, enrollment)
    if refusal:
        raise PermissionDenied(refusal)
    evidence = rules.evidence_for(enrollment, on=timezone.localdate())
    form = ProposeForm(request.POST or None, initial={"kind": rules.suggested_kind(evidence)})
    if request.method == "POST" and form.is_valid():
        try:
            g = services.propose_graduation(by=request.user, enrollment=enrollment, kind=form.cleaned_data["kind"],
                                            reason=form.cleaned_data["reason"])
        except services.GraduationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Usulan graduasi tersimpan; menunggu keputusan pengelola program."))
            return redirect("graduation:decision_detail", pk=g.pk)
    return render(request, "graduation/propose.html", {
        "enrollment": enrollment, "evidence": evidence, "form": form,
        "pending": enrollment.graduations.filter(status=Graduation.Status.PROPOSED).first(),
        "kinds": {k: rules.graduation_refusal(evidence, k, "x" * rules.MIN_REASON_CHARS) for k in ("alamiah",
                                                                                                    "mandiri")}})


@reader_required
def decision_list(request):
    status = request.GET.get("status", "proposed")
    qs = queries.with_head(queries.graduations_for(request.user))
    if status in Graduation.Status.values:
        qs = qs.filter(status=status)
    program = request.GET.get("program", "")
    if program:
        qs = qs.filter(program__code=program)
    return render(request, "graduation/decision_list.html", {
        "status": status, "statuses": Graduation.Status.choices, "program": program,
        "programs": Program.objects.order_by("code"), **_page(request, qs.order_by("-proposed_at", "-pk"))})


@reader_required
def decision_detail(request, pk):
    """A proposal with its evidence as proposed and as it is today; the decision forms for a manager."""
    g = get_object_or_404(queries.with_head(queries.graduations_for(request.user)), pk=pk)
    today_evidence = rules.evidence_for(g.enrollment, on=timezone.localdate()) if g.status == "proposed" else None
    return render(request, "graduation/decision_detail.html", {
        "g": g, "evidence": _snapshot(g.evidence), "today": today_evidence,
        "today_refusal": rules.graduation_refusal(today_evidence, g.kind, g.reason) if today_evidence else None,
        "decide_refusal": permissions.decide_refusal(request.user, g) if g.status == "proposed" else None,
        "form": DecisionForm(), "grants": list(g.grants.all()),
        "can_apply": (g.status == "approved" and permissions.household_refusal(request.user, g.household) is None
                      and not g.grants.exclude(status="rejected").exists())})


def _snapshot(evidence: dict) -> dict:
    """The stored evidence with its ISO dates as dates, for display."""
    def day(value):
        return parse_date(value) if isinstance(value, str) else None

    shown = {**evidence, **{k: day(evidence.get(k)) for k in ("on", "started_on", "tenure_ends_on")}}
    shown["assessments"] = [{**a, "assessed_on": day(a.get("assessed_on")), "score": Decimal(a.get("score", "0"))}
                            for a in evidence.get("assessments", [])]
    return shown


@require_POST
@reader_required
def decide(request, pk, action):
    g = get_object_or_404(queries.graduations_for(request.user), pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if action == "setujui":
            g = services.approve_graduation(graduation=g, by=request.user, note=note)
            messages.success(request, _("Graduasi disetujui: KPM keluar dari program, slot dilepas ke daftar tunggu."))
        elif action == "tolak":
            services.reject_graduation(graduation=g, by=request.user, note=note)
            messages.success(request, _("Usulan graduasi ditolak."))
        else:
            raise Http404
    except services.GraduationError as error:
        messages.error(request, str(error))
    return redirect("graduation:decision_detail", pk=g.pk)


@reader_required
def certificate(request, pk):
    """The graduation letter for the family (PDF), once approved."""
    g = get_object_or_404(queries.with_head(queries.graduations_for(request.user)), pk=pk,
                          status=Graduation.Status.APPROVED)
    from weasyprint import HTML

    html = render_to_string("graduation/certificate.html", {"g": g, "today": timezone.localdate()}, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="surat-graduasi-{g.pk}.pdf"'
    return response


@reader_required
def targets(request):
    """Graduation targets with their progress; a manager sets one here."""
    form = TargetForm(request.POST or None, initial={"year": timezone.localdate().year,
                                                     "region": request.user.scope or "36"})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.set_graduation_target(by=request.user, program=Program.objects.get(code=d["program"]),
                                               year=d["year"], region=d["region"], target=d["target"], note=d["note"])
            except services.GraduationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Target graduasi disimpan."))
                return redirect("graduation:targets")
    return render(request, "graduation/targets.html", {
        "form": form, "progress": queries.target_progress(region=request.GET.get("wilayah", "").strip()),
        "is_manager": permissions.is_manager(request.user)})

