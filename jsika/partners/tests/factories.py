"""A small Banten world for the partner tests: KPM families with known members, agencies, partner accounts.

``partner_world()`` returns a dict with households, persons, agencies and users by name:

- ``pulomerak`` (36.72.03.1001, KPM JSCM): head Ahmad; Siti, pregnant; Rizky, 15, in SMP (finishing this
  year); Dewi, 16, out of school; Nur, 2 — the household was flagged at risk of stunting at a visit.
- ``suralaya`` (36.72.03.1002, KPM JSCM): Soekardjo, 76, disabled; Painem, 70.
- ``ciwaduk`` (36.72.01.1001, *not* a KPM): Bayu; Putri, 9, SD; Dimas, 12, SMP.
- ``lebak`` (36.02.01.2001, KPM Jamsosratu): Asep; Ujang, 15, SMP (finishing this year).
"""

import uuid
from datetime import date, timedelta

from django.utils import timezone

from jsika.core.models import ApiToken
from jsika.fieldwork.models import Visit
from jsika.partners.models import Agency, Membership
from jsika.partners.queries import years_ago
from jsika.programs.models import Enrollment, Program
from jsika.regions.models import Region
from jsika.registry.tests.factories import assign_caseload, make_household, make_person, make_region, make_user

__all__ = ["make_household", "make_person", "make_user", "make_region", "assign_caseload", "partner_world",
           "make_agency", "make_partner", "make_kpm", "token_for", "age_years"]


def age_years(years: int, *, before_june: bool = True) -> date:
    """A birth date making someone ``years`` old today and (by default) that age by 30 June this year."""
    today = timezone.localdate()
    born = date(today.year - years, 1, 10)
    return born if born <= years_ago(years, today) else date(today.year - years - 1, 12, 20)


def make_agency(name: str, sector: str, region: str = "36", short_name: str = "") -> Agency:
    return Agency.objects.create(name=name, sector=sector, region=make_region(region), short_name=short_name)


def make_partner(username: str, agency: Agency | None, scope: str = "36", **kw):
    user = make_user(username, "partner", scope, sector=agency.sector if agency else kw.pop("sector", ""), **kw)
    if agency is not None:
        Membership.objects.create(user=user, agency=agency)
    return user


def make_program(code: str, owner: str) -> Program:
    return Program.objects.create(code=code, name=f"Program {code}", owner_region=make_region(owner),
                                  start_year=2017)


def make_kpm(household, program: Program, by, status: str = "active") -> Enrollment:
    return Enrollment.objects.create(program=program, household=household, status=status, proposed_by=by,
                                     started_on=date(2024, 3, 1), tenure_ends_on=date(2029, 3, 1))


def flag_stunting(household, facilitator, *, days_ago: int = 10) -> Visit:
    return Visit.objects.create(client_id=uuid.uuid4(), household=household, facilitator=facilitator,
                                visited_on=timezone.localdate() - timedelta(days=days_ago), purpose="pemantauan",
                                problems=["risiko_stunting"], content_hash=uuid.uuid4().hex)


def token_for(user) -> str:
    return ApiToken.issue(user=user)[1]


