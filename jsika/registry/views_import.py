"""Pages for importing and exporting the family data file."""

import csv
import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jsika.core.models import Job
from jsika.core.roles import Role
from jsika.core.scoping import can_write_registry, code_in_scope

from .fileformat import COLUMNS, OPTIONAL, REQUIRED
from .services import IMPORT_KIND, export_family_file, start_family_import

EXPORT_ROLES = {Role.MANAGER, Role.OPERATOR, Role.AUDITOR}


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Berkas data keluarga (CSV atau XLSX)"))
    dry_run = forms.BooleanField(label=gettext_lazy("Uji coba saja: periksa tanpa menyimpan"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(_("Hanya berkas .csv atau .xlsx yang diterima."))
        limit = settings.REGISTRY_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(_(
                "Berkas %(size)s MB melebihi batas unggah %(limit)s MB. Pecah berkasnya, atau minta admin "
                "menjalankan perintah import_registry untuk berkas besar."
            ) % {"size": upload.size // 2**20, "limit": limit // 2**20})
        if upload.size == 0:
            raise forms.ValidationError(_("Berkas kosong."))
        return upload


def _require_importer(user):
    if not can_write_registry(user):
        raise PermissionDenied


@login_required
def import_start(request):
    """Upload a file; the import runs in the background and the job page shows its progress."""
    _require_importer(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_family_import(uploaded=form.cleaned_data["file"], by=request.user,
                                  dry_run=form.cleaned_data["dry_run"])
        return redirect("registry:import_job", job_id=job.pk)
    recent = Job.objects.filter(user=request.user, kind=IMPORT_KIND)[:10]
    return render(request, "registry/import_start.html", {
        "form": form, "recent": recent, "required": REQUIRED, "optional": OPTIONAL,
    })


def _own_job(request, job_id) -> Job:
    job = get_object_or_404(Job, pk=job_id, kind=IMPORT_KIND)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return job


@login_required
def import_job(request, job_id):
    return render(request, "registry/import_job.html", {"job": _own_job(request, job_id)})


@login_required
def import_rejects(request, job_id):
    """The rejects CSV of one import, only for the user who ran it."""
    job = _own_job(request, job_id)
    if not job.output_file:
        raise Http404
    return FileResponse(job.output_file.open("rb"), as_attachment=True,
                        filename=f"penolakan-{Path(job.params.get('file', 'data')).stem}.csv",
                        content_type="text/csv; charset=utf-8")


@login_required
def import_template(request):
    """An empty family data file with every column, to fill in a spreadsheet."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="contoh-data-keluarga.csv"'
    response.write("\ufeff")
    csv.writer(response).writerow(COLUMNS)
    return response


@login_required
def export(request):
    """The family data file of the rows in the user's scope (every export is logged)."""
    user = request.user
    if not (user.is_superuser or user.role in EXPORT_ROLES):
        raise PermissionDenied
    wilayah = request.GET.get("wilayah", "").strip()
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx") or (wilayah and not wilayah.replace(".", "").isdigit()):
        return HttpResponse(_("Format atau kode wilayah tidak valid."), status=400)
    if wilayah and user.scope and not (code_in_scope(wilayah, user.scope) or code_in_scope(user.scope, wilayah)):
        raise PermissionDenied
    out = tempfile.NamedTemporaryFile(suffix=f".{fmt}", delete=False)  # noqa: SIM115 - handed to FileResponse
    out.close()
    export_family_file(by=user, out=out.name, wilayah=wilayah, fmt=fmt, request=request)
    name = f"data-keluarga-{wilayah or user.scope or 'semua'}-{timezone.localdate():%Y%m%d}.{fmt}"
    response = FileResponse(open(out.name, "rb"), as_attachment=True, filename=name)  # noqa: SIM115
    Path(out.name).unlink()  # the open handle keeps the data readable until the response is sent (POSIX)
    return response
