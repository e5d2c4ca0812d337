from datetime import date

import pytest

from jsika.programs import services
from jsika.programs.models import Enrollment, EnrollmentEvent, ExitReason, FundingShare, Program, Quota
from jsika.programs.services import ProgramError, QuotaExceeded, TransitionError

from .factories import enrolled, family, make_program, people

pytestmark = pytest.mark.django_db

S = Enrollment.Status


@pytest.fixture
def p(regions):
    return people()


@pytest.fixture
def jscm(p):
    return make_program(p["admin"], "JSCM", "36.72")


def _unchanged(enrollment: Enrollment, status: str) -> None:
    enrollment.refresh_from_db()
    assert enrollment.status == status


# --- lifecycle ---------------------------------------------------------------------------------

def test_operator_proposes_another_verifies_manager_approves_and_activation_starts_tenure(p, jscm):
    household = family()
    e = services.propose_enrollment(household=household, program=jscm, by=p["operator"], reason="hasil musdes")
    e = services.verify_enrollment(enrollment=e, by=p["operator2"])
    e = services.approve_enrollment(enrollment=e, by=p["manager"])
    e = services.activate_enrollment(enrollment=e, by=p["operator"], started_on=date(2024, 3, 1))

    e.refresh_from_db()
    assert e.status == S.ACTIVE
    assert (e.proposed_by, e.verified_by, e.approved_by) == (p["operator"], p["operator2"], p["manager"])
    assert e.tenure_ends_on == date(2029, 3, 1)
    assert e.years_in_program(date(2026, 11, 28)) == 2
    assert list(e.events.values_list("action", "from_status", "to_status")) == [
        ("proposed", "", "proposed"), ("verified", "proposed", "verified"), ("approved", "verified", "approved"),
        ("activated", "approved", "active")]
    assert e.events.first().reason == "hasil musdes"
    assert e.history.count() == 4
    assert e.history.first().history_user == p["operator"]


def test_suspend_resume_and_exit_keep_reasons(p, jscm):
    e = enrolled(jscm, family(), p)
    services.suspend_enrollment(enrollment=e, by=p["operator"], reason="Tidak hadir P2K2 tiga bulan")
    services.resume_enrollment(enrollment=e, by=p["operator"])
    e, _ = services.exit_enrollment(enrollment=e, by=p["manager"], reason=ExitReason.GRADUATED,
                                    note="asesmen mandiri", ended_on=date(2026, 6, 30))
    assert (e.status, e.exit_reason, e.ended_on) == (S.EXITED, "graduated", date(2026, 6, 30))
    reasons = list(e.events.values_list("action", "reason"))[-3:]
    assert reasons == [("suspended", "Tidak hadir P2K2 tiga bulan"), ("resumed", ""),
                       ("exited", "Graduasi: asesmen mandiri")]


def test_approving_an_unverified_proposal_is_refused(p, jscm):
    e = enrolled(jscm, family(), p, until="proposed")
    with pytest.raises(TransitionError, match="status kepesertaan Diusulkan, seharusnya Diverifikasi"):
        services.approve_enrollment(enrollment=e, by=p["manager"])
    _unchanged(e, S.PROPOSED)
    assert e.events.count() == 1


def test_household_cannot_be_enrolled_twice_in_one_program(p, jscm):
    household = family()
    enrolled(jscm, household, p, until="proposed")
    with pytest.raises(TransitionError, match=r"sudah terdaftar di JSCM \(status Diusulkan\)"):
        services.propose_enrollment(household=household, program=jscm, by=p["operator2"])
    assert Enrollment.objects.filter(household=household).count() == 1


def test_household_may_return_after_exit(p, jscm):
    household = family()
    e = enrolled(jscm, household, p)
    services.exit_enrollment(enrollment=e, by=p["manager"], reason=ExitReason.MOVED, fill_slot=False)
    again = services.propose_enrollment(household=household, program=jscm, by=p["operator"])
    assert again.status == S.PROPOSED


def test_ineligible_household_is_refused_with_reasons(p, jscm):
    household = family(desil=8)
    with pytest.raises(TransitionError, match="tidak memenuhi syarat JSCM: Desil 8 melebihi batas desil 4"):
        services.propose_enrollment(household=household, program=jscm, by=p["operator"])
    assert not Enrollment.objects.exists()


