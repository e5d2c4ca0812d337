"""The PostgreSQL import path (import_pg / import_sql) against the Python path, row for row.

The same file goes through both engines (each run rolled back); the rejects file must be the same
byte for byte, and the report, households, persons and history rows the same.
"""

import csv
from datetime import date
from pathlib import Path

import pytest
from django.db import connection, transaction

from jsika.core.models import User
from jsika.registry import importer
from jsika.registry.fileformat import COLUMNS
from jsika.registry.models import Household, Person
from jsika.registry.names import name_key
from jsika.registry.services import import_family_file
from jsika.registry.tests.test_import import LEBAK, family, nik, person_row

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL engine exists on PostgreSQL only")

# (column, value) put into one member row of its own family; every spelling a clerk's file may hold.
VARIANTS = [
    ("no_kk", " 3672030101209999 "), ("no_kk", "3.67203E+15"), ("no_kk", "3672-0301-0120-9999"),
    ("no_kk", "367203010120999"), ("no_kk", "36720301012099991"), ("no_kk", "36720301012099x9"),
    ("no_kk", "3672030101209999.0"), ("no_kk", ""), ("no_kk", "３６７２０３０１０１２０９９９９"),
    ("nik", "1172031705800042"), ("nik", "2072031705800042"), ("nik", "3600031705800042"),
    ("nik", "3672001705800042"), ("nik", "3672033213120001"), ("nik", "3672030013120001"),
    ("nik", "3672037213120001"), ("nik", "3672034013120001"), ("nik", "3672033002120001"),
    ("nik", "3672032902000001"), ("nik", "3672032902010001"), ("nik", "3672032902040001"),
    ("nik", "3672031705800000"), ("nik", "3672 0317 0580 0042"), ("nik", "\u00a03672031705800042\t"),
    ("nik", "36720317058000421"), ("nik", ""),
    ("nama", ""), ("nama", "   "), ("nama", "  Budi   Santoso "), ("nama", "Budi\tSantoso"),
    ("nama", "Budi\u00a0Santoso"), ("nama", "Muh. Ach'mad  Soedjatmiko"), ("nama", "Jos\u00e9 Ma\u00f1uel"),
    ("nama", "X" * 150), ("nama", "X" * 151), ("nama", "M. Qadri Vivi Zulkifli Xaverius Yie"),
    ("nama", "Moch Achmad Chairul Dhani Thohir Phillip Sholeh"), ("nama", "Ah Eh Oh Abdullah Hh"),
    ("nama", "O'Neil Al-Habsyi bin Ali (alm)"), ("nama", "Ｍ Ｙｕｓｕｆ"),
    ("jenis_kelamin", "l"), ("jenis_kelamin", " Laki-Laki "), ("jenis_kelamin", "LAKI LAKI"),
    ("jenis_kelamin", "1"), ("jenis_kelamin", "pria"), ("jenis_kelamin", "X"), ("jenis_kelamin", ""),
    ("jenis_kelamin", "\u212aL"), ("jenis_kelamin", "P"),
    ("tanggal_lahir", "17-05-1980"), ("tanggal_lahir", "17/05/1980"), ("tanggal_lahir", "1980-05-17 00:00:00"),
    ("tanggal_lahir", " 1980-05-17 "), ("tanggal_lahir", "1980-5-17"), ("tanggal_lahir", "17-5-1980"),
    ("tanggal_lahir", "1980-02-30"), ("tanggal_lahir", "1980-13-01"), ("tanggal_lahir", "2000-02-29"),
    ("tanggal_lahir", "1900-02-29"), ("tanggal_lahir", "1899-12-31"), ("tanggal_lahir", "2099-01-01"),
    ("tanggal_lahir", "17-05/1980"), ("tanggal_lahir", "1980/05/17"), ("tanggal_lahir", "kemarin"),
    ("tanggal_lahir", ""), ("tanggal_lahir", "1980-05-18"),
    ("hubungan", "Anak"), ("hubungan", " anak  kandung "), ("hubungan", "ANAK\u00a0TIRI"), ("hubungan", "istri"),
    ("hubungan", "isteri"), ("hubungan", "pembantu"), ("hubungan", ""), ("hubungan", "kepala keluarga"),
    ("kode_wilayah", "3672031001"), ("kode_wilayah", " 36.72.03.1001 "), ("kode_wilayah", "36.72.03.9999"),
    ("kode_wilayah", "36-72-03-1001"), ("kode_wilayah", LEBAK), ("kode_wilayah", "36.72.03"),
    ("kode_wilayah", "36.72.03.1002"), ("kode_wilayah", ""),
    ("alamat", ""), ("alamat", "  Jl.  Merdeka,\tNo 5 "), ("alamat", "Jl. " + "x" * 252),
    ("alamat", "Jl. " + "x" * 251), ("alamat", "Gang Kelinci ❤ 7"),
    ("rt", "1"), ("rt", "1.0"), ("rt", "0001"), ("rt", "12a"), ("rt", " 7 "), ("rt", "000"), ("rt", "1234"),
    ("rw", "99"), ("rw", "-1"), ("rw", "5.5"),
    ("pendidikan", "S" * 60), ("pendidikan", "S" * 61), ("pendidikan", " SD  sederajat "),
    ("status_sekolah", "SMP"), ("status_sekolah", " sma/smk "), ("status_sekolah", "putus  sekolah"),
    ("status_sekolah", "kuliah"), ("status_sekolah", "MTs"),
    ("hamil", "Ya"), ("hamil", "1"), ("hamil", "y"), ("hamil", "mungkin"), ("hamil", " TDK "), ("hamil", "TRUE"),
    ("disabilitas", "ya"), ("disabilitas", "0"), ("disabilitas", "no"), ("disabilitas", "iya"),
    ("pekerjaan", "P" * 100), ("pekerjaan", "P" * 101), ("pekerjaan", "Petani\u3000sawah"),
    ("desil", ""), ("desil", "1"), ("desil", "10"), ("desil", "10.0"), ("desil", "0"), ("desil", "11"),
    ("desil", "01"), ("desil", "0010"), ("desil", "3.5"), ("desil", "x"),
    ("telepon", "0812-3456-7890"), ("telepon", "+62 812 3456 7890"), ("telepon", "(021) 555.1234"),
    ("telepon", "1234567"), ("telepon", "1234567890123456"), ("telepon", "08123abc"), ("telepon", ""),
    ("latitude", "-6.1"), ("latitude", "-6,123456"), ("latitude", "-6.1234567"), ("latitude", "-5.9730345"),
    ("latitude", "7"), ("latitude", "-11.5"), ("latitude", "-11.6"), ("latitude", "1e1"), ("latitude", "abc"),
    ("latitude", "+6.5"), ("latitude", "-0"), ("latitude", ""),
    ("longitude", "106"), ("longitude", "94.4"), ("longitude", "141.5"), ("longitude", "106.0000001"),
    ("longitude", ""), ("longitude", "nan"),
]


