"""The demo step for partners: agencies linked to the demo OPD accounts, services they gave KPM, and referrals
from the Pulomerak pendamping at every stage (some overdue), so the partner pages show something.

Runs after the accounts, families, caseload and programs steps (it serves KPM: households with an active
enrollment). Skips itself when the education agency already exists.
"""

import random
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from jsika.registry.models import Person, SchoolStatus

from . import services
from .models import Agency, Intervention, Referral, ReferralEvent, ReferralOutcome
from .queries import kpm_q, stunting_q, years_ago
from .sectors import InterventionKind as K
from .sectors import ReferralNeed, Sector

EDUCATION_AGENCY = "Dinas Pendidikan dan Kebudayaan Provinsi Banten"
HEALTH_AGENCY = "Dinas Kesehatan Provinsi Banten"
AGENCIES = [
    # name, short name, sector, region, demo account
    (EDUCATION_AGENCY, "Dindikbud Banten", Sector.EDUCATION, "36", "opd.pendidikan"),
    (HEALTH_AGENCY, "Dinkes Banten", Sector.HEALTH, "36", "opd.kesehatan"),
    ("Dinas Sosial Kota Cilegon", "Dinsos Cilegon", Sector.SOCIAL, "36.72", None),
    ("Dinas Kependudukan dan Pencatatan Sipil Kota Cilegon", "Disdukcapil Cilegon", Sector.CIVIL_REGISTRY, "36.72",
     None),
]
SCHOOLS = ["SMA Negeri 1 Cilegon", "SMA Negeri 2 Cilegon", "SMK Negeri 1 Cilegon", "SMA Negeri 1 Rangkasbitung",
           "SMK Negeri 2 Serang", "SMA Negeri 1 Pandeglang", "SMK Negeri 1 Kota Serang"]
CLINICS = ["Puskesmas Pulomerak", "Puskesmas Cilegon", "Puskesmas Citangkil", "Puskesmas Rangkasbitung",
           "Puskesmas Serang Kota", "Posyandu Melati"]
PENDAMPING = "pendamping.pulomerak"


def _user(username: str | None):
    if not username:
        return None
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _at(day: date, hour: int = 10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 0) + 1))


def create_agencies(*, admin) -> dict[str, Agency]:
    """The agencies, through the services, with the demo OPD accounts as members."""
    made = {}
    for name, short, sector, region, username in AGENCIES:
        agency = services.create_agency(by=admin, name=name, short_name=short, sector=sector, region=region)
        user = _user(username)
        if user is not None:
            services.link_partner(user=user, agency=agency, by=admin)
        made[sector] = agency
    return made


def seed_interventions(*, agencies: dict, rng: random.Random, today: date) -> int:
    """Services to KPM, inserted in bulk with history: SMA/SMK places, return to school, antenatal checks,
    supplementary food for toddlers at risk, JKN enrollment."""
    education, health = agencies[Sector.EDUCATION], agencies[Sector.HEALTH]
    by_education = education.memberships.select_related("user").first()
    by_health = health.memberships.select_related("user").first()
    if by_education is None or by_health is None:
        return 0
    kpm = Person.objects.filter(kpm_q()).select_related("household")
    season = (date(today.year, 5, 2), min(date(today.year, 7, 15), today))
    if season[1] < season[0]:
        season = (date(today.year - 1, 5, 2), date(today.year - 1, 7, 15))
    rows: list[Intervention] = []

    def add(agency, recorder, person, kind, day, place="", notes="", whole_household=False):
        rows.append(Intervention(agency=agency, household_id=person.household_id,
                                 person=None if whole_household else person, kind=kind, delivered_on=day,
                                 place=place, notes=notes, recorded_by=recorder, recorded_at=_at(day, 14)))

    finishing = list(kpm.filter(school_status=SchoolStatus.SMP, birth_date__lte=date(today.year - 14, 6, 30))
                     .order_by("pk")[:600])
    for person in finishing:
        if rng.random() < 0.45:
            add(education, by_education.user, person, K.SCHOOL_PLACE, _day_between(rng, *season), rng.choice(SCHOOLS),
                "Kursi jalur afirmasi KPM (demo)")
    dropouts = list(kpm.filter(school_status=SchoolStatus.LEFT, birth_date__gt=years_ago(19, today),
                               birth_date__lte=years_ago(7, today)).order_by("pk")[:200])
    for person in dropouts:
        if rng.random() < 0.3:
            add(education, by_education.user, person, K.BACK_TO_SCHOOL,
                _day_between(rng, today - timedelta(days=200), today), rng.choice(SCHOOLS),
                "Kembali sekolah lewat program kejar paket/afirmasi (demo)")
    pregnant = list(kpm.filter(pregnant=True).order_by("pk")[:600])
    for person in pregnant:
        for visit in range(rng.choice([0, 1, 1, 2, 3])):
            add(health, by_health.user, person, K.ANTENATAL_CHECK,
                _day_between(rng, today - timedelta(days=180 - 50 * visit), today - timedelta(days=130 - 50 * visit)),
                rng.choice(CLINICS), f"Kunjungan ANC ke-{visit + 1} (demo)")
        if rng.random() < 0.25:
            add(health, by_health.user, person, K.HEALTH_INSURANCE, _day_between(rng, today - timedelta(days=300),
                                                                                 today), "", "PBI JKN (demo)",
                whole_household=True)
    young = list(kpm.filter(birth_date__gt=years_ago(5, today)).order_by("pk")[:1000])
    toddlers = list(kpm.filter(stunting_q(today)).order_by("pk")[:300]) + rng.sample(young, min(150, len(young)))
    for person in toddlers:
        if rng.random() < 0.4:
            add(health, by_health.user, person, K.SUPPLEMENTARY_FOOD,
                _day_between(rng, today - timedelta(days=90), today), rng.choice(CLINICS), "PMT balita (demo)")
    made = bulk_create_with_history(rows, Intervention, batch_size=1000, default_change_reason="seed_demo")
    return len(made)