# --- maker-checker and roles -------------------------------------------------------------------

def test_proposer_cannot_verify_own_proposal(p, jscm):
    e = enrolled(jscm, family(), p, until="proposed")
    with pytest.raises(TransitionError, match="tidak boleh diverifikasi oleh pengusulnya sendiri"):
        services.verify_enrollment(enrollment=e, by=p["operator"])
    _unchanged(e, S.PROPOSED)


def test_manager_cannot_approve_own_proposal(p, jscm):
    e = services.propose_enrollment(household=family(), program=jscm, by=p["manager"])
    services.verify_enrollment(enrollment=e, by=p["operator"])
    with pytest.raises(TransitionError, match="tidak dapat menyetujui usulan Anda sendiri"):
        services.approve_enrollment(enrollment=e, by=p["manager"])
    _unchanged(e, S.VERIFIED)


def test_supervisor_may_verify_and_then_approve(p, jscm):
    e = enrolled(jscm, family(), p, until="proposed")
    services.verify_enrollment(enrollment=e, by=p["manager"])
    services.approve_enrollment(enrollment=e, by=p["manager"])
    _unchanged(e, S.APPROVED)


def test_operator_cannot_approve(p, jscm):
    e = enrolled(jscm, family(), p, until="verified")
    with pytest.raises(TransitionError, match="Hanya pengelola program"):
        services.approve_enrollment(enrollment=e, by=p["operator2"])
    _unchanged(e, S.VERIFIED)


@pytest.mark.parametrize("role", ["facilitator", "partner", "bank", "auditor"])
def test_roles_without_enrollment_rights_cannot_propose_verify_or_approve(p, jscm, role):
    household = family()
    with pytest.raises(TransitionError, match="tidak dapat mengusulkan"):
        services.propose_enrollment(household=household, program=jscm, by=p[role])
    e = enrolled(jscm, household, p, until="proposed")
    with pytest.raises(TransitionError, match="tidak dapat memverifikasi"):
        services.verify_enrollment(enrollment=e, by=p[role])
    services.verify_enrollment(enrollment=e, by=p["operator2"])
    with pytest.raises(TransitionError, match="Hanya pengelola program"):
        services.approve_enrollment(enrollment=e, by=p[role])
    _unchanged(e, S.VERIFIED)


def test_operator_cannot_propose_outside_scope(p, jscm):
    household = family("36.72.03.1001")
    with pytest.raises(TransitionError, match=r"di luar cakupan wilayah Anda \(36.02\)"):
        services.propose_enrollment(household=household, program=jscm, by=p["operator_lebak"])
    assert not Enrollment.objects.exists()


def test_manager_cannot_approve_outside_scope(p, jscm):
    e = enrolled(jscm, family(), p, until="verified")
    with pytest.raises(TransitionError, match="di luar cakupan wilayah Anda"):
        services.approve_enrollment(enrollment=e, by=p["manager_lebak"])
    _unchanged(e, S.VERIFIED)


def test_operator_may_exit_for_moving_but_not_graduate(p, jscm):
    e = enrolled(jscm, family(), p)
    with pytest.raises(TransitionError, match="Operator hanya dapat mengeluarkan KPM"):
        services.exit_enrollment(enrollment=e, by=p["operator"], reason=ExitReason.GRADUATED)
    _unchanged(e, S.ACTIVE)
    services.exit_enrollment(enrollment=e, by=p["operator"], reason=ExitReason.MOVED, fill_slot=False)
    _unchanged(e, S.EXITED)


def test_reject_needs_a_reason(p, jscm):
    e = enrolled(jscm, family(), p, until="proposed")
    with pytest.raises(TransitionError, match="Alasan penolakan wajib diisi"):
        services.reject_enrollment(enrollment=e, by=p["operator2"], reason=" ")
    services.reject_enrollment(enrollment=e, by=p["operator2"], reason="Sudah pindah ke Serang")
    _unchanged(e, S.REJECTED)


# --- quotas ------------------------------------------------------------------------------------

