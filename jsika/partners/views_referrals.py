"""Referral pages: a pendamping or operator refers a family member; the agency accepts, acts, closes; managers
see the referrals still waiting past the limit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jsika.core.roles import Role
from jsika.registry.queries import persons_for

from . import services
from .forms import ActForm, CloseForm, DeclineForm, NoteForm, ReferralForm
from .models import PENDING_STATUSES, ReferralStatus
from .queries import agency_of, referrals_for, stale_after_days, stale_referrals

READER_ROLES = (Role.PARTNER, Role.FACILITATOR, Role.OPERATOR, Role.MANAGER, Role.AUDITOR)
PAGE_SIZE = 25


def _readers_only(user) -> None:
    if not user.has_role(*READER_ROLES):
        raise PermissionDenied


@login_required
def referral_list(request):
    """Referrals the user may read; ``?terlambat=1`` only those waiting past the limit."""
    user = request.user
    _readers_only(user)
    overdue = request.GET.get("terlambat") == "1"
    qs = stale_referrals(user) if overdue else referrals_for(user).order_by("-referred_at", "-pk")
    status = request.GET.get("status", "")
    if status in ReferralStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page, "overdue": overdue, "status": status, "statuses": ReferralStatus.choices,
        "stale_days": stale_after_days(), "stale_count": stale_referrals(user).count(),
        "agency": agency_of(user), "can_refer": user.has_role(*services.REFERRER_ROLES), "now": timezone.now(),
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }
    return render(request, "partners/referrals.html", context)


@login_required
def referral_new(request, person_id: int):
    """Refer one family member (in the referrer's caseload or scope) to an agency for a need."""
    user = request.user
    if not user.has_role(*services.REFERRER_ROLES):
        raise PermissionDenied
    person = get_object_or_404(persons_for(user).select_related("household__region"), pk=person_id)
    form = ReferralForm(request.POST or None, region_code=person.household.region_id,
                        initial={"need": request.GET.get("kebutuhan")})
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.refer(by=user, person=person, agency=form.cleaned_data["agency_obj"],
                                      need=form.cleaned_data["need"], description=form.cleaned_data["description"])
        except services.PartnerError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Rujukan dikirim ke %(agency)s.") % {"agency": referral.agency.name})
            return redirect(reverse("partners:referral_detail", args=[referral.pk]))
    return render(request, "partners/referral_form.html", {"form": form, "person": person})


ACTIONS = {
    "accept": (NoteForm, lambda r, u, d: services.accept_referral(referral=r, by=u, note=d["note"])),
    "act": (ActForm, lambda r, u, d: services.act_on_referral(referral=r, by=u, note=d["note"], kind=d["kind"],
                                                              delivered_on=d["delivered_on"], place=d["place"])),
    "close": (CloseForm, lambda r, u, d: services.close_referral(referral=r, by=u, outcome=d["outcome"],
                                                                 note=d["note"])),
    "decline": (DeclineForm, lambda r, u, d: services.decline_referral(referral=r, by=u, reason=d["reason"])),
}


def _form(name, referral, data=None):
    form_class = ACTIONS[name][0]
    if form_class is ActForm:
        return ActForm(data, sector=referral.agency.sector, prefix=name)
    return form_class(data, prefix=name)


@login_required
def referral_detail(request, pk: int):
    """One referral, its history, and (for the agency's members) the next steps."""
    user = request.user
    _readers_only(user)
    referral = get_object_or_404(referrals_for(user), pk=pk)
    is_agency = user.is_superuser or agency_of(user) == referral.agency
    forms = {}
    if request.method == "POST":
        name = request.POST.get("action", "")
        if name not in ACTIONS or not is_agency:
            raise PermissionDenied
        form = _form(name, referral, request.POST)
        if form.is_valid():
            try:
                ACTIONS[name][1](referral, user, form.cleaned_data)
            except services.PartnerError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Rujukan diperbarui."))
                return redirect(reverse("partners:referral_detail", args=[referral.pk]))
        forms[name] = form
    if is_agency:
        allowed = {ReferralStatus.OPEN: ("accept", "decline"), ReferralStatus.ACCEPTED: ("act", "close"),
                   ReferralStatus.ACTED: ("act", "close")}.get(referral.status, ())
        forms = {name: forms.get(name) or _form(name, referral) for name in allowed}
    context = {
        "referral": referral, "events": referral.events.select_related("by"), "forms": forms,
        "is_agency": is_agency, "pending": referral.status in PENDING_STATUSES,
        "overdue": referral.status in PENDING_STATUSES and referral.age_days() > stale_after_days(),
        "interventions": referral.interventions.select_related("agency").order_by("-delivered_on"),
    }
    return render(request, "partners/referral_detail.html", context)
