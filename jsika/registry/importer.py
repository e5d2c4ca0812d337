"""Importing a family data file (specs/registry-import.md) in four set-based steps.

1. stage: stream the file, check each row on its own, store it in ImportRow (batched inserts);
2. check: rules across rows and against the registry, as queries on the staged rows
   (duplicate NIK, one region per KK, scope of existing records, exactly one head per KK);
3. apply: whole households at a time, each batch in one transaction with history, so a crash
   never leaves a household half-written and re-running the same file finishes the job;
4. report: counts, flagged rows, and a rejects CSV that can be fixed and imported as it is.

On PostgreSQL the same steps run in SQL (``import_pg``), with this module's ``check_row`` for the
rows the SQL does not vouch for; this module's path serves SQLite and ``JSIKA_IMPORT_ENGINE=python``.
"""

import csv
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Count, IntegerField, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from jsika.core.bulk import copy_rows
from jsika.core.masking import mask_number
from jsika.core.models import Job
from jsika.core.scoping import region_writable_by
from jsika.regions.models import Region

from . import fileformat as ff
from . import summary
from .identity import IdentityError, clean_sixteen_digits, nik_mismatch, parse_nik_strict
from .models import Household, ImportRow, Person, Relation
from .names import name_key

STAGE_BATCH = 2000
# Households written per transaction; small values only make crash tests able to stop an import mid-way.
APPLY_HOUSEHOLDS = int(os.environ.get("JSIKA_IMPORT_BATCH_HOUSEHOLDS", "500"))
# "sql" (PostgreSQL only: import_pg) or "python"; empty: "sql" on PostgreSQL, "python" elsewhere.
ENGINE = os.environ.get("JSIKA_IMPORT_ENGINE", "")
HOUSEHOLD_FIELDS = ["region_id", "address", "rt", "rw", "desil", "latitude", "longitude"]
PERSON_FIELDS = ["name", "name_key", "sex", "birth_date", "relation", "education", "school_status", "pregnant",
                 "disabled", "occupation", "phone", "nik_mismatch"]
STAGE_FIELDS = ["job_id", "row_number", "no_kk", "nik", "is_head", "region_code", "ok", "values", "raw", "problems",
                "flag"]
REJECT_COLUMNS = ["baris_asal", "kolom", "nilai", "alasan"]


@dataclass
class ImportReport:
    rows_read: int = 0
    households_created: int = 0
    households_updated: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    persons_moved: int = 0
    persons_unchanged: int = 0
    rows_rejected: int = 0
    rows_flagged: int = 0
    dry_run: bool = False
    unknown_columns: list = field(default_factory=list)
    flagged: list = field(default_factory=list)  # first rows flagged "NIK tidak padan": [row, masked nik, reason]

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"{self.rows_read} baris dibaca; "
            f"keluarga {self.households_created} baru, {self.households_updated} diubah; "
            f"anggota {self.persons_created} baru, {self.persons_updated} diubah, {self.persons_moved} pindah KK; "
            f"{self.rows_rejected} baris ditolak, {self.rows_flagged} baris ditandai NIK tidak padan"
            + (" (uji coba: tidak ada yang disimpan)" if self.dry_run else "")
        )


Progress = Callable[[str, int, int], None]  # (stage, done, total)