def corpus() -> list[dict]:
    """Good families, one family per variant (the variant in its child's row, or the head's for KK-wide values)."""
    rows = family() + family("3672030101200002", 2)
    for i, (column, value) in enumerate(VARIANTS):
        serial = 100 + i
        kk = f"367203010121{serial:04d}"
        members = family(kk, serial)
        target = members[0] if column in {"kode_wilayah", "desil", "latitude", "longitude", "no_kk"} else members[2]
        target[column] = value
        if column == "jenis_kelamin" and value.strip().lower() in {"p", "2"}:
            target["hamil"] = "ya"
        rows += members
    # cross-row rules: duplicate NIK (within and across families), two heads, no head, split region
    rows += family("3672030101300001", 301)
    rows += [dict(r, no_kk="3672030101300002") for r in family("x", 301)[1:2]]  # NIK also in KK ...300001
    twins = family("3672030101300003", 303)
    twins[1]["hubungan"] = "kepala keluarga"
    rows += twins
    headless = family("3672030101300004", 304)
    headless[0]["hubungan"] = "anak"
    rows += headless
    split = family("3672030101300005", 305)
    split[2]["kode_wilayah"] = "36.72.03.1002"
    rows += split
    bad_head = family("3672030101300006", 306)
    bad_head[0]["nik"] = "123"
    rows += bad_head
    return rows


