"""Background work of grievances: thin wrappers around services (schedule it daily)."""

from django_tasks import task

from .services import escalate_overdue


@task()
def escalate_overdue_grievances_task() -> int:
    return escalate_overdue()
