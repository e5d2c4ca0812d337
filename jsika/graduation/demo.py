"""The demo step of graduation: assessments over the years, graduations against the 2021 target, UEP grants.

- Instrument version 2 (from 2023: savings and debts weigh more) beside version 1, so old scores keep theirs.
- Yearly assessments of every Jamsosratu and JSCM KPM during its enrollment (at most the last five), scored
  by the same arithmetic as the services; families that graduated rise to "siap graduasi".
- A graduation decision for every enrollment the programs demo ended as *graduated* (Jamsosratu's 2016
  cohort on 30 June 2021, JSCM leavers of 2017–2018): *alamiah* when the tenure was reached, else *mandiri*.
  Banten's 2021 target of 2,500 Jamsosratu graduations is set as published; the demo has fewer families,
  so the progress shows the real ratio.
- UEP grants for most 2021 graduates of the kab/kota whose demo staff can run a UEP cycle (three people:
  Kota Cilegon and Kabupaten Lebak), within a 2021 budget, paid through UEP cycles of the payments module
  (bank file, reconciliation with a few GAGAL re-issued a month later: ``payments.demo.seed_uep_cycles``),
  followed up at 3, 6 and 12 months (most businesses still running); a few proposals and applications
  wait for today's demo users (pendamping.pulomerak, operator.cilegon → dinsos.cilegon).
"""

import random
import uuid
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from jsika.core.demo import bulk_insert_with_history
from jsika.core.scoping import code_in_scope
from jsika.fieldwork.models import CaseloadAssignment
from jsika.programs import services as program_services
from jsika.programs.models import Enrollment, EnrollmentStatus, ExitReason, Program

from . import grants, queries, services
from .models import (
    FOLLOW_UP_MONTHS,
    Assessment,
    Band,
    BusinessType,
    Graduation,
    GraduationKind,
    Grant,
    GrantFollowUp,
    add_months,
)
from .scoring import indicators_of, normalized_answers, score_answers

TARGET_2021 = 2500  # Banten's published 2021 Jamsosratu graduation target
UEP_2021_PER_KPM = 1_500_000  # synthetic: the sources give the target, not the grant size
MAX_ASSESSMENTS = 5
V2_FROM = date(2023, 1, 1)


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def _user(username: str):
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def create_version_2(*, admin):
    """Version 2 from 2023: P2K2's financial literacy module made savings and debts weigh more."""
    spec = services.instrument_spec(services.instrument_on(date(2022, 12, 31)))
    for item in spec:
        if item["code"] == "tabungan":
            item["weight"] = 3
        if item["code"] == "utang":
            item["weight"] = 2
    draft = services.create_instrument_version(
        by=admin, valid_from=V2_FROM, indicators=spec, name="Asesmen kemandirian keluarga (revisi 2023)",
        description="Revisi 2023: bobot tabungan dan utang dinaikkan sesuai modul ekonomi P2K2 (data sintetis).")
    return services.publish_instrument(instrument=draft, by=admin)


