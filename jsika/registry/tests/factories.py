"""Small factories for registry tests: regions as plain Region rows, households, persons, users.

Every helper creates what it needs with sensible defaults; pass keyword arguments to override.
"""

import itertools
from datetime import date

from django.contrib.auth import get_user_model

from jsika.fieldwork.models import CaseloadAssignment
from jsika.regions.models import Region
from jsika.registry.identity import make_nik
from jsika.registry.models import Household, Person, Relation
from jsika.registry.names import name_key

PASSWORD = "demo-jsika-2026"
_serial = itertools.count(1)

_KNOWN_NAMES = {
    "36": "Banten", "36.02": "Lebak", "36.72": "Cilegon", "36.72.03": "Pulomerak",
    "36.72.03.1001": "Lebak Gede", "36.72.03.1002": "Suralaya", "36.72.01": "Cilegon",
    "36.72.01.1001": "Ciwaduk", "36.02.01.2001": "Malingping Utara", "36.02.01": "Malingping",
    "36.01": "Pandeglang", "36.01.01.2001": "Sumur",
}


def _kind(code: str, level: int) -> str:
    last = code.split(".")[-1]
    if level == 1:
        return "provinsi"
    if level == 2:
        return "kota" if int(last) >= 71 else "kabupaten"
    if level == 3:
        return "kecamatan"
    return "kelurahan" if last.startswith("1") else "desa"


def make_region(code: str, name: str = "") -> Region:
    """The region ``code`` and every ancestor, created as plain rows when missing."""
    parts = code.split(".")
    parent = None
    for level in range(1, len(parts) + 1):
        prefix = ".".join(parts[:level])
        parent, _ = Region.objects.get_or_create(
            code=prefix,
            defaults={"name": (name if prefix == code and name else _KNOWN_NAMES.get(prefix, f"Wilayah {prefix}")),
                      "level": level, "kind": _kind(prefix, level), "parent": parent},
        )
    return parent


def make_household(region_code: str = "36.72.03.1001", **kw) -> Household:
    """A household in desa/kelurahan ``region_code`` with a unique, well-formed No. KK."""
    region = make_region(region_code)
    if "no_kk" not in kw:
        kw["no_kk"] = f"{''.join(region_code.split('.')[:3])}0101{next(_serial) % 10**6:06d}"
    return Household.objects.create(region=region, **kw)


def make_person(household: Household, **kw) -> Person:
    """A member of ``household`` whose NIK agrees with sex and birth date (first member is the head)."""
    kw.setdefault("name", f"Warga {next(_serial)}")
    kw.setdefault("sex", "L")
    kw.setdefault("birth_date", date(1980, 5, 17))
    if "relation" not in kw:
        kw["relation"] = Relation.HEAD if not household.members.exists() else Relation.CHILD
    if "nik" not in kw:
        district = ".".join(household.region_id.split(".")[:3])
        kw["nik"] = make_nik(district_code=district, sex=kw["sex"], birth_date=kw["birth_date"],
                             serial=next(_serial) % 10**4 or 1)
    kw.setdefault("name_key", name_key(kw["name"]))
    return Person.objects.create(household=household, **kw)


def make_region_tree() -> dict[str, Region]:
    """Every region of _KNOWN_NAMES (Banten, Cilegon with Pulomerak, Lebak, Pandeglang), keyed by code."""
    return {code: make_region(code) for code in sorted(_KNOWN_NAMES)}


def make_user(username: str, role: str = "", scope: str = "", **kw):
    """A user with ``role`` and region ``scope``; the password is the demo one. ``role="superuser"``
    makes a superuser."""
    kw.setdefault("password", PASSWORD)
    if role == "superuser":
        return get_user_model().objects.create_superuser(username=username, **kw)
    return get_user_model().objects.create_user(username=username, role=role, scope=scope, **kw)


def assign_caseload(facilitator, *households: Household) -> None:
    """Put ``households`` in a pendamping's active caseload."""
    CaseloadAssignment.objects.bulk_create([CaseloadAssignment(facilitator=facilitator, household=h)
                                            for h in households])


def _years_old(years: int, month: int = 6, day: int = 15) -> date:
    today = date.today()
    return date(today.year - years, month, day)


def make_banten_world() -> dict[str, Household]:
    """Four households with known criteria: two in Pulomerak and one elsewhere in Cilegon (36.72),
    one in Kab. Lebak (36.02). Keys: pulomerak, suralaya, ciwaduk, lebak."""
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

    lebak = make_household("36.02.01.2001", desil=1, address="Kampung Cilangkahan")
    make_person(lebak, name="Asep Supriatna", relation="kepala keluarga", sex="L", birth_date=date(1975, 9, 30))
    make_person(lebak, name="Ujang Supriatna", relation="anak", sex="L", birth_date=date(2015, 10, 5),
                school_status="sd")
    return {"pulomerak": pulomerak, "suralaya": suralaya, "ciwaduk": ciwaduk, "lebak": lebak}
