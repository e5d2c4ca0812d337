"""Graduation candidates (tenure path and score path), target progress, and what the household page shows."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from jsika.graduation import queries, services
from jsika.graduation.models import GraduationKind
from jsika.programs import services as program_services

from .factories import assess, assign_caseload, family, kpm, make_program, world

pytestmark = pytest.mark.django_db

K = GraduationKind
TODAY = timezone.localdate()


def _years_before(years: int, days: int = 0) -> date:
    return date(TODAY.year - years, TODAY.month, min(TODAY.day, 28)) + timedelta(days=days)


def _ids(qs):
    return {e.pk for e in qs}


def test_tenure_path_lists_kpm_whose_tenure_ended_or_ends_within_the_horizon():
    p, program = world()
    ended = kpm(program, p, started_on=_years_before(5, -10))
    soon = kpm(program, p, started_on=_years_before(5, 60))  # ends in about 60 days
    later = kpm(program, p, started_on=_years_before(5, 200))
    found = queries.graduation_candidates(p["manager"], program, horizon_days=90)
    assert _ids(found) == {ended.pk, soon.pk}
    assert later.pk not in _ids(queries.graduation_candidates(p["manager"], program, horizon_days=90))
    assert later.pk in _ids(queries.graduation_candidates(p["manager"], program, horizon_days=365))


def test_score_path_needs_ready_in_the_last_two_assessments_during_the_enrollment():
    p, program = world()
    start = _years_before(2)
    two_ready = kpm(program, p, started_on=start)
    assess(two_ready.household, p["operator"], level="mid", on=start + timedelta(days=30))
    assess(two_ready.household, p["operator"], level="best", on=TODAY - timedelta(days=200))
    assess(two_ready.household, p["operator"], level="best", on=TODAY - timedelta(days=20))
    one_ready = kpm(program, p, started_on=start)
    assess(one_ready.household, p["operator"], level="mid", on=TODAY - timedelta(days=200))
    assess(one_ready.household, p["operator"], level="best", on=TODAY - timedelta(days=20))
    fell_back = kpm(program, p, started_on=start)
    assess(fell_back.household, p["operator"], level="best", on=TODAY - timedelta(days=200))
    assess(fell_back.household, p["operator"], level="mid", on=TODAY - timedelta(days=20))
    household = family()
    assess(household, p["operator"], level="best", on=start - timedelta(days=100))  # before this enrollment
    before = kpm(program, p, started_on=start, household=household)
    assess(household, p["operator"], level="best", on=TODAY - timedelta(days=20))

    found = list(queries.graduation_candidates(p["manager"], program))
    assert _ids(found) == {two_ready.pk}
    row = found[0]
    assert (row.last_band, row.prev_band) == ("ready", "ready") and row.head_name == "Kepala Keluarga"
    assert before.pk not in _ids(found)


def test_path_and_region_filters():
    p, program = world()
    natural = kpm(program, p, started_on=_years_before(6), region="36.72.03.1001")
    start = _years_before(1)
    self_reliant = kpm(program, p, started_on=start, region="36.72.01.1001")
    assess(self_reliant.household, p["operator"], on=start + timedelta(days=10))
    assess(self_reliant.household, p["operator"], on=start + timedelta(days=100))
    m = p["manager"]
    assert _ids(queries.graduation_candidates(m, program)) == {natural.pk, self_reliant.pk}
    assert _ids(queries.graduation_candidates(m, program, path="alamiah")) == {natural.pk}
    assert _ids(queries.graduation_candidates(m, program, path="mandiri")) == {self_reliant.pk}
    assert _ids(queries.graduation_candidates(m, program, region="36.72.01")) == {self_reliant.pk}


def test_pendamping_sees_only_caseload_candidates_and_pending_proposals_are_marked():
    p, program = world()
    mine = kpm(program, p, started_on=_years_before(6))
    other = kpm(program, p, started_on=_years_before(6))
    assign_caseload(p["facilitator"], mine.household)
    assert _ids(queries.graduation_candidates(p["facilitator"], program)) == {mine.pk}
    assert _ids(queries.graduation_candidates(p["operator_lebak"], program)) == set()
    services.propose_graduation(by=p["facilitator"], enrollment=mine, kind=K.NATURAL)
    rows = {e.pk: e.pending for e in queries.graduation_candidates(p["manager"], program)}
    assert rows == {mine.pk: True, other.pk: False}


def _graduate(p, enrollment, kind=K.NATURAL, on=None):
    g = services.propose_graduation(by=p["admin"], enrollment=enrollment, kind=kind, on=on)
    return services.approve_graduation(graduation=g, by=p["manager_banten"], on=on)


def test_target_progress_counts_approved_graduations_of_the_year_in_the_region():
    p, _program = world()
    jamsosratu = make_program(p["admin"], "JAMSOSRATU", "36", start_year=2013, tenure_years=5)
    services.set_graduation_target(by=p["manager_banten"], program=jamsosratu, year=2021, region="36", target=2500)
    services.set_graduation_target(by=p["manager_banten"], program=jamsosratu, year=2021, region="36.72", target=300)
    in_2021 = date(2021, 6, 30)
    for region in ("36.72.03.1001", "36.72.01.1001", "36.02.01.2001"):
        _graduate(p, kpm(jamsosratu, p, started_on=date(2016, 3, 1), region=region), on=in_2021)
    forced = kpm(jamsosratu, p, started_on=date(2019, 3, 1), region="36.72.03.1002")
    assess(forced.household, p["operator"], level="worst", on=date(2021, 3, 1))
    g = services.propose_graduation(by=p["operator"], enrollment=forced, kind=K.FORCED, on=in_2021,
                                    reason="Keputusan musyawarah kelurahan Suralaya")
    services.approve_graduation(graduation=g, by=p["manager_banten"], on=in_2021)
    _graduate(p, kpm(jamsosratu, p, started_on=date(2017, 3, 1), region="36.72.03.1001"), on=date(2022, 3, 2))

    rows = {r.target.region_id: r for r in queries.target_progress(program=jamsosratu, year=2021)}
    assert (rows["36"].achieved, rows["36"].target.target, rows["36"].percent) == (4, 2500, 0.2)
    assert rows["36"].by_kind == {"alamiah": 3, "paksa": 1}
    assert rows["36.72"].achieved == 3
    assert [r.target.region_id for r in queries.target_progress(region="36.72")] == ["36", "36.72"]


def test_household_page_shows_graduation_and_flags_re_entry():
    p, program = world()
    enrollment = kpm(program, p, started_on=_years_before(6))
    household = enrollment.household
    assess(household, p["operator"], on=TODAY - timedelta(days=3))
    g = _graduate(p, enrollment)
    # Re-entry: proposed again later, with a reason (the programs service checks eligibility again).
    again = program_services.propose_enrollment(household=household, program=program, by=p["operator"],
                                                reason="Musyawarah kelurahan: usaha keluarga bangkrut")

    info = queries.graduation_for_household(p["partner"], household)
    assert info.last_graduation == g and info.assessment_count == 1
    assert info.reentries == [(g, again)]
    assert queries.graduation_for_household(p["operator_lebak"], household) is None
    assert queries.graduation_for_household(p["facilitator"], household) is None  # not in the caseload
