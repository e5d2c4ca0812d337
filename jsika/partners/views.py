"""Partner pages: home, the education and health views, any sector's search with saved searches and xlsx
export, a household read with the sector's fields, recording services, the service counts and the API page.

Every list of persons comes from ``queries.partner_persons`` (scope) narrowed by ``PersonCriteria`` and
shown through ``fields.person_values`` (the sector's fields only); a partner's read is logged.
"""

import re
from datetime import date
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jsika.core.access_log import log_access
from jsika.core.models import AccessLog
from jsika.core.roles import Role
from jsika.registry.models import Relation
from jsika.registry.queries import households_for

from . import services
from .exports import export_persons
from .fields import fields_for, household_values, person_values
from .forms import InterventionForm, PersonSearchForm, SaveSearchForm
from .models import Intervention
from .queries import (
    PersonCriteria,
    agency_of,
    attach_household_size,
    intervention_counts,
    interventions_for,
    interventions_for_household,
    partner_persons,
    referrals_for,
    saved_searches_for,
    school_summary,
    sector_of,
    stale_referrals,
    with_household_size,
)
from .sectors import InterventionKind, Sector

PAGE_SIZE = 25
# Who opens the sector pages: partners (their own sector), and staff who oversee them (any sector, to check).
SECTOR_PAGE_ROLES = (Role.PARTNER, Role.MANAGER, Role.AUDITOR)
EDUCATION_LISTS = {
    "anak": (_("Anak KPM 0–18 tahun"), {"umur_max": 18}),
    "putus": (_("Putus sekolah"), {"putus_sekolah": True}),
    "lulus_smp": (_("Lulus SMP tahun ini (calon SMA/SMK)"), {"lulus_smp": True}),
}
HEALTH_LISTS = {
    "hamil": (_("Ibu hamil"), {"hamil": True}),
    "balita": (_("Balita"), {"balita": True}),
    "stunting": (_("Balita berisiko stunting"), {"stunting": True}),
    "lansia": (_("Lansia (60+)"), {"lansia": True}),
    "disabilitas": (_("Penyandang disabilitas"), {"disabilitas": True}),
}


def sector_page(view):
    """Logged in with a role that opens partner pages; ``request.sector`` is the sector whose fields apply."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.has_role(*SECTOR_PAGE_ROLES):
            raise PermissionDenied
        if user.role == Role.PARTNER and not user.is_superuser:
            request.sector = sector_of(user)
        else:
            asked = request.GET.get("sektor", "")
            request.sector = asked if asked in Sector.values else ""
        return view(request, *args, **kwargs)
    return wrapped


def _rows(request, page, allowed, today):
    """The page's persons as plain dicts of allowed fields (templates never see a forbidden field)."""
    return [{"person_id": p.pk, "household_id": p.household_id, "services": getattr(p, "my_services", 0),
             "p": person_values(p, allowed, today=today),
             "h": household_values(attach_household_size(p).household, allowed)} for p in page]


def _log_list(request, page, allowed, criteria) -> None:
    if request.user.role == Role.PARTNER and page:
        log_access(user=request.user, action=AccessLog.Action.VIEW_DETAIL, object_type="partner_list",
                   object_id=request.resolver_match.url_name if request.resolver_match else "-", request=request,
                   filter=criteria.as_dict(), ids=[p.pk for p in page], rows=len(page), sector=allowed.sector)


