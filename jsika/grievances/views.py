"""The staff grievance pages: the queue with its SLA clocks, one grievance with its timeline, and its actions."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jsika.core.access_log import log_access
from jsika.core.models import AccessLog
from jsika.core.roles import FULL_NIK_READERS, Role
from jsika.registry.forms import region_choices
from jsika.registry.queries import households_for

from . import forms, links, permissions, queries, services
from .models import Status
from .uploads import CONTENT_TYPES

PAGE_SIZE = 25


def queue_required(view):
    """Logged in, and a role the grievance pages are for: 403 otherwise."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.sees_queue(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


@queue_required
def queue(request):
    """Grievances in the user's scope, earliest deadline first; htmx asks only for the table."""
    user = request.user
    form = forms.QueueFilterForm(request.GET, region_choices=region_choices(user))
    base = queries.grievances_for(user)
    qs = queries.queue_order(form.to_filter().apply(base, user=user), user=user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form, "page": page, "now": timezone.now(), "counts": queries.queue_counts(base),
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "is_facilitator": user.role == Role.FACILITATOR and not user.is_superuser,
        "is_province_manager": permissions.is_province_manager(user),
        "query": request.GET.urlencode(),
    }
    template = "grievances/_queue_table.html" if request.htmx else "grievances/queue.html"
    return render(request, template, context)


# --- one grievance ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActionSpec:
    label: str
    make_form: Callable
    run: Callable  # (grievance, user, cleaned_data) -> object
    done: str
    refusal: Callable = permissions.handle_refusal
    when: Callable = lambda g: g.is_open  # noqa: E731 - whether the action makes sense in the grievance's state


def _close(g, by, d):
    fn = services.resolve if d["decision"] == Status.RESOLVED else services.reject
    return fn(grievance=g, by=by, outcome=d["outcome"], outcome_note=d["outcome_note"],
              public_response=d["public_response"])


def _facilitators(g):
    return (get_user_model().objects.filter(is_active=True, role=Role.FACILITATOR)
            .filter(scope__in=[g.region_id[:n] for n in (2, 5, 8, 13)]).order_by("username"))


ACTIONS = {
    "tanggapi": ActionSpec(
        gettext_lazy("Tanggapi"), lambda g, data=None: forms.OptionalNoteForm(data, prefix="ack"),
        lambda g, by, d: services.acknowledge(grievance=g, by=by, note=d["note"]),
        gettext_lazy("Pengaduan ditanggapi; batas waktu tanggapan terpenuhi."),
        when=lambda g: g.status == Status.RECEIVED),
    "periksa": ActionSpec(
        gettext_lazy("Mulai pemeriksaan"), lambda g, data=None: forms.OptionalNoteForm(data, prefix="inv"),
        lambda g, by, d: services.start_investigation(grievance=g, by=by, note=d["note"]),
        gettext_lazy("Status: sedang diperiksa."),
        when=lambda g: g.status in (Status.RECEIVED, Status.ACKNOWLEDGED)),
    "tugaskan": ActionSpec(
        gettext_lazy("Tugaskan"),
        lambda g, data=None: forms.AssignForm(data, prefix="asg", users=queries.assignable_users(g)),
        lambda g, by, d: services.assign(grievance=g, assignee=d["assignee"], by=by, note=d["note"]),
        gettext_lazy("Pengaduan ditugaskan.")),
    "catatan": ActionSpec(
        gettext_lazy("Tambah catatan"), lambda g, data=None: forms.NoteForm(data, prefix="note"),
        lambda g, by, d: services.add_note(grievance=g, by=by, note=d["note"]),
        gettext_lazy("Catatan disimpan."), permissions.note_refusal, when=lambda g: True),
    "kaitkan": ActionSpec(
        gettext_lazy("Kaitkan keluarga"), lambda g, data=None: forms.LinkHouseholdForm(data, prefix="kk"),
        lambda g, by, d: services.link_household(grievance=g, no_kk=d["no_kk"], by=by),
        gettext_lazy("Pengaduan dikaitkan dengan keluarga."), when=lambda g: True),
    "terlapor": ActionSpec(
        gettext_lazy("Catat pendamping yang diadukan"),
        lambda g, data=None: forms.SubjectForm(data, prefix="subj", users=_facilitators(g)),
        lambda g, by, d: services.set_subject_facilitator(grievance=g, facilitator=d["facilitator"], by=by),
        gettext_lazy("Pendamping yang diadukan dicatat; pengaduan ini tersembunyi darinya."),
        when=lambda g: g.category == "facilitator"),
    "tanggapan": ActionSpec(
        gettext_lazy("Perbarui tanggapan publik"), lambda g, data=None: forms.ResponseForm(
            data, prefix="resp", initial={"text": g.public_response}),
        lambda g, by, d: services.update_public_response(grievance=g, by=by, text=d["text"]),
        gettext_lazy("Tanggapan publik diperbarui.")),
    "tutup": ActionSpec(
        gettext_lazy("Tutup pengaduan"), lambda g, data=None: forms.CloseForm(data, prefix="close"), _close,
        gettext_lazy("Pengaduan ditutup.")),
    "eskalasi": ActionSpec(
        gettext_lazy("Eskalasi ke provinsi"), lambda g, data=None: forms.ReasonForm(data, prefix="esc"),
        lambda g, by, d: services.escalate(grievance=g, by=by, reason=d["reason"]),
        gettext_lazy("Pengaduan dieskalasi ke provinsi."), when=lambda g: g.is_open and not g.escalated),
    "buka": ActionSpec(
        gettext_lazy("Buka kembali"), lambda g, data=None: forms.ReasonForm(data, prefix="reopen"),
        lambda g, by, d: services.reopen(grievance=g, by=by, reason=d["reason"]),
        gettext_lazy("Pengaduan dibuka kembali."), when=lambda g: not g.is_open),
}


