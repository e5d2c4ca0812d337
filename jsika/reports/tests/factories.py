"""A small world whose figures are computed by hand (see ``world``'s docstring), written directly as rows:
the workflows that create them are the source apps' business and are tested there."""

import hashlib
import uuid
from datetime import date, datetime, timedelta

from django.utils import timezone

from jsika.fieldwork.models import Attendance, CaseloadAssignment, ComplianceCheck, FamilySession, Module, Visit
from jsika.graduation.models import Assessment, Graduation, GraduationTarget, Grant, GrantFollowUp, Instrument
from jsika.grievances.models import Grievance
from jsika.payments.models import Payment, PaymentCycle, PaymentShare
from jsika.programs import services as program_services
from jsika.programs.models import BenefitRule, Enrollment, add_years
from jsika.programs.tests.factories import make_program
from jsika.registry.tests.factories import make_household, make_person, make_user

PASSWORD = "pw-jsika-test-2026"
PULOMERAK = "36.72.03.1001"  # Lebak Gede, Kecamatan Pulomerak, Kota Cilegon
CIWADUK = "36.72.01.1001"  # Kecamatan Cibeber, Kota Cilegon
MALINGPING = "36.02.01.2001"  # Kabupaten Lebak


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _hash() -> str:
    return hashlib.sha256(uuid.uuid4().bytes).hexdigest()


def users() -> dict:
    return {
        "admin": make_user("admin.r", "superuser", password=PASSWORD),
        "banten": make_user("mgr.banten.r", "manager", "36", password=PASSWORD),
        "cilegon": make_user("op.cilegon.r", "operator", "36.72", password=PASSWORD),
        "lebak": make_user("op.lebak.r", "operator", "36.02", password=PASSWORD),
        "pulomerak": make_user("mgr.pulomerak.r", "manager", "36.72.03", password=PASSWORD),
        "facilitator": make_user("pendamping.r", "facilitator", "36.72.03", password=PASSWORD),
        "bank": make_user("bank.r", "bank", "", bank_code="BJB", password=PASSWORD),
    }


def household(region: str, lat: float, lon: float, *, pregnant: bool = False, dropout: bool = False):
    h = make_household(region, desil=2, latitude=lat, longitude=lon, address="Jl. Contoh", rt="001", rw="002")
    make_person(h, name=f"Kepala {h.pk}", birth_date=date(1980, 5, 17))
    if pregnant:
        make_person(h, name=f"Ibu {h.pk}", sex="P", relation="istri", birth_date=date(1990, 1, 1), pregnant=True)
    if dropout:
        make_person(h, name=f"Anak {h.pk}", relation="anak", birth_date=date.today() - timedelta(days=365 * 14),
                    school_status="tidak sekolah lagi")
    return h


def kpm(program, h, by, started_on: date, *, ended_on: date | None = None, status: str = "active"):
    return Enrollment.objects.create(
        program=program, household=h, status="exited" if ended_on else status, proposed_by=by,
        exit_reason="graduated" if ended_on else "", started_on=started_on,
        tenure_ends_on=add_years(started_on, program.tenure_years), ended_on=ended_on)


