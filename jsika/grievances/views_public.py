"""The public grievance pages (no login): file a grievance, and read its status by ticket. No personal data shown."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from jsika.regions.models import Region

from . import permissions, queries, services, throttle
from .forms import PublicGrievanceForm, TicketLookupForm, child_choices
from .models import OPEN_STATUSES, Status
from .tickets import normalize_ticket

# Service field → form field, for the errors a filing can raise.
FORM_FIELDS = {"region": "region", "program": "program", "category": "category", "description": "description",
               "nik": "nik", "no_kk": "no_kk", "photo": "photo", "contact": "contact",
               "reporter_name": "reporter_name"}


def _too_many(request, message: str):
    response = render(request, "grievances/public_limited.html", {"message": message}, status=429)
    response["Retry-After"] = "3600"
    return response


def _form_page(request, form, lookup=None, status=200):
    return render(request, "grievances/public_form.html",
                  {"form": form, "lookup": lookup or TicketLookupForm()}, status=status)


@never_cache
def file_grievance(request):
    """The filing form; a valid filing answers with the new ticket's status page."""
    if request.method != "POST":
        return _form_page(request, PublicGrievanceForm())
    address = throttle.client_address(request)
    # Staff recording a complaint received by phone share one office address: no per-address limit for them.
    staff = permissions.is_handler(request.user)
    if not staff:
        if throttle.attempts().exceeded(address):
            return _too_many(request, _("Terlalu banyak percobaan pengiriman dari jaringan Anda. Coba lagi nanti."))
        throttle.attempts().hit(address)
        if throttle.filings().exceeded(address):
            return _too_many(request, _("Sudah terlalu banyak pengaduan dari jaringan Anda dalam satu jam terakhir. "
                                        "Coba lagi nanti, atau hubungi call center 171."))
    form = PublicGrievanceForm(request.POST, request.FILES)
    if form.is_valid() and form.check_challenge():
        d = form.cleaned_data
        try:
            grievance = services.file_grievance(
                category=d["category"], region=d["region"], description=d["description"],
                program_code=d["program"], nik=d["nik"], no_kk=d["no_kk"], reporter_name=d["reporter_name"],
                contact=d["contact"], anonymous=d["anonymous"], photo=d.get("photo"),
                by=request.user if staff else None,
            )
        except services.FilingError as exc:
            form.add_error(FORM_FIELDS.get(exc.field), str(exc))
        else:
            if not staff:
                throttle.filings().hit(address)
            return redirect(reverse("grievances_public:status", args=[grievance.ticket]) + "?baru=1")
    form.renew_challenge()
    return _form_page(request, form, status=400)


@require_GET
def region_options(request):
    """The ``<option>``s of the next select of the region cascade (htmx), and a reset of the desa select."""
    kecamatan = request.GET.get("kecamatan", "")
    if kecamatan:
        return render(request, "grievances/_region_options.html",
                      {"choices": child_choices(kecamatan, Region.Level.VILLAGE)})
    return render(request, "grievances/_region_options.html", {
        "choices": child_choices(request.GET.get("kabkota", ""), Region.Level.DISTRICT),
        "reset_villages": child_choices("", Region.Level.VILLAGE),
    })


@require_GET
def lookup(request):
    """The "check status" box: to the ticket's page, or back with a message."""
    form = TicketLookupForm(request.GET)
    ticket = normalize_ticket(request.GET.get("tiket")) if form.is_valid() else None
    if ticket:
        return redirect("grievances_public:status", ticket=ticket)
    address = throttle.client_address(request)
    if throttle.misses().exceeded(address):
        return _too_many(request, _("Terlalu banyak nomor tiket yang tidak ditemukan dari jaringan Anda. "
                                    "Coba lagi nanti."))
    throttle.misses().hit(address)
    form.add_error("tiket", _("Nomor tiket tidak dikenal. Periksa kembali, contoh: JSK-7F3K-9QX2-M4PA."))
    new = PublicGrievanceForm()
    return _form_page(request, new, lookup=form, status=404)


STEPS = [Status.RECEIVED, Status.ACKNOWLEDGED, Status.INVESTIGATING]


def progress_steps(status: str) -> list[dict]:
    """The status as steps a person can follow: received → acknowledged → being checked → closed."""
    order = {s: i for i, s in enumerate(STEPS)}
    position = order.get(status, len(STEPS))
    steps = [{"label": s.label, "done": i < position, "current": i == position} for i, s in enumerate(STEPS)]
    final = Status(status).label if status not in OPEN_STATUSES else Status.RESOLVED.label
    steps.append({"label": final, "done": False, "current": position == len(STEPS)})
    return steps


@never_cache
@require_GET
def status(request, ticket: str):
    """The public status of one ticket: category, status, dates and the public response — nothing else."""
    address = throttle.client_address(request)
    if throttle.misses().exceeded(address):
        return _too_many(request, _("Terlalu banyak nomor tiket yang tidak ditemukan dari jaringan Anda. "
                                    "Coba lagi nanti."))
    canonical = normalize_ticket(ticket)
    if canonical and canonical != ticket:
        return redirect("grievances_public:status", ticket=canonical)
    grievance = queries.public_status(canonical) if canonical else None
    if grievance is None:
        throttle.misses().hit(address)
        response = render(request, "grievances/public_not_found.html", {"lookup": TicketLookupForm()}, status=404)
        response["X-Robots-Tag"] = "noindex"
        return response
    response = render(request, "grievances/public_status.html", {
        "g": grievance, "is_new": request.GET.get("baru") == "1", "steps": progress_steps(grievance.status),
        "is_closed": grievance.status not in OPEN_STATUSES,
    })
    response["X-Robots-Tag"] = "noindex"
    return response
