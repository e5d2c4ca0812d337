"""Downloading what a background job produced: only its owner (or a superuser) may."""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from .models import Job


@login_required
def job_download(request, job_id):
    job = get_object_or_404(Job, pk=job_id)
    if (job.user_id != request.user.pk and not request.user.is_superuser) or not job.output_file:
        raise Http404
    return FileResponse(job.output_file.open("rb"), as_attachment=True, filename=Path(job.output_file.name).name)