def _household_card(g, user) -> dict | None:
    if not g.household_id:
        return None
    household = households_for(user).filter(pk=g.household_id).select_related("region__parent").first()
    if household is None:
        return {"out_of_scope": True}
    return {
        "household": household, "head": household.head,
        "enrollments": links.household_enrollments(household, user),
        "payments": links.household_payments(household, user),
    }


def detail_context(request, g, bound: dict | None = None) -> dict:
    user = request.user
    bound = bound or {}
    can_handle = permissions.handle_refusal(user, g) is None
    can_note = permissions.note_refusal(user, g) is None
    allowed = {name for name, spec in ACTIONS.items() if spec.when(g) and spec.refusal(user, g) is None}
    action_forms = {name: bound.get(name) or ACTIONS[name].make_form(g) for name in allowed}
    sees_identity = user.is_superuser or user.role in FULL_NIK_READERS
    if sees_identity and (g.nik or g.no_kk or g.contact or g.reporter_name) and not bound:
        log_access(user=user, action=AccessLog.Action.VIEW_DETAIL, object_type="grievance", object_id=g.pk,
                   request=request)
    return {
        "g": g, "now": timezone.now(), "events": g.events.select_related("by"), "forms": action_forms,
        "can_handle": can_handle, "can_note": can_note, "sees_identity": sees_identity,
        "household_card": _household_card(g, user),
        "is_closed": not g.is_open,
    }


@queue_required
def detail(request, pk):
    """One grievance in the user's reach (404 otherwise), its timeline and the actions the user may take."""
    g = get_object_or_404(queries.grievances_for(request.user).select_related("household", "subject_facilitator"),
                          pk=pk)
    return render(request, "grievances/detail.html", detail_context(request, g))


@queue_required
@require_POST
def act(request, pk, action):
    """Run one action through its service; on a refusal the page comes back with the message (400)."""
    g = get_object_or_404(queries.grievances_for(request.user), pk=pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    refusal = spec.refusal(request.user, g)
    if refusal:
        raise PermissionDenied(refusal)
    form = spec.make_form(g, request.POST)
    if form.is_valid():
        try:
            spec.run(g, request.user, form.cleaned_data)
        except services.GrievanceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, str(spec.done))
            return redirect("grievances:detail", pk=g.pk)
    g.refresh_from_db()
    messages.error(request, _("%(action)s tidak dapat dilakukan; lihat pesan pada formulirnya.") % {
        "action": spec.label})
    return render(request, "grievances/detail.html", detail_context(request, g, bound={action: form}), status=400)


@queue_required
def photo(request, pk):
    """The grievance's photo, only for those who may read the grievance; each view is logged."""
    g = get_object_or_404(queries.grievances_for(request.user), pk=pk)
    if not g.photo:
        raise Http404
    ext = g.photo.name.rsplit(".", 1)[-1].lower()
    log_access(user=request.user, action=AccessLog.Action.VIEW_DETAIL, object_type="grievance_photo",
               object_id=g.pk, request=request)
    response = FileResponse(g.photo.open("rb"), content_type=CONTENT_TYPES.get(ext, "application/octet-stream"))
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response
