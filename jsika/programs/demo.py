"""The demo presets: JSCM and Jamsosratu with their rules from the sources, and their KPM over the years.

JSCM's published KPM counts (2,440 in 2017, 1,709 in 2018, 1,686 in 2019) are reproduced by
start and exit dates: a KPM counts in a year when it was active on at least one day of it
(``queries.kpm_count``). The 2017 cohort starts in early 2017; some leave on 31 December 2017 and
31 December 2018, a few new families join in 2018 and 2019. Those active in 2019 stay active
(the current JSCM cycles pay them); at least 201 of them live in Kecamatan Pulomerak (36.72.03).

Jamsosratu (since 2013) gets cohorts across Banten: some left at tenure end or graduated, most
active since 2022–2025. A handful of Cilegon families are in both programs (old data), so the
overlap report has something to show; a few proposals wait for verification and approval.
"""

import random
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from jsika.core.demo import bulk_insert_with_history, fresh_statistics
from jsika.core.scoping import region_q
from jsika.registry.models import Household, Person

from . import services
from .models import (
    SLOT_STATUSES,
    BenefitRule,
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
    ExitReason,
    Program,
    add_years,
)
from .queries import waiting_list

CILEGON = "36.72"
PULOMERAK = "36.72.03"
JSCM_KPM = {2017: 2440, 2018: 1709, 2019: 1686}
JSCM_JOINERS = {2018: 69, 2019: 77}  # new families those years (the net decline matches the published counts)
PULOMERAK_2019_MIN = 201  # paid Rp500,000 each on 20 November 2019
SOURCE_JSCM = "BantenNews 20/11/2019: Rp1 juta setahun (2017–2018), Rp500 ribu (2019)"

# Synthetic per-component amounts in the PKH style (the sources give no Jamsosratu amounts per component).
JAMSOSRATU_COMPONENTS_2013 = {
    "hamil": 1_000_000, "anak_usia_dini": 1_000_000, "sd": 450_000, "smp": 750_000, "sma": 1_000_000,
    "disabilitas_berat": 1_200_000, "lansia": 1_200_000,
}

S = EnrollmentStatus
A = EnrollmentEvent.Action


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def _random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _user(username: str):
    return get_user_model().objects.filter(username=username, is_active=True).first()


def create_presets(*, admin) -> tuple[Program, Program]:
    """Jamsosratu and JSCM with their rules (through the services, as a manager would)."""
    jamsosratu = services.create_program(
        by=admin, code="JAMSOSRATU", name="Jaminan Sosial Rakyat Banten Bersatu (Jamsosratu)", owner_region="36",
        start_year=2013, tenure_years=5, cycles_per_year=4, bank_code="BRI", desil_max=4, exclude_pkh=True,
        description="Bantuan sosial non-tunai bersyarat Pemerintah Provinsi Banten sejak 2013, replikasi PKH; "
                    "cost sharing provinsi dan kab/kota.",
    )
    services.set_funding_shares(program=jamsosratu, by=admin, shares=[("36", 60), (None, 40)])
    services.set_bank_overrides(program=jamsosratu, by=admin, overrides={"36.72": "BJB", "36.03": "BANTEN"})
    services.set_benefit_rule(program=jamsosratu, by=admin, year=2013, kind=BenefitRule.Kind.PER_COMPONENT,
                              component_amounts=JAMSOSRATU_COMPONENTS_2013, max_components=4,
                              note="Nominal contoh model PKH (data sintetis)")
    services.set_benefit_rule(program=jamsosratu, by=admin, year=2021, kind=BenefitRule.Kind.FLAT,
                              amount_rupiah=1_000_000, note="2021: Rp1.000.000 per KPM")

    jscm = services.create_program(
        by=admin, code="JSCM", name="Jaminan Sosial Cilegon Mandiri (JSCM)", owner_region=CILEGON,
        start_year=2017, tenure_years=5, cycles_per_year=1, bank_code="BJB", desil_max=4, exclude_pkh=True,
        excluded_programs=[jamsosratu],
        description="Replikasi Jamsosratu oleh Pemerintah Kota Cilegon sejak 2017, dibiayai penuh APBD Kota "
                    "Cilegon; rekening Bank BJB dibuka gratis untuk KPM.",
    )
    services.set_funding_shares(program=jscm, by=admin, shares=[(CILEGON, 100)])
    for year, amount in ((2017, 1_000_000), (2018, 1_000_000), (2019, 500_000)):
        services.set_benefit_rule(program=jscm, by=admin, year=year, kind=BenefitRule.Kind.FLAT,
                                  amount_rupiah=amount, note=SOURCE_JSCM)
    return jamsosratu, jscm


