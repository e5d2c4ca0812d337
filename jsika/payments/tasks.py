"""Background work of payments: thin wrappers around services."""

from django_tasks import task

from .bankfiles import run_reconciliation_job


@task()
def import_reconciliation_task(job_id: str) -> None:
    run_reconciliation_job(job_id=job_id)