def test_approval_beyond_quota_is_refused_naming_the_quota(p, jscm):
    year = date.today().year
    services.set_quota(program=jscm, by=p["manager"], year=year, region="36.72.03", slots=1)
    enrolled(jscm, family(), p, until="approved")
    second = enrolled(jscm, family(), p, until="verified")
    with pytest.raises(QuotaExceeded) as refused:
        services.approve_enrollment(enrollment=second, by=p["manager"])
    assert str(refused.value) == (f"Kuota JSCM {year} Pulomerak (36.72.03) penuh: 1 dari 1 slot terpakai, "
                                  "1 KPM baru tidak muat.")
    _unchanged(second, S.VERIFIED)


def test_quota_of_another_region_does_not_apply(p, jscm):
    services.set_quota(program=jscm, by=p["manager"], year=date.today().year, region="36.72.01", slots=0)
    e = enrolled(jscm, family("36.72.03.1001"), p, until="approved")
    assert e.status == S.APPROVED


def test_exit_releases_the_slot_and_proposes_the_next_on_the_waiting_list(p, jscm):
    services.set_quota(program=jscm, by=p["manager"], year=date.today().year, region="36.72.03", slots=1)
    e = enrolled(jscm, family(desil=3), p)
    richer = family("36.72.03.1002", desil=4)
    poorest = family("36.72.03.1001", desil=1)
    family("36.72.01.1001", desil=1)  # another kecamatan: not this slot's area
    _, replacement = services.exit_enrollment(enrollment=e, by=p["manager"], reason=ExitReason.DIED)
    assert replacement.household == poorest
    assert replacement.status == S.PROPOSED
    assert "Mengisi slot yang dilepas oleh KPM" in replacement.events.get().reason
    assert not Enrollment.objects.filter(household=richer).exists()


def test_bulk_approve_is_all_or_nothing_and_keeps_history(p, jscm):
    batch = [enrolled(jscm, family(), p, until="verified") for _ in range(5)]
    unverified = enrolled(jscm, family(), p, until="proposed")
    with pytest.raises(TransitionError, match="Tidak ada yang disetujui; 1 usulan tidak dapat disetujui"):
        services.bulk_approve(enrollments=[*batch, unverified], by=p["manager"])
    assert Enrollment.objects.filter(status=S.APPROVED).count() == 0

    assert services.bulk_approve(enrollments=batch, by=p["manager"], reason="rapat 12 Mei") == 5
    for e in batch:
        e.refresh_from_db()
        assert (e.status, e.approved_by) == (S.APPROVED, p["manager"])
        assert e.history.first().history_change_reason == "rapat 12 Mei"
        assert e.history.first().history_user == p["manager"]
        assert e.events.last().action == EnrollmentEvent.Action.APPROVED


def test_bulk_approve_respects_the_quota(p, jscm):
    services.set_quota(program=jscm, by=p["manager"], year=date.today().year, region="36.72", slots=3)
    batch = [enrolled(jscm, family(), p, until="verified") for _ in range(4)]
    with pytest.raises(QuotaExceeded, match="Kuota JSCM .* Kota Cilegon \\(36.72\\) penuh: 0 dari 3 slot"):
        services.bulk_approve(enrollments=batch, by=p["manager"])
    assert not Enrollment.objects.filter(status=S.APPROVED).exists()


def test_bulk_approve_refuses_own_proposals(p, jscm):
    e = services.propose_enrollment(household=family(), program=jscm, by=p["manager"])
    services.verify_enrollment(enrollment=e, by=p["operator"])
    with pytest.raises(TransitionError, match="tidak dapat menyetujui usulan Anda sendiri"):
        services.bulk_approve(enrollments=[e], by=p["manager"])


# --- re-verification ---------------------------------------------------------------------------

def test_unconfirmed_households_are_flagged_when_the_campaign_closes(p, jscm):
    confirmed = enrolled(jscm, family(), p)
    forgotten = enrolled(jscm, family(), p)
    campaign = services.open_reverification(program=jscm, year=2026, region="36.72", due_on=date(2026, 12, 31),
                                            by=p["manager"])
    assert campaign.checks.count() == 2
    services.confirm_reverification(check=campaign.checks.get(enrollment=confirmed), by=p["operator"],
                                    note="Data sesuai kunjungan")
    assert services.close_reverification(campaign=campaign, by=p["manager"]) == 1
    forgotten.refresh_from_db()
    confirmed.refresh_from_db()
    assert forgotten.needs_reverification and forgotten.status == S.ACTIVE
    assert not confirmed.needs_reverification
    assert forgotten.events.last().action == "flagged"
    assert forgotten.history.first().needs_reverification


