"""Small plain-function factories for registry tests (synthetic data, real region codes)."""

import itertools
from datetime import date

from jsika.core.models import User
from jsika.fieldwork.models import CaseloadAssignment
from jsika.regions.models import Region
from jsika.registry.identity import make_nik
from jsika.registry.models import Household, Person, Relation
from jsika.registry.names import name_key

# code, name, level, kind: the slice of Banten the tests need (real Kemendagri codes).
REGIONS = [
    ("36", "Banten", 1, "provinsi"),
    ("36.72", "Kota Cilegon", 2, "kota"),
    ("36.72.01", "Cibeber", 3, "kecamatan"),
    ("36.72.01.1001", "Cibeber", 4, "kelurahan"),
    ("36.72.03", "Pulomerak", 3, "kecamatan"),
    ("36.72.03.1001", "Lebak Gede", 4, "kelurahan"),
    ("36.72.03.1002", "Suralaya", 4, "kelurahan"),
    ("36.02", "Kabupaten Lebak", 2, "kabupaten"),
    ("36.02.01", "Malingping", 3, "kecamatan"),
    ("36.02.01.2002", "Cilangkahan", 4, "desa"),
]

_serial = itertools.count(1)


def make_region_tree() -> dict[str, Region]:
    """The regions of REGIONS (idempotent), keyed by code."""
    regions = {}
    for code, name, level, kind in REGIONS:
        parent = code.rsplit(".", 1)[0] if "." in code else None
        regions[code], _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "kind": kind, "parent_id": parent},
        )
    return regions


def _number(region_code: str, tail: str) -> str:
    return region_code.replace(".", "")[:6] + tail


def make_household(region_code: str = "36.72.03.1001", **kw) -> Household:
    """A household in a desa/kelurahan of REGIONS (created when missing); No. KK unique per call."""
    if not Region.objects.filter(code=region_code).exists():
        make_region_tree()
    n = next(_serial)
    fields = {"no_kk": _number(region_code, f"{n:010d}"), "address": f"Jl. Contoh No. {n}", "rt": "001",
              "rw": "002", "desil": 2}
    fields.update(kw)
    return Household.objects.create(region_id=region_code, **fields)


def make_person(household: Household, **kw) -> Person:
    """A member with a structurally valid NIK built from the household's kecamatan."""
    sex = kw.pop("sex", "L")
    birth_date = kw.pop("birth_date", date(1980, 5, 17))
    nik = kw.pop("nik", None) or make_nik(district_code=household.region_id[:8], sex=sex, birth_date=birth_date,
                                          serial=next(_serial) % 10000 or 1)
    name = kw.pop("name", f"Warga {nik[-4:]}")
    fields = {"relation": Relation.HEAD, "name_key": name_key(name)}
    fields.update(kw)
    return Person.objects.create(household=household, nik=nik, name=name, sex=sex, birth_date=birth_date, **fields)


def make_user(username: str, role: str = "", scope: str = "", **kw) -> User:
    """A user with a role and scope; ``role='superuser'`` makes a superuser."""
    if role == "superuser":
        return User.objects.create_superuser(username=username, password="demo-jsika-2026", **kw)
    return User.objects.create_user(username=username, password="demo-jsika-2026", role=role, scope=scope, **kw)


def assign_caseload(facilitator: User, *households: Household) -> None:
    CaseloadAssignment.objects.bulk_create(
        [CaseloadAssignment(facilitator=facilitator, household=h) for h in households]
    )


# --- a world for scope tests (API and pages): five households over four scopes, demo accounts ---

OUTSIDE_BANTEN = [
    ("32", "Jawa Barat", 1, "provinsi"),
    ("32.73", "Kota Bandung", 2, "kota"),
    ("32.73.01", "Sukasari", 3, "kecamatan"),
    ("32.73.01.1001", "Sarijadi", 4, "kelurahan"),
]


def make_demo_users() -> dict[str, User]:
    """The accounts of specs/accounts.md (one partner, one bank) plus ``admin``, by username."""
    users = {
        "dinsos.banten": make_user("dinsos.banten", "manager", "36"),
        "dinsos.cilegon": make_user("dinsos.cilegon", "manager", "36.72"),
        "operator.cilegon": make_user("operator.cilegon", "operator", "36.72"),
        "operator.lebak": make_user("operator.lebak", "operator", "36.02"),
        "pendamping.pulomerak": make_user("pendamping.pulomerak", "facilitator", "36.72.03"),
        "opd.pendidikan": make_user("opd.pendidikan", "partner", "36", sector="pendidikan"),
        "bank.bjb": make_user("bank.bjb", "bank", "", bank_code="BJB"),
        "auditor.inspektorat": make_user("auditor.inspektorat", "auditor", "36"),
        "admin": make_user("admin", "superuser"),
    }
    return users


