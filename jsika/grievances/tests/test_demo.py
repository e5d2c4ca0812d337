"""The demo step: grievances in every state, with the Pulomerak case of aid cut by an intermediary."""

import random
from datetime import date

import pytest

from jsika.core.demo import DEMO_ACCOUNTS
from jsika.grievances.demo import seed_grievances
from jsika.grievances.models import Grievance
from jsika.grievances.queries import grievances_for

from .factories import assign_caseload, make_household, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(regions):
    users = {a.username: make_user(a.username, a.role or "superuser", a.scope) for a in DEMO_ACCOUNTS}
    pulomerak = [make_household(f"36.72.03.100{i % 4 + 1}") for i in range(8)]
    assign_caseload(users["pendamping.pulomerak"], *pulomerak[:4])
    return users


def test_seed_makes_every_state_and_the_pulomerak_cut_case(demo_world):
    summary = seed_grievances(admin=demo_world["admin"], rng=random.Random(7), today=date(2026, 11, 28))
    assert "Pulomerak" in summary
    statuses = set(Grievance.objects.values_list("status", flat=True))
    assert statuses == {"received", "acknowledged", "investigating", "resolved", "rejected"}
    cut = Grievance.objects.get(category="cut", region__code__startswith="36.72.03.")
    assert cut.status == "resolved" and cut.outcome == "substantiated" and cut.household is not None
    assert "data penyaluran" in cut.outcome_note.lower() and "Rp500.000" in cut.outcome_note
    assert cut.filed_at.date() == date(2019, 11, 25)
    assert [e.action for e in cut.events.all()] == [
        "filed", "acknowledged", "household_linked", "investigating", "note", "note", "resolved"]
    assert Grievance.objects.filter(escalated=True).exists()


def test_the_pendamping_sees_her_assignment_but_not_the_complaint_about_her(demo_world):
    seed_grievances(admin=demo_world["admin"], rng=random.Random(7), today=date(2026, 11, 28))
    about_her = Grievance.objects.get(category="facilitator")
    assert about_her.subject_facilitator == demo_world["pendamping.pulomerak"]
    mine = grievances_for(demo_world["pendamping.pulomerak"])
    assert about_her not in mine and mine.filter(category="data_error").count() == 1


def test_seed_runs_once(demo_world):
    seed_grievances(admin=demo_world["admin"], rng=random.Random(7), today=date(2026, 11, 28))
    count = Grievance.objects.count()
    assert seed_grievances(admin=demo_world["admin"]).startswith("dilewati")
    assert Grievance.objects.count() == count >= 7
