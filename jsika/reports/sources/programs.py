"""Figures from programs and enrollments: KPM per year (the published JSCM counts), joiners and leavers per
month, enrollments by status, and the money the benefit rules call for, split between the funders."""

from datetime import date

from django.apps import apps
from django.db.models import Count, Min

from ..models import FigureFact
from .common import by_month, grouped, insert_facts


def _funding_split(shares, amount: int, region_code: str) -> list[tuple[str, int]]:
    """Whole rupiah per funder; an empty funder means the KPM's kab/kota; rounding goes to the first funder
    (the rule of ``programs.rules.funding_split``)."""
    parts = [(s.funder_region_id or region_code[:5], amount * s.percent // 100) for s in shares]
    if parts:
        parts[0] = (parts[0][0], parts[0][1] + amount - sum(p for _, p in parts))
    return parts


def _flat_amount(rules, year: int) -> int | None:
    """The flat yearly amount per KPM in force in ``year`` (None under a per-component rule)."""
    in_force = [r for r in rules if r.year <= year]
    if not in_force:
        return None
    rule = max(in_force, key=lambda r: r.year)
    return rule.amount_rupiah if rule.is_flat else None


def kpm_and_money(today: date) -> int:
    """``kpm`` (active at least one day of the year, as ``programs.queries.kpm_count``) and ``entitled_rupiah``.

    One grouped query per program and year; the rows (one per desa) are few whatever the registry size.
    """
    from jsika.programs.models import Enrollment, Program
    from jsika.programs.queries import active_during_q

    facts = []
    programs = Program.objects.prefetch_related("benefit_rules", "funding_shares")
    first_start = dict(Enrollment.objects.filter(started_on__isnull=False).values_list("program_id")
                       .annotate(first=Min("started_on")).order_by())
    for program in programs:
        if program.pk not in first_start:
            continue
        rules = list(program.benefit_rules.all())
        shares = sorted(program.funding_shares.all(), key=lambda s: (s.funder_region_id is None, s.funder_region_id))
        last = min(program.end_year or today.year, today.year)
        for year in range(min(program.start_year, first_start[program.pk].year), last + 1):
            amount = _flat_amount(rules, year) if year >= program.start_year else None
            rows = (Enrollment.objects.filter(program=program).filter(active_during_q(year))
                    .values_list("household__region_id").annotate(n=Count("pk")).order_by())
            for region, n in rows:
                facts.append(FigureFact(metric="kpm", program=program, year=year, region_code=region, level=4,
                                        value=n))
                if amount:
                    for funder, rupiah in _funding_split(shares, n * amount, region):
                        facts.append(FigureFact(metric="entitled_rupiah", program=program, year=year, key=funder,
                                                region_code=region, level=4, value=rupiah))
    FigureFact.objects.bulk_create(facts, batch_size=2000)
    return len(facts)


def refresh(today: date) -> int:
    enrollment = apps.get_model("programs", "Enrollment")
    started = enrollment.objects.filter(started_on__isnull=False)
    n = insert_facts(grouped(started, value=Count("pk"), program="program_id", region="household__region_id",
                             **by_month("started_on")), metric="kpm_started")
    n += insert_facts(grouped(started.filter(ended_on__isnull=False), value=Count("pk"), program="program_id",
                              region="household__region_id", **by_month("ended_on")), metric="kpm_ended")
    n += insert_facts(grouped(enrollment.objects.all(), value=Count("pk"), program="program_id", key="status",
                              region="household__region_id"), metric="enrollment_status")
    return n + kpm_and_money(today)
