"""Programs, households with components, and the people who act on enrollments (plain functions)."""

from datetime import date

from jsika.programs import services
from jsika.programs.models import BenefitRule, Enrollment
from jsika.registry.models import Relation
from jsika.registry.tests.factories import make_household, make_person, make_user

__all__ = ["make_household", "make_person", "make_user", "make_program", "family", "people", "enrolled"]


def years_ago(years: int, today: date | None = None) -> date:
    today = today or date.today()
    return date(today.year - years, 6, 15) if (today.month, today.day) >= (6, 15) else date(
        today.year - years - 1, 6, 15)


def make_program(by, code: str = "JSCM", owner: str = "36.72", *, rule: dict | None = None, **fields):
    """A program through the services, with a flat Rp1,000,000 rule from its start year unless told otherwise."""
    defaults = {"name": f"Program {code}", "start_year": 2017, "desil_max": 4, "bank_code": "BJB"}
    defaults.update(fields)
    program = services.create_program(by=by, code=code, owner_region=owner, **defaults)
    rule = rule if rule is not None else {"kind": BenefitRule.Kind.FLAT, "amount_rupiah": 1_000_000}
    if rule:
        services.set_benefit_rule(program=program, by=by, year=program.start_year, **rule)
    return program


def family(region: str = "36.72.03.1001", *, desil: int = 2, school: str = "sd", pkh: bool = False, **kw):
    """A household with a head and one child at school (an SD pupil by default: one component)."""
    household = make_household(region, desil=desil, is_pkh_recipient=pkh, **kw)
    make_person(household, name="Kepala Keluarga", birth_date=date(1980, 5, 17))
    if school:
        make_person(household, name="Anak Sekolah", birth_date=years_ago(10), relation=Relation.CHILD,
                    school_status=school)
    return household


def people():
    """Everyone the lifecycle tests need, by role and scope."""
    return {
        "operator": make_user("op.cilegon.1", "operator", "36.72"),
        "operator2": make_user("op.cilegon.2", "operator", "36.72"),
        "manager": make_user("mgr.cilegon", "manager", "36.72"),
        "manager_banten": make_user("mgr.banten", "manager", "36"),
        "operator_lebak": make_user("op.lebak", "operator", "36.02"),
        "manager_lebak": make_user("mgr.lebak", "manager", "36.02"),
        "facilitator": make_user("pendamping.1", "facilitator", "36.72.03"),
        "partner": make_user("opd.1", "partner", "36", sector="pendidikan"),
        "bank": make_user("bank.1", "bank", "", bank_code="BJB"),
        "auditor": make_user("auditor.1", "auditor", "36"),
        "admin": make_user("admin.1", "superuser"),
    }


def enrolled(program, household, p, *, until: str = "active") -> Enrollment:
    """Move a household through the lifecycle up to ``until`` with the usual people."""
    e = services.propose_enrollment(household=household, program=program, by=p["operator"])
    if until == "proposed":
        return e
    e = services.verify_enrollment(enrollment=e, by=p["operator2"])
    if until == "verified":
        return e
    e = services.approve_enrollment(enrollment=e, by=p["manager"])
    if until == "approved":
        return e
    return services.activate_enrollment(enrollment=e, by=p["operator"], started_on=date(2024, 3, 1))
