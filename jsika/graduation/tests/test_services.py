"""Assessments and graduation decisions: the rules (no graduation without an assessment or a reached tenure),
maker-checker, roles and scope, and what approval does to the enrollment and its slot."""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from jsika.graduation import services
from jsika.graduation.models import Assessment, Graduation, GraduationKind, GraduationTarget
from jsika.graduation.services import GraduationError
from jsika.programs.models import Enrollment, EnrollmentStatus, ExitReason

from .factories import answers, assess, assign_caseload, family, kpm, world

pytestmark = pytest.mark.django_db

K = GraduationKind
TODAY = timezone.localdate()
RECENT = TODAY - timedelta(days=30)
LONG_AGO = date(2020, 3, 1)  # with a 5-year tenure: reached in March 2025
LATELY = TODAY - timedelta(days=400)  # tenure far from reached


# --- assessments ----------------------------------------------------------------------------------------

def test_pendamping_assesses_a_caseload_household_and_it_is_linked_to_the_enrollment():
    p, program = world()
    enrollment = kpm(program, p)
    assign_caseload(p["facilitator"], enrollment.household)
    saved = services.record_assessment(by=p["facilitator"], household=enrollment.household, answers=answers(),
                                       assessed_on=RECENT, notes="Usaha warung berjalan")
    assert saved.created
    a = saved.obj
    assert (a.enrollment, a.assessor, a.band, a.instrument.version) == (enrollment, p["facilitator"], "ready", 1)
    assert a.history.count() == 1 and a.history.first().history_user == p["facilitator"]


def test_pendamping_cannot_assess_outside_the_caseload():
    p, program = world()
    enrollment = kpm(program, p)
    with pytest.raises(GraduationError, match="daftar dampingan"):
        services.record_assessment(by=p["facilitator"], household=enrollment.household, answers=answers(),
                                   assessed_on=RECENT)
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("role", ["partner", "auditor", "bank"])
def test_readers_and_banks_cannot_assess(role):
    p, program = world()
    household = family()
    with pytest.raises(GraduationError, match="Peran Anda"):
        services.record_assessment(by=p[role], household=household, answers=answers(), assessed_on=RECENT)


def test_operator_outside_scope_cannot_assess():
    p, _program = world()
    household = family("36.72.03.1001")
    with pytest.raises(GraduationError, match="di luar cakupan"):
        services.record_assessment(by=p["operator_lebak"], household=household, answers=answers(),
                                   assessed_on=RECENT)


def test_a_future_assessment_date_is_refused():
    p, _program = world()
    household = family()
    with pytest.raises(GraduationError, match="masa depan"):
        services.record_assessment(by=p["operator"], household=household, answers=answers(),
                                   assessed_on=TODAY + timedelta(days=1))


def test_replaying_an_assessment_stores_it_once_and_other_content_is_a_conflict():
    p, _program = world()
    household = family()
    assign_caseload(p["facilitator"], household)
    client_id = uuid.uuid4()
    first = services.record_assessment(by=p["facilitator"], household=household, answers=answers(),
                                       assessed_on=RECENT, client_id=client_id)
    again = services.record_assessment(by=p["facilitator"], household=household, answers=answers(),
                                       assessed_on=RECENT, client_id=str(client_id))
    assert first.created and not again.created and again.obj.pk == first.obj.pk
    with pytest.raises(services.Conflict):
        services.record_assessment(by=p["facilitator"], household=household, answers=answers(level="worst"),
                                   assessed_on=RECENT, client_id=client_id)
    assert Assessment.objects.count() == 1


# --- the rules of proposing -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", [K.NATURAL, K.SELF_RELIANT, K.FORCED])
def test_no_graduation_without_an_assessment_or_a_reached_tenure(kind):
    p, program = world()
    enrollment = kpm(program, p, started_on=LATELY)
    with pytest.raises(GraduationError, match="Tidak ada graduasi tanpa asesmen"):
        services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=kind,
                                    reason="Keputusan musyawarah kelurahan 2026")
    assert not Graduation.objects.exists()


def test_natural_graduation_needs_the_tenure_reached():
    p, program = world()
    enrollment = kpm(program, p, started_on=LATELY)
    assess(enrollment.household, p["operator"], on=RECENT)
    with pytest.raises(GraduationError, match="setelah masa kepesertaan berakhir"):
        services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.NATURAL)

    ended = kpm(program, p, started_on=LONG_AGO)
    g = services.propose_graduation(by=p["operator"], enrollment=ended, kind=K.NATURAL)
    assert g.status == Graduation.Status.PROPOSED
    assert g.evidence["tenure_reached"] is True and g.evidence["tenure_ends_on"] == "2025-03-01"
    assert g.assessment is None


