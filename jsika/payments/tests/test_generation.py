from datetime import date, datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from jsika.programs import services as program_services
from jsika.programs.models import BenefitRule

from .. import generation, services
from ..models import BankAccount, CycleExclusion, Payment, PaymentCycle, PaymentShare
from .factories import budget, jscm_world, kpm, make_program, people

pytestmark = pytest.mark.django_db


def test_generation_pays_each_active_kpm_once_with_the_rule_amount(regions):
    program, p, enrollments = jscm_world()
    cycle = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"])

    assert cycle.status == "generated" and cycle.generated_by == p["operator"]
    assert (cycle.payment_count, cycle.total_rupiah) == (5, 5_000_000)
    payments = Payment.objects.filter(cycle=cycle)
    assert sorted(payments.values_list("enrollment_id", flat=True)) == sorted(e.pk for e in enrollments)
    first = payments.select_related("household").order_by("pk").first()
    account = BankAccount.objects.get(household=first.household)
    assert (first.account_number, first.holder_name, first.holder_nik, first.bank_code, first.region_code) == (
        account.account_number, account.holder_name, account.holder_nik, "BJB", first.household.region_id)
    assert (first.program_id, first.year, first.stage, first.status) == (program.pk, 2025, 1, "pending")
    assert cycle.events.get().action == "generated"


def test_exclusions_are_listed_with_reasons(regions):
    program, p, _ = jscm_world(n_pulomerak=2, n_ciwaduk=0)
    admin = p["admin"]
    suspended = kpm(program, by=admin, status="suspended")
    no_account = kpm(program, by=admin, bank=None)
    other_bank = kpm(program, by=admin, bank="BRI")
    tenure = kpm(program, by=admin, started_on=date(2019, 1, 10))  # tenure ended 10 January 2024
    left = kpm(program, by=admin, status="exited", ended_on=date(2025, 6, 30), exit_reason="moved")
    kpm(program, by=admin, status="exited", ended_on=date(2024, 12, 31), exit_reason="graduated")  # not a candidate
    kpm(program, by=admin, status="proposed")  # not a KPM yet

    cycle = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"])

    reasons = dict(CycleExclusion.objects.filter(cycle=cycle).values_list("enrollment_id", "reason"))
    assert reasons == {suspended.pk: "suspended", no_account.pk: "no_account", other_bank.pk: "no_account",
                       tenure.pk: "tenure_ended", left.pk: "exited"}
    assert (cycle.payment_count, cycle.excluded_count) == (2, 5)
    event = cycle.events.get()
    assert event.detail["excluded"] == {"exited": 1, "suspended": 1, "tenure_ended": 1, "no_account": 2}


def test_a_suspension_counts_only_from_when_it_began(regions):
    from jsika.programs.models import EnrollmentEvent

    program, p, _ = jscm_world(n_pulomerak=0, n_ciwaduk=0)
    earlier = kpm(program, by=p["admin"], status="suspended")
    later = kpm(program, by=p["admin"], status="suspended")
    for enrollment, day in ((earlier, date(2025, 2, 1)), (later, date(2026, 1, 5))):
        EnrollmentEvent.objects.create(enrollment=enrollment, action="suspended", from_status="active",
                                       to_status="suspended", at=timezone.make_aware(datetime(*day.timetuple()[:3])))
    cycle = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"])
    assert list(cycle.payments.values_list("enrollment_id", flat=True)) == [later.pk]
    assert list(cycle.exclusions.values_list("enrollment_id", "reason")) == [(earlier.pk, "suspended")]


def test_non_compliant_kpm_are_excluded_when_field_work_records_it(regions):
    from jsika.fieldwork.models import CheckStatus, ComplianceCheck

    program, p, enrollments = jscm_world(n_pulomerak=2, n_ciwaduk=0)
    ComplianceCheck.objects.create(enrollment=enrollments[0], household=enrollments[0].household,
                                   period="2025-05", condition="p2k2", status=CheckStatus.NOT_MET)
    cycle = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"])
    assert list(CycleExclusion.objects.filter(cycle=cycle).values_list("enrollment_id", "reason")) == [
        (enrollments[0].pk, "non_compliant")]
    assert cycle.events.get().detail["compliance_checked"] is True


