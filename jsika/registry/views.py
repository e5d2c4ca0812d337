from datetime import date
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from jsika.core.access_log import log_access
from jsika.core.models import AccessLog
from jsika.core.roles import FULL_NIK_READERS, REGISTRY_WRITERS, Role
from jsika.core.views import reads_registry

from . import queries
from .forms import HouseholdFilterForm
from .models import Person, Relation
from .timeline import household_timeline
from .views_import import EXPORT_ROLES

PAGE_SIZE = 25
# Roles that read a household's change history (the auditor above all); partners and pendamping do not.
HISTORY_READERS = {Role.MANAGER, Role.OPERATOR, Role.AUDITOR}
RELATION_ORDER = {value: i for i, value in enumerate(Relation.values)}


def registry_reader_required(view):
    """Logged in, and a role that reads the registry (banks never do): 403 otherwise."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not reads_registry(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


def may_see_full_nik(user) -> bool:
    return user.is_superuser or user.role in FULL_NIK_READERS


def with_list_columns(qs, today: date):
    """Head of household, member count and criteria flags for the list, computed in the same query."""
    head = Person.objects.filter(household=OuterRef("pk"), relation=Relation.HEAD)
    flags = {
        "has_hamil": queries.pregnant_q(), "has_balita": queries.toddler_q(today),
        "has_lansia": queries.elderly_q(today), "has_disabilitas": queries.disability_q(),
        "has_sd": queries.school_q("sd"), "has_smp": queries.school_q("smp"), "has_sma": queries.school_q("sma"),
    }
    return qs.select_related("region__parent").annotate(
        head_name=Subquery(head.values("name")[:1]),
        head_nik=Subquery(head.values("nik")[:1]),
        # A correlated count, not Count("members"): no GROUP BY, so the page's LIMIT stays cheap.
        member_count=Subquery(
            Person.objects.filter(household=OuterRef("pk")).order_by().values("household")
            .annotate(n=Count("pk")).values("n")[:1]
        ),
        **{name: ExpressionWrapper(q, output_field=BooleanField()) for name, q in flags.items()},
    )


def partners_go_to_their_views(view):
    """Partner agencies read KPM through /mitra/, which shows only the fields their sector needs."""
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role == Role.PARTNER and not request.user.is_superuser:
            if "pk" in kwargs:
                return redirect("partners:household", pk=kwargs["pk"])
            return redirect("partners:home")
        return view(request, *args, **kwargs)
    wrapper.__name__, wrapper.__doc__ = view.__name__, view.__doc__
    return wrapper


@partners_go_to_their_views
@registry_reader_required
def household_list(request):
    """Households in the user's scope, filtered; htmx asks only for the results table."""
    form = HouseholdFilterForm(request.GET, user=request.user)
    households = form.to_filter().apply(queries.households_for(request.user))
    households = with_list_columns(households, date.today()).order_by("region_id", "no_kk")
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form, "page": page,
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "writes_registry": request.user.is_superuser or request.user.role in REGISTRY_WRITERS,
        "exports_registry": request.user.is_superuser or request.user.role in EXPORT_ROLES,
    }
    template = "registry/_household_table.html" if request.htmx else "registry/household_list.html"
    return render(request, template, context)


def member_rows(household, today: date) -> list[dict]:
    members = sorted(household.members.all(), key=lambda m: (RELATION_ORDER.get(m.relation, 99), m.birth_date))
    return [{"person": m, "age": m.age_on(today)} for m in members]


def household_criteria(rows: list[dict]) -> dict:
    """What a clerk filters by, read off this household's members."""
    school = {level: sum(r["person"].school_status == level for r in rows) for level in ("sd", "smp", "sma")}
    return {
        "hamil": sum(r["person"].pregnant for r in rows),
        "balita": sum(r["age"] < 5 for r in rows),
        "lansia": sum(r["age"] >= 60 for r in rows),
        "disabilitas": sum(r["person"].disabled for r in rows),
        **school,
        "nik_mismatch": sum(bool(r["person"].nik_mismatch) for r in rows),
    }


@partners_go_to_their_views
@registry_reader_required
def household_detail(request, pk):
    """One household in scope (404 outside it, never a hint that it exists), its members and history."""
    user = request.user
    household = get_object_or_404(
        queries.households_for(user).select_related("region__parent__parent__parent").prefetch_related("members"),
        pk=pk,
    )
    rows = member_rows(household, date.today())
    if user.role == Role.PARTNER:
        log_access(user=user, action=AccessLog.Action.VIEW_DETAIL, object_type="household",
                   object_id=household.pk, request=request)
    region_chain = []
    region = household.region
    while region is not None:
        region_chain.append(region)
        region = region.parent
    shows_history = user.is_superuser or user.role in HISTORY_READERS
    context = {
        "household": household, "rows": rows, "criteria": household_criteria(rows),
        "region_chain": region_chain,
        "may_see_full_nik": may_see_full_nik(user),
        "shows_contact": user.role != Role.PARTNER,
        "shows_payments": user.role != Role.PARTNER,
        "shows_history": shows_history,
        "timeline": household_timeline(household) if shows_history else [],
    }
    return render(request, "registry/household_detail.html", context)


@require_POST
@registry_reader_required
def reveal_nik(request, pk):
    """The full NIK of one member, for roles allowed to see it; every view is logged (UU PDP)."""
    person = get_object_or_404(queries.persons_for(request.user), pk=pk)
    if not may_see_full_nik(request.user):
        raise PermissionDenied
    log_access(user=request.user, action=AccessLog.Action.VIEW_NIK, object_type="person",
               object_id=person.pk, request=request)
    return HttpResponse(format_html('<span class="nik nik-full">{}</span>', person.nik))
