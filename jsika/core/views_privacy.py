"""Pages of personal-data duties (UU PDP): the data-subject report."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .masking import mask_number
from .subject_report import SubjectNotFound, find_person, may_request, subject_report_pdf


def find_person_or_none(*, user, person_id):
    if not person_id:
        return None
    try:
        person = find_person(user=user, person_id=person_id)
    except SubjectNotFound:
        return None
    person.masked_nik = mask_number(person.nik)
    return person


@login_required
def subject_report(request):
    """GET: the form (NIK typed, sent by POST, never in a URL). POST: the PDF of everything held on it."""
    if not may_request(request.user):
        raise PermissionDenied
    if request.method != "POST":
        # From a household page: the member is named by our own id (never the NIK) and confirmed by POST.
        person = find_person_or_none(user=request.user, person_id=request.GET.get("person"))
        return render(request, "core/subject_report_form.html", {"person": person})
    nik = "".join(ch for ch in request.POST.get("nik", "") if ch.isdigit())
    try:
        pdf, person = subject_report_pdf(user=request.user, nik=nik, person_id=request.POST.get("person"),
                                         request=request)
    except SubjectNotFound:
        return render(request, "core/subject_report_form.html",
                      {"error": _("NIK tidak ditemukan di wilayah Anda.")}, status=404)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="laporan-subjek-data-{person.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
