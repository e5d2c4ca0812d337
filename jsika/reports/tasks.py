"""Background work of the reports app: thin wrappers around services."""

from django_tasks import task

from .services import run_refresh_job, run_report_job


@task()
def refresh_figures_task(job_id: str) -> None:
    run_refresh_job(job_id=job_id)


@task()
def build_report_task(job_id: str) -> None:
    run_report_job(job_id=job_id)