def write(path: Path, rows: list[dict], flavour: str) -> Path:
    columns = COLUMNS + ["catatan"]
    delimiter = ";" if flavour == "semicolon" else ","
    with open(path, "w", newline="", encoding="utf-8-sig" if flavour == "semicolon" else "utf-8") as fh:
        writer = csv.writer(fh, delimiter=delimiter,
                            quoting=csv.QUOTE_ALL if flavour == "quoted" else csv.QUOTE_MINIMAL)
        writer.writerow([c.upper() if flavour == "semicolon" else c for c in columns])
        for i, row in enumerate(rows):
            cells = [row.get(c, "") for c in COLUMNS] + [f"catatan {i}"]
            if flavour == "ragged" and i == 7:
                cells = cells[:5]  # a short row: PostgreSQL's COPY refuses it, the file is read in Python
            if flavour == "ragged" and i == 11:
                cells = cells + ["", "sel lebih"]
            if flavour == "ragged" and i == 13:
                writer.writerow([""] * len(columns) + ["hanya sel lebih"])  # blank but for a cell past the header
            if flavour == "blank" and i == 3:
                fh.write("\r\n")
            writer.writerow(cells)
    return path


def snapshot() -> dict:
    return {
        "households": sorted(Household.objects.values_list(
            "no_kk", "region_id", "address", "rt", "rw", "desil", "latitude", "longitude")),
        "persons": sorted(Person.objects.values_list(
            "nik", "household__no_kk", "name", "name_key", "sex", "birth_date", "relation", "education",
            "school_status", "pregnant", "disabled", "occupation", "phone", "nik_mismatch")),
        "history": sorted(Person.history.values_list("nik", "history_type", "history_user_id", "name")) + sorted(
            Household.history.values_list("no_kk", "history_type", "history_user_id", "region_id")),
    }


@pytest.fixture
def operator(regions):
    return User.objects.create_user("op.cilegon", password="x", role="operator", scope="36.72")


def through(engine: str, source: Path, by, tmp_path: Path, monkeypatch, *, dry_run=False, keep=False):
    """Import ``source`` with ``engine``; unless ``keep``, everything it wrote is rolled back afterwards."""
    monkeypatch.setattr(importer, "ENGINE", engine)
    python_checks = []
    check_row = importer.RegistryImport.check_row

    def counting(self, number, record, villages):
        python_checks.append(number)
        return check_row(self, number, record, villages)

    monkeypatch.setattr(importer.RegistryImport, "check_row", counting)
    rejects = tmp_path / f"rejects-{engine}.csv"
    with transaction.atomic():
        report, _ = import_family_file(path=source, by=by, dry_run=dry_run, rejects_path=rejects)
        state = snapshot()
        transaction.set_rollback(not keep)
    result = report.as_dict()
    return result, rejects.read_bytes(), state, python_checks


@pytest.mark.parametrize("flavour", ["plain", "quoted", "semicolon", "ragged", "blank"])
def test_both_engines_keep_and_reject_the_same_rows_with_the_same_words(flavour, operator, tmp_path, monkeypatch):
    source = write(tmp_path / "keluarga.csv", corpus(), flavour)
    py_report, py_rejects, py_state, _ = through("python", source, operator, tmp_path, monkeypatch)
    sql_report, sql_rejects, sql_state, python_checked = through("sql", source, operator, tmp_path, monkeypatch)

    assert sql_rejects.decode("utf-8-sig").splitlines() == py_rejects.decode("utf-8-sig").splitlines()
    assert sql_rejects == py_rejects
    assert sql_report == py_report
    assert sql_state == py_state
    # the corpus exercises both outcomes, and the SQL decided the plain rows itself
    assert py_report["rows_rejected"] > 60 and py_report["persons_created"] > 150 and py_report["rows_flagged"] > 0
    assert len(python_checked) < len(VARIANTS) + 40


