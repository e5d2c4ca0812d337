"""Graduation test helpers: the people, an enrolled KPM with a known tenure, answers of a wanted quality."""

from datetime import date

from jsika.graduation import services
from jsika.graduation.models import Instrument
from jsika.graduation.scoring import indicators_of
from jsika.programs import services as program_services
from jsika.programs.tests.factories import family, make_program, people
from jsika.registry.tests.factories import assign_caseload, make_user

__all__ = ["family", "make_program", "people", "make_user", "assign_caseload", "v1", "answers", "kpm", "assess",
           "world"]


def v1() -> Instrument:
    """The published version 1 from the data migration."""
    return Instrument.objects.get(code="KEMANDIRIAN", version=1)


def answers(instrument: Instrument | None = None, level: str = "best") -> dict:
    """Answers choosing for every indicator its best (``best``), worst (``worst``) or the best option worth at
    most two thirds of the top (``mid``)."""
    instrument = instrument or v1()
    chosen = {}
    for indicator in indicators_of(instrument):
        options = sorted(indicator.options.all(), key=lambda o: (o.score, o.pk))
        top = options[-1].score
        middle = [o for o in options if 3 * o.score <= 2 * top][-1]  # v1: 24 of 40 points, "berkembang"
        pick = {"best": options[-1], "worst": options[0], "mid": middle}[level]
        chosen[indicator.code] = pick.pk
    return chosen


def kpm(program, p, *, region: str = "36.72.03.1001", started_on: date = date(2020, 3, 1), household=None):
    """An active KPM of ``program`` started on ``started_on`` (tenure = program.tenure_years from then)."""
    household = household or family(region)
    e = program_services.propose_enrollment(household=household, program=program, by=p["admin"])
    e = program_services.verify_enrollment(enrollment=e, by=p["manager_banten"])
    e = program_services.approve_enrollment(enrollment=e, by=p["manager_banten"])
    return program_services.activate_enrollment(enrollment=e, by=p["admin"], started_on=started_on)


def assess(household, by, *, level: str = "best", on: date = date(2024, 5, 2), instrument=None, **kw):
    return services.record_assessment(by=by, household=household, answers=answers(instrument, level),
                                      assessed_on=on, instrument=instrument, **kw).obj


def world():
    """People, JSCM (Cilegon, 5-year tenure) and a pendamping with one KPM household in the caseload."""
    p = people()
    program = make_program(p["admin"], "JSCM", "36.72", tenure_years=5)
    return p, program