class _Batch:
    """Enrollments and their events, inserted in bulk with history."""

    def __init__(self, admin):
        self.admin = admin
        self.rows: list[tuple[Enrollment, list[tuple]]] = []

    def add(self, *, program, household_id, started_on, ended_on=None, exit_reason="", status=None, reason=""):
        proposed = started_on - timedelta(days=60)
        enrollment = Enrollment(
            program=program, household_id=household_id,
            status=status or (S.EXITED if exit_reason else S.ACTIVE), exit_reason=exit_reason,
            proposed_by=self.admin, proposed_at=_at(proposed), verified_by=self.admin,
            verified_at=_at(proposed + timedelta(days=14)), approved_by=self.admin,
            approved_at=_at(proposed + timedelta(days=30)), started_on=started_on,
            tenure_ends_on=add_years(started_on, program.tenure_years), ended_on=ended_on,
        )
        events = [(A.IMPORTED, "", S.ACTIVE, reason, _at(started_on))]
        if enrollment.status == S.SUSPENDED:
            events.append((A.SUSPENDED, S.ACTIVE, S.SUSPENDED, "Tidak memenuhi komitmen satu tahap (demo)",
                           _at(started_on + timedelta(days=200))))
        if exit_reason:
            events.append((A.EXITED, S.ACTIVE, S.EXITED, str(ExitReason(exit_reason).label), _at(ended_on, 16)))
        self.rows.append((enrollment, events))

    def save(self) -> int:
        made = bulk_insert_with_history([e for e, _ in self.rows], Enrollment, by=self.admin, reason="seed_demo")
        bulk_insert_with_history(
            [EnrollmentEvent(enrollment_id=e.pk, action=a, from_status=f, to_status=t, reason=r, by=self.admin, at=at)
             for e, (_, events) in zip(made, self.rows, strict=True) for a, f, t, r, at in events],
            EnrollmentEvent, history=False)
        return len(made)


def _ordered(qs, rng: random.Random) -> list[tuple[int, str, int]]:
    """(id, region code, desil) of households, poorest first, shuffled within a desil."""
    rows = list(qs.values_list("pk", "region_id", "desil"))
    rng.shuffle(rows)
    rows.sort(key=lambda r: r[2] if r[2] is not None else 11)
    return rows


def _leavers(candidates: list[tuple[int, str, int]], count: int, rng: random.Random) -> set[int]:
    """Who leaves: richest first, Pulomerak last (its 2019 payment is a published figure)."""
    keyed = sorted(candidates, key=lambda r: (r[1].startswith(PULOMERAK + "."), -(r[2] or 0), rng.random()))
    return {r[0] for r in keyed[:count]}


def _exit_reason(rng: random.Random) -> str:
    return rng.choices([ExitReason.GRADUATED, ExitReason.INELIGIBLE, ExitReason.MOVED, ExitReason.DIED],
                       weights=[70, 15, 10, 5])[0]


def seed_jscm(*, program: Program, admin, rng: random.Random) -> dict[int, int]:
    """JSCM KPM 2017–2019 over Cilegon households; returns the target count per year (scaled down if too few)."""
    pool = _ordered(Household.objects.filter(region_q("region_id", CILEGON)), rng)
    needed = JSCM_KPM[2017] + sum(JSCM_JOINERS.values())
    factor = min(1.0, len(pool) / needed)
    target = {y: round(n * factor) for y, n in JSCM_KPM.items()}
    joiners = {y: round(n * factor) for y, n in JSCM_JOINERS.items()}
    cohort17 = pool[:target[2017]]
    join18 = pool[target[2017]:target[2017] + joiners[2018]]
    join19 = pool[target[2017] + joiners[2018]:target[2017] + joiners[2018] + joiners[2019]]

    left17 = _leavers(cohort17, target[2017] + len(join18) - target[2018], rng)
    still = [r for r in cohort17 if r[0] not in left17] + join18
    left18 = _leavers(still, target[2018] + len(join19) - target[2019], rng)

    batch = _Batch(admin)
    reason = "Data KPM JSCM (demo, sesuai angka 2017–2019)"
    for rows, year in ((cohort17, 2017), (join18, 2018), (join19, 2019)):
        for pk, _region, _desil in rows:
            started = _random_day(rng, date(year, 1, 15), date(year, 4, 30))
            ended = date(2017, 12, 31) if pk in left17 else date(2018, 12, 31) if pk in left18 else None
            batch.add(program=program, household_id=pk, started_on=started, ended_on=ended,
                      exit_reason=_exit_reason(rng) if ended else "", reason=reason)
    batch.save()
    for year, slots in target.items():
        services.set_quota(program=program, by=admin, year=year, region=CILEGON, slots=slots)
    return target