def person_results(request, *, allowed, criteria, today):
    """The paginated persons for ``criteria`` with the count of services the user's agency gave each."""
    qs = criteria.apply(partner_persons(request.user, today=today,
                                        with_stunting="stunting_risk" in allowed.person), today)
    agency = agency_of(request.user)
    if agency:
        served = (Intervention.objects.filter(person=OuterRef("pk"), agency=agency).order_by()
                  .values("person").annotate(n=Count("pk")).values("n"))
        qs = qs.annotate(my_services=Subquery(served))
    qs = with_household_size(qs).order_by("household__region_id", "household_id", "birth_date", "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _log_list(request, page.object_list, allowed, criteria)
    return page, _rows(request, page.object_list, allowed, today)


def criteria_query(request, criteria) -> str:
    """The query string that reproduces ``criteria`` on the search and export pages (always bound: ``q``)."""
    params = {"q": criteria.q}
    for key, value in criteria.as_dict().items():
        if key != "q" and value is not False:
            params[key] = "on" if value is True else value
    if criteria.kpm:
        params["kpm"] = "on"
    if request.sector and request.user.role != Role.PARTNER:
        params["sektor"] = request.sector
    return urlencode(params)


def _list_context(request, page, rows, allowed, form, criteria, **extra):
    return {
        "page": page, "rows": rows, "fields": allowed, "form": form, "criteria": criteria,
        "agency": agency_of(request.user), "sector": request.sector,
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "export_query": criteria_query(request, criteria), **extra,
    }


@sector_page
def home(request):
    """The partner's start page: its agency, its sector's lists, referrals waiting for it, services recorded."""
    user = request.user
    agency = agency_of(user)
    today = timezone.localdate()
    allowed = fields_for(user, request.sector)
    referrals = referrals_for(user)
    context = {
        "agency": agency, "sector": request.sector, "fields": allowed,
        "open_referrals": referrals.filter(status="open").order_by("referred_at")[:10],
        "pending_count": referrals.filter(status__in=("open", "accepted", "acted")).count(),
        "stale_count": stale_referrals(user).count(),
        "recent": interventions_for(user).order_by("-delivered_on", "-pk")[:8],
        "counts": intervention_counts(user, since=date(today.year, 1, 1)),
        "saved": saved_searches_for(user)[:10],
    }
    return render(request, "partners/home.html", context)


def _sector_list(request, *, sector: str, lists: dict, template: str, default: str, summary=None):
    user = request.user
    if user.role == Role.PARTNER and not user.is_superuser and request.sector != sector:
        raise PermissionDenied
    request.sector = sector
    allowed = fields_for(user, sector)
    today = timezone.localdate()
    key = request.GET.get("daftar", default)
    if key not in lists:
        key = default
    form = PersonSearchForm(request.GET, user=user, allowed=allowed)
    criteria = form.to_criteria(**lists[key][1])
    page, rows = person_results(request, allowed=allowed, criteria=criteria, today=today)
    extra = {"lists": [(k, label) for k, (label, _c) in lists.items()], "current": key,
             "current_label": lists[key][0]}
    if summary and not request.htmx:
        extra["summary"] = summary(criteria, allowed, today)
    context = _list_context(request, page, rows, allowed, form, criteria, **extra)
    return render(request, "partners/_person_table.html" if request.htmx else template, context)


@sector_page
def education(request):
    """Education office: KPM children by age and school level, dropouts, those finishing SMP this year."""
    def summary(criteria, allowed, today):
        base = criteria.__class__(wilayah=criteria.wilayah, kpm=criteria.kpm, program=criteria.program)
        return school_summary(base.apply(partner_persons(request.user, today=today, with_stunting=False), today),
                              today)
    return _sector_list(request, sector=Sector.EDUCATION, lists=EDUCATION_LISTS, template="partners/education.html",
                        default="lulus_smp", summary=summary)


@sector_page
def health(request):
    """Health office: pregnant women, toddlers (and those at risk of stunting), the elderly, the disabled."""
    def summary(criteria, allowed, today):
        base = criteria.__class__(wilayah=criteria.wilayah, kpm=criteria.kpm, program=criteria.program)
        qs = base.apply(partner_persons(request.user, today=today), today)
        return {key: criteria.__class__(**{**base.as_dict(), **flags}).apply(qs, today).count()
                for key, (_label, flags) in HEALTH_LISTS.items()}
    return _sector_list(request, sector=Sector.HEALTH, lists=HEALTH_LISTS, template="partners/health.html",
                        default="hamil", summary=summary)


@sector_page
def search(request):
    """Any sector: search by criteria and region (its fields only), save the search, export it."""
    allowed = fields_for(request.user, request.sector)
    today = timezone.localdate()
    form = PersonSearchForm(request.GET, user=request.user, allowed=allowed)
    criteria = form.to_criteria()
    page, rows = person_results(request, allowed=allowed, criteria=criteria, today=today)
    context = _list_context(request, page, rows, allowed, form, criteria, save_form=SaveSearchForm(),
                            saved=saved_searches_for(request.user))
    return render(request, "partners/_person_table.html" if request.htmx else "partners/search.html", context)


@sector_page
@require_POST
def save_search(request):
    allowed = fields_for(request.user, request.sector)
    form = PersonSearchForm(request.POST, user=request.user, allowed=allowed)
    name_form = SaveSearchForm(request.POST)
    if name_form.is_valid() and form.is_valid():
        search = services.save_search(by=request.user, name=name_form.cleaned_data["name"],
                                      criteria=form.to_criteria(), sector=request.sector)
        messages.success(request, _("Pencarian \u201c%(name)s\u201d disimpan.") % {"name": search.name})
        return redirect(reverse("partners:saved_search", args=[search.pk]))
    messages.error(request, _("Pencarian tidak dapat disimpan: periksa nama dan kriteria."))
    return redirect(reverse("partners:search"))


@sector_page
def saved_search(request, pk: int):
    search_obj = get_object_or_404(saved_searches_for(request.user), pk=pk)
    services.mark_search_run(search=search_obj)
    criteria = PersonCriteria.from_dict(search_obj.criteria)
    return redirect(reverse("partners:search") + "?" + criteria_query(request, criteria) + "&nama=" + str(pk))


@sector_page
@require_POST
def delete_saved_search(request, pk: int):
    search_obj = get_object_or_404(saved_searches_for(request.user), pk=pk)
    services.delete_search(search=search_obj, by=request.user)
    messages.success(request, _("Pencarian dihapus."))
    return redirect(reverse("partners:search"))


def _search_id(value: str) -> str:
    """The saved search's id as given in ``?nama=`` (what the access log keeps), or '' for anything else."""
    return value if re.fullmatch(r"[0-9]{1,12}", value) else ""


@sector_page
def export(request):
    """The current search as xlsx (the sector's columns, NIK as text); written to the access log."""
    allowed = fields_for(request.user, request.sector)
    form = PersonSearchForm(request.GET, user=request.user, allowed=allowed)
    criteria = form.to_criteria()
    content, rows = export_persons(by=request.user, criteria=criteria, allowed=allowed,
                                   today=timezone.localdate(), request=request,
                                   search_name=_search_id(request.GET.get("nama", "")))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="kpm-{request.sector or "semua"}-{stamp}.xlsx"'
    response["X-Rows"] = str(rows)
    return response


@sector_page
def household(request, pk: int):
    """One household with the sector's fields and the services recorded for it; a partner's read is logged."""
    household_obj = get_object_or_404(households_for(request.user).select_related("region__parent"), pk=pk)
    allowed = fields_for(request.user, request.sector)
    today = timezone.localdate()
    members = list(partner_persons(request.user, today=today, with_stunting="stunting_risk" in allowed.person)
                   .filter(household=household_obj).order_by("birth_date", "pk"))
    members.sort(key=lambda m: m.relation != Relation.HEAD)
    household_obj.member_count = len(members)
    log_access(user=request.user, action=AccessLog.Action.VIEW_DETAIL, object_type="household",
               object_id=household_obj.pk, request=request, sector=allowed.sector, via="partners")
    context = {
        "household": household_obj, "h": household_values(household_obj, allowed), "fields": allowed,
        "members": [{"id": m.pk, "p": person_values(m, allowed, today=today)} for m in members],
        "interventions": interventions_for_household(request.user, household_obj),
        "agency": agency_of(request.user), "sector": request.sector,
    }
    return render(request, "partners/household.html", context)


@sector_page
def record_intervention(request, household_id: int):
    """Record a service of the user's agency for a household (preselect a member with ?person=ID)."""
    agency = agency_of(request.user)
    if agency is None:
        raise PermissionDenied
    household_obj = get_object_or_404(households_for(request.user).select_related("region"), pk=household_id)
    members = list(household_obj.members.order_by("birth_date"))
    form = InterventionForm(request.POST or None, sector=agency.sector, members=members,
                            initial={"person": request.GET.get("person")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = next((m for m in members if m.pk == data["person"]), None)
        try:
            services.record_intervention(by=request.user, household=household_obj, person=person, kind=data["kind"],
                                         delivered_on=data["delivered_on"], place=data["place"], notes=data["notes"])
        except services.PartnerError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Layanan dicatat."))
            return redirect(request.GET.get("next") if _safe_next(request) else
                            reverse("partners:household", args=[household_obj.pk]))
    allowed = fields_for(request.user, request.sector)
    context = {"form": form, "household": household_obj, "agency": agency,
               "h": household_values(household_obj, allowed), "sector": request.sector}
    return render(request, "partners/intervention_form.html", context)


def _safe_next(request) -> bool:
    return bool(re.fullmatch(r"/mitra/[A-Za-z0-9/_.?=&%+-]*", request.GET.get("next", "")))


@login_required
def interventions(request):
    """Services recorded: a partner its agency's, staff everything in scope; counted per agency, region, kind."""
    user = request.user
    if not user.has_role(Role.PARTNER, Role.MANAGER, Role.OPERATOR, Role.AUDITOR):
        raise PermissionDenied
    qs = interventions_for(user).order_by("-delivered_on", "-pk")
    kind = request.GET.get("jenis", "")
    if kind in InterventionKind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "counts": intervention_counts(user), "agency": agency_of(user), "kind": kind,
               "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)}
    return render(request, "partners/interventions.html", context)


@login_required
def api_page(request):
    """How a partner system connects: token, endpoints, curl examples, the DCI search."""
    if not request.user.has_role(Role.PARTNER, Role.MANAGER, Role.OPERATOR, Role.AUDITOR):
        raise PermissionDenied
    base = request.build_absolute_uri("/api/v1/").rstrip("/")
    allowed = fields_for(request.user)
    return render(request, "partners/api.html", {"base": base, "fields": allowed, "agency": agency_of(request.user),
                                                 "username": request.user.get_username(), "sector": allowed.sector})


def household_interventions_context(user, household) -> dict:
    """Context of ``partners/_household_interventions.html`` (the registry's household page includes it)."""
    return {"partner_interventions": interventions_for_household(user, household)[:50]}

