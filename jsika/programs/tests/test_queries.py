from datetime import date

import pytest

from jsika.programs import queries, rules, services
from jsika.programs.models import Enrollment, ExitReason
from jsika.registry.tests.factories import assign_caseload

from .factories import enrolled, family, make_program, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(regions):
    return people()


@pytest.fixture
def jscm(p):
    return make_program(p["admin"], "JSCM", "36.72", exclude_pkh=True)


def test_enrollments_are_read_through_the_scope(p, jscm):
    cilegon = enrolled(jscm, family("36.72.03.1001"), p, until="proposed")
    jamsosratu = make_program(p["admin"], "JAMSOSRATU", "36", start_year=2013)
    lebak = services.propose_enrollment(household=family("36.02.01.2002"), program=jamsosratu,
                                        by=p["operator_lebak"])
    assert set(queries.enrollments_for(p["operator"])) == {cilegon}
    assert set(queries.enrollments_for(p["operator_lebak"])) == {lebak}
    assert set(queries.enrollments_for(p["auditor"])) == {cilegon, lebak}
    assert not queries.enrollments_for(p["bank"]).exists()
    assert not queries.enrollments_for(p["facilitator"]).exists()
    assign_caseload(p["facilitator"], cilegon.household)
    assert set(queries.enrollments_for(p["facilitator"])) == {cilegon}


def test_screening_ranks_lowest_desil_first_and_skips_the_ineligible(p, jscm):
    d3 = family("36.72.03.1001", desil=3)
    d1 = family("36.72.01.1001", desil=1)
    d2 = family("36.72.03.1002", desil=2)
    family("36.72.03.1001", desil=6)  # desil too high
    family("36.72.03.1001", desil=1, school="")  # no component
    family("36.72.03.1001", desil=1, pkh=True)  # national PKH recipient
    family("36.02.01.2002", desil=1)  # outside Cilegon
    enrolled(jscm, family("36.72.03.1001", desil=1), p, until="proposed")  # already proposed
    assert list(queries.screening_for(p["operator"], jscm)) == [d1, d2, d3]


def test_screening_stays_in_the_users_scope(p, jscm):
    family("36.72.03.1001", desil=1)
    assert list(queries.screening_for(p["operator_lebak"], jscm)) == []


def test_screening_and_explained_eligibility_agree(p, jscm):
    households = [family("36.72.03.1001", desil=d, school=s, pkh=k)
                  for d in (1, 4, 5) for s in ("", "sd", "sma") for k in (False, True)]
    listed = set(queries.screening_for(p["operator"], jscm))
    for household in households:
        assert (household in listed) == rules.eligibility(household, jscm).eligible, household.no_kk


def test_kpm_count_counts_active_during_the_year(p, jscm):
    e1 = enrolled(jscm, family(), p)  # active since 2024-03-01
    e2 = enrolled(jscm, family("36.72.01.1001"), p)
    services.exit_enrollment(enrollment=e2, by=p["manager"], reason=ExitReason.MOVED, ended_on=date(2024, 12, 31),
                             fill_slot=False)
    enrolled(jscm, family(), p, until="approved")  # not started: not a KPM yet
    assert queries.kpm_count(jscm, 2023) == 0
    assert queries.kpm_count(jscm, 2024) == 2
    assert queries.kpm_count(jscm, 2025) == 1
    assert queries.kpm_count("JSCM", 2025, "36.72.03") == 1
    assert queries.kpm_count(jscm, 2025, "36.72.01") == 0
    assert e1.pk in Enrollment.objects.filter(queries.active_during_q(2026)).values_list("pk", flat=True)


def test_tenure_ending_lists_kpm_within_the_window(p, jscm):
    soon = enrolled(jscm, family(), p)
    Enrollment.objects.filter(pk=soon.pk).update(tenure_ends_on=date(2027, 2, 1))
    later = enrolled(jscm, family(), p)
    Enrollment.objects.filter(pk=later.pk).update(tenure_ends_on=date(2028, 2, 1))
    found = queries.tenure_ending_for(p["manager"], months=6, today=date(2026, 11, 28))
    assert list(found) == [soon]


def test_overlap_report_finds_two_programs_and_pkh(p, jscm):
    other = make_program(p["admin"], "JAMSOSRATU", "36", start_year=2013)
    both = family("36.72.03.1001")
    enrolled(jscm, both, p, until="approved")
    e = services.propose_enrollment(household=both, program=other, by=p["operator"])
    services.verify_enrollment(enrollment=e, by=p["operator2"])
    services.approve_enrollment(enrollment=e, by=p["manager_banten"])
    flagged = family("36.72.01.1001")
    e2 = services.propose_enrollment(household=flagged, program=other, by=p["operator"])
    services.verify_enrollment(enrollment=e2, by=p["operator2"])
    services.approve_enrollment(enrollment=e2, by=p["manager_banten"])
    flagged.is_pkh_recipient = True
    flagged.save()
    enrolled(jscm, family(), p, until="approved")  # one program only: not an overlap

    report = queries.overlaps_for(p["manager"])
    assert [(r.household, r.programs, r.kind) for r in report.rows] == [
        (flagged, ["JAMSOSRATU"], "juga penerima PKH nasional"),
        (both, ["JAMSOSRATU", "JSCM"], "lebih dari satu program"),
    ]
    assert report.per_region == {"36.72": {"multi": 1, "pkh": 1, "total": 2}}
    assert queries.overlaps_for(p["operator_lebak"]).rows == []
