"""The field app (PWA) for pendamping: "Hari ini", visit and P2K2 forms (offline, client-side), the queue,
a household's field view, and the service worker and manifest that make the pages installable."""

import hashlib
from functools import lru_cache, wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from jsika.core.roles import Role
from jsika.registry.models import Relation
from jsika.registry.queries import households_for

from . import periods, queries
from .models import AbsenceReason, CheckStatus, Condition, Problem, VisitPurpose
from .services import FIELD_WRITERS

# Roles that read supervision pages (the auditor reads, never writes).
SUPERVISION_READERS = {Role.MANAGER, Role.OPERATOR, Role.AUDITOR}


def field_user_required(view):
    """Logged in as someone who records field work (pendamping, operator, manager): 403 otherwise."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_role(*FIELD_WRITERS):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


def field_reader_required(view):
    """Pendamping and supervisors (auditor included) read field records in their scope."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_role(*FIELD_WRITERS, *SUPERVISION_READERS):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


@lru_cache(maxsize=1)
def app_version() -> str:
    """Changes whenever the field app's files change, so phones drop their old cached shell."""
    digest = hashlib.sha256()
    for name in ("fieldwork/field.js", "fieldwork/field.css"):
        path = finders.find(name)
        if path:
            with open(path, "rb") as fh:
                digest.update(fh.read())
    digest.update(get_template("fieldwork/sw.js").template.source.encode())
    return digest.hexdigest()[:12]


def _field_context(request, **extra) -> dict:
    return {"app_version": app_version(), "today": timezone.localdate(), **extra}


@field_user_required
def today(request):
    """The pendamping's start page; supervisors go to the diligence report."""
    user = request.user
    if user.role != Role.FACILITATOR:
        return redirect("fieldwork:diligence")
    summary = queries.today_for(user)
    return render(request, "fieldwork/today.html", _field_context(
        request, summary=summary, period_label=periods.label(summary.period)))


@field_user_required
def visit_form(request):
    """The visit form: filled and queued on the phone (IndexedDB), synced when online."""
    return render(request, "fieldwork/visit_form.html", _field_context(
        request, purposes=VisitPurpose.choices, problems=Problem.choices,
        preselect=request.GET.get("keluarga", "")))


@field_user_required
def session_form(request):
    """The P2K2 session form with attendance per household, queued on the phone like visits."""
    return render(request, "fieldwork/session_form.html", _field_context(
        request, absence_reasons=[c for c in AbsenceReason.choices]))


@field_user_required
def queue(request):
    """What this phone has not yet sent, and what the server refused (with the reason)."""
    return render(request, "fieldwork/queue.html", _field_context(request))


@field_reader_required
def household(request, pk):
    """One household of the caseload as the pendamping needs it: members, visits, commitments."""
    user = request.user
    household = get_object_or_404(households_for(user).select_related("region__parent"), pk=pk)
    today = timezone.localdate()
    members = sorted(household.members.all(), key=lambda m: (Relation.values.index(m.relation)
                                                             if m.relation in Relation.values else 99, m.birth_date))
    visits = queries.visits_for(user).filter(household=household).order_by("-visited_on", "-pk")[:20]
    current = periods.of(today)
    checks = list(queries.checks_for(user).filter(household=household, period__in=[
        current, *periods.before(current, 5)]).order_by("-period", "condition"))
    actions = list(queries.actions_for(user).filter(household=household)[:10])
    attendance = list(queries.attendance_for(user).filter(household=household).select_related(
        "session__module").order_by("-session__held_on")[:10])
    return render(request, "fieldwork/household.html", _field_context(
        request, household=household, members=[{"person": m, "age": m.age_on(today)} for m in members],
        visits=visits, checks=checks, actions=actions, attendance=attendance,
        may_record=user.has_role(*FIELD_WRITERS) and user.role != Role.AUDITOR,
        may_confirm=user.has_role(Role.FACILITATOR, Role.MANAGER, Role.OPERATOR),
        # Recent months only, and not once a warning or suspension was decided on them.
        confirmable={current, periods.shift(current, -1)} - {a.period for a in actions},
        condition_labels=dict(Condition.choices), status_labels=dict(CheckStatus.choices)))


@field_reader_required
def visit_list(request):
    """Visits in scope (a pendamping: their caseload), newest first."""
    qs = queries.visits_for(request.user).order_by("-visited_on", "-pk")
    if request.user.role == Role.FACILITATOR:
        qs = qs.filter(facilitator=request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "fieldwork/visit_list.html", _field_context(request, page=page))


@field_reader_required
def visit_detail(request, pk):
    visit = get_object_or_404(queries.visits_for(request.user), pk=pk)
    members = {p.pk: p.name for p in visit.household.members.all()}
    return render(request, "fieldwork/visit_detail.html", _field_context(
        request, visit=visit, members=members, problem_labels=visit.problem_labels()))


@field_reader_required
def session_list(request):
    qs = queries.sessions_for(request.user).order_by("-held_on", "-pk")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "fieldwork/session_list.html", _field_context(request, page=page))


@field_reader_required
def session_detail(request, pk):
    session = get_object_or_404(queries.sessions_for(request.user), pk=pk)
    rows = session.attendances.select_related("household", "household__region").order_by("household_id")
    visible = set(households_for(request.user).filter(pk__in=[r.household_id for r in rows]).values_list(
        "pk", flat=True))
    return render(request, "fieldwork/session_detail.html", _field_context(
        request, session=session, rows=[r for r in rows if r.household_id in visible]))


def _photo_response(field):
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    return response


@field_reader_required
def visit_photo(request, pk):
    """A visit's photo, only for those who may read the visit (photos are never public media)."""
    return _photo_response(get_object_or_404(queries.visits_for(request.user), pk=pk).photo)


@field_reader_required
def session_photo(request, pk):
    return _photo_response(get_object_or_404(queries.sessions_for(request.user), pk=pk).photo)


@require_GET
@never_cache
def service_worker(request):
    """The service worker, served from /lapangan/ so its scope covers the field pages."""
    shell = [reverse("fieldwork:today"), reverse("fieldwork:visit_form"), reverse("fieldwork:session_form"),
             reverse("fieldwork:queue")]
    assets = [static(p) for p in (
        "vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap-icons/bootstrap-icons.min.css", "core/jsika.css",
        "vendor/bootstrap/bootstrap.bundle.min.js", "django_htmx/htmx-2.min.js", "fieldwork/field.css",
        "fieldwork/field.js", "fieldwork/icon-192.png", "core/favicon.svg",
        "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2")]
    response = render(request, "fieldwork/sw.js", {
        "version": app_version(), "shell": shell, "assets": assets, "scope": reverse("fieldwork:today"),
        "caseload_url": reverse("api:fieldwork_caseload"), "login_url": resolve_url(settings.LOGIN_URL),
    }, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("fieldwork:today")
    return response


@require_GET
def manifest(request):
    """The web app manifest: installable, standalone, starting at "Hari ini"."""
    start = reverse("fieldwork:today")
    return JsonResponse({
        "name": "e-JSiKa Lapangan", "short_name": "JSiKa Lapangan", "lang": "id",
        "description": _("Aplikasi lapangan pendamping: kunjungan rumah, P2K2, bekerja tanpa sinyal."),
        "start_url": start, "scope": start, "display": "standalone", "orientation": "portrait",
        "background_color": "#f4f6f9", "theme_color": "#0b3d6e",
        "icons": [
            {"src": static("fieldwork/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("fieldwork/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("fieldwork/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }, content_type="application/manifest+json")
