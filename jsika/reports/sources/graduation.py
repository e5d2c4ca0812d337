"""Figures from graduation: approved graduations per month and kind, targets, KPM whose latest assessment says
ready, and UEP grants with the survival of the businesses at the 3, 6 and 12-month follow-ups."""

from datetime import date

from django.apps import apps
from django.db.models import CharField, Count, OuterRef, Subquery, Sum
from django.db.models.functions import Cast, ExtractYear

from ..models import FigureFact, region_level
from .common import by_month, grouped, insert_facts

READY = "ready"  # graduation.models.Band.READY
OPEN_KPM = ("active", "suspended")


def latest_band_subquery(household_ref: str = "household_id") -> Subquery:
    """The band of a household's most recent assessment."""
    assessment = apps.get_model("graduation", "Assessment")
    return Subquery(assessment.objects.filter(household_id=OuterRef(household_ref))
                    .order_by("-assessed_on", "-pk").values("band")[:1])


def graduations() -> int:
    graduation = apps.get_model("graduation", "Graduation")
    approved = graduation.objects.filter(status="approved", graduated_on__isnull=False)
    n = insert_facts(grouped(approved, value=Count("pk"), program="program_id", key="kind",
                             region="household__region_id", **by_month("graduated_on")), metric="graduations")
    rows = [FigureFact(metric="graduation_target", program_id=p, year=y, region_code=code, level=region_level(code),
                       value=value) for (p, y, code), value in targets().items()]
    FigureFact.objects.bulk_create(rows)
    enrollment = apps.get_model("programs", "Enrollment")
    ready = (enrollment.objects.filter(status__in=OPEN_KPM).annotate(band=latest_band_subquery())
             .filter(band=READY))
    n += insert_facts(grouped(ready, value=Count("pk"), program="program_id", region="household__region_id"),
                      metric="ready_to_graduate")
    return n + len(rows)


def _ancestors(code: str) -> list[str]:
    parts = code.split(".") if code else []
    return [".".join(parts[:i]) for i in range(len(parts))]


def targets() -> dict[tuple, int]:
    """Each target where it was set, and in every region above it that has none of its own: the sum of the
    nearest targets below (Banten's own 2,500 stands; without it, the kab/kota targets add up)."""
    target = apps.get_model("graduation", "GraduationTarget")
    explicit = {(t.program_id, t.year, t.region_id): t.target for t in target.objects.all()}
    out = dict(explicit)
    for (p, y, code), value in explicit.items():
        above = _ancestors(code)
        nearest_explicit = max((a for a in above if (p, y, a) in explicit), key=len, default=None)
        for ancestor in above:
            if (p, y, ancestor) in explicit:
                continue
            if nearest_explicit is not None and len(nearest_explicit) >= len(ancestor):
                continue  # an explicit target between this one and the ancestor already counts there
            out[(p, y, ancestor)] = out.get((p, y, ancestor), 0) + value
    return out


def grants() -> int:
    grant = apps.get_model("graduation", "Grant")
    follow_up = apps.get_model("graduation", "GrantFollowUp")
    disbursed = grant.objects.filter(status="disbursed", disbursed_on__isnull=False)
    common = {"program": "program_id", "year": ExtractYear("disbursed_on"), "region": "household__region_id"}
    n = insert_facts(grouped(disbursed, value=Count("pk"), **common), metric="uep_disbursed")
    n += insert_facts(grouped(disbursed, value=Sum("amount_approved_rupiah"), **common), metric="uep_disbursed_rupiah")
    checks = follow_up.objects.filter(grant__disbursed_on__isnull=False)
    on_grant = {"program": "grant__program_id", "year": ExtractYear("grant__disbursed_on"),
                "region": "grant__household__region_id", "key": Cast("months", output_field=CharField())}
    n += insert_facts(grouped(checks, value=Count("pk"), **on_grant), metric="uep_followups")
    return n + insert_facts(grouped(checks.filter(business_running=True), value=Count("pk"), **on_grant),
                            metric="uep_running")


def refresh(today: date) -> int:
    return graduations() + grants()
