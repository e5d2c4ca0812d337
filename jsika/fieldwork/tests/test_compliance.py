"""Commitment verification: computed from visits and attendance, confirmable, warning then suspension."""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from jsika.fieldwork import compliance, periods, queries, services
from jsika.fieldwork.models import (
    CheckStatus,
    ComplianceAction,
    ComplianceCheck,
    ComplianceRule,
    Condition,
)
from jsika.fieldwork.services import FieldworkError
from jsika.programs.models import EnrollmentEvent

from .factories import enroll, world

pytestmark = pytest.mark.django_db

MET, NOT_MET, UNKNOWN = CheckStatus.MET, CheckStatus.NOT_MET, CheckStatus.UNKNOWN


@pytest.fixture
def w(regions):
    data = world()
    data["enrollment"] = enroll(data["family"], by=data["operator"], started_on=date(2024, 1, 10))
    data["small_enrollment"] = enroll(data["small"], by=data["operator"], started_on=date(2024, 1, 10))
    return data


def last_month() -> tuple[str, date]:
    period = periods.shift(periods.of(timezone.localdate()), -1)
    return period, periods.parse(period)[0] + timedelta(days=9)


def record_visit(w, day, **condition):
    return services.record_visit(by=w["pendamping"], client_id=uuid.uuid4(), household=w["family"], visited_on=day,
                                 purpose="pemantauan", condition=condition)


def session_with(w, day, present: dict):
    session = services.record_session(by=w["pendamping"], client_id=uuid.uuid4(), region="36.72.03.1001",
                                      module="kesehatan-gizi", session_number=1, held_on=day).obj
    for household, came in present.items():
        services.record_attendance(by=w["pendamping"], client_id=uuid.uuid4(), session_client_id=session.client_id,
                                   household=household, present=came, absence_reason="" if came else "sakit")
    return session


def checks(enrollment, period) -> dict[str, str]:
    return dict(ComplianceCheck.objects.filter(enrollment=enrollment, period=period)
                .values_list("condition", "status"))


def test_conditions_apply_by_family_shape_and_start_without_data(w):
    period, _ = last_month()
    result = compliance.evaluate_compliance(period=period, by=w["manager"])
    assert result.enrollments == 2
    assert checks(w["enrollment"], period) == {
        Condition.SCHOOL: UNKNOWN, Condition.ANTENATAL: UNKNOWN, Condition.TODDLER: UNKNOWN, Condition.P2K2: UNKNOWN}
    assert checks(w["small_enrollment"], period) == {Condition.P2K2: UNKNOWN}  # no children, no pregnancy


def test_recorded_visits_and_attendance_make_checks_met(w):
    period, day = last_month()
    record_visit(w, day, school=[{"person": w["pupil"].pk, "attendance_percent": 92},
                                 {"person": w["teen"].pk, "attendance_percent": 85}],
                 pregnant=[{"person": w["mother"].pk, "antenatal_checked": True}],
                 toddlers=[{"person": w["toddler"].pk, "weighed": True}])
    session_with(w, day, {w["family"]: True, w["small"]: False})
    compliance.evaluate_compliance(period=period, by=w["operator"])
    assert set(checks(w["enrollment"], period).values()) == {MET}
    assert checks(w["small_enrollment"], period) == {Condition.P2K2: NOT_MET}


def test_school_attendance_below_85_percent_or_a_dropout_is_not_met(w):
    period, day = last_month()
    record_visit(w, day, school=[{"person": w["pupil"].pk, "attendance_percent": 84},
                                 {"person": w["teen"].pk, "attendance_percent": 95}])
    compliance.evaluate_compliance(period=period, by=w["manager"])
    check = ComplianceCheck.objects.get(enrollment=w["enrollment"], period=period, condition=Condition.SCHOOL)
    assert check.status == NOT_MET and check.detail["below_minimum"] == {str(w["pupil"].pk): 84}
    record_visit(w, day + timedelta(days=1), school=[{"person": w["pupil"].pk, "attendance_percent": 90},
                                                     {"person": w["teen"].pk, "in_school": False}])
    compliance.evaluate_compliance(period=period, by=w["manager"])
    check.refresh_from_db()
    assert check.status == NOT_MET and check.detail["dropouts"] == [w["teen"].pk]


def test_a_program_rule_can_raise_the_school_minimum_or_drop_a_condition(w):
    period, day = last_month()
    ComplianceRule.objects.create(program=w["enrollment"].program, school_min_percent=95,
                                  require_toddler_weighing=False)
    record_visit(w, day, school=[{"person": w["pupil"].pk, "attendance_percent": 90},
                                 {"person": w["teen"].pk, "attendance_percent": 99}])
    compliance.evaluate_compliance(period=period, by=w["manager"])
    found = checks(w["enrollment"], period)
    assert found[Condition.SCHOOL] == NOT_MET and Condition.TODDLER not in found


def test_a_pendamping_confirmation_overrides_and_survives_recomputation(w):
    period, day = last_month()
    compliance.evaluate_compliance(period=period, by=w["manager"])
    check = ComplianceCheck.objects.get(enrollment=w["enrollment"], period=period, condition=Condition.ANTENATAL)
    compliance.confirm_compliance(check=check, status=MET, by=w["pendamping"], note="Buku KIA diperiksa")
    record_visit(w, day, pregnant=[{"person": w["mother"].pk, "antenatal_checked": False}])
    compliance.evaluate_compliance(period=period, by=w["manager"])
    check.refresh_from_db()
    assert (check.status, check.computed_status, check.confirmed_by) == (MET, NOT_MET, w["pendamping"])
    assert check.history.filter(history_user=w["pendamping"]).exists()