def make_scope_world(today: date | None = None) -> dict[str, Household]:
    """Five households whose members exercise every criterion, keyed by a short name.

    - ``pulomerak`` 36.72.03.1001: pregnant mother, a toddler, an SMA pupil; desil 2
    - ``lebakgede`` 36.72.03.1002: an elderly, disabled head; desil 5
    - ``cibeber``   36.72.01.1001: SD and SMP pupils; desil 4
    - ``lebak``     36.02.01.2002: an SD pupil; desil 1
    - ``bandung``   32.73.01.1001: outside Banten; desil 3
    """
    today = today or date.today()
    make_region_tree()
    for code, name, level, kind in OUTSIDE_BANTEN:
        parent = code.rsplit(".", 1)[0] if "." in code else None
        Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "kind": kind,
                                                          "parent_id": parent})
    toddler_born = today.replace(year=today.year - 2, day=min(today.day, 28))
    h = {
        "pulomerak": make_household("36.72.03.1001", desil=2, address="Jl. Raya Merak No. 12", rt="003", rw="002",
                                    latitude=-5.9361, longitude=106.0032),
        "lebakgede": make_household("36.72.03.1002", desil=5),
        "cibeber": make_household("36.72.01.1001", desil=4),
        "lebak": make_household("36.02.01.2002", desil=1),
        "bandung": make_household("32.73.01.1001", desil=3),
    }
    child = {"relation": Relation.CHILD}
    make_person(h["pulomerak"], name="Ahmad Sujatmiko", birth_date=date(1980, 5, 17), occupation="buruh pelabuhan")
    make_person(h["pulomerak"], name="Siti Chadidjah", sex="P", birth_date=date(1985, 5, 17),
                relation=Relation.WIFE, pregnant=True)
    make_person(h["pulomerak"], name="Rizky Pratama", birth_date=date(2009, 3, 2), school_status="sma", **child)
    make_person(h["pulomerak"], name="Nur Aini", sex="P", birth_date=toddler_born, school_status="belum sekolah",
                **child)
    make_person(h["lebakgede"], name="Soekarjo", birth_date=date(1950, 1, 9), disabled=True)
    make_person(h["cibeber"], name="Dedi Mulyadi", birth_date=date(1978, 8, 1))
    make_person(h["cibeber"], name="Putri Lestari", sex="P", birth_date=date(2015, 2, 3), school_status="sd", **child)
    make_person(h["cibeber"], name="Bayu Saputra", birth_date=date(2012, 7, 4), school_status="smp", **child)
    make_person(h["lebak"], name="Jaja Suparja", birth_date=date(1975, 4, 5))
    make_person(h["lebak"], name="Euis Komariah", sex="P", birth_date=date(2016, 6, 6), school_status="sd", **child)
    make_person(h["bandung"], name="Asep Sunandar", birth_date=date(1970, 10, 10))
    return h


def _years_old(years: int, month: int = 6, day: int = 15) -> date:
    today = date.today()
    return date(today.year - years, month, day)


def make_banten_world() -> dict[str, Household]:
    """Four households with known criteria: two in Pulomerak and one elsewhere in Cilegon (36.72),
    one in Kab. Lebak (36.02). Keys: pulomerak, suralaya, ciwaduk, lebak."""
    make_region_tree()
    pulomerak = make_household("36.72.03.1001", desil=2, address="Jl. Raya Merak No. 12",
                               latitude=-5.9361, longitude=106.0032)
    make_person(pulomerak, name="Ahmad Sujatmiko", relation="kepala keluarga", sex="L", birth_date=date(1982, 3, 10),
                occupation="Buruh pelabuhan", phone="081234567890")
    make_person(pulomerak, name="Siti Chadidjah", relation="istri", sex="P", birth_date=date(1985, 5, 17),
                pregnant=True)
    make_person(pulomerak, name="Rizky Pratama", relation="anak", sex="L", birth_date=date(2009, 8, 1),
                school_status="sma")
    make_person(pulomerak, name="Nur Aini", relation="anak", sex="P", birth_date=_years_old(2),
                school_status="belum sekolah")

    suralaya = make_household("36.72.03.1002", desil=5, address="Kampung Suralaya RT 03")
    make_person(suralaya, name="Soekardjo", relation="kepala keluarga", sex="L", birth_date=date(1950, 1, 20),
                disabled=True)
    make_person(suralaya, name="Painem", relation="istri", sex="P", birth_date=date(1955, 7, 7))

    ciwaduk = make_household("36.72.01.1001", desil=4, address="Jl. Ciwaduk No. 3")
    make_person(ciwaduk, name="Bayu Saputra", relation="kepala keluarga", sex="L", birth_date=date(1978, 11, 2))
    make_person(ciwaduk, name="Putri Lestari", relation="anak", sex="P", birth_date=date(2016, 4, 9),
                school_status="sd")
    make_person(ciwaduk, name="Dimas Saputra", relation="anak", sex="L", birth_date=date(2012, 2, 14),
                school_status="smp")

    lebak = make_household("36.02.01.2002", desil=1, address="Kampung Cilangkahan")
    make_person(lebak, name="Asep Supriatna", relation="kepala keluarga", sex="L", birth_date=date(1975, 9, 30))
    make_person(lebak, name="Ujang Supriatna", relation="anak", sex="L", birth_date=date(2015, 10, 5),
                school_status="sd")
    return {"pulomerak": pulomerak, "suralaya": suralaya, "ciwaduk": ciwaduk, "lebak": lebak}