class RegistryImport:
    """One run of one file by one user; ``run()`` returns the report and writes the rejects file."""

    def __init__(self, *, job: Job, path: str | Path, by, dry_run: bool = False, progress: Progress | None = None):
        self.job = job
        self.path = Path(path)
        self.by = by
        self.dry_run = dry_run
        self.progress = progress or (lambda stage, done, total: None)
        self.report = ImportReport(dry_run=dry_run)
        self.today = timezone.localdate()
        self.reason = f"impor berkas {self.path.name} (tugas {job.pk})"

    # ------------------------------------------------------------------------------------------ run
    def run(self, rejects_path: str | Path) -> ImportReport:
        family_file = ff.FamilyFile(self.path)
        self.header = family_file.header
        self.report.unknown_columns = family_file.unknown_columns
        if engine() == "sql":
            from .import_pg import PgImport

            PgImport(self).run(family_file, rejects_path)
            return self.report
        try:
            self.stage(family_file)
            if self.report.rows_read == 0:
                raise ff.FileError("Berkas tidak berisi baris data (hanya judul kolom).")
            self.check_duplicate_niks()
            self.check_one_region_per_household()
            self.check_existing_records()
            self.check_heads()
            self.apply()
            self.write_rejects(rejects_path)
            self.count_outcome()
        finally:
            ImportRow.objects.filter(job=self.job).delete()
        return self.report

    def staged(self):
        return ImportRow.objects.filter(job=self.job)

    # ------------------------------------------------------------------------------------------ 1. stage
    def stage(self, family_file: ff.FamilyFile) -> None:
        villages = set(Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", flat=True))
        batch: list[ImportRow] = []
        for number, record in family_file.rows():
            batch.append(self.check_row(number, record, villages))
            if len(batch) >= STAGE_BATCH:
                self._flush_stage(batch, family_file)
                batch = []
        self._flush_stage(batch, family_file)

    def _flush_stage(self, batch: list[ImportRow], family_file: ff.FamilyFile) -> None:
        copy_rows(ImportRow, STAGE_FIELDS, ([getattr(r, f) for f in STAGE_FIELDS] for r in batch))
        self.report.rows_read += len(batch)
        self.progress("memeriksa baris", min(family_file.bytes_read, family_file.size), family_file.size)

    def check_row(self, number: int, record: dict[str, str], villages: set[str]) -> ImportRow:
        """Every rule that needs only this row; the row is rejected with each problem found."""
        problems: list[list[str]] = []

        def take(column, parse, *args):
            raw = record.get(column, "")
            if column in ff.REQUIRED and not raw.strip():
                problems.append([column, raw, f"kolom {column} wajib diisi."])
                return None
            try:
                return parse(raw, *args)
            except (ff.ValueProblem, IdentityError) as exc:
                problems.append([column, raw, str(exc)])
                return None

        no_kk = take("no_kk", clean_sixteen_digits, "No. KK")
        facts = take("nik", parse_nik_strict)
        name = take("nama", ff.text_field, "nama", 150)
        sex = take("jenis_kelamin", ff.parse_sex)
        birth = take("tanggal_lahir", ff.parse_date, self.today)
        relation = take("hubungan", ff.parse_relation)
        region = take("kode_wilayah", ff.parse_region_code)
        if region and region not in villages:
            problems.append(["kode_wilayah", record.get("kode_wilayah", ""),
                             f"kode wilayah {region} bukan desa/kelurahan yang dikenal (data Kemendagri)."])
        elif region and not region_writable_by(self.by, region):
            problems.append(["kode_wilayah", record.get("kode_wilayah", ""),
                             f"desa/kelurahan {region} di luar wilayah kerja Anda ({self.by.scope or '-'})."])
        values = {
            "name": name, "sex": sex, "birth_date": birth.isoformat() if birth else None, "relation": relation,
            "region_id": region, "name_key": name_key(name)[:150] if name else "",  # "x" → "ks" can outgrow the column
            "address": take("alamat", ff.text_field, "alamat", 255) or "",
            "rt": take("rt", ff.parse_rt_rw, "rt") or "",
            "rw": take("rw", ff.parse_rt_rw, "rw") or "",
            "education": take("pendidikan", ff.text_field, "pendidikan", 60) or "",
            "school_status": take("status_sekolah", ff.parse_school) or "",
            "pregnant": bool(take("hamil", ff.parse_bool, "hamil")),
            "disabled": bool(take("disabilitas", ff.parse_bool, "disabilitas")),
            "occupation": take("pekerjaan", ff.text_field, "pekerjaan", 100) or "",
            "desil": take("desil", ff.parse_desil),
            "phone": take("telepon", ff.parse_phone) or "",
            "latitude": take("latitude", ff.parse_coordinate, "latitude"),
            "longitude": take("longitude", ff.parse_coordinate, "longitude"),
        }
        if values["pregnant"] and sex == "L":
            problems.append(["hamil", record.get("hamil", ""), "hamil = ya hanya untuk perempuan."])
        if "__extra__" in record:
            problems.append(["", "", "baris punya sel lebih banyak dari judul kolom (ada pemisah di dalam teks?)."])
            del record["__extra__"]
        flag = ""
        if facts and sex and birth:
            flag = nik_mismatch(facts, sex=sex, birth_date=birth)
        return ImportRow(
            job=self.job, row_number=number, no_kk=no_kk or "", nik=facts.nik if facts else "",
            is_head=relation == Relation.HEAD, region_code=region or "", ok=not problems,
            values=values, raw=record, problems=problems, flag=flag[:200],
        )

    # ------------------------------------------------------------------------------------------ 2. check
    def _reject(self, rows: Iterable[ImportRow], reason_for: Callable[[ImportRow], tuple[str, str, str]]) -> None:
        changed = []
        for row in rows:
            row.problems = [*row.problems, list(reason_for(row))]
            row.ok = False
            changed.append(row)
        ImportRow.objects.bulk_update(changed, ["problems", "ok"], batch_size=STAGE_BATCH)

    def _rows_of_households(self, no_kks: list[str]) -> list[ImportRow]:
        return list(self.staged().filter(ok=True, no_kk__in=no_kks).order_by("row_number"))

    def check_duplicate_niks(self) -> None:
        """The same NIK twice in a file rejects every one of its rows, naming the others."""
        duplicated = (self.staged().exclude(nik="").values("nik").annotate(n=Count("id")).filter(n__gt=1)
                      .values_list("nik", flat=True))
        for chunk in _chunks(list(duplicated), 500):
            rows = list(self.staged().filter(nik__in=chunk).order_by("row_number"))
            numbers = defaultdict(list)
            for row in rows:
                numbers[row.nik].append(row.row_number)

            def reason(row, numbers=numbers):
                others = ", ".join(str(n) for n in numbers[row.nik] if n != row.row_number)
                return ["nik", row.nik, f"NIK yang sama juga ada di baris {others}."]
            self._reject(rows, reason)

    def check_one_region_per_household(self) -> None:
        split = (self.staged().filter(ok=True).values("no_kk").annotate(n=Count("region_code", distinct=True))
                 .filter(n__gt=1).values_list("no_kk", flat=True))
        for chunk in _chunks(list(split), 500):
            self._reject(self._rows_of_households(chunk), lambda row: [
                "kode_wilayah", row.region_code, "baris-baris satu KK memakai kode wilayah yang berbeda."])

    def check_existing_records(self) -> None:
        """Records already in the registry may be changed only inside the user's scope."""
        last = ""
        while True:
            kks = list(self.staged().filter(ok=True, no_kk__gt=last).order_by("no_kk")
                       .values_list("no_kk", flat=True).distinct()[:APPLY_HOUSEHOLDS])
            if not kks:
                return
            last = kks[-1]
            rows = self._rows_of_households(kks)
            niks = [r.nik for r in rows]
            person_region = dict(Person.objects.filter(nik__in=niks).values_list("nik", "household__region_id"))
            household_region = dict(Household.objects.filter(no_kk__in=kks).values_list("no_kk", "region_id"))
            heads_in_db = dict(Person.objects.filter(household__no_kk__in=kks, relation=Relation.HEAD)
                               .values_list("household__no_kk", "nik"))
            file_niks = defaultdict(set)
            file_head = {}
            for r in rows:
                file_niks[r.no_kk].add(r.nik)
                if r.is_head:
                    file_head[r.no_kk] = r.nik
            rejected: dict[int, list[str]] = {}
            for r in rows:
                if r.no_kk in household_region and not region_writable_by(self.by, household_region[r.no_kk]):
                    rejected[r.pk] = ["no_kk", r.no_kk, "No. KK ini terdaftar di wilayah di luar wilayah kerja Anda."]
                elif r.nik in person_region and not region_writable_by(self.by, person_region[r.nik]):
                    rejected[r.pk] = ["nik", r.nik, "NIK ini terdaftar di keluarga di luar wilayah kerja Anda."]
                else:
                    db_head = heads_in_db.get(r.no_kk)
                    if (db_head and db_head not in file_niks[r.no_kk] and r.no_kk in file_head
                            and file_head[r.no_kk] != db_head):
                        rejected[r.pk] = ["hubungan", r.raw.get("hubungan", ""),
                                          f"KK ini sudah punya kepala keluarga lain di data ({mask_number(db_head)}); "
                                          "sertakan barisnya dengan hubungan yang baru."]
            self._reject([r for r in rows if r.pk in rejected], lambda row, rejected=rejected: rejected[row.pk])

    def check_heads(self) -> None:
        """A household is kept only with exactly one 'kepala keluarga': a valid head row in the file, or,
        for a household already registered, its head in the registry when the file does not list that person."""
        wrong = list(self.staged().filter(ok=True).values("no_kk")
                     .annotate(heads=Sum(Cast("is_head", output_field=IntegerField()))).exclude(heads=1)
                     .values_list("no_kk", "heads"))
        for chunk in _chunks(wrong, 500):
            heads = dict(chunk)
            headless = [kk for kk, n in heads.items() if not n]
            registered_heads = dict(Person.objects.filter(household__no_kk__in=headless, relation=Relation.HEAD)
                                    .values_list("household__no_kk", "nik"))
            listed = set(self.staged().filter(no_kk__in=headless, nik__in=list(registered_heads.values()))
                         .values_list("no_kk", "nik"))
            for kk, head_nik in registered_heads.items():
                if (kk, head_nik) not in listed:
                    del heads[kk]  # members added to a registered family whose head stays as is
            rows = self._rows_of_households(list(heads))
            head_rows = defaultdict(list)
            for r in rows:
                if r.is_head:
                    head_rows[r.no_kk].append(str(r.row_number))

            def reason(row, heads=heads, head_rows=head_rows):
                if not heads[row.no_kk]:
                    return ["hubungan", row.raw.get("hubungan", ""),
                            "KK ini tidak punya baris 'kepala keluarga' yang sah; seluruh baris KK ditolak."]
                return ["hubungan", row.raw.get("hubungan", ""),
                        f"KK ini punya {heads[row.no_kk]} kepala keluarga (baris {', '.join(head_rows[row.no_kk])})."]
            self._reject(rows, reason)

    # ------------------------------------------------------------------------------------------ 3. apply
    def apply(self) -> None:
        total = self.staged().filter(ok=True).values("no_kk").distinct().count()
        done, last = 0, ""
        self.progress("menyimpan keluarga", 0, total)
        while True:
            kks = list(self.staged().filter(ok=True, no_kk__gt=last).order_by("no_kk")
                       .values_list("no_kk", flat=True).distinct()[:APPLY_HOUSEHOLDS])
            if not kks:
                break
            last = kks[-1]
            if self.dry_run:
                self.apply_households(self._rows_of_households(kks), write=False)
            else:
                with transaction.atomic():
                    self.apply_households(self._rows_of_households(kks), write=True)
            done += len(kks)
            self.progress("menyimpan keluarga", done, total)

    def apply_households(self, rows: list[ImportRow], *, write: bool) -> None:
        now = timezone.now()
        groups: dict[str, list[ImportRow]] = defaultdict(list)
        for r in rows:
            groups[r.no_kk].append(r)
        households = {h.no_kk: h for h in Household.objects.filter(no_kk__in=list(groups))}
        new_households, changed_households = [], []
        for kk, group in groups.items():
            values = _household_values(group)
            household = households.get(kk)
            if values is None:  # no head row: members joining a registered family, which stays as is
                continue
            if household is None:
                household = Household(no_kk=kk, **values)
                households[kk] = household
                new_households.append(household)
            elif _assign_changes(household, values):
                household.updated_at = now
                changed_households.append(household)
        if write:
            bulk_create_with_history(new_households, Household, default_user=self.by,
                                     default_change_reason=self.reason)
            bulk_update_with_history(changed_households, Household, HOUSEHOLD_FIELDS + ["updated_at"],
                                     default_user=self.by, default_change_reason=self.reason)
            if any(h.pk is None for h in new_households):  # backends that return no ids
                ids = dict(Household.objects.filter(no_kk__in=[h.no_kk for h in new_households])
                           .values_list("no_kk", "pk"))
                for h in new_households:
                    h.pk = ids[h.no_kk]
        self.report.households_created += len(new_households)
        self.report.households_updated += len(changed_households)

        persons = {p.nik: p for p in Person.objects.filter(nik__in=[r.nik for r in rows])}
        new_persons, changed_persons = [], []
        touched = {h.pk for h in households.values()}  # for the member summary, with the households left
        for r in rows:
            household = households[r.no_kk]
            values = _person_values(r)
            person = persons.get(r.nik)
            if person is None:
                new_persons.append(Person(nik=r.nik, household=household, **values))
                continue
            moved = household.pk is None or person.household_id != household.pk
            changed = _assign_changes(person, values)
            if moved:
                touched.add(person.household_id)
                person.household = household
                self.report.persons_moved += 1
            elif changed:
                self.report.persons_updated += 1
            else:
                self.report.persons_unchanged += 1
            if moved or changed:
                person.updated_at = now
                changed_persons.append(person)
        if write:
            bulk_create_with_history(new_persons, Person, default_user=self.by, default_change_reason=self.reason)
            bulk_update_with_history(changed_persons, Person, PERSON_FIELDS + ["household", "updated_at"],
                                     default_user=self.by, default_change_reason=self.reason)
            summary.refresh(touched)
        self.report.persons_created += len(new_persons)

    # ------------------------------------------------------------------------------------------ 4. report
    def count_outcome(self) -> None:
        staged = self.staged()
        self.report.rows_rejected = staged.filter(ok=False).count()
        flagged = staged.filter(ok=True).exclude(flag="")
        self.report.rows_flagged = flagged.count()
        self.report.flagged = [[r.row_number, mask_number(r.nik), r.flag]
                               for r in flagged.order_by("row_number")[:100]]

    def write_rejects(self, path: str | Path) -> None:
        """Rejected rows with row number, column, value and reason, then every original column."""
        columns = [c for c in self.header if c]
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(REJECT_COLUMNS + columns)
            last = 0
            while True:
                rows = list(self.staged().filter(ok=False, row_number__gt=last).order_by("row_number")[:STAGE_BATCH])
                if not rows:
                    break
                last = rows[-1].row_number
                for r in rows:
                    writer.writerow([
                        r.row_number,
                        " | ".join(p[0] for p in r.problems),
                        " | ".join(str(p[1]) for p in r.problems),
                        " | ".join(p[2] for p in r.problems),
                        *[r.raw.get(c, "") for c in columns],
                    ])


def engine() -> str:
    """Which path imports: "sql" (PostgreSQL, ``import_pg``) or "python" (any database)."""
    if ENGINE:
        return ENGINE
    return "sql" if connection.vendor == "postgresql" else "python"


def _household_values(group: list[ImportRow]) -> dict | None:
    head = next((r.values for r in group if r.is_head), None)
    if head is None:
        return None
    values = {f: head.get(f) for f in HOUSEHOLD_FIELDS}
    for f in ("address", "rt", "rw"):
        values[f] = values[f] or ""
    for f in ("desil", "latitude", "longitude"):  # household-level: the head's value, else any member's
        if values[f] is None:
            values[f] = next((r.values[f] for r in group if r.values.get(f) is not None), None)
    return values


def _person_values(row: ImportRow) -> dict:
    v = row.values
    return {
        "name": v["name"], "name_key": v["name_key"], "sex": v["sex"],
        "birth_date": date.fromisoformat(v["birth_date"]), "relation": v["relation"],
        "education": v["education"], "school_status": v["school_status"], "pregnant": v["pregnant"],
        "disabled": v["disabled"], "occupation": v["occupation"], "phone": v["phone"], "nik_mismatch": row.flag,
    }


def _assign_changes(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i: i + size]
