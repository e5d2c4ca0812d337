"""The criteria a KPM household is coloured by on the map, as conditions on ``Household`` (one definition
for the map's points and for the per-region counts behind its circles)."""

from datetime import date

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from jsika.registry.models import SchoolStatus
from jsika.registry.queries import members_where, pregnant_q

# Enrollments that hold a slot: the household is a KPM.
KPM_STATUSES = ("approved", "active", "suspended")
CRITERIA = ("status", "hamil", "putus_sekolah", "siap_graduasi")


def _years_ago(years: int, today: date) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def dropout_q(today: date) -> Q:
    """A child of school age (7–18) who no longer goes to school (putus sekolah)."""
    return Q(members_where(school_status=SchoolStatus.LEFT, birth_date__gt=_years_ago(19, today),
                           birth_date__lte=_years_ago(7, today)))


def graduation_installed() -> bool:
    return apps.is_installed("jsika.graduation")


def ready_q() -> Q:
    """The household's latest assessment says ready to graduate (never true without the graduation app)."""
    if not graduation_installed():
        return Q(pk__in=[])
    assessment = apps.get_model("graduation", "Assessment")
    later = assessment.objects.filter(
        Q(assessed_on__gt=OuterRef("assessed_on")) | Q(assessed_on=OuterRef("assessed_on"), pk__gt=OuterRef("pk")),
        household_id=OuterRef("household_id"))
    return Q(Exists(assessment.objects.filter(household_id=OuterRef("pk"), band="ready").exclude(Exists(later))))


def kpm_q(program_id: int | None = None, status: str | None = None) -> Q:
    """The household is a KPM (of ``program_id`` when given; in ``status`` when given)."""
    enrollment = apps.get_model("programs", "Enrollment")
    qs = enrollment.objects.filter(household_id=OuterRef("pk"))
    qs = qs.filter(status=status) if status else qs.filter(status__in=KPM_STATUSES)
    if program_id:
        qs = qs.filter(program_id=program_id)
    return Q(Exists(qs))


def household_criteria(today: date) -> dict[str, Q]:
    return {"hamil": pregnant_q(), "putus_sekolah": dropout_q(today), "siap_graduasi": ready_q()}