def test_the_paying_bank_follows_the_program_bank_per_region(regions):
    p = people()
    program = make_program(p["admin"], "JAMSOSRATU", "36", bank_code="BRI", cycles_per_year=4)
    program_services.set_funding_shares(program=program, by=p["admin"], shares=[("36", 60), (None, 40)])
    program_services.set_bank_overrides(program=program, by=p["admin"], overrides={"36.72": "BJB"})
    lebak = kpm(program, "36.02.01.2001", by=p["admin"], bank="BRI")
    cilegon = kpm(program, "36.72.03.1001", by=p["admin"], bank="BJB")
    bri = services.open_cycle(program=program, year=2025, stage=2, by=p["manager_banten"])
    bjb = services.open_cycle(program=program, year=2025, stage=2, bank_code="BJB", by=p["manager_banten"])
    assert list(bri.payments.values_list("enrollment_id", flat=True)) == [lebak.pk]
    assert list(bjb.payments.values_list("enrollment_id", flat=True)) == [cilegon.pk]
    assert bri.total_rupiah == 250_000  # Rp1,000,000 a year in four stages


def test_funder_shares_add_up_to_every_rupiah_with_the_remainder_to_the_owner(regions):
    p = people()
    program = make_program(p["admin"], "JAMSOSRATU", "36", bank_code="BRI", cycles_per_year=3,
                           rule={"kind": BenefitRule.Kind.FLAT, "amount_rupiah": 1_000_003})
    program_services.set_funding_shares(program=program, by=p["admin"], shares=[("36", 60), (None, 40)])
    kpm(program, "36.02.01.2001", by=p["admin"], bank="BRI")
    kpm(program, "36.72.03.1001", by=p["admin"], bank="BRI")
    cycle = services.open_cycle(program=program, year=2025, stage=3, by=p["manager_banten"])
    # 1,000,003 / 3 = 333,334 (+1 remainder in the last stage) = 333,335
    amounts = set(cycle.payments.values_list("amount_rupiah", flat=True))
    assert amounts == {333_335}
    shares = {(s.payment.region_code[:5], s.funder_region_id): s.amount_rupiah
              for s in PaymentShare.objects.filter(payment__cycle=cycle).select_related("payment")}
    assert shares == {("36.02", "36"): 200_001, ("36.02", "36.02"): 133_334,
                      ("36.72", "36"): 200_001, ("36.72", "36.72"): 133_334}
    for payment in cycle.payments.all():
        assert sum(payment.shares.values_list("amount_rupiah", flat=True)) == payment.amount_rupiah


def test_stage_amount_puts_the_remainder_in_the_last_stage():
    assert [generation.stage_amount(1_000_000, s, 3) for s in (1, 2, 3)] == [333_333, 333_333, 333_334]
    assert sum(generation.stage_amount(1_000_003, s, 4) for s in range(1, 5)) == 1_000_003


def test_per_component_rules_pay_each_family_its_own_amount(regions):
    from jsika.registry.tests.factories import make_person

    p = people()
    program = make_program(p["admin"], "JAMSOSRATU", "36", bank_code="BRI", cycles_per_year=4, rule={
        "kind": BenefitRule.Kind.PER_COMPONENT, "component_amounts": {"sd": 900_000, "lansia": 2_400_000}})
    program_services.set_funding_shares(program=program, by=p["admin"], shares=[("36", 100)])
    pupil = kpm(program, "36.02.01.2001", by=p["admin"], bank="BRI")
    make_person(pupil.household, name="Anak SD", birth_date=date(2017, 1, 1), school_status="sd")
    nobody = kpm(program, "36.02.01.2001", by=p["admin"], bank="BRI")
    cycle = services.open_cycle(program=program, year=2025, stage=1, by=p["manager_banten"])
    assert list(cycle.payments.values_list("enrollment_id", "amount_rupiah")) == [(pupil.pk, 225_000)]
    assert list(cycle.exclusions.values_list("enrollment_id", "reason")) == [(nobody.pk, "no_benefit")]


def test_a_second_cycle_for_the_same_period_pays_only_those_not_yet_paid(regions):
    program, p, enrollments = jscm_world(n_pulomerak=2, n_ciwaduk=2)
    first = services.open_cycle(program=program, year=2025, stage=1, region="36.72.03", by=p["operator"])
    late = kpm(program, "36.72.03.1001", by=p["admin"])
    second = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"])
    assert first.payment_count == 2
    assert second.payment_count == 3
    assert late.pk in second.payments.values_list("enrollment_id", flat=True)
    assert dict(second.exclusions.values_list("enrollment_id", "reason")) == {
        e.pk: "already_paid" for e in enrollments[:2]}