def world() -> dict:
    """JSCM (Cilegon, 100% city, Rp1,000,000 in 2017–2018, Rp500,000 from 2019) and JSR (Banten, 60% province /
    40% the KPM's kab/kota, Rp1,000,000 from 2020), with:

    - h1 Pulomerak, JSCM from 2017-03-01, active, a pregnant mother;   h2 Pulomerak, JSCM 2017-02-01 → 2017-12-31
    - h3 Pulomerak, JSCM from 2018-05-01, suspended, a school dropout; h4 Ciwaduk (Cibeber), JSCM from 2019-01-10
    - h5 Lebak, JSR from 2020-02-01, active.
    JSCM KPM: 2017 = 2 (h1 h2), 2018 = 2 (h1 h3), 2019 = 3 (h1 h3 h4, Pulomerak 2). JSR: 1 a year from 2020.
    Compliance March 2019: school h1 met, h3 not met; P2K2 h4 met (h1's P2K2 unknown: not counted).
    Visits: h1 on 5 and 20 March 2019; h4 on 2 April 2019 entered 10 days late. One P2K2 session on
    10 March 2019 in Lebak Gede: h1 present, h2 absent. Caseload: h1 (active), h4 (ended).
    Graduation: h2 (mandiri, 2017-12-31), JSCM target 2017 in Cilegon 5; UEP grant to h2 disbursed 2018-02-01
    Rp2,000,000, running at 3 months, stopped at 6. h3's latest assessment says ready; h1's does not.
    Grievances: Lebak Gede "cut" filed 2019-03-01, closed 2019-03-05 on time; Ciwaduk "not_received" filed
    2019-04-01, open and overdue; Lebak "other" filed 2019-04-02, acknowledged, due in 2046.
    Payments: JSCM 2019 stage 1 over Cilegon, closed, paid on 20 Nov 2019: h1 paid, h3 failed, h4 paid,
    Rp500,000 each (Pulomerak: 2 payments, Rp1,000,000).
    """
    p = users()
    admin = p["admin"]
    jscm = make_program(admin, "JSCM", "36.72")
    program_services.set_benefit_rule(program=jscm, by=admin, year=2019, kind=BenefitRule.Kind.FLAT,
                                      amount_rupiah=500_000)
    program_services.set_funding_shares(program=jscm, by=admin, shares=[("36.72", 100)])
    jsr = make_program(admin, "JSR", "36", start_year=2020, bank_code="BRI")
    program_services.set_funding_shares(program=jsr, by=admin, shares=[("36", 60), (None, 40)])

    h1 = household(PULOMERAK, -5.950, 106.000, pregnant=True)
    h2 = household(PULOMERAK, -5.952, 106.002)
    h3 = household(PULOMERAK, -5.954, 106.004, dropout=True)
    h4 = household(CIWADUK, -6.020, 106.060)
    h5 = household(MALINGPING, -6.800, 106.000)
    e1 = kpm(jscm, h1, admin, date(2017, 3, 1))
    e2 = kpm(jscm, h2, admin, date(2017, 2, 1), ended_on=date(2017, 12, 31))
    e3 = kpm(jscm, h3, admin, date(2018, 5, 1), status="suspended")
    e4 = kpm(jscm, h4, admin, date(2019, 1, 10))
    kpm(jsr, h5, admin, date(2020, 2, 1))

    _fieldwork(p["facilitator"], admin, [h1, h2, h3, h4], [e1, e3, e4])
    _graduation(admin, p["banten"], jscm, h1, h2, h3, e1, e2, e3)
    _grievances()
    _payments(jscm, admin, p["cilegon"], p["banten"], [(e1, "paid"), (e3, "failed"), (e4, "paid")])
    return {**p, "jscm": jscm, "jsr": jsr, "households": [h1, h2, h3, h4, h5]}


def _fieldwork(facilitator, admin, households, enrollments) -> None:
    h1, h2, h3, h4 = households
    e1, e3, e4 = enrollments
    CaseloadAssignment.objects.create(facilitator=facilitator, household=h1)
    CaseloadAssignment.objects.create(facilitator=facilitator, household=h4, ended_at=_at(date(2019, 6, 1)))
    for e, condition, status in ((e1, "school_attendance", "met"), (e3, "school_attendance", "not_met"),
                                 (e4, "p2k2", "met"), (e1, "p2k2", "unknown")):
        ComplianceCheck.objects.create(enrollment=e, household=e.household, period="2019-03", condition=condition,
                                       status=status, computed_status=status)
    for h, day, delay in ((h1, date(2019, 3, 5), 0), (h1, date(2019, 3, 20), 1), (h4, date(2019, 4, 2), 10)):
        Visit.objects.create(client_id=uuid.uuid4(), content_hash=_hash(), household=h, facilitator=facilitator,
                             visited_on=day, purpose="pemantauan", entry_delay_days=delay)
    session = FamilySession.objects.create(
        client_id=uuid.uuid4(), content_hash=_hash(), facilitator=facilitator, region_id=PULOMERAK,
        module=_module(), session_number=1, held_on=date(2019, 3, 10))
    Attendance.objects.create(client_id=uuid.uuid4(), content_hash=_hash(), session=session, household=h1,
                              present=True)
    Attendance.objects.create(client_id=uuid.uuid4(), content_hash=_hash(), session=session, household=h2,
                              present=False, absence_reason="sakit")


