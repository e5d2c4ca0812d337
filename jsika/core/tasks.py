"""Background work of core: thin wrappers around services (schedule apply_retention monthly)."""

from django_tasks import task

from .management.users import user_or_superuser
from .retention import apply_retention


@task()
def apply_retention_task(username: str | None = None) -> dict:
    """The retention run as a background task; returns the counts."""
    from dataclasses import asdict

    return asdict(apply_retention(by=user_or_superuser(username)))
