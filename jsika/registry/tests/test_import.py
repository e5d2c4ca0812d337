"""The family data file import of specs/registry-import.md: good rows kept, bad rows explained."""

import csv
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from jsika.core.models import User
from jsika.fieldwork.models import CaseloadAssignment
from jsika.registry.fileformat import COLUMNS, FileError
from jsika.registry.identity import make_nik
from jsika.registry.models import Household, Person
from jsika.registry.services import export_family_file, import_family_file

PULOMERAK = "36.72.03.1001"
LEBAK = "36.02.01.2002"


def nik(sex="L", born=date(1980, 5, 17), serial=1, district="36.72.03"):
    return make_nik(district_code=district, sex=sex, birth_date=born, serial=serial)


def person_row(**kw):
    row = {
        "no_kk": "3672030101200001", "nik": nik(), "nama": "Ahmad Suryadi", "jenis_kelamin": "L",
        "tanggal_lahir": "1980-05-17", "hubungan": "kepala keluarga", "kode_wilayah": PULOMERAK,
        "alamat": "Jl. Raya Merak No. 5", "rt": "001", "rw": "002", "pendidikan": "SMA", "status_sekolah": "",
        "hamil": "tidak", "disabilitas": "tidak", "pekerjaan": "buruh", "desil": "2", "telepon": "081234567890",
        "latitude": "-5.9361", "longitude": "106.0032",
    }
    row.update(kw)
    return row


def family(kk="3672030101200001", serial=1, region=PULOMERAK):
    return [
        person_row(no_kk=kk, nik=nik(serial=serial), kode_wilayah=region),
        person_row(no_kk=kk, nik=nik("P", date(1984, 2, 3), serial), nama="Siti Aminah", jenis_kelamin="P",
                   tanggal_lahir="1984-02-03", hubungan="istri", hamil="ya", kode_wilayah=region),
        person_row(no_kk=kk, nik=nik("L", date(2012, 8, 9), serial), nama="Rizki Ramadhan",
                   tanggal_lahir="09/08/2012", hubungan="anak", status_sekolah="smp", kode_wilayah=region),
    ]