class _Scorer:
    """Answers of a wanted quality (a latent level 0–1) for an instrument version, scored exactly."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.versions = {}
        self.options = {}  # instrument pk → [(indicator, options, top score)]
        self.scores = {}  # (instrument pk, chosen option ids) → result: the demo repeats answers a lot

    def instrument(self, day: date):
        key = day >= V2_FROM
        if key not in self.versions:
            self.versions[key] = services.instrument_on(day)
        return self.versions[key]

    def _options(self, instrument) -> list:
        if instrument.pk not in self.options:
            self.options[instrument.pk] = [(i, options, max(o.score for o in options)) for i in
                                           indicators_of(instrument) for options in [list(i.options.all())]]
        return self.options[instrument.pk]

    def score(self, instrument, answers: dict):
        key = (instrument.pk, tuple(answers.values()))
        if key not in self.scores:
            self.scores[key] = score_answers(instrument, answers)
        return self.scores[key]

    def answers(self, instrument, level: float) -> dict:
        chosen = {}
        for indicator, options, top in self._options(instrument):
            want = min(1.0, max(0.0, level + self.rng.gauss(0, 0.15)))
            chosen[indicator.code] = min(options, key=lambda o: (abs(o.score / top - want), o.score)).pk
        return chosen

    def assess(self, day: date, level: float, *, ready: bool = False):
        """(instrument, answers, result); ``ready`` retries upwards until the band is 'siap graduasi'."""
        instrument = self.instrument(day)
        for attempt in range(8):
            answers = self.answers(instrument, level + 0.05 * attempt if ready else level)
            result = self.score(instrument, answers)
            if not ready or result.band == Band.READY:
                return instrument, answers, result
        answers = {i.code: max(i.options.all(), key=lambda o: o.score).pk for i in indicators_of(instrument)}
        return instrument, answers, score_answers(instrument, answers)


def _assessment_days(enrollment: Enrollment, end: date, rng: random.Random) -> list[date]:
    days, k = [], 0
    while True:
        day = add_months(enrollment.started_on, 10 + 12 * k) + timedelta(days=rng.randrange(0, 45))
        if day >= end:
            break
        days.append(day)
        k += 1
    if enrollment.exit_reason == ExitReason.GRADUATED and (not days or (end - days[-1]).days > 120):
        days.append(end - timedelta(days=rng.randrange(20, 60)))
    return [d for d in days if d >= enrollment.started_on][-MAX_ASSESSMENTS:]


def seed_assessments(*, programs, assessors: dict, admin, rng: random.Random, today: date,
                     mandiri_share: float = 0.1) -> list[Assessment]:
    """Yearly assessments of every KPM during its enrollment; returns them (saved, with history)."""
    scorer = _Scorer(rng)
    caseload = dict(CaseloadAssignment.objects.filter(ended_at__isnull=True)
                    .values_list("household_id", "facilitator_id"))
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=set(caseload.values()))}
    rows = []
    enrollments = (Enrollment.objects.filter(program__in=programs, started_on__isnull=False)
                   .select_related("household").order_by("pk"))
    for e in enrollments.iterator(chunk_size=2000):
        end = min(e.ended_on or today, today)
        days = _assessment_days(e, end, rng)
        if not days:
            continue
        graduated = e.exit_reason == ExitReason.GRADUATED
        climbs = graduated or (e.status == EnrollmentStatus.ACTIVE and rng.random() < mandiri_share)
        level = rng.uniform(0.1, 0.35)
        step = (0.85 - level) / max(1, len(days) - 1) if climbs else rng.uniform(0.02, 0.1)
        assessor = users.get(caseload.get(e.household_id)) or _assessor_for(e.household.region_id, assessors, admin)
        for i, day in enumerate(days):
            last_two = i >= len(days) - 2 and len(days) >= 2
            instrument, answers, result = scorer.assess(day, level + step * i, ready=climbs and (last_two or
                                                                                                 len(days) == 1))
            stored = normalized_answers(instrument, answers)
            rows.append(Assessment(
                household_id=e.household_id, enrollment=e, instrument=instrument, assessed_on=day, assessor=assessor,
                answers=stored, score=result.score, band=result.band, client_id=_uuid(rng),
                received_at=_at(day, 15), content_hash=services._content_hash(
                    household=e.household_id, instrument=instrument.pk, assessed_on=day, answers=stored, notes="")))
    return bulk_insert_with_history(rows, Assessment, by=admin, reason="seed_demo")


def _assessor_for(region_code: str, assessors: dict, admin):
    for prefix, user in assessors.items():
        if user and code_in_scope(region_code, prefix):
            return user
    return admin


def _evidence(enrollment: Enrollment, latest: list[Assessment], on: date) -> dict:
    return {"on": on.isoformat(), "started_on": enrollment.started_on.isoformat(),
            "tenure_ends_on": enrollment.tenure_ends_on.isoformat(), "tenure_reached": enrollment.tenure_ends_on <= on,
            "assessments": [{"id": a.pk, "assessed_on": a.assessed_on.isoformat(), "score": str(a.score),
                             "band": a.band, "instrument": str(a.instrument), "instrument_id": a.instrument_id}
                            for a in latest]}


def seed_past_graduations(*, programs, proposers: dict, deciders: dict, admin) -> list[Graduation]:
    """An approved decision for every enrollment the programs demo ended as graduated (kept as history)."""
    exited = list(Enrollment.objects.filter(program__in=programs, exit_reason=ExitReason.GRADUATED,
                                            ended_on__isnull=False).select_related("program", "household"))
    latest = queries.latest_assessments([e.household_id for e in exited], per_household=8)
    rows = []
    for e in exited:
        during = [a for a in latest.get(e.household_id, []) if e.started_on <= a.assessed_on <= e.ended_on][:2]
        kind = GraduationKind.NATURAL if e.tenure_ends_on <= e.ended_on else GraduationKind.SELF_RELIANT
        proposer = _assessor_for(e.household.region_id, proposers, admin)
        decider = deciders[e.program.code]
        rows.append(Graduation(
            enrollment=e, household=e.household, program=e.program, kind=kind, status=Graduation.Status.APPROVED,
            reason="" if kind == GraduationKind.NATURAL else "Dua asesmen terakhir: siap graduasi",
            evidence=_evidence(e, during, e.ended_on - timedelta(days=30)), assessment=during[0] if during else None,
            proposed_by=proposer, proposed_at=_at(e.ended_on - timedelta(days=30)), decided_by=decider,
            decided_at=_at(e.ended_on, 14), decision_note="Data graduasi (demo)", graduated_on=e.ended_on))
    made = bulk_create_with_history(rows, Graduation, batch_size=1000, default_user=admin,
                                    default_change_reason="seed_demo")
    for g in made:
        g.certificate_number = services.certificate_number(g)
    Graduation.objects.bulk_update(made, ["certificate_number"], batch_size=1000)
    return made


BUSINESS_WEIGHTS = {BusinessType.SHOP: 30, BusinessType.FOOD: 25, BusinessType.LIVESTOCK: 12,
                    BusinessType.FARMING: 8, BusinessType.SERVICE: 10, BusinessType.CRAFT: 5, BusinessType.TRADE: 7,
                    BusinessType.FISHERY: 3}
PLANS = {
    BusinessType.SHOP: "Menambah barang dagangan warung sembako (beras, minyak, gula) dan etalase.",
    BusinessType.FOOD: "Gerobak dan peralatan untuk berjualan gorengan dan minuman di depan sekolah.",
    BusinessType.LIVESTOCK: "Membeli dua ekor kambing betina dan membuat kandang panggung.",
    BusinessType.FARMING: "Bibit cabai dan pupuk untuk lahan sewa 500 m².",
    BusinessType.SERVICE: "Mesin jahit portabel dan bahan untuk usaha permak pakaian.",
    BusinessType.CRAFT: "Bahan anyaman bambu dan pemasaran lewat kelompok usaha.",
    BusinessType.TRADE: "Sepeda dan kotak pendingin untuk berjualan es keliling.",
    BusinessType.FISHERY: "Jaring dan perbaikan perahu kecil.",
}


def seed_grants(*, graduations: list[Graduation], program: Program, year: int, budget_rupiah: int, applicant_for,
                decider, admin, rng: random.Random, today: date, share: float = 0.9) -> tuple[int, int, list[str]]:
    """UEP grants for ``share`` of the year's graduates where the demo has staff to pay them (``UEP_REGIONS``),
    approved within the year's budget, paid through UEP cycles of the payments module and followed up;
    (grants, follow-ups, a line per UEP cycle)."""
    from jsika.payments.demo import UEP_STAFF, seed_uep_cycles

    grants.set_grant_budget(by=decider, program=program, year=year, amount_rupiah=budget_rupiah,
                            note="Pagu contoh UEP (data sintetis)")
    chosen = [g for g in graduations if g.graduated_on.year == year and rng.random() < share
              and any(code_in_scope(g.household.region_id, region) for region in UEP_STAFF)]
    types, weights = list(BUSINESS_WEIGHTS), list(BUSINESS_WEIGHTS.values())
    rows, committed = [], 0
    for g in chosen:
        kind = rng.choices(types, weights)[0]
        applied = g.graduated_on + timedelta(days=rng.randrange(10, 40))
        decided = applied + timedelta(days=rng.randrange(7, 30))
        if date(year, 12, 31) > today:
            continue
        amount = rng.choice([1_000_000, 1_500_000, 1_500_000, 2_000_000, 2_500_000])
        rejected = rng.random() < 0.05
        if not rejected and committed + amount > budget_rupiah:
            break  # the budget is spent (only at --scale: the demo's own graduates fit it)
        committed += 0 if rejected else amount
        rows.append(Grant(
            household=g.household, program=program, graduation=g, business_type=kind, business_plan=PLANS[kind],
            location=g.household.address or g.household.region.name, amount_requested_rupiah=amount,
            amount_approved_rupiah=None if rejected else amount,
            income_before_rupiah=rng.randrange(1_000_000, 2_600_000, 50_000),
            status=Grant.Status.REJECTED if rejected else Grant.Status.APPROVED,
            budget_year=None if rejected else year, applied_by=applicant_for(g), applied_at=_at(applied),
            decided_by=decider, decided_at=_at(decided, 14),
            decision_note="Rencana usaha belum layak" if rejected else "Sesuai hasil verifikasi lapangan"))
    made = bulk_create_with_history(rows, Grant, batch_size=1000, default_user=admin, default_change_reason="seed_demo")
    cycles = seed_uep_cycles(program=program, year=year, admin=admin, rng=rng) if made else []
    follow_ups = []
    for grant in Grant.objects.filter(pk__in=[g.pk for g in made], status=Grant.Status.DISBURSED).order_by("pk"):
        running = True
        for months in FOLLOW_UP_MONTHS:
            due = add_months(grant.disbursed_on, months)
            if due > today or rng.random() < 0.06:  # not due yet, or the visit was missed
                continue
            running = running and rng.random() < {3: 0.92, 6: 0.9, 12: 0.86}[months]
            change = rng.uniform(0.08, 0.45) if running else -rng.uniform(0.0, 0.2)
            follow_ups.append(GrantFollowUp(
                grant=grant, months=months, visited_on=due + timedelta(days=rng.randrange(0, 14)),
                business_running=running, income_rupiah=round(grant.income_before_rupiah * (1 + change), -4),
                notes="" if running else "Modal habis untuk kebutuhan keluarga", recorded_by=grant.applied_by,
                recorded_at=_at(due + timedelta(days=14)), client_id=_uuid(rng)))
    bulk_create_with_history(follow_ups, GrantFollowUp, batch_size=1000, default_user=admin,
                             default_change_reason="seed_demo")
    return len(made), len(follow_ups), cycles


def seed_live_work(*, jscm: Program, jamsosratu: Program, today: date) -> dict:
    """Proposals, approvals, an application and re-entries made through the services, as demo users would."""
    pendamping, operator = _user("pendamping.pulomerak"), _user("operator.cilegon")
    manager = _user("dinsos.cilegon")
    done = {"proposed": 0, "approved": 0, "applied": 0, "reentries": 0}
    if not (pendamping and operator and manager):
        return done
    candidates = list(queries.graduation_candidates(pendamping, jscm, on=today)[:40])
    mandiri = [e for e in candidates if e.last_band == Band.READY and e.prev_band == Band.READY][:3]
    for e in mandiri:
        try:
            services.propose_graduation(by=pendamping, enrollment=e, kind=GraduationKind.SELF_RELIANT, on=today,
                                        reason="Usaha warung stabil; keluarga menyatakan siap mandiri")
        except services.GraduationError:
            continue
        done["proposed"] += 1
    others = [e for e in queries.graduation_candidates(operator, jscm, path="alamiah", on=today)
              .exclude(household__in=CaseloadAssignment.objects.filter(ended_at__isnull=True)
                       .values("household_id"))[:5]]
    for i, e in enumerate(others):
        g = services.propose_graduation(by=operator, enrollment=e, kind=GraduationKind.NATURAL, on=today)
        done["proposed"] += 1
        if i < 2:
            g = services.approve_graduation(graduation=g, by=manager, on=today, note="SK Kadinsos Cilegon (demo)")
            done["approved"] += 1
            if i == 0:
                grants.set_grant_budget(by=manager, program=jscm, year=today.year, amount_rupiah=250_000_000,
                                        note="Pagu UEP JSCM (data sintetis)")
                grants.apply_for_grant(by=operator, graduation=g, business_type=BusinessType.FOOD,
                                       business_plan=PLANS[BusinessType.FOOD], location=g.household.address or "-",
                                       amount_requested_rupiah=2_000_000, income_before_rupiah=1_700_000)
                done["applied"] += 1
    # Re-entry: a family that graduated from Jamsosratu in 2021 is proposed again (a new eligibility check).
    for g in Graduation.objects.filter(program=jamsosratu, status=Graduation.Status.APPROVED,
                                       household__region__code__startswith="36.72.").select_related("household"):
        try:
            program_services.propose_enrollment(household=g.household, program=jamsosratu, by=operator,
                                                reason="Usulan musyawarah kelurahan: usaha keluarga bangkrut")
        except program_services.ProgramError:
            continue
        done["reentries"] += 1
        if done["reentries"] == 2:
            break
    return done


def seed_graduation(ctx=None, /, *, admin=None, rng: random.Random | None = None, today: date | None = None) -> str:
    """The demo step: instrument v2, assessments, graduations against the 2021 target, UEP grants, live work.

    Call as a seed_demo step (``seed_graduation(ctx)``) or directly (``seed_graduation(admin=…, rng=…)``);
    skipped when assessments already exist or the programs demo has not run.
    """
    if ctx is not None:
        admin, rng, today = ctx.admin, random.Random(ctx.seed + 7), ctx.today
    rng = rng or random.Random(20210630)
    today = today or timezone.localdate()
    if Assessment.objects.exists():
        return "dilewati: asesmen sudah ada"
    jamsosratu = Program.objects.filter(code="JAMSOSRATU").first()
    jscm = Program.objects.filter(code="JSCM").first()
    if not jamsosratu or not jscm:
        return "dilewati: program Jamsosratu/JSCM belum ada"
    banten, cilegon = _user("dinsos.banten") or admin, _user("dinsos.cilegon") or admin
    # Who assessed, proposed and applied where (admin elsewhere), never the manager who decides (maker-checker).
    field = {"36.72": _user("operator.cilegon"), "36.02": _user("operator.lebak")}

    create_version_2(admin=admin)
    services.set_graduation_target(by=banten, program=jamsosratu, year=2021, region="36", target=TARGET_2021,
                                   note="Target Pemprov Banten 2021: 2.500 KPM graduasi, dilanjutkan UEP")
    services.set_graduation_target(by=banten, program=jamsosratu, year=today.year, region="36", target=1000,
                                   note="Target contoh (data sintetis)")
    services.set_graduation_target(by=cilegon, program=jscm, year=today.year, region="36.72", target=150,
                                   note="Target contoh (data sintetis)")
    assessments = seed_assessments(programs=[jamsosratu, jscm], assessors=field, admin=admin, rng=rng, today=today)
    past = seed_past_graduations(programs=[jamsosratu, jscm], proposers=field,
                                 deciders={"JAMSOSRATU": banten, "JSCM": cilegon}, admin=admin)
    graduated_2021 = [g for g in past if g.program_id == jamsosratu.pk]
    n_grants, n_follow_ups, uep_cycles = seed_grants(
        graduations=graduated_2021, program=jamsosratu, year=2021, budget_rupiah=TARGET_2021 * UEP_2021_PER_KPM,
        applicant_for=lambda g: _assessor_for(g.household.region_id, field, admin), decider=banten, admin=admin,
        rng=rng, today=today)
    live = seed_live_work(jscm=jscm, jamsosratu=jamsosratu, today=today)
    done_2021 = queries.graduations_in(jamsosratu, 2021).count()
    percent = f"{100 * done_2021 / TARGET_2021:.1f}".replace(".", ",")
    return (f"{len(assessments)} asesmen (instrumen v1 dan v2); graduasi Jamsosratu 2021: {done_2021} dari target "
            f"2.500 ({percent}%); {len(past)} graduasi tercatat; {n_grants} bantuan UEP, {n_follow_ups} tindak lanjut; "
            f"{'; '.join(uep_cycles) or 'tanpa tahap UEP'}; "
            f"{live['proposed']} usulan baru ({live['approved']} disetujui), {live['reentries']} masuk kembali")