def test_both_engines_agree_on_records_already_in_the_registry(operator, regions, tmp_path, monkeypatch):
    admin = User.objects.create_superuser("root", password="x")
    first = family() + family("3672030101200002", 2) + family("3602010101200003", 3, region=LEBAK) \
        + family("3672030101200004", 4)
    through("python", write(tmp_path / "first.csv", first, "plain"), admin, tmp_path, monkeypatch, keep=True)

    second = family()[:1] + family()[2:]  # unchanged (the wife moves, below)
    changed = family("3672030101200002", 2)
    changed[2]["status_sekolah"] = "tidak sekolah lagi"  # updated
    second += changed
    second += family("3602010101200003", 3)  # registered in Lebak, claimed for Cilegon: out of scope
    moved_wife = dict(family()[1], no_kk="3672030101200005", hubungan="istri")
    second += [person_row(no_kk="3672030101200005", nik=nik(serial=5)), moved_wife]  # a move
    joining = family("3672030101200004", 4)[2:]  # a member joining a registered family, no head row
    joining[0]["nik"] = nik("L", date(2015, 1, 2), 44)
    joining[0]["tanggal_lahir"] = "2015-01-02"
    second += joining
    new_head = family("3672030101200004", 4)[1:2]  # a new head whose registered head is not listed
    new_head[0]["hubungan"] = "kepala keluarga"
    new_head[0]["no_kk"] = "3672030101200004"
    second += new_head
    source = write(tmp_path / "second.csv", second, "plain")

    for dry_run in (True, False):
        py = through("python", source, operator, tmp_path, monkeypatch, dry_run=dry_run)
        sql = through("sql", source, operator, tmp_path, monkeypatch, dry_run=dry_run)
        assert sql[1] == py[1]
        assert sql[0] == py[0]
        assert sql[2] == py[2]
    assert (py[0]["persons_moved"], py[0]["persons_updated"], py[0]["persons_created"]) == (1, 1, 1), py[0]
    reasons = py[1].decode("utf-8-sig")
    assert py[0]["rows_rejected"] == 5 and reasons.count("di luar wilayah kerja Anda") == 3
    assert reasons.count("sudah punya kepala keluarga lain") == 2


def test_reimporting_through_the_sql_engine_changes_nothing(operator, tmp_path, monkeypatch):
    source = write(tmp_path / "keluarga.csv", corpus(), "plain")
    through("sql", source, operator, tmp_path, monkeypatch, keep=True)
    before = snapshot()
    report, _, after, _ = through("sql", source, operator, tmp_path, monkeypatch, keep=True)
    assert after == before
    assert report["persons_created"] == report["persons_updated"] == report["persons_moved"] == 0
    assert report["households_created"] == report["households_updated"] == 0


def test_name_key_in_sql_is_the_python_name_key(db):
    from jsika.registry.import_sql import name_key_sql
    from jsika.registry.synthetic import generate_rows

    names = [r["nama"] for r, _ in zip(generate_rows({"36.72": 300}, seed=3), range(1000), strict=False)]
    names += ["Moch. Soedjatmiko", "Muhamad Sujatmiko", "Siti Chadidjah", "M Yusuf", "Achmad Zaenuddin",
              "Hh Ahh Ahhh", "Ie Yie Qq", "Tjitjih Nj Sj", "O'Neil  Al-Habsyi", "  moh   ", "Abdullah Shihab"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n, {name_key_sql('n')} FROM unnest(%s::text[]) AS n", [names])
        got = dict(cursor.fetchall())
    assert {n: got[n] for n in names} == {n: name_key(n) for n in names}