def partner_world() -> dict:
    w: dict = {}
    w["manager"] = make_user("dinsos.banten", "manager", "36")
    w["manager_cilegon"] = make_user("dinsos.cilegon", "manager", "36.72")
    w["operator"] = make_user("operator.cilegon", "operator", "36.72")
    w["auditor"] = make_user("auditor.banten", "auditor", "36")
    w["facilitator"] = make_user("pendamping.pulomerak", "facilitator", "36.72.03")
    w["bank"] = make_user("bank.bjb", "bank", "", bank_code="BJB")
    jscm, jamsosratu = make_program("JSCM", "36.72"), make_program("JAMSOSRATU", "36")
    w["jscm"], w["jamsosratu"] = jscm, jamsosratu

    h = w["pulomerak"] = make_household("36.72.03.1001", desil=2, address="Jl. Raya Merak No. 12", rt="003",
                                        rw="002", latitude=-5.9361, longitude=106.0032)
    w["ahmad"] = make_person(h, name="Ahmad Sujatmiko", relation="kepala keluarga", birth_date=date(1982, 3, 10),
                             occupation="Buruh pelabuhan", phone="081234567890")
    w["siti"] = make_person(h, name="Siti Chadidjah", relation="istri", sex="P", birth_date=date(1985, 5, 17),
                            pregnant=True, education="SMP")
    w["rizky"] = make_person(h, name="Rizky Pratama", relation="anak", birth_date=age_years(15), school_status="smp",
                             education="SD")
    w["dewi"] = make_person(h, name="Dewi Lestari", relation="anak", sex="P", birth_date=age_years(16),
                            school_status="tidak sekolah lagi", education="SMP")
    w["nur"] = make_person(h, name="Nur Aini", relation="anak", sex="P", birth_date=age_years(2),
                           school_status="belum sekolah")

    h = w["suralaya"] = make_household("36.72.03.1002", desil=5, address="Kampung Suralaya RT 03")
    w["soekardjo"] = make_person(h, name="Soekardjo", relation="kepala keluarga", birth_date=date(1950, 1, 20),
                                 disabled=True)
    w["painem"] = make_person(h, name="Painem", relation="istri", sex="P", birth_date=date(1955, 7, 7))

    h = w["ciwaduk"] = make_household("36.72.01.1001", desil=4, address="Jl. Ciwaduk No. 3")
    w["bayu"] = make_person(h, name="Bayu Saputra", relation="kepala keluarga", birth_date=date(1978, 11, 2))
    w["putri"] = make_person(h, name="Putri Saputra", relation="anak", sex="P", birth_date=age_years(9),
                             school_status="sd")
    w["dimas"] = make_person(h, name="Dimas Saputra", relation="anak", birth_date=age_years(12), school_status="smp")

    h = w["lebak"] = make_household("36.02.01.2001", desil=1, address="Kampung Cilangkahan")
    w["asep"] = make_person(h, name="Asep Supriatna", relation="kepala keluarga", birth_date=date(1975, 9, 30))
    w["ujang"] = make_person(h, name="Ujang Supriatna", relation="anak", birth_date=age_years(15), school_status="smp")

    for key in ("pulomerak", "suralaya"):
        make_kpm(w[key], jscm, w["operator"])
    make_kpm(w["lebak"], jamsosratu, w["manager"])
    assign_caseload(w["facilitator"], w["pulomerak"], w["suralaya"])
    flag_stunting(w["pulomerak"], w["facilitator"])

    w["dindik"] = make_agency("Dinas Pendidikan dan Kebudayaan Provinsi Banten", "pendidikan", "36", "Dindikbud")
    w["dinkes"] = make_agency("Dinas Kesehatan Provinsi Banten", "kesehatan", "36", "Dinkes")
    w["dinkes_cilegon"] = make_agency("Dinas Kesehatan Kota Cilegon", "kesehatan", "36.72", "Dinkes Cilegon")
    w["dinsos_cilegon"] = make_agency("Dinas Sosial Kota Cilegon", "sosial", "36.72", "Dinsos Cilegon")
    w["education"] = make_partner("opd.pendidikan", w["dindik"], "36")
    w["health"] = make_partner("opd.kesehatan", w["dinkes"], "36")
    w["health_cilegon"] = make_partner("opd.kesehatan.cilegon", w["dinkes_cilegon"], "36.72")
    w["social"] = make_partner("opd.sosial.cilegon", w["dinsos_cilegon"], "36.72")
    w["loose_partner"] = make_partner("opd.tanpa.instansi", None, "36")
    assert Region.objects.filter(code="36.02.01.2001").exists()
    return w
