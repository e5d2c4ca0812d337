"""Background work of field work: thin wrappers around the compliance services (monthly runs)."""

from django.contrib.auth import get_user_model
from django_tasks import task

from . import compliance


@task()
def evaluate_compliance_task(*, period: str, user_id: int, program_id: int | None = None) -> dict:
    """Compute a month's commitment checks as ``user`` (their scope applies); returns the counts."""
    user = get_user_model().objects.get(pk=user_id)
    program = None
    if program_id is not None:
        from django.apps import apps

        program = apps.get_model("programs", "Program").objects.get(pk=program_id)
    result = compliance.evaluate_compliance(period=period, by=user, program=program)
    return {"period": result.period, "enrollments": result.enrollments, "counts": result.counts}
