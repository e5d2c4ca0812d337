"""Writes to the registry: importing and exporting family data files."""

import logging
import time
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from jsika.core.access_log import log_access
from jsika.core.models import AccessLog, Job
from jsika.core.scoping import can_write_registry

from .exporter import export_registry as write_family_file
from .fileformat import FileError
from .importer import ImportReport, Progress, RegistryImport
from .models import ImportRow

logger = logging.getLogger(__name__)
IMPORT_KIND = "import_registry"


def _job_progress(job: Job, echo: Progress | None = None, every: float = 0.5) -> Progress:
    """A progress callback that saves the job's stage/done/total at most every ``every`` seconds."""
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        if echo:
            echo(stage, done, total)
        now = time.monotonic()
        if now - last[0] < every and done < total:
            return
        last[0] = now
        job.stage, job.done, job.total = stage, done, total
        Job.objects.filter(pk=job.pk).update(stage=stage, done=done, total=total)

    return progress


def import_family_file(*, path: str | Path, by, dry_run: bool = False, rejects_path: str | Path | None = None,
                       progress: Progress | None = None, job: Job | None = None) -> tuple[ImportReport, Job]:
    """Import a family data file as ``by`` (scope applies per row). Raises FileError when unreadable.

    Households are written a batch at a time, each in one transaction; a rerun of the same file
    completes an interrupted import and otherwise changes nothing.
    """
    if not can_write_registry(by):
        raise PermissionDenied("Peran Anda tidak boleh mengimpor data keluarga.")
    forget_stalled_imports()
    if job is None:
        job = Job.objects.create(kind=IMPORT_KIND, user=by, params={"file": Path(path).name, "dry_run": dry_run})
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    job.status = Job.Status.RUNNING
    rejects = Path(rejects_path) if rejects_path else Path(path).with_suffix(".penolakan.csv")
    try:
        report = RegistryImport(job=job, path=path, by=by, dry_run=dry_run,
                                progress=_job_progress(job, progress)).run(rejects)
    except FileError as exc:
        _finish(job, status=Job.Status.FAILED, error=str(exc))
        raise
    except Exception:
        logger.exception("import %s failed", job.pk)
        _finish(job, status=Job.Status.FAILED, error="Terjadi kesalahan sistem saat impor; hubungi admin.")
        raise
    _finish(job, status=Job.Status.DONE, result=report.as_dict())
    return report, job


def forget_stalled_imports(after: timedelta = timedelta(minutes=30)) -> int:
    """Imports whose process died (no progress for ``after``) are marked failed and their staging rows dropped.

    Nothing of theirs is half-written: each batch of households was one transaction; importing the
    same file again completes the work.
    """
    stalled = Job.objects.filter(kind=IMPORT_KIND, status=Job.Status.RUNNING, updated_at__lt=timezone.now() - after)
    count = stalled.update(status=Job.Status.FAILED, error="Impor terhenti (proses berhenti). Impor ulang berkas "
                                                            "yang sama untuk menyelesaikannya.")
    ImportRow.objects.exclude(job__status=Job.Status.RUNNING).delete()
    return count


def _finish(job: Job, *, status: str, error: str = "", result: dict | None = None) -> None:
    job.status, job.error = status, error
    if result is not None:
        job.result = result
    fields = ["status", "error", "result", "updated_at"]
    if status == Job.Status.DONE:
        job.done = job.total
        fields.append("done")
    job.save(update_fields=fields)


def start_family_import(*, uploaded: UploadedFile, by, dry_run: bool = False) -> Job:
    """Keep the uploaded file with a new job and queue the import; the page polls the job."""
    if not can_write_registry(by):
        raise PermissionDenied("Peran Anda tidak boleh mengimpor data keluarga.")
    with transaction.atomic():
        job = Job(kind=IMPORT_KIND, user=by, params={
            "file": uploaded.name, "dry_run": dry_run, "result_template": "registry/_import_result.html"})
        job.input_file.save(Path(uploaded.name).name, uploaded, save=False)
        job.save()
    from .tasks import import_family_file_task

    import_family_file_task.enqueue(job_id=str(job.pk))
    return job


def run_family_import_job(*, job_id: str) -> None:
    """The task body: import the job's uploaded file and keep its rejects file with the job."""
    job = Job.objects.select_related("user").get(pk=job_id)
    if job.finished:
        return
    source = Path(job.input_file.path)
    rejects = source.with_name(source.stem + ".penolakan.csv")
    try:
        import_family_file(path=source, by=job.user, dry_run=job.params.get("dry_run", False),
                           rejects_path=rejects, job=job)
    except FileError:
        return  # the job carries the clerk's message
    with open(rejects, "rb") as fh:
        job.output_file.save(f"penolakan-{job.pk}.csv", File(fh), save=True)
    rejects.unlink(missing_ok=True)
    job.input_file.delete(save=True)  # the upload holds NIKs: keep it no longer than the import needs


def export_family_file(*, by, out: str | Path, wilayah: str = "", fmt: str = "csv", request=None) -> int:
    """Export the rows in ``by``'s scope; every export is written to the access log."""
    count = write_family_file(by=by, out=out, wilayah=wilayah, fmt=fmt)
    log_access(user=by, action=AccessLog.Action.EXPORT, object_type="registry", object_id=wilayah or by.scope or "*",
               request=request, rows=count, format=fmt, wilayah=wilayah)
    return count