def test_the_database_refuses_a_second_live_payment_for_the_same_period(regions):
    program, p, enrollments = jscm_world(n_pulomerak=1, n_ciwaduk=0)
    cycle = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"])
    other = PaymentCycle.objects.create(program=program, year=2025, stage=1, region_id="36.72", bank_code="BJB",
                                        generated_by=p["operator2"])
    payment = cycle.payments.get()
    payment.pk = None
    payment.cycle = other
    with pytest.raises(IntegrityError), transaction.atomic():
        payment.save()
    # a re-issued (or reversed) payment no longer blocks the period
    Payment.objects.filter(cycle=cycle).update(status="reissued")
    payment.save()
    assert Payment.objects.filter(household=enrollments[0].household, status="pending").count() == 1


def test_generation_stops_on_a_double_payment_the_database_refuses_and_keeps_nothing(regions, monkeypatch):
    """Two cycles generated at the same moment: the second one's check saw no payment yet, the database
    refuses its rows, and the whole second cycle is rolled back."""
    program, p, _ = jscm_world(n_pulomerak=2, n_ciwaduk=0)
    services.open_cycle(program=program, year=2025, stage=1, by=p["operator"])
    monkeypatch.setattr(generation, "_already_paid_q", lambda cycle: generation.Q(pk__in=[]))
    with pytest.raises(services.PaymentError, match="Pembayaran ganda ditolak"):
        services.open_cycle(program=program, year=2025, stage=1, by=p["operator2"])
    assert PaymentCycle.objects.count() == 1
    assert Payment.objects.count() == 2


def test_a_crash_half_way_through_generation_leaves_no_partial_cycle(regions, monkeypatch):
    program, p, _ = jscm_world(n_pulomerak=4, n_ciwaduk=4)
    before = (PaymentCycle.objects.count(), Payment.objects.count(), PaymentShare.objects.count(),
              CycleExclusion.objects.count())
    real_insert = generation.insert_flat_payments

    def half_then_crash(cycle, qs, amount):
        half = qs.order_by("pk")[: qs.count() // 2]
        inserted = real_insert(cycle, qs.filter(pk__in=list(half.values_list("pk", flat=True))), amount)
        assert inserted == 4 and Payment.objects.filter(cycle=cycle).count() == 4  # rows really written
        raise RuntimeError("process killed")

    monkeypatch.setattr(generation, "insert_flat_payments", half_then_crash)
    with pytest.raises(RuntimeError):
        services.open_cycle(program=program, year=2025, stage=1, by=p["operator"])
    after = (PaymentCycle.objects.count(), Payment.objects.count(), PaymentShare.objects.count(),
             CycleExclusion.objects.count())
    assert after == before
    monkeypatch.undo()
    cycle = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"])
    assert cycle.payment_count == 8


def test_opening_a_cycle_checks_rule_stage_area_and_role(regions):
    program, p, _ = jscm_world(n_pulomerak=1, n_ciwaduk=0)
    with pytest.raises(services.PaymentError, match="tahap harus 1–1"):
        services.open_cycle(program=program, year=2025, stage=2, by=p["operator"])
    with pytest.raises(services.PaymentError, match="Belum ada aturan manfaat"):
        services.open_cycle(program=program, year=2016, stage=1, by=p["operator"])
    with pytest.raises(services.PaymentError, match="di luar wilayah program"):
        services.open_cycle(program=program, year=2025, stage=1, region="36.02", by=p["admin"])
    for who in ("facilitator", "bank", "auditor", "partner", "operator_lebak"):
        with pytest.raises(services.PaymentError, match="Hanya pengelola atau operator"):
            services.open_cycle(program=program, year=2025, stage=1, by=p[who])
    assert not PaymentCycle.objects.exists()


def test_regenerating_picks_up_accounts_opened_since(regions):
    program, p, _ = jscm_world(n_pulomerak=1, n_ciwaduk=0)
    waiting = kpm(program, by=p["admin"], bank=None)
    cycle = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"])
    assert cycle.payment_count == 1
    mother = waiting.household.members.get(relation="istri")
    BankAccount.objects.create(household=waiting.household, bank_code="BJB", account_number="9988776655",
                               holder_name=mother.name, holder_nik=mother.nik)
    cycle = services.regenerate_cycle(cycle=cycle, by=p["operator2"])
    assert (cycle.payment_count, cycle.excluded_count, cycle.generated_by) == (2, 0, p["operator2"])
    assert [e.action for e in cycle.events.all()] == ["generated", "regenerated"]
    budget(program, 2025, "36.72", 100_000_000, p["manager"])