def test_self_reliant_graduation_needs_a_recent_ready_assessment():
    p, program = world()
    enrollment = kpm(program, p, started_on=LATELY)
    assess(enrollment.household, p["operator"], level="mid", on=RECENT)
    with pytest.raises(GraduationError, match="siap graduasi"):
        services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.SELF_RELIANT)
    ready = assess(enrollment.household, p["operator"], level="best", on=TODAY)
    g = services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.SELF_RELIANT)
    assert g.assessment == ready
    assert [a["band"] for a in g.evidence["assessments"]] == ["ready", "developing"]


def test_a_ready_assessment_older_than_a_year_is_not_enough():
    p, program = world()
    enrollment = kpm(program, p, started_on=LATELY)
    assess(enrollment.household, p["operator"], on=LATELY + timedelta(days=10))
    with pytest.raises(GraduationError, match="paling lama 12 bulan"):
        services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.SELF_RELIANT)


def test_an_assessment_from_before_the_enrollment_is_no_evidence():
    p, program = world()
    household = family()
    assess(household, p["operator"], on=LATELY - timedelta(days=5))
    enrollment = kpm(program, p, started_on=LATELY, household=household)
    with pytest.raises(GraduationError, match="Tidak ada graduasi tanpa asesmen"):
        services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.FORCED,
                                    reason="Tidak memenuhi komitmen dua tahap berturut-turut")


def test_forced_graduation_needs_a_written_reason():
    p, program = world()
    enrollment = kpm(program, p, started_on=LATELY)
    assess(enrollment.household, p["operator"], level="worst", on=RECENT)
    with pytest.raises(GraduationError, match="alasan tertulis"):
        services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.FORCED, reason="  ")
    g = services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.FORCED,
                                    reason="Hasil musyawarah kelurahan: keluarga pindah usaha ke luar kota")
    assert g.kind == K.FORCED and g.reason.startswith("Hasil musyawarah")


def test_one_pending_proposal_per_enrollment():
    p, program = world()
    enrollment = kpm(program, p, started_on=LONG_AGO)
    services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.NATURAL)
    with pytest.raises(GraduationError, match="menunggu keputusan"):
        services.propose_graduation(by=p["operator2"], enrollment=enrollment, kind=K.NATURAL)


def test_pendamping_proposes_only_for_the_caseload_and_partners_never():
    p, program = world()
    enrollment = kpm(program, p, started_on=LONG_AGO)
    with pytest.raises(GraduationError, match="daftar dampingan"):
        services.propose_graduation(by=p["facilitator"], enrollment=enrollment, kind=K.NATURAL)
    with pytest.raises(GraduationError, match="Peran Anda"):
        services.propose_graduation(by=p["partner"], enrollment=enrollment, kind=K.NATURAL)
    assign_caseload(p["facilitator"], enrollment.household)
    g = services.propose_graduation(by=p["facilitator"], enrollment=enrollment, kind=K.NATURAL)
    assert g.proposed_by == p["facilitator"]


def test_an_exited_enrollment_cannot_be_proposed():
    p, program = world()
    enrollment = kpm(program, p, started_on=LONG_AGO)
    from jsika.programs import services as program_services
    program_services.exit_enrollment(enrollment=enrollment, by=p["manager"], reason=ExitReason.MOVED,
                                     fill_slot=False)
    with pytest.raises(GraduationError, match="Hanya KPM aktif"):
        services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.NATURAL)


# --- deciding ------------------------------------------------------------------------------------------

def test_manager_approves_the_enrollment_exits_as_graduated_and_the_slot_goes_to_the_waiting_list():
    p, program = world()
    enrollment = kpm(program, p, started_on=LONG_AGO)
    waiting = family("36.72.03.1002", desil=1)  # eligible, not enrolled, same kecamatan
    g = services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.NATURAL)
    g = services.approve_graduation(graduation=g, by=p["manager"], note="SK Kadinsos 12/2026")

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.exit_reason, enrollment.ended_on) == (
        EnrollmentStatus.EXITED, ExitReason.GRADUATED, TODAY)
    assert g.status == Graduation.Status.APPROVED and g.graduated_on == TODAY
    assert g.decided_by == p["manager"] and g.decision_note == "SK Kadinsos 12/2026"
    assert g.certificate_number == f"{g.pk:06d}/GRAD/JSCM/{TODAY.year}"
    assert g.replacement is not None and g.replacement.household == waiting
    assert g.replacement.status == EnrollmentStatus.PROPOSED
    assert "Graduasi alamiah" in enrollment.events.last().reason