def write_csv(path: Path, rows, delimiter=",", columns=None, encoding="utf-8"):
    columns = columns or COLUMNS
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def rejects_of(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def operator(regions):
    return User.objects.create_user("op.cilegon", password="x", role="operator", scope="36.72")


@pytest.fixture
def run(tmp_path, operator):
    def _run(rows, *, by=None, dry_run=False, **kw):
        src = write_csv(tmp_path / "data.csv", rows, **kw)
        rejects = tmp_path / "rejects.csv"
        report, job = import_family_file(path=src, by=by or operator, dry_run=dry_run, rejects_path=rejects)
        return report, rejects_of(rejects)
    return _run


def test_good_file_creates_households_and_persons_with_history(run, operator):
    report, rejects = run(family() + family("3672030101200002", 2))
    assert (report.rows_read, report.households_created, report.persons_created, report.rows_rejected) == (6, 2, 6, 0)
    household = Household.objects.get(no_kk="3672030101200001")
    assert household.region_id == PULOMERAK and household.rt == "001" and household.desil == 2
    assert household.latitude == pytest.approx(-5.9361)
    child = Person.objects.get(nik=nik("L", date(2012, 8, 9), 1))
    assert child.birth_date == date(2012, 8, 9) and child.school_status == "smp"
    assert Person.objects.get(nik=nik("P", date(1984, 2, 3), 1)).pregnant is True
    created = Person.history.filter(nik=child.nik).get()
    assert created.history_type == "+" and created.history_user == operator
    assert rejects == []


def test_importing_the_same_file_twice_changes_nothing(run):
    run(family())
    history_before = Person.history.count() + Household.history.count()
    report, _ = run(family())
    assert (report.households_created, report.households_updated, report.persons_created,
            report.persons_updated, report.persons_moved, report.persons_unchanged) == (0, 0, 0, 0, 0, 3)
    assert Person.history.count() + Household.history.count() == history_before


def test_known_nik_is_updated_and_the_change_kept_in_history(run):
    run(family())
    rows = family()
    rows[2]["status_sekolah"] = "tidak sekolah lagi"
    report, _ = run(rows)
    assert report.persons_updated == 1
    child = Person.objects.get(nik=rows[2]["nik"])
    latest, before = child.history.all()[:2]
    assert (before.school_status, latest.school_status) == ("smp", "tidak sekolah lagi")


def test_known_nik_under_another_kk_moves_the_person(run):
    run(family())
    wife = family()[1]
    new_family = [person_row(no_kk="3672030101200009", nik=nik(serial=9)),
                  dict(wife, no_kk="3672030101200009", hubungan="istri")]
    report, _ = run(new_family)
    assert report.persons_moved == 1 and report.households_created == 1
    assert Person.objects.filter(nik=wife["nik"]).count() == 1
    assert Person.objects.get(nik=wife["nik"]).household.no_kk == "3672030101200009"


def test_spreadsheet_mangled_nik_is_rejected_with_that_reason(run):
    rows = family()
    rows[2]["nik"] = "3.67203E+15"
    rows[1]["nik"] = "367203440284000"
    report, rejects = run(rows)
    assert report.rows_rejected == 2 and report.persons_created == 1
    reasons = {r["baris_asal"]: r["alasan"] for r in rejects}
    assert "notasi ilmiah" in reasons["4"]
    assert "15 digit" in reasons["3"]


def test_structurally_invalid_nik_is_rejected(run):
    rows = family()
    rows[2]["nik"] = "3672033213120001"  # day 32 is not a date
    _, rejects = run(rows)
    assert rejects[0]["kolom"] == "nik" and "Tanggal lahir di NIK tidak valid" in rejects[0]["alasan"]


def test_nik_disagreeing_with_sex_or_birth_date_is_kept_and_flagged(run):
    rows = family()
    rows[2]["tanggal_lahir"] = "2012-08-10"
    report, _ = run(rows)
    assert report.rows_flagged == 1 and report.rows_rejected == 0
    assert "tanggal lahir" in Person.objects.get(nik=rows[2]["nik"]).nik_mismatch


def test_duplicate_nik_rejects_every_copy_naming_the_other_rows(run):
    rows = family() + family("3672030101200002", 2)
    rows[5]["nik"] = rows[2]["nik"]
    report, rejects = run(rows)
    assert report.rows_rejected == 2
    by_row = {r["baris_asal"]: r["alasan"] for r in rejects}
    assert "baris 7" in by_row["4"] and "baris 4" in by_row["7"]


def test_two_heads_reject_the_whole_household(run):
    rows = family()
    rows[1]["hubungan"] = "kepala keluarga"
    report, rejects = run(rows + family("3672030101200002", 2))
    assert report.rows_rejected == 3 and report.households_created == 1
    assert all("2 kepala keluarga" in r["alasan"] for r in rejects)


def test_household_without_valid_head_is_rejected(run):
    rows = family()
    rows[0]["nik"] = "123"
    report, rejects = run(rows)
    assert report.rows_rejected == 3 and Household.objects.count() == 0
    assert any("tidak punya baris 'kepala keluarga'" in r["alasan"] for r in rejects)


def test_desa_outside_the_users_scope_is_rejected_never_written(run):
    report, rejects = run(family() + family("3602010101200002", 2, region=LEBAK))
    assert report.rows_rejected == 3 and report.households_created == 1
    assert "di luar wilayah kerja Anda" in rejects[0]["alasan"]
    assert not Household.objects.filter(region_id=LEBAK).exists()


def test_future_birth_date_and_pregnant_man_are_rejected(run):
    rows = family()
    rows[2]["tanggal_lahir"] = "2099-01-01"
    rows[0]["hamil"] = "ya"
    report, rejects = run(rows)
    reasons = " ".join(r["alasan"] for r in rejects)
    assert "masa depan" in reasons and "hamil = ya hanya untuk perempuan" in reasons
    assert report.households_created == 0  # the head's row was rejected, so the household too


def test_rejects_file_keeps_every_original_column_and_can_be_reimported(run, tmp_path):
    rows = family()
    rows[1]["jenis_kelamin"] = "X"
    _, rejects = run(rows)
    assert set(COLUMNS) <= set(rejects[0])
    fixed = [dict(rejects[0], jenis_kelamin="P")]
    report, _ = run(fixed, columns=list(rejects[0]))
    assert report.persons_created == 1 and "baris_asal" in report.unknown_columns


def test_semicolon_delimiter_bom_header_case_and_value_variants_are_accepted(tmp_path, operator):
    rows = family()
    rows[0].update(jenis_kelamin="laki-laki", tanggal_lahir="17-05-1980")
    rows[1].update(jenis_kelamin="2", hamil="Y")
    for row in rows:
        row["kode_wilayah"] = "3672031001"
    src = tmp_path / "data.csv"
    with open(src, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow([f" {c.upper()} " for c in COLUMNS])
        writer.writerows([[row[c] for c in COLUMNS] for row in rows])
    report, _ = import_family_file(path=src, by=operator, rejects_path=tmp_path / "r.csv")
    assert report.rows_rejected == 0 and report.persons_created == 3
    assert Household.objects.get().region_id == PULOMERAK


def test_wrong_encoding_is_a_clear_file_error(tmp_path, operator):
    src = write_csv(tmp_path / "data.csv", [person_row(nama="Sürüç")], encoding="latin-1")
    with pytest.raises(FileError, match="UTF-8"):
        import_family_file(path=src, by=operator, rejects_path=tmp_path / "r.csv")


def test_missing_required_columns_is_a_clear_file_error(tmp_path, operator):
    src = write_csv(tmp_path / "data.csv", family(), columns=["no_kk", "nama"])
    with pytest.raises(FileError, match="Kolom wajib tidak ada: nik, jenis_kelamin"):
        import_family_file(path=src, by=operator, rejects_path=tmp_path / "r.csv")


def test_empty_file_and_header_only_file_are_clear_file_errors(tmp_path, operator):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(FileError, match="kosong"):
        import_family_file(path=empty, by=operator, rejects_path=tmp_path / "r.csv")
    header_only = write_csv(tmp_path / "h.csv", [])
    with pytest.raises(FileError, match="tidak berisi baris data"):
        import_family_file(path=header_only, by=operator, rejects_path=tmp_path / "r.csv")
    assert Household.objects.count() == 0


def test_dry_run_reports_and_changes_nothing(run):
    report, _ = run(family(), dry_run=True)
    assert report.households_created == 1 and report.persons_created == 3
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_roles_that_cannot_write_the_registry_cannot_import(run, regions):
    for role, scope in [("facilitator", ""), ("partner", "36"), ("bank", ""), ("auditor", "36")]:
        user = User.objects.create_user(f"u-{role}", password="x", role=role, scope=scope)
        with pytest.raises(PermissionDenied):
            run(family(), by=user)
    assert Household.objects.count() == 0


def test_known_household_outside_scope_is_not_touched(run, regions):
    admin = User.objects.create_superuser("root", password="x")
    run(family("3602010101200002", 2, region=LEBAK), by=admin)
    rows = family("3602010101200002", 2)  # same KK, now claimed to live in Cilegon by a Cilegon operator
    report, rejects = run(rows)
    assert report.rows_rejected == 3
    assert Household.objects.get(no_kk="3602010101200002").region_id == LEBAK


def test_xlsx_file_with_text_numbers_imports_and_numeric_nik_is_rejected(tmp_path, operator):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    rows = family()
    for row in rows:
        sheet.append([row[c] for c in COLUMNS])
    sheet.cell(row=4, column=2).value = int(rows[2]["nik"])  # Excel keeps 15 significant digits
    src = tmp_path / "data.xlsx"
    book.save(src)
    report, _ = import_family_file(path=src, by=operator, rejects_path=tmp_path / "r.csv")
    assert report.persons_created == 2 and report.rows_rejected == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(run, operator, tmp_path, fmt):
    run(family() + family("3672030101200002", 2))
    out = tmp_path / f"export.{fmt}"
    assert export_family_file(by=operator, out=out, fmt=fmt) == 6
    history_before = Person.history.count() + Household.history.count()
    report, _ = import_family_file(path=out, by=operator, rejects_path=tmp_path / "r.csv")
    assert (report.rows_read, report.rows_rejected, report.persons_unchanged) == (6, 0, 6)
    assert Person.history.count() + Household.history.count() == history_before


def test_export_covers_only_the_users_scope(run, operator, tmp_path, regions):
    admin = User.objects.create_superuser("root", password="x")
    run(family() + family("3602010101200002", 2, region=LEBAK), by=admin)
    assert export_family_file(by=operator, out=tmp_path / "e.csv") == 3
    facilitator = User.objects.create_user("pendamping", password="x", role="facilitator")
    assert export_family_file(by=facilitator, out=tmp_path / "e.csv") == 0
    CaseloadAssignment.objects.create(facilitator=facilitator, household=Household.objects.get(region_id=LEBAK))
    assert export_family_file(by=facilitator, out=tmp_path / "e.csv") == 3