def test_late_confirmation_clears_the_flag(p, jscm):
    e = enrolled(jscm, family(), p)
    campaign = services.open_reverification(program=jscm, year=2026, region="36.72", due_on=date(2026, 12, 31),
                                            by=p["manager"])
    services.close_reverification(campaign=campaign, by=p["manager"])
    services.confirm_reverification(check=campaign.checks.get(), by=p["operator"])
    e.refresh_from_db()
    assert not e.needs_reverification


# --- program settings --------------------------------------------------------------------------

def test_funding_shares_must_add_up_to_100(p, jscm):
    with pytest.raises(ProgramError, match="harus 100%, sekarang 90%"):
        services.set_funding_shares(program=jscm, by=p["manager"], shares=[("36.72", 90)])
    assert not FundingShare.objects.exists()


def test_manager_cannot_define_a_program_outside_scope(p):
    with pytest.raises(ProgramError, match="di luar cakupan wilayah Anda"):
        services.create_program(by=p["manager"], code="JSL", name="Lebak", owner_region="36.02", start_year=2024)
    assert not Program.objects.filter(code="JSL").exists()


def test_operator_cannot_set_quotas(p, jscm):
    with pytest.raises(ProgramError, match="Hanya pengelola program"):
        services.set_quota(program=jscm, by=p["operator"], year=2026, region="36.72", slots=10)
    assert not Quota.objects.exists()


def test_bank_override_per_region(p):
    program = make_program(p["admin"], "JAMSOSRATU", "36", start_year=2013, bank_code="BRI")
    services.set_bank_overrides(program=program, by=p["manager_banten"], overrides={"36.72": "bjb"})
    assert program.bank_for("36.72.03.1001") == "BJB"
    assert program.bank_for("36.02.01.2002") == "BRI"


def test_bulk_approve_handles_several_programs_each_with_its_quota(p, jscm):
    jamsosratu = make_program(p["admin"], "JAMSOSRATU", "36", start_year=2013)
    services.set_quota(program=jamsosratu, by=p["manager_banten"], year=date.today().year, region="36.72", slots=1)
    a = enrolled(jscm, family(), p, until="verified")
    b = services.propose_enrollment(household=family(), program=jamsosratu, by=p["operator"])
    services.verify_enrollment(enrollment=b, by=p["operator2"])
    assert services.bulk_approve(enrollments=[a, b], by=p["manager_banten"]) == 2
    c = services.propose_enrollment(household=family(), program=jamsosratu, by=p["operator"])
    services.verify_enrollment(enrollment=c, by=p["operator2"])
    with pytest.raises(QuotaExceeded, match="Kuota JAMSOSRATU"):
        services.bulk_approve(enrollments=[c], by=p["manager_banten"])


def test_a_graduated_household_needs_a_reason_to_come_back_and_is_not_on_the_waiting_list(p, jscm):
    from jsika.programs import queries, rules

    household = family()
    e = enrolled(jscm, household, p)
    services.exit_enrollment(enrollment=e, by=p["manager"], reason=ExitReason.GRADUATED, ended_on=date(2026, 1, 31),
                             fill_slot=False)
    warning = [c for c in rules.eligibility(household, jscm).checks if c.warning]
    assert [c.text for c in warning] == [
        "Pernah menyelesaikan JSCM (Graduasi, 31-01-2026): usulan kembali wajib disertai alasan"]
    assert household not in queries.waiting_list(jscm, "36.72.03")
    with pytest.raises(TransitionError, match="usulan kembali wajib disertai alasan"):
        services.propose_enrollment(household=household, program=jscm, by=p["operator"])
    again = services.propose_enrollment(household=household, program=jscm, by=p["operator"],
                                        reason="Jatuh miskin lagi setelah PHK (hasil musdes)")
    assert again.status == S.PROPOSED