def test_the_proposer_cannot_approve_maker_checker():
    p, program = world()
    enrollment = kpm(program, p, started_on=LONG_AGO)
    g = services.propose_graduation(by=p["manager"], enrollment=enrollment, kind=K.NATURAL)
    with pytest.raises(GraduationError, match="maker-checker"):
        services.approve_graduation(graduation=g, by=p["manager"])
    with pytest.raises(GraduationError, match="maker-checker"):
        services.reject_graduation(graduation=g, by=p["manager"], note="Salah usul")
    g.refresh_from_db()
    assert g.status == Graduation.Status.PROPOSED
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE


@pytest.mark.parametrize("role", ["operator2", "facilitator", "auditor", "partner"])
def test_only_managers_decide(role):
    p, program = world()
    enrollment = kpm(program, p, started_on=LONG_AGO)
    g = services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.NATURAL)
    with pytest.raises(GraduationError, match="Hanya pengelola program"):
        services.approve_graduation(graduation=g, by=p[role])


def test_a_manager_outside_the_program_scope_cannot_approve():
    p, program = world()
    enrollment = kpm(program, p, started_on=LONG_AGO)
    g = services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.NATURAL)
    with pytest.raises(GraduationError, match="di luar cakupan"):
        services.approve_graduation(graduation=g, by=p["manager_lebak"])


def test_approval_checks_the_rules_again_on_the_day():
    p, program = world()
    enrollment = kpm(program, p, started_on=LATELY)
    assess(enrollment.household, p["operator"], level="best", on=RECENT)
    g = services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.SELF_RELIANT)
    assess(enrollment.household, p["operator"], level="worst", on=TODAY)  # the family fell back
    with pytest.raises(GraduationError, match="siap graduasi"):
        services.approve_graduation(graduation=g, by=p["manager"])
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE


def test_rejection_needs_a_reason_and_keeps_the_kpm_active():
    p, program = world()
    enrollment = kpm(program, p, started_on=LONG_AGO)
    g = services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.NATURAL)
    with pytest.raises(GraduationError, match="Alasan penolakan"):
        services.reject_graduation(graduation=g, by=p["manager"], note=" ")
    g = services.reject_graduation(graduation=g, by=p["manager"], note="Masih ada anak SMA: tunda setahun")
    assert g.status == Graduation.Status.REJECTED
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE
    with pytest.raises(GraduationError, match="sudah diputuskan"):
        services.approve_graduation(graduation=g, by=p["manager_banten"])
    # a rejected proposal does not block a new one
    assert services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.NATURAL).pk != g.pk


def test_graduation_keeps_its_history():
    p, program = world()
    enrollment = kpm(program, p, started_on=LONG_AGO)
    g = services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.NATURAL)
    services.approve_graduation(graduation=g, by=p["manager"])
    rows = list(g.history.order_by("history_date").values_list("status", "history_user"))
    assert rows == [("proposed", p["operator"].pk), ("approved", p["manager"].pk)]


# --- targets -------------------------------------------------------------------------------------------

def test_manager_sets_a_yearly_target_and_operators_cannot():
    p, _program = world()
    from .factories import make_program

    jamsosratu = make_program(p["admin"], "JAMSOSRATU", "36", start_year=2013)
    t = services.set_graduation_target(by=p["manager_banten"], program=jamsosratu, year=2021, region="36",
                                       target=2500, note="Target Pemprov Banten 2021")
    assert (t.target, t.region_id) == (2500, "36")
    t = services.set_graduation_target(by=p["manager_banten"], program=jamsosratu, year=2021, region="36",
                                       target=2600)
    assert GraduationTarget.objects.get().target == 2600
    with pytest.raises(GraduationError, match="Hanya pengelola program"):
        services.set_graduation_target(by=p["operator"], program=jamsosratu, year=2021, region="36", target=1)
    with pytest.raises(GraduationError, match="di luar cakupan"):
        services.set_graduation_target(by=p["manager"], program=jamsosratu, year=2021, region="36.72", target=1)


def test_the_graduated_family_is_never_its_own_replacement():
    p, program = world()
    poorest = family("36.72.03.1001", desil=1)
    enrollment = kpm(program, p, started_on=LONG_AGO, household=poorest)
    waiting = family("36.72.03.1002", desil=3)
    g = services.propose_graduation(by=p["operator"], enrollment=enrollment, kind=K.NATURAL)
    g = services.approve_graduation(graduation=g, by=p["manager"])
    assert g.replacement.household == waiting
    assert not Enrollment.objects.filter(household=poorest, status=EnrollmentStatus.PROPOSED).exists()
