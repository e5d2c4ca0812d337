"""UEP grants: only after graduation, once per program, maker-checker approval within the year's budget,
paid through a UEP cycle of the payments module (the grant follows its payment), follow-ups at 3/6/12 months
and the survival rate."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from jsika.graduation import grants, queries, services
from jsika.graduation.grants import GrantError
from jsika.graduation.models import FOLLOW_UP_MONTHS, GraduationKind, Grant, add_months

from .factories import assign_caseload, give_account, kpm, pay_grants, reconcile, uep_cycle, world

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PLAN = {"business_type": "warung", "business_plan": "Warung sembako di depan rumah", "location": "Lebak Gede RT 02",
        "income_before_rupiah": 1_800_000}


def graduated(p, program, region="36.72.03.1001", on=None):
    enrollment = kpm(program, p, started_on=date(2019, 2, 1), region=region)
    g = services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=GraduationKind.NATURAL, on=on)
    return services.approve_graduation(graduation=g, by=p["manager"], on=on)


def apply(p, graduation, amount=3_000_000, by="operator"):
    return grants.apply_for_grant(by=p[by], graduation=graduation, amount_requested_rupiah=amount, **PLAN)


def test_only_a_graduated_household_applies():
    p, program = world()
    enrollment = kpm(program, p, started_on=date(2019, 2, 1))
    proposal = services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=GraduationKind.NATURAL)
    with pytest.raises(GrantError, match="graduasinya sudah disetujui"):
        apply(p, proposal)


def test_one_grant_per_household_per_program():
    p, program = world()
    g = graduated(p, program)
    first = apply(p, g)
    assert first.status == Grant.Status.APPLIED
    with pytest.raises(GrantError, match="hanya sekali per program"):
        apply(p, g, amount=2_000_000, by="operator2")
    # The database refuses it too, whatever path a write takes.
    with pytest.raises(IntegrityError):
        Grant.objects.create(household=g.household, program=program, graduation=g, business_type="jasa",
                             business_plan="x", location="x", amount_requested_rupiah=1, income_before_rupiah=0,
                             applied_by=p["operator"])


def test_a_rejected_application_may_be_made_again():
    p, program = world()
    g = graduated(p, program)
    grants.set_grant_budget(by=p["manager"], program=program, year=TODAY.year, amount_rupiah=10_000_000)
    grants.reject_grant(grant=apply(p, g), by=p["manager"], note="Rencana usaha belum jelas")
    again = apply(p, g, amount=2_500_000)
    assert grants.approve_grant(grant=again, by=p["manager"]).status == Grant.Status.APPROVED


def test_applicant_cannot_approve_and_only_managers_decide():
    p, program = world()
    grants.set_grant_budget(by=p["manager"], program=program, year=TODAY.year, amount_rupiah=10_000_000)
    grant = apply(p, graduated(p, program), by="manager")
    with pytest.raises(GrantError, match="maker-checker"):
        grants.approve_grant(grant=grant, by=p["manager"])
    with pytest.raises(GrantError, match="Hanya pengelola program"):
        grants.approve_grant(grant=grant, by=p["operator"])
    with pytest.raises(GrantError, match="di luar cakupan"):
        grants.approve_grant(grant=grant, by=p["manager_lebak"])
    grant = grants.approve_grant(grant=grant, by=p["manager_banten"], amount_approved_rupiah=2_000_000)
    assert (grant.status, grant.amount_approved_rupiah, grant.budget_year) == ("approved", 2_000_000, TODAY.year)


def test_approvals_stay_within_the_year_budget():
    p, program = world()
    first, second, third = (apply(p, graduated(p, program)) for _ in range(3))
    with pytest.raises(GrantError, match="belum ditetapkan"):
        grants.approve_grant(grant=first, by=p["manager"])
    grants.set_grant_budget(by=p["manager"], program=program, year=TODAY.year, amount_rupiah=7_000_000)
    grants.approve_grant(grant=first, by=p["manager"])
    grants.approve_grant(grant=second, by=p["manager"])
    with pytest.raises(GrantError, match="tidak cukup: sisa Rp1.000.000 dari Rp7.000.000, diminta Rp3.000.000"):
        grants.approve_grant(grant=third, by=p["manager"])
    third = grants.approve_grant(grant=third, by=p["manager"], amount_approved_rupiah=1_000_000)
    assert grants.committed_rupiah(program, TODAY.year) == 7_000_000
    with pytest.raises(GrantError, match="di bawah bantuan yang sudah disetujui"):
        grants.set_grant_budget(by=p["manager"], program=program, year=TODAY.year, amount_rupiah=6_000_000)
    use = queries.budget_use(program=program)[0]
    assert (use.committed, use.left, use.percent) == (7_000_000, 0, 100.0)


def test_approved_amount_cannot_exceed_the_request():
    p, program = world()
    grants.set_grant_budget(by=p["manager"], program=program, year=TODAY.year, amount_rupiah=10_000_000)
    with pytest.raises(GrantError, match="melebihi nilai yang diajukan"):
        grants.approve_grant(grant=apply(p, graduated(p, program)), by=p["manager"], amount_approved_rupiah=3_500_000)


def _approved(p, program, amount=3_000_000, graduated_on=None):
    grants.set_grant_budget(by=p["manager"], program=program, year=TODAY.year, amount_rupiah=50_000_000)
    return grants.approve_grant(grant=apply(p, graduated(p, program, on=graduated_on), amount=amount),
                                by=p["manager"])


def test_a_grant_is_disbursed_when_its_uep_payment_is_credited():
    p, program = world()
    grant = _approved(p, program)
    assert queries.grant_payment_state(p["manager"], grant).code == "waiting"
    on = TODAY - timedelta(days=2)
    cycle = pay_grants(program, p, [grant], on=on)
    grant.refresh_from_db()
    assert (grant.status, grant.disbursed_on) == (Grant.Status.DISBURSED, on)
    state = queries.grant_payment_state(p["manager"], grant)
    assert state.code == "paid" and state.latest.cycle == cycle and state.latest.amount_rupiah == 3_000_000
    assert grant.history.first().history_change_reason == f"rekonsiliasi tahap UEP #{cycle.pk}"


def test_a_failed_uep_payment_returns_the_grant_to_waiting_with_the_bank_reason():
    p, program = world()
    grant = _approved(p, program)
    give_account(grant.household)
    cycle = uep_cycle(program, p, year=TODAY.year, on=TODAY)
    assert queries.grant_payment_state(p["manager"], grant).code == "at_bank"
    payment = cycle.payments.get()
    reconcile(cycle, p["bank"], TODAY, failures={payment.pk: "rekening tidak aktif"})
    grant.refresh_from_db()
    state = queries.grant_payment_state(p["manager"], grant)
    assert grant.status == Grant.Status.APPROVED and grant.disbursed_on is None
    assert (state.code, state.reason) == ("failed", "rekening tidak aktif")
    assert list(queries.grants_awaiting_payment(program, TODAY.year)) == [grant]


def test_operators_cannot_disburse_outside_the_payments_flow():
    """There is no shortcut any more: a grant is paid only by a reconciled UEP payment."""
    assert not hasattr(grants, "disburse_grant") and not hasattr(grants, "record_disbursement_result")


def _disbursed(p, program, on):
    grant = _approved(p, program, graduated_on=on - timedelta(days=20))
    pay_grants(program, p, [grant], on=on)
    grant.refresh_from_db()
    return grant


def test_follow_ups_at_3_6_12_months_by_the_pendamping_of_the_caseload():
    p, program = world()
    grant = _disbursed(p, program, on=add_months(TODAY, -7))
    with pytest.raises(GrantError, match="daftar dampingan"):
        grants.record_follow_up(by=p["facilitator"], grant=grant, months=3, visited_on=TODAY,
                                business_running=True, income_rupiah=2_000_000)
    assign_caseload(p["facilitator"], grant.household)
    with pytest.raises(GrantError, match="bulan ke-3, ke-6, dan ke-12"):
        grants.record_follow_up(by=p["facilitator"], grant=grant, months=4, visited_on=TODAY,
                                business_running=True, income_rupiah=2_000_000)
    with pytest.raises(GrantError, match="baru dapat dicatat mulai"):
        grants.record_follow_up(by=p["facilitator"], grant=grant, months=12, visited_on=TODAY,
                                business_running=True, income_rupiah=2_000_000)
    saved = grants.record_follow_up(by=p["facilitator"], grant=grant, months=3, visited_on=add_months(TODAY, -4),
                                    business_running=True, income_rupiah=2_300_000, notes="Omzet naik")
    assert saved.created and saved.obj.income_change_rupiah == 500_000
    replay = grants.record_follow_up(by=p["facilitator"], grant=grant, months=3, visited_on=add_months(TODAY, -4),
                                     business_running=True, income_rupiah=2_300_000, client_id=saved.obj.client_id)
    assert not replay.created
    with pytest.raises(GrantError, match="sudah dicatat"):
        grants.record_follow_up(by=p["facilitator"], grant=grant, months=3, visited_on=TODAY,
                                business_running=False, income_rupiah=0)


def test_survival_rate_is_running_over_followed_up_per_milestone():
    p, program = world()
    disbursed_on = add_months(TODAY, -13)
    plan = [  # (running at 3, 6, 12 months); None: not followed up
        (True, True, True), (True, True, False), (True, False, None), (False, None, None), (True, True, True),
    ]
    for running in plan:
        grant = _disbursed(p, program, on=disbursed_on)
        for months, value in zip(FOLLOW_UP_MONTHS, running, strict=True):
            if value is not None:
                grants.record_follow_up(by=p["operator"], grant=grant, months=months,
                                        visited_on=add_months(disbursed_on, months), business_running=value,
                                        income_rupiah=2_000_000 if value else 1_500_000)
    report = queries.survival_report(p["manager"], program=program)
    by_months = {m.months: m for m in report.milestones}
    assert report.grants == 5
    assert (by_months[3].followed, by_months[3].running, by_months[3].survival_percent) == (5, 4, 80.0)
    assert (by_months[6].followed, by_months[6].running, by_months[6].survival_percent) == (4, 3, 75.0)
    assert (by_months[12].followed, by_months[12].running, by_months[12].survival_percent) == (3, 2, 66.7)
    assert (by_months[12].due, by_months[12].coverage_percent) == (5, 60.0)
    # income before was Rp1,800,000: +200,000 when running, -300,000 when stopped
    assert by_months[3].average_income_change == round((4 * 200_000 - 300_000) / 5)
    assert report.by_business[0][0] == "Warung/toko kelontong"
    assert queries.survival_report(p["operator_lebak"], program=program).grants == 0
