"""Retention: who is pseudonymised after N years, what goes, what stays (aggregates), history scrubbed."""

import uuid
from datetime import date
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from jsika.core.models import AuditEvent
from jsika.core.retention import MARKER_PREFIX, PSEUDONYM_NAME, apply_retention, eligible_households, marker
from jsika.core.tasks import apply_retention_task
from jsika.fieldwork.models import Visit
from jsika.grievances import services as grievance_services
from jsika.grievances.models import Grievance
from jsika.payments.models import BankAccount, Payment, PaymentStatus
from jsika.payments.tests.factories import approved_cycle, jscm_world
from jsika.programs.models import Enrollment, EnrollmentStatus
from jsika.programs.tests.factories import make_program
from jsika.registry.models import Household, Person
from jsika.registry.tests.factories import make_household, make_person

TODAY = date(2026, 11, 28)  # five years before: 2021-11-28
LONG_AGO = date(2019, 6, 30)
RECENT = date(2024, 6, 30)


def exit_enrollment(enrollment, ended_on):
    Enrollment.objects.filter(pk=enrollment.pk).update(
        status=EnrollmentStatus.EXITED, exit_reason="tenure_ended", started_on=date(2014, 7, 1), ended_on=ended_on)


def mark_paid(household):
    Payment.objects.filter(household=household).update(
        status=PaymentStatus.PAID, credited_amount_rupiah=1_000_000, credited_on=date(2025, 3, 20))


@pytest.fixture
def world(regions):
    program, p, enrollments = jscm_world(n_pulomerak=5, n_ciwaduk=0)
    approved_cycle(program, p)
    gone, unpaid, recent, complaining, still_enrolled = enrollments
    for e in (gone, recent, complaining, still_enrolled):
        mark_paid(e.household)
    exit_enrollment(gone, LONG_AGO)
    exit_enrollment(unpaid, LONG_AGO)
    exit_enrollment(recent, RECENT)
    exit_enrollment(complaining, LONG_AGO)
    exit_enrollment(still_enrolled, LONG_AGO)
    mother = complaining.household.members.get(name="Siti Aminah")
    grievance_services.file_grievance(category="not_received", region="36.72.03.1001",
                                      description="Bantuan tahap terakhir belum diterima.", nik=mother.nik)
    other = make_program(p["admin"], "JSRT", "36")
    Enrollment.objects.create(program=other, household=still_enrolled.household, status=EnrollmentStatus.ACTIVE,
                              proposed_by=p["admin"], started_on=date(2025, 1, 1))
    never = make_household("36.72.03.1001")
    make_person(never, name="Belum Pernah Ikut")
    visit = Visit.objects.create(
        household=gone.household, facilitator=p["facilitator"], visited_on=date(2019, 3, 1), purpose="pemantauan",
        notes="Ibu Siti Aminah dirawat karena TBC", latitude=-5.93, longitude=106.0, client_id=uuid.uuid4(),
        content_hash="x" * 64, photo=ContentFile(b"\xff\xd8\xff\xe0 foto rumah", name="rumah.jpg"))
    closed = grievance_services.file_grievance(
        category="cut", region="36.72.03.1001", description="Bantuan dipotong oknum Rp100.000.",
        reporter_name="Siti Aminah", contact="081200001111", nik=gone.household.members.get(name="Siti Aminah").nik)
    Grievance.objects.filter(pk=closed.pk).update(
        status="resolved", outcome="corrected", closed_at=timezone.now(), household=gone.household)
    return {"p": p, "gone": gone.household, "unpaid": unpaid.household, "recent": recent.household,
            "complaining": complaining.household, "still_enrolled": still_enrolled.household, "never": never,
            "visit": visit, "closed_grievance": closed}


def test_only_households_exited_long_ago_without_open_matters_are_eligible(world):
    eligible = set(eligible_households(today=TODAY, years=5))
    assert eligible == {world["gone"]}
    assert set(eligible_households(today=TODAY, years=1)) == {world["gone"], world["recent"]}


