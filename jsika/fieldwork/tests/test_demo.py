"""The field-work demo step: pendamping, caseloads, visits and P2K2 on the five modules, some non-compliance."""

import random

import pytest
from django.db.models import Count

from jsika.core.demo import SeedContext, run_steps
from jsika.fieldwork.demo import DEMO_FACILITATORS, seed_fieldwork
from jsika.fieldwork.models import (
    Attendance,
    CaseloadAssignment,
    CheckStatus,
    ComplianceAction,
    ComplianceCheck,
    FamilySession,
    Visit,
)
from jsika.fieldwork.queries import households_for
from jsika.programs.models import Enrollment

pytestmark = pytest.mark.django_db

BEFORE = ["jsika.core.demo.seed_accounts", "jsika.core.demo.seed_families", "jsika.core.demo.seed_caseload",
          "jsika.programs.demo.seed_programs"]


@pytest.fixture
def seeded(regions):
    ctx = SeedContext(families=600, seed=11)
    run_steps(ctx, BEFORE)
    return ctx


def test_seed_fieldwork_builds_a_plausible_field_world_once(seeded):
    summary = seed_fieldwork(seeded)
    pendamping = {u for u, *_ in DEMO_FACILITATORS}
    with_caseload = set(CaseloadAssignment.objects.filter(ended_at__isnull=True).values_list(
        "facilitator__username", flat=True))
    assert {"pendamping.pulomerak"} < with_caseload and with_caseload & pendamping
    for username in with_caseload:  # every pendamping stays inside their own kecamatan
        rows = CaseloadAssignment.objects.filter(facilitator__username=username, ended_at__isnull=True)
        scope = rows.first().facilitator.scope
        assert not rows.exclude(household__region__code__startswith=scope + ".").exists()
    assert Visit.objects.count() > 100
    # Visits respect the rules the sync enforces: in a caseload, never before the KPM started.
    for visit in Visit.objects.select_related("household")[:300]:
        started = Enrollment.objects.filter(household=visit.household, started_on__isnull=False).order_by(
            "started_on").values_list("started_on", flat=True).first()
        assert started is None or visit.visited_on >= started
        assert households_for(visit.facilitator).filter(pk=visit.household_id).exists()
    modules = set(FamilySession.objects.values_list("module__number", flat=True))
    assert modules == {1, 2, 3, 4, 5}
    assert Attendance.objects.filter(present=False).exists() and Attendance.objects.filter(present=True).exists()
    statuses = dict(ComplianceCheck.objects.values_list("status").annotate(n=Count("pk")).order_by())
    assert statuses.get(CheckStatus.NOT_MET, 0) > 0 and statuses.get(CheckStatus.MET, 0) > statuses[CheckStatus.NOT_MET]
    assert ComplianceAction.objects.filter(kind="warning").exists()
    assert "kunjungan" in summary and "pertemuan P2K2" in summary

    visits = Visit.objects.count()  # a second run changes nothing
    assert seed_fieldwork(admin=seeded.admin, rng=random.Random(3)).startswith("dilewati")
    assert Visit.objects.count() == visits
