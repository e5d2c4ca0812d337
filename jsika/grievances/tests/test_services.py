"""The lifecycle of a grievance and its SLA clocks, through the services."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from jsika.grievances import services
from jsika.grievances.models import Grievance, GrievanceEvent, Status
from jsika.grievances.services import FilingError, GrievanceError

from .factories import assign_caseload, days_ago, file, make_household, people

pytestmark = pytest.mark.django_db
A = GrievanceEvent.Action


@pytest.fixture
def p(regions):
    return people()


def close(g, by, **kw):
    args = {"outcome": "substantiated", "outcome_note": "Dicek dengan data penyaluran.",
            "public_response": "Sudah ditindaklanjuti."}
    args.update(kw)
    return services.resolve(grievance=g, by=by, **args)


# --- filing --------------------------------------------------------------------------------------------

@override_settings(JSIKA_GRIEVANCE_SLA={"acknowledge_days": 2, "resolve_days": 10})
def test_filing_starts_both_clocks_from_settings(regions):
    at = timezone.now()
    g = file(at=at)
    assert g.status == Status.RECEIVED
    assert g.acknowledge_due_at == at + timedelta(days=2)
    assert g.resolve_due_at == at + timedelta(days=10)
    assert list(g.events.values_list("action", "to_status")) == [(A.FILED, Status.RECEIVED)]
    assert g.history.count() == 1


def test_default_sla_is_three_days_to_acknowledge_and_fourteen_to_resolve(regions):
    at = timezone.now()
    g = file(at=at)
    assert (g.acknowledge_due_at - at, g.resolve_due_at - at) == (timedelta(days=3), timedelta(days=14))


def test_anonymous_filing_keeps_no_name_or_contact(regions):
    g = file(reporter_name="Ibu Sari", contact="081234", anonymous=True)
    g.refresh_from_db()
    assert (g.reporter_name, g.contact, g.is_anonymous) == ("", "", True)


@pytest.mark.parametrize("kwargs, field", [
    ({"region": "36.72.03"}, "region"),
    ({"region": "99.99.99.9999"}, "region"),
    ({"category": "complaint"}, "category"),
    ({"description": "pendek"}, "description"),
    ({"nik": "12345"}, "nik"),
    ({"no_kk": "3.67203E+15"}, "no_kk"),
    ({"program_code": "NOPE"}, "program"),
    ({"contact": "x" * 101}, "contact"),
])
def test_filing_refuses_unusable_input_naming_the_field(regions, kwargs, field):
    with pytest.raises(FilingError) as error:
        file(**kwargs)
    assert error.value.field == field
    assert not Grievance.objects.exists()


def test_filing_keeps_nik_and_kk_digits(regions):
    g = file(nik="3672 0317 0580 0042", no_kk="3672031705800099")
    assert (g.nik, g.no_kk) == ("3672031705800042", "3672031705800099")


# --- lifecycle -----------------------------------------------------------------------------------------

def test_full_lifecycle_records_every_step(p):
    g = file()
    services.acknowledge(grievance=g, by=p["operator"], note="Pelapor ditelepon.")
    services.assign(grievance=g, assignee=p["facilitator"], by=p["operator"])
    services.start_investigation(grievance=g, by=p["operator"])
    services.add_note(grievance=g, by=p["facilitator"], note="Kunjungan rumah dilakukan.")
    g = close(g, p["manager"])
    assert g.status == Status.RESOLVED and g.closed_at is not None and g.outcome == "substantiated"
    actions = list(g.events.values_list("action", "from_status", "to_status", "by__username"))
    assert actions == [
        (A.FILED, "", "received", None),
        (A.ACKNOWLEDGED, "received", "acknowledged", "op.cilegon"),
        (A.ASSIGNED, "", "", "op.cilegon"),
        (A.INVESTIGATING, "acknowledged", "investigating", "op.cilegon"),
        (A.NOTE, "", "", "pendamping.a"),
        (A.RESOLVED, "investigating", "resolved", "mgr.cilegon"),
    ]
    history = list(g.history.order_by("history_date").values_list("status", "history_user__username"))
    assert history[0] == ("received", None) and history[-1] == ("resolved", "mgr.cilegon")


def test_acknowledge_stops_the_acknowledgement_clock_once(p):
    g = file(at=days_ago(5))
    assert g.acknowledge_overdue()
    g = services.acknowledge(grievance=g, by=p["operator"])
    assert g.acknowledged_at is not None and not g.acknowledge_overdue()
    with pytest.raises(GrievanceError, match="sudah ditanggapi"):
        services.acknowledge(grievance=g, by=p["operator"])


def test_cannot_close_without_an_outcome(p):
    g = file()
    for missing in ({"outcome": ""}, {"outcome": "bagus"}, {"outcome_note": " "}, {"public_response": ""}):
        with pytest.raises(GrievanceError):
            close(g, p["operator"], **missing)
    g.refresh_from_db()
    assert g.status == Status.RECEIVED and g.closed_at is None
    assert not g.events.filter(action=A.RESOLVED).exists()


def test_the_database_refuses_a_closed_grievance_without_outcome(regions):
    g = file()
    g.status, g.closed_at = Status.RESOLVED, timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        g.save()


def test_reject_closes_with_outcome_and_reopen_starts_a_new_clock(p):
    g = file(at=days_ago(30))
    g = services.reject(grievance=g, by=p["operator"], outcome="duplicate", outcome_note="Sama dengan tiket lain.",
                        public_response="Pengaduan ganda.")
    assert g.status == Status.REJECTED
    with pytest.raises(GrievanceError, match="sudah ditutup"):
        close(g, p["operator"])
    g = services.reopen(grievance=g, by=p["manager"], reason="Pelapor menyampaikan bukti baru.")
    assert g.status == Status.INVESTIGATING and g.closed_at is None and g.outcome == ""
    assert g.resolve_due_at > timezone.now() + timedelta(days=13)


def test_only_handlers_in_scope_may_act(p):
    g = file()
    for user in (p["operator_lebak"], p["auditor"], p["partner"], p["bank"], p["facilitator"]):
        with pytest.raises(GrievanceError):
            services.acknowledge(grievance=g, by=user)
    services.acknowledge(grievance=g, by=p["province"])
    assert g.events.filter(action=A.ACKNOWLEDGED, by=p["province"]).exists()


def test_assignment_stays_inside_the_region_and_away_from_the_subject(p):
    g = file(category="facilitator")
    with pytest.raises(GrievanceError, match="tidak bertugas"):
        services.assign(grievance=g, assignee=p["operator_lebak"], by=p["operator"])
    with pytest.raises(GrievanceError):
        services.assign(grievance=g, assignee=p["bank"], by=p["operator"])
    services.set_subject_facilitator(grievance=g, facilitator=p["facilitator"], by=p["operator"])
    with pytest.raises(GrievanceError, match="diadukan"):
        services.assign(grievance=g, assignee=p["facilitator"], by=p["operator"])
    g = services.assign(grievance=g, assignee=p["facilitator2"], by=p["operator"])
    assert g.assigned_to == p["facilitator2"]


def test_naming_the_subject_takes_the_grievance_away_from_them(p):
    g = file(category="facilitator")
    services.assign(grievance=g, assignee=p["facilitator"], by=p["operator"])
    g = services.set_subject_facilitator(grievance=g, facilitator=p["facilitator"], by=p["operator"])
    assert g.assigned_to is None and g.subject_facilitator == p["facilitator"]


def test_only_the_assigned_facilitator_may_add_notes(p):
    g = file()
    with pytest.raises(GrievanceError):
        services.add_note(grievance=g, by=p["facilitator"], note="Catatan.")
    services.assign(grievance=g, assignee=p["facilitator"], by=p["operator"])
    services.add_note(grievance=g, by=p["facilitator"], note="Catatan.")
    with pytest.raises(GrievanceError, match="wajib"):
        services.add_note(grievance=g, by=p["operator"], note="  ")


def test_link_household_in_scope_sets_the_facilitator_as_subject(p):
    household = make_household("36.72.03.1002")
    assign_caseload(p["facilitator"], household)
    lebak = make_household("36.02.01.2002")
    g = file(category="facilitator")
    with pytest.raises(GrievanceError, match="tidak ditemukan"):
        services.link_household(grievance=g, no_kk=lebak.no_kk, by=p["operator"])
    with pytest.raises(GrievanceError, match="16"):
        services.link_household(grievance=g, no_kk="123", by=p["operator"])
    g = services.link_household(grievance=g, no_kk=household.no_kk, by=p["operator"])
    assert g.household == household and g.subject_facilitator == p["facilitator"]
    assert list(g.events.values_list("action", flat=True))[-2:] == [A.HOUSEHOLD_LINKED, A.SUBJECT_SET]
    assert household.no_kk not in g.events.get(action=A.HOUSEHOLD_LINKED).note  # masked in the timeline


def test_public_response_update_changes_the_public_date(p):
    g = file(at=days_ago(3))
    before = g.public_updated_at
    g = services.update_public_response(grievance=g, by=p["operator"], text="Sedang dicek ke bank penyalur.")
    assert g.public_response == "Sedang dicek ke bank penyalur." and g.public_updated_at > before


# --- escalation ----------------------------------------------------------------------------------------

def test_escalate_overdue_marks_late_grievances_once(p):
    late_ack = file(at=days_ago(4))  # not acknowledged after 3 days
    late_resolve = file(at=days_ago(15))
    services.acknowledge(grievance=late_resolve, by=p["operator"], at=days_ago(14))
    on_time = file(at=days_ago(1))
    acknowledged = file(at=days_ago(5))
    services.acknowledge(grievance=acknowledged, by=p["operator"], at=days_ago(4))
    closed = file(at=days_ago(20))
    close(closed, p["operator"], at=days_ago(19))

    assert services.escalate_overdue() == 2
    escalated = set(Grievance.objects.filter(escalated=True).values_list("pk", flat=True))
    assert escalated == {late_ack.pk, late_resolve.pk}
    notes = dict(GrievanceEvent.objects.filter(action=A.ESCALATED).values_list("grievance_id", "note"))
    assert "tanggapan" in notes[late_ack.pk] and "penyelesaian" in notes[late_resolve.pk]
    assert Grievance.history.filter(escalated=True).count() == 2
    assert services.escalate_overdue() == 0
    assert not Grievance.objects.filter(pk__in=[on_time.pk, acknowledged.pk, closed.pk], escalated=True).exists()


def test_escalation_command_reports_the_count(p, capsys):
    file(at=days_ago(20))
    call_command("escalate_overdue_grievances")
    assert "1 pengaduan dieskalasi" in capsys.readouterr().out
    assert Grievance.objects.get().escalated


def test_manual_escalation_needs_a_reason_and_happens_once(p):
    g = file()
    with pytest.raises(GrievanceError):
        services.escalate(grievance=g, by=p["operator"], reason="")
    services.escalate(grievance=g, by=p["operator"], reason="Melibatkan pejabat kecamatan.")
    with pytest.raises(GrievanceError, match="sudah dieskalasi"):
        services.escalate(grievance=g, by=p["operator"], reason="Lagi.")


def test_escalation_task_runs_the_service(p):
    from jsika.grievances.tasks import escalate_overdue_grievances_task

    file(at=days_ago(20))
    result = escalate_overdue_grievances_task.enqueue()
    assert result.return_value == 1