def seed_referrals(*, agencies: dict, rng: random.Random, today: date) -> int:
    """Referrals by the Pulomerak pendamping (through the services), moved to every stage; a few left overdue."""
    facilitator = _user(PENDAMPING)
    education, health = agencies[Sector.EDUCATION], agencies[Sector.HEALTH]
    edu_member = education.memberships.select_related("user").first()
    health_member = health.memberships.select_related("user").first()
    if facilitator is None or edu_member is None or health_member is None:
        return 0
    from jsika.registry.queries import persons_for

    caseload = persons_for(facilitator)
    plans = [(p, education, ReferralNeed.DROPOUT, edu_member.user)
             for p in caseload.filter(school_status=SchoolStatus.LEFT, birth_date__gt=years_ago(19, today),
                                      birth_date__lte=years_ago(7, today)).order_by("pk")[:8]]
    plans += [(p, health, ReferralNeed.ANTENATAL, health_member.user)
              for p in caseload.filter(pregnant=True).order_by("pk")[:8]]
    plans += [(p, health, ReferralNeed.STUNTING, health_member.user)
              for p in caseload.filter(birth_date__gt=years_ago(2, today)).order_by("pk")[:4]]
    made = 0
    for i, (person, agency, need, member) in enumerate(plans):
        if Referral.objects.filter(person=person, agency=agency, need=need).exists():
            continue
        referral = services.refer(by=facilitator, person=person, agency=agency, need=need,
                                  description="Ditemukan saat kunjungan rumah (demo).")
        age_days = rng.randint(1, 10) if i % 5 else rng.randint(20, 45)  # every fifth is overdue
        stage = i % 4
        if stage >= 1:
            services.accept_referral(referral=referral, by=member, note="Diterima, dijadwalkan (demo).")
        if stage >= 2:
            kind = K.BACK_TO_SCHOOL if agency.sector == Sector.EDUCATION else (
                K.ANTENATAL_CHECK if person.pregnant else K.SUPPLEMENTARY_FOOD)
            services.act_on_referral(referral=referral, by=member, note="Ditindaklanjuti (demo).", kind=kind,
                                     place=rng.choice(SCHOOLS if agency.sector == Sector.EDUCATION else CLINICS))
        if stage == 3 and i % 5:
            services.close_referral(referral=referral, by=member, outcome=ReferralOutcome.SERVED,
                                    note="Terlayani (demo).")
        start = timezone.now() - timedelta(days=age_days)
        Referral.objects.filter(pk=referral.pk).update(referred_at=start)
        for n, event in enumerate(referral.events.order_by("pk")):
            ReferralEvent.objects.filter(pk=event.pk).update(at=start + timedelta(hours=6 + 20 * n))
        made += 1
    return made


def seed_partners(ctx=None, /, *, admin=None, rng: random.Random | None = None, today: date | None = None) -> str:
    """The demo step: agencies with the OPD accounts, services to KPM, referrals; skipped when they exist.

    Call as a seed_demo step (``seed_partners(ctx)``) or directly (``seed_partners(admin=…, rng=…)``).
    """
    if ctx is not None:
        admin, rng, today = ctx.admin, random.Random(ctx.seed), ctx.today
    rng = rng or random.Random(20170101)
    today = today or timezone.localdate()
    if Agency.objects.filter(name=EDUCATION_AGENCY).exists():
        return "dilewati: instansi mitra sudah ada"
    agencies = create_agencies(admin=admin)
    interventions = seed_interventions(agencies=agencies, rng=rng, today=today)
    referrals = seed_referrals(agencies=agencies, rng=rng, today=today)
    return f"{len(agencies)} instansi mitra; {interventions} layanan tercatat; {referrals} rujukan"