def test_apply_pseudonymises_people_household_and_bank_data_and_keeps_the_facts(world):
    gone = world["gone"]
    old_kk = gone.no_kk
    old = {p.pk: (p.nik, p.name, p.birth_date) for p in gone.members.all()}
    total_before = Payment.objects.aggregate(s=Sum("amount_rupiah"))["s"]

    result = apply_retention(by=world["p"]["admin"], today=TODAY, years=5)

    assert (result.households, result.persons, result.payments, result.bank_accounts) == (1, 2, 1, 1)
    gone.refresh_from_db()
    assert gone.no_kk.startswith(MARKER_PREFIX) and len(gone.no_kk) == 16 and gone.no_kk == marker(old_kk, "kk")
    assert (gone.address, gone.latitude, gone.longitude) == ("", None, None)
    assert gone.region_id == "36.72.03.1001" and gone.desil == 2
    for person in gone.members.all():
        nik, name, born = old[person.pk]
        assert person.name == PSEUDONYM_NAME and person.phone == ""
        assert person.nik == marker(nik, "nik") and nik not in person.nik
        assert person.birth_date == date(born.year, 7, 1)
        # history keeps no trace of the old values, and records why the row changed
        assert not Person.history.filter(id=person.pk, nik=nik).exists()
        assert not Person.history.filter(id=person.pk, name=name).exists()
        assert person.history.latest().history_change_reason.startswith("retensi UU PDP")
    assert not Household.history.filter(id=gone.pk, no_kk=old_kk).exists()
    payment = Payment.objects.get(household=gone)
    assert payment.amount_rupiah == 1_000_000 and payment.status == PaymentStatus.PAID
    assert (payment.holder_name, payment.holder_nik, payment.account_number) == (PSEUDONYM_NAME, "", f"R-{payment.pk}")
    assert not Payment.history.filter(household_id=gone.pk, holder_name="Siti Aminah").exists()
    assert BankAccount.objects.get(household=gone).holder_nik == ""
    assert Payment.objects.aggregate(s=Sum("amount_rupiah"))["s"] == total_before
    assert Enrollment.objects.get(household=gone).ended_on == LONG_AGO

    event = AuditEvent.objects.get(action=AuditEvent.Action.RETENTION_APPLIED)
    assert event.actor == world["p"]["admin"] and event.detail["households"] == 1


@pytest.mark.django_db(transaction=True)
def test_notes_photos_and_closed_grievances_are_cleared_too(world):
    visit, closed = world["visit"], world["closed_grievance"]
    photo_name = visit.photo.name
    assert default_storage.exists(photo_name)
    apply_retention(by=world["p"]["admin"], today=TODAY, years=5)
    visit.refresh_from_db()
    assert (visit.notes, visit.latitude, visit.photo.name) == ("", None, "")
    assert visit.visited_on == date(2019, 3, 1) and visit.purpose == "pemantauan"
    assert not default_storage.exists(photo_name)
    assert not Visit.history.filter(id=visit.pk, notes__contains="TBC").exists()
    closed.refresh_from_db()
    assert (closed.reporter_name, closed.contact, closed.nik) == ("", "", "")
    assert closed.category == "cut" and closed.ticket
    assert not Grievance.history.filter(id=closed.pk, reporter_name="Siti Aminah").exists()


def test_households_not_eligible_are_untouched(world):
    keep = ["unpaid", "recent", "complaining", "still_enrolled", "never"]
    before = {k: (world[k].no_kk, sorted(world[k].members.values_list("nik", "name"))) for k in keep}
    apply_retention(by=world["p"]["admin"], today=TODAY, years=5)
    for k in keep:
        world[k].refresh_from_db()
        assert (world[k].no_kk, sorted(world[k].members.values_list("nik", "name"))) == before[k], k


def test_dry_run_counts_and_changes_nothing_and_a_second_run_finds_nothing(world):
    result = apply_retention(by=world["p"]["admin"], today=TODAY, years=5, dry_run=True)
    assert (result.households, result.persons) == (1, 2)
    assert not Person.objects.filter(name=PSEUDONYM_NAME).exists()
    assert not AuditEvent.objects.exists()
    apply_retention(by=world["p"]["admin"], today=TODAY, years=5)
    again = apply_retention(by=world["p"]["admin"], today=TODAY, years=5)
    assert again.households == 0 and AuditEvent.objects.count() == 1


def test_command_and_task_use_the_setting(world, settings):
    settings.JSIKA_RETENTION_YEARS_AFTER_EXIT = 5
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "1 keluarga, 2 orang akan dipseudonimkan" in out.getvalue()
    assert not Person.objects.filter(name=PSEUDONYM_NAME).exists()
    result = apply_retention_task.enqueue().return_value
    assert result["households"] == 1 and Person.objects.filter(name=PSEUDONYM_NAME).count() == 2