def _module() -> Module:
    """A P2K2 module (the migration seeds five; a transactional test's flush may have removed them)."""
    return Module.objects.order_by("number").first() or Module.objects.create(number=1, code="kesehatan",
                                                                              name="Kesehatan")


def _graduation(admin, manager, jscm, h1, h2, h3, e1, e2, e3) -> None:
    instrument = Instrument.objects.order_by("version").first() or Instrument.objects.create(
        version=99, name="Instrumen uji", valid_from=date(2013, 1, 1), developing_from=40, ready_from=70)

    def assess(h, e, day, band):
        return Assessment.objects.create(household=h, enrollment=e, instrument=instrument, assessed_on=day,
                                         assessor=admin, answers={}, score=80 if band == "ready" else 30, band=band)

    assess(h1, e1, date(2024, 1, 10), "ready")
    assess(h1, e1, date(2025, 1, 10), "not_ready")
    assess(h3, e3, date(2025, 2, 1), "ready")
    graduation = Graduation.objects.create(
        enrollment=e2, household=h2, program=jscm, kind="mandiri", status="approved", proposed_by=admin,
        decided_by=manager, decided_at=_at(date(2017, 12, 20)), graduated_on=date(2017, 12, 31),
        certificate_number="GR-2017-001", assessment=assess(h2, e2, date(2017, 11, 1), "ready"))
    GraduationTarget.objects.create(program=jscm, year=2017, region_id="36.72", target=5)
    grant = Grant.objects.create(
        household=h2, program=jscm, graduation=graduation, status="disbursed", business_type="warung",
        business_plan="Warung sembako", location="Lebak Gede", amount_requested_rupiah=2_000_000,
        amount_approved_rupiah=2_000_000, income_before_rupiah=1_000_000, budget_year=2018, applied_by=admin,
        decided_by=manager, disbursed_on=date(2018, 2, 1))
    GrantFollowUp.objects.create(grant=grant, months=3, visited_on=date(2018, 5, 2), business_running=True,
                                 income_rupiah=1_500_000, recorded_by=admin)
    GrantFollowUp.objects.create(grant=grant, months=6, visited_on=date(2018, 8, 2), business_running=False,
                                 income_rupiah=900_000, recorded_by=admin)


def _grievances() -> None:
    def grievance(ticket, category, region, filed, *, closed=None, due_days=14, status="received"):
        return Grievance.objects.create(
            ticket=ticket, category=category, region_id=region, description="Uraian", filed_at=_at(filed),
            acknowledge_due_at=_at(filed + timedelta(days=3)), resolve_due_at=_at(filed + timedelta(days=due_days)),
            status="resolved" if closed else status, closed_at=_at(closed) if closed else None,
            outcome="substantiated" if closed else "")

    grievance("JSK-TEST-0001", "cut", PULOMERAK, date(2019, 3, 1), closed=date(2019, 3, 5))
    grievance("JSK-TEST-0002", "not_received", CIWADUK, date(2019, 4, 1), due_days=19)
    grievance("JSK-TEST-0003", "other", MALINGPING, date(2019, 4, 2), due_days=10_000, status="acknowledged")


def _payments(program, generated_by, verified_by, approved_by, rows) -> None:
    cycle = PaymentCycle.objects.create(
        program=program, year=2019, stage=1, region_id="36.72", bank_code="BJB", status="closed",
        generated_by=generated_by, verified_by=verified_by, approved_by=approved_by, paid_on=date(2019, 11, 20))
    for i, (e, status) in enumerate(rows):
        head = e.household.members.first()
        payment = Payment.objects.create(
            cycle=cycle, program=program, year=2019, stage=1, enrollment=e, household=e.household,
            region_code=e.household.region_id, bank_code="BJB", account_number=f"00{i}", holder_name=head.name,
            holder_nik=head.nik, amount_rupiah=500_000, status=status,
            credited_amount_rupiah=500_000 if status == "paid" else None,
            credited_on=date(2019, 11, 20) if status == "paid" else None)
        PaymentShare.objects.create(payment=payment, funder_region_id="36.72", amount_rupiah=500_000)
