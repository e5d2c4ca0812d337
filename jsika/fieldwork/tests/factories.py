"""Small factories for field-work tests: a Cilegon world with two pendamping, KPM enrollments, records."""

import base64
import io
import uuid
from datetime import date, timedelta

from django.utils import timezone
from PIL import Image

from jsika.fieldwork.demo import ensure_modules
from jsika.programs.models import Enrollment, Program
from jsika.registry.models import Relation
from jsika.registry.tests.factories import assign_caseload, make_household, make_person, make_region, make_user

__all__ = ["make_household", "make_person", "make_user", "assign_caseload", "world", "enroll", "jpeg", "data_url",
           "visit_record", "session_record", "attendance_record", "years_ago"]


def years_ago(years: int, today: date | None = None) -> date:
    today = today or timezone.localdate()
    return date(today.year - years, 1, 15)


def jpeg(size=(64, 48), quality=80) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "JPEG", quality=quality)
    return out.getvalue()


def data_url(data: bytes, kind: str = "image/jpeg") -> str:
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def program(code: str = "JSCM", owner: str = "36.72") -> Program:
    make_region(owner)
    return Program.objects.get_or_create(code=code, defaults={"name": f"Program {code}", "owner_region_id": owner,
                                                              "start_year": 2017})[0]


def enroll(household, *, by, code: str = "JSCM", started_on: date = date(2024, 1, 10),
           status: str = "active") -> Enrollment:
    """An active KPM enrollment made directly (the programs services have their own tests)."""
    return Enrollment.objects.create(program=program(code), household=household, status=status, proposed_by=by,
                                     started_on=started_on, tenure_ends_on=started_on + timedelta(days=5 * 365))


def world():
    """Pulomerak families followed by ``pendamping``, one followed by ``other``, and the people around them.

    Keys: pendamping, other, manager, operator, operator_lebak, auditor, partner, bank, admin, family (two
    school children, a pregnant mother, a toddler), small (a head only), other_family, unassigned.
    """
    modules = ensure_modules()
    people = {
        "pendamping": make_user("pendamping.merak", "facilitator", "36.72.03"),
        "other": make_user("pendamping.suralaya", "facilitator", "36.72.03"),
        "manager": make_user("dinsos.cilegon.t", "manager", "36.72"),
        "operator": make_user("operator.cilegon.t", "operator", "36.72"),
        "operator_lebak": make_user("operator.lebak.t", "operator", "36.02"),
        "auditor": make_user("auditor.t", "auditor", "36"),
        "partner": make_user("opd.t", "partner", "36", sector="pendidikan"),
        "bank": make_user("bank.t", "bank", "", bank_code="BJB"),
        "admin": make_user("admin.t", "superuser"),
    }
    today = timezone.localdate()
    family = make_household("36.72.03.1001", desil=2, address="Jl. Raya Merak 1", rt="001", rw="002",
                            latitude=-5.93, longitude=106.0)
    head = make_person(family, name="Ahmad Sujatmiko", birth_date=date(1982, 3, 10), relation=Relation.HEAD)
    mother = make_person(family, name="Siti Chadidjah", sex="P", birth_date=date(1990, 5, 17), relation=Relation.WIFE,
                         pregnant=True)
    pupil = make_person(family, name="Rizky Pratama", birth_date=years_ago(10, today), school_status="sd")
    teen = make_person(family, name="Dewi Lestari", sex="P", birth_date=years_ago(14, today), school_status="smp")
    toddler = make_person(family, name="Nur Aini", sex="P", birth_date=years_ago(2, today),
                          school_status="belum sekolah")
    small = make_household("36.72.03.1002", desil=3, address="Kampung Suralaya")
    make_person(small, name="Soekardjo", birth_date=date(1960, 1, 20))
    other_family = make_household("36.72.03.1001", desil=1, address="Jl. Lain 9")
    make_person(other_family, name="Bayu Saputra", birth_date=date(1978, 11, 2))
    unassigned = make_household("36.72.03.1002", desil=2, address="Belum didampingi")
    make_person(unassigned, name="Asep", birth_date=date(1979, 1, 2))
    assign_caseload(people["pendamping"], family, small)
    assign_caseload(people["other"], other_family)
    return {**people, "family": family, "small": small, "other_family": other_family, "unassigned": unassigned,
            "head": head, "mother": mother, "pupil": pupil, "teen": teen, "toddler": toddler, "modules": modules}


def visit_record(household, /, **overrides) -> dict:
    today = timezone.localdate()
    record = {"client_id": str(uuid.uuid4()), "type": "visit", "household": str(household.pk),
              "visited_on": today.isoformat(), "purpose": "pemantauan", "notes": "Kunjungan rutin",
              "latitude": -5.9361, "longitude": 106.0032, "recorded_at": timezone.localtime().isoformat()}
    record.update(overrides)
    return record


def session_record(region: str = "36.72.03.1001", /, **overrides) -> dict:
    record = {"client_id": str(uuid.uuid4()), "type": "session", "region": region, "module": "kesehatan-gizi",
              "session_number": 1, "held_on": timezone.localdate().isoformat(), "place": "Balai RW 02",
              "recorded_at": timezone.localtime().isoformat()}
    record.update(overrides)
    return record


def attendance_record(session: dict, household, present: bool = True, **overrides) -> dict:
    record = {"client_id": str(uuid.uuid4()), "type": "attendance", "session": session["client_id"],
              "household": str(household.pk), "present": present,
              "absence_reason": "" if present else "sakit", "recorded_at": timezone.localtime().isoformat()}
    record.update(overrides)
    return record