def seed_jamsosratu(*, program: Program, jscm: Program, admin, rng: random.Random, today: date) -> int:
    """Jamsosratu cohorts across Banten (outside the JSCM families), plus a few Cilegon overlaps."""
    in_jscm = Enrollment.objects.filter(program=jscm).values("household_id")
    base = Household.objects.filter(region_q("region_id", "36"), desil__lte=4).exclude(pk__in=in_jscm)
    outside = _ordered(base.exclude(region_q("region_id", CILEGON)), rng)
    cilegon = _ordered(base.filter(region_q("region_id", CILEGON)), rng)[:40]
    chosen = outside[:round(len(outside) * 0.7)] + cilegon
    batch = _Batch(admin)
    for pk, _region, _desil in chosen:
        draw = rng.random()
        if draw < 0.15:
            started = _random_day(rng, date(2013, 3, 1), date(2013, 10, 31))
            batch.add(program=program, household_id=pk, started_on=started, ended_on=add_years(started, 5),
                      exit_reason=ExitReason.TENURE_ENDED, reason="Kohort Jamsosratu 2013 (demo)")
        elif draw < 0.30:
            started = _random_day(rng, date(2016, 2, 1), date(2016, 8, 31))
            batch.add(program=program, household_id=pk, started_on=started, ended_on=date(2021, 6, 30),
                      exit_reason=ExitReason.GRADUATED, reason="Graduasi 2021 (demo)")
        else:
            started = _random_day(rng, date(2022, 1, 10), min(date(2025, 12, 15), today))
            status = S.SUSPENDED if rng.random() < 0.03 else S.ACTIVE
            batch.add(program=program, household_id=pk, started_on=started, status=status,
                      reason="KPM Jamsosratu aktif (demo)")
    # Old data: a few families also active in JSCM (outside Pulomerak), for the overlap report.
    doubles = (Enrollment.objects.filter(region_q("household__region_id", CILEGON), program=jscm, status=S.ACTIVE)
               .exclude(region_q("household__region_id", PULOMERAK)).order_by("pk")
               .values_list("household_id", flat=True)[:10])
    for pk in doubles:
        batch.add(program=program, household_id=pk, started_on=_random_day(rng, date(2023, 1, 10), date(2023, 6, 30)),
                  reason="Data lama: terdaftar juga di JSCM (demo laporan tumpang tindih)")
    return batch.save()


def _current_quotas(program: Program, level_codes: list[str], year: int, slack: int, admin) -> None:
    for code in level_codes:
        used = (Enrollment.objects.filter(program=program, status__in=SLOT_STATUSES)
                .filter(region_q("household__region_id", code)).count())
        if used:
            services.set_quota(program=program, by=admin, year=year, region=code, slots=used + slack)


def seed_pending(*, jscm: Program, jamsosratu: Program, admin) -> int:
    """A few proposals waiting for verification and for approval, made through the services."""
    made = 0
    plan = [(jscm, "operator.cilegon", "dinsos.cilegon", CILEGON), (jamsosratu, "operator.lebak", "dinsos.banten",
                                                                    "36.02")]
    for program, proposer_name, checker_name, area in plan:
        proposer, checker = _user(proposer_name), _user(checker_name)
        if not proposer or not checker:
            continue
        households = list(waiting_list(program, area)[:12])
        for i, household in enumerate(households):
            enrollment = services.propose_enrollment(household=household, program=program, by=proposer,
                                                     reason="Hasil musyawarah kelurahan (demo)")
            if i % 2:
                services.verify_enrollment(enrollment=enrollment, by=checker, reason="Data sesuai kunjungan")
            made += 1
    return made


def seed_programs(ctx=None, /, *, admin=None, rng: random.Random | None = None, today: date | None = None) -> str:
    """The demo step: presets, KPM history and pending proposals; skipped when JSCM exists.

    Call as a seed_demo step (``seed_programs(ctx)``) or directly (``seed_programs(admin=…, rng=…)``).
    """
    if ctx is not None:
        admin, rng, today = ctx.admin, random.Random(ctx.seed), ctx.today
    rng = rng or random.Random(20170101)
    today = today or timezone.localdate()
    if Program.objects.filter(code="JSCM").exists():
        return "dilewati: program JSCM sudah ada"
    jamsosratu, jscm = create_presets(admin=admin)
    target = seed_jscm(program=jscm, admin=admin, rng=rng)
    n_jamsosratu = seed_jamsosratu(program=jamsosratu, jscm=jscm, admin=admin, rng=rng, today=today)
    fresh_statistics(Household, Person, Enrollment, EnrollmentEvent)  # the waiting lists below join them
    _current_quotas(jscm, [CILEGON], today.year, slack=20, admin=admin)
    _current_quotas(jamsosratu, ["36.01", "36.02", "36.03", "36.04", "36.71", "36.72", "36.73", "36.74"],
                    today.year, slack=10, admin=admin)
    pending = seed_pending(jscm=jscm, jamsosratu=jamsosratu, admin=admin)
    counts = " / ".join(f"{n:,}".replace(",", ".") + f" ({y})" for y, n in target.items())
    return (f"JSCM dan Jamsosratu: KPM JSCM {counts}; {n_jamsosratu} kepesertaan Jamsosratu; "
            f"{pending} usulan menunggu verifikasi/persetujuan")
