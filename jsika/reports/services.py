"""Writes of the reports app: rebuilding the pre-aggregated figures, and reports built as background jobs."""

import logging
import time
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from jsika.core.models import Job

from . import documents, render
from .metrics import METRICS
from .models import CycleFact, FigureFact, FigureRefresh, RegionPoint
from .queries import user_root
from .sources import installed_sources
from .sources.common import roll_up_cycles, roll_up_months, roll_up_regions

log = logging.getLogger(__name__)

REFRESH_KIND = "dashboard_refresh"
REPORT_KIND = "report"


def refresh_figures(*, by=None, today: date | None = None, job: Job | None = None) -> FigureRefresh:
    """Rebuild every pre-aggregated table from the installed source apps, in one transaction.

    Readers keep seeing the previous figures until the new ones are committed. Each source inserts its
    base rows with ``INSERT … SELECT … GROUP BY``; months are summed into years and regions into their
    parents in the database.
    """
    today = today or timezone.localdate()
    started = time.perf_counter()
    sources = installed_sources()
    if job:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, total=len(sources) + 1, done=0)
    with transaction.atomic():
        run = FigureRefresh.objects.create(started_at=timezone.now(), by=by)
        FigureFact.objects.all().delete()
        CycleFact.objects.all().delete()
        RegionPoint.objects.all().delete()
        done = []
        for step, (_app, module) in enumerate(sources, start=1):
            if job:
                Job.objects.filter(pk=job.pk).update(stage=module, done=step - 1)
            import_string(f"jsika.reports.sources.{module}.refresh")(today)
            done.append(module)
        roll_up_months([m.code for m in METRICS if m.monthly and m.sum_months])
        roll_up_regions([m.code for m in METRICS if m.roll_regions])
        if "payments" in done:
            roll_up_cycles()
        run.finished_at = timezone.now()
        run.seconds = round(time.perf_counter() - started, 3)
        run.rows = FigureFact.objects.count() + CycleFact.objects.count() + RegionPoint.objects.count()
        run.sources = done
        run.save()
    if job:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, done=len(sources) + 1, stage="",
                                             result={"rows": run.rows, "seconds": run.seconds})
    log.info("figures refreshed: %s rows in %.1f s (%s)", run.rows, run.seconds, ", ".join(done))
    return run


def may_refresh(user) -> bool:
    return user.is_superuser or (user.role == "manager" and user_root(user) is not None)


def start_refresh(*, by) -> Job:
    """Queue a rebuild of the figures (a manager's button); the page polls the job."""
    if not may_refresh(by):
        raise PermissionDenied("Hanya pengelola program yang dapat memperbarui angka dasbor.")
    job = Job.objects.create(kind=REFRESH_KIND, user=by, params={"result_template": "reports/_refresh_result.html"})
    from .tasks import refresh_figures_task

    refresh_figures_task.enqueue(job_id=str(job.pk))
    return job


def run_refresh_job(*, job_id: str) -> None:
    job = Job.objects.select_related("user").get(pk=job_id)
    if job.finished:
        return
    try:
        refresh_figures(by=job.user, job=job)
    except Exception as exc:  # the job page shows the failure; the log keeps the trace
        log.exception("refresh of the figures failed")
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error=str(exc))
        raise


# --- reports --------------------------------------------------------------------------------------

def start_report(*, by, kind: str, fmt: str, params: dict) -> Job:
    """Check the request (kind available, region in scope) and queue the report; the page polls the job."""
    spec = documents.available_reports().get(kind)
    if spec is None:
        raise PermissionDenied("Jenis laporan tidak tersedia.")
    documents.check_request(by, kind, params)
    if fmt not in render.FORMATS:
        raise PermissionDenied("Format laporan tidak dikenal.")
    job = Job.objects.create(kind=REPORT_KIND, user=by, params={
        **params, "report": kind, "format": fmt, "title": str(spec.label),
        "result_template": "reports/_report_result.html"})
    from .tasks import build_report_task

    build_report_task.enqueue(job_id=str(job.pk))
    return job


def run_report_job(*, job_id: str) -> None:
    """The task body: gather the report's figures or list, render it, keep the file with the job."""
    job = Job.objects.select_related("user").get(pk=job_id)
    if job.finished:
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, stage="mengumpulkan data", total=3, done=0)
    try:
        document = documents.build(job.user, job.params["report"], job.params)
        Job.objects.filter(pk=job.pk).update(stage="menyusun berkas", done=1)
        content = render.render(document, job.params["format"])
        Job.objects.filter(pk=job.pk).update(stage="menyimpan", done=2)
        job.refresh_from_db()
        job.output_file.save(f"{document.file_stem}.{job.params['format']}", ContentFile(content), save=False)
        job.status, job.stage, job.done = Job.Status.DONE, "", 3
        job.result = {"rows": document.row_count, "file": f"{document.file_stem}.{job.params['format']}"}
        job.save()
        documents.log_export(job.user, document, job.params)
    except Exception as exc:  # shown on the job page; the log keeps the trace
        log.exception("report %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error=str(exc))
        raise
