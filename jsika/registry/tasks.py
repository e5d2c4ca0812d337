"""Background work of the registry: thin wrappers around services."""

from django_tasks import task

from .services import run_family_import_job


@task()
def import_family_file_task(job_id: str) -> None:
    run_family_import_job(job_id=job_id)