def test_only_the_caseloads_pendamping_confirms(w):
    period, _ = last_month()
    compliance.evaluate_compliance(period=period, by=w["manager"])
    check = ComplianceCheck.objects.filter(enrollment=w["enrollment"], period=period).first()
    with pytest.raises(FieldworkError, match="daftar dampingan"):
        compliance.confirm_compliance(check=check, status=NOT_MET, by=w["other"])
    with pytest.raises(FieldworkError, match="tidak dapat mengonfirmasi"):
        compliance.confirm_compliance(check=check, status=NOT_MET, by=w["auditor"])
    with pytest.raises(FieldworkError, match="'met' atau 'not_met'"):
        compliance.confirm_compliance(check=check, status="unknown", by=w["pendamping"])


def test_a_facilitator_computes_only_their_caseload(w):
    stranger = enroll(w["other_family"], by=w["operator"])
    period, _ = last_month()
    result = compliance.evaluate_compliance(period=period, by=w["pendamping"])
    assert result.enrollments == 2
    assert not ComplianceCheck.objects.filter(enrollment=stranger).exists()


def test_a_future_period_or_a_bad_one_is_refused(w):
    with pytest.raises(FieldworkError, match="belum dimulai"):
        compliance.evaluate_compliance(period=periods.shift(periods.of(timezone.localdate()), 1), by=w["manager"])
    with pytest.raises(FieldworkError, match="TTTT-BB"):
        compliance.evaluate_compliance(period="2026-13", by=w["manager"])


def fail_p2k2(w, period):
    start, _ = periods.parse(period)
    session_with(w, start + timedelta(days=3), {w["small"]: False, w["family"]: True})
    compliance.evaluate_compliance(period=period, by=w["manager"])


def test_first_non_compliance_warns_then_a_repeat_suspends_through_the_programs_module(w):
    first, _ = last_month()
    earlier = periods.shift(first, -1)
    program = w["enrollment"].program
    fail_p2k2(w, earlier)
    result = compliance.apply_compliance_rules(program=program, period=earlier, by=w["manager"])
    assert (result.warnings, result.suspensions) == (1, 0)
    w["small_enrollment"].refresh_from_db()
    assert w["small_enrollment"].status == "active"

    fail_p2k2(w, first)
    result = compliance.apply_compliance_rules(program=program, period=first, by=w["manager"])
    assert (result.warnings, result.suspensions, result.not_suspended) == (0, 1, [])
    w["small_enrollment"].refresh_from_db()
    assert w["small_enrollment"].status == "suspended"
    event = EnrollmentEvent.objects.filter(enrollment=w["small_enrollment"]).last()
    assert event.action == "suspended" and "Kehadiran P2K2" in event.reason
    kinds = list(ComplianceAction.objects.filter(enrollment=w["small_enrollment"]).order_by("period")
                 .values_list("kind", flat=True))
    assert kinds == ["warning", "suspension"]
    assert w["enrollment"].compliance_actions.count() == 0  # the family that came is untouched


def test_applying_the_rules_twice_changes_nothing(w):
    period, _ = last_month()
    fail_p2k2(w, period)
    program = w["enrollment"].program
    compliance.apply_compliance_rules(program=program, period=period, by=w["manager"])
    again = compliance.apply_compliance_rules(program=program, period=period, by=w["manager"])
    assert (again.warnings, again.suspensions, again.already) == (0, 0, 1)
    assert ComplianceAction.objects.count() == 1


def test_a_warning_outside_the_window_does_not_count(w):
    period, _ = last_month()
    old = periods.shift(period, -5)
    ComplianceAction.objects.create(enrollment=w["small_enrollment"], household=w["small"], period=old, kind="warning",
                                    reason="lama", by=w["manager"])
    fail_p2k2(w, period)
    result = compliance.apply_compliance_rules(program=w["enrollment"].program, period=period, by=w["manager"])
    assert (result.warnings, result.suspensions) == (1, 0)


def test_only_managers_and_operators_apply_sanctions(w):
    period, _ = last_month()
    with pytest.raises(FieldworkError, match="Hanya pengelola"):
        compliance.apply_compliance_rules(program=w["enrollment"].program, period=period, by=w["pendamping"])


def test_payments_read_compliance_per_month_or_per_cycle(w):
    period, _ = last_month()
    fail_p2k2(w, period)
    program = w["enrollment"].program
    assert queries.is_compliant(w["enrollment"], period)
    assert not queries.is_compliant(w["small_enrollment"], period)
    cycle = [periods.shift(period, -2), periods.shift(period, -1), period]
    assert not queries.is_compliant(w["small_enrollment"], cycle)
    assert queries.is_compliant(w["small_enrollment"], cycle[:2])
    assert set(queries.compliant_enrollments(program, period)) == {w["enrollment"]}
    assert set(queries.non_compliant_enrollments(program, cycle)) == {w["small_enrollment"]}
    with pytest.raises(ValueError):
        queries.is_compliant(w["enrollment"], "maret")


def test_the_monthly_command_computes_and_applies(w, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    period, _ = last_month()
    fail_p2k2(w, period)
    call_command("evaluate_compliance", "--period", period, "--program", "jscm", "--user", w["manager"].username,
                 "--apply")
    out = capsys.readouterr().out
    assert f"JSCM {period}: 2 KPM" in out and "1 peringatan, 0 penangguhan" in out
    assert ComplianceAction.objects.get().enrollment == w["small_enrollment"]
    with pytest.raises(CommandError, match="TTTT-BB"):
        call_command("evaluate_compliance", "--period", "10-2026", "--user", w["manager"].username)
    with pytest.raises(CommandError, match="Hanya pengelola"):
        call_command("evaluate_compliance", "--period", period, "--user", w["pendamping"].username, "--apply")
