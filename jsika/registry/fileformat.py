"""The family data file of specs/registry-import.md: reading CSV/XLSX rows and parsing values.

Reading streams the file (a row at a time) so a file of any size fits in memory.
"""

import codecs
import csv
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from .models import Relation, SchoolStatus, Sex

REQUIRED = ["no_kk", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "hubungan", "kode_wilayah"]
OPTIONAL = ["alamat", "rt", "rw", "pendidikan", "status_sekolah", "hamil", "disabilitas", "pekerjaan",
            "desil", "telepon", "latitude", "longitude"]
COLUMNS = REQUIRED + OPTIONAL


class FileError(ValueError):
    """The file as a whole cannot be read; the message is for a clerk."""


class ValueProblem(ValueError):
    """One cell's value is wrong; the message is for a clerk."""


# ---------------------------------------------------------------------------------------------- reading

def _check_utf8(path: Path) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk[: exc.start].count(b"\n")
                raise FileError(
                    f"Berkas bukan teks UTF-8 (karakter tidak terbaca di sekitar baris {line}). "
                    "Simpan ulang dari spreadsheet sebagai 'CSV UTF-8' lalu unggah lagi."
                ) from exc
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise FileError("Berkas bukan teks UTF-8: akhir berkas terpotong.") from exc


def _normalize_header(cells) -> list[str]:
    return [("" if c is None else str(c)).strip().lstrip("\ufeff").strip().lower() for c in cells]


def _check_header(header: list[str]) -> None:
    if not any(header):
        raise FileError("Baris judul kolom kosong.")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FileError("Kolom wajib tidak ada: " + ", ".join(missing) + ". Periksa baris judul kolom.")
    duplicated = sorted({c for c in header if c and header.count(c) > 1})
    if duplicated:
        raise FileError("Kolom muncul lebih dari sekali: " + ", ".join(duplicated) + ".")


class FamilyFile:
    """An open family data file: ``header``, ``unknown_columns`` and ``rows()`` yielding (row number, dict).

    Row numbers are those a clerk sees in the spreadsheet (the header is row 1).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.exists():
            raise FileError(f"Berkas tidak ditemukan: {self.path}")
        self.size = self.path.stat().st_size
        if self.size == 0:
            raise FileError("Berkas kosong.")
        self.is_xlsx = self._looks_like_xlsx()
        self.header = self._read_header()
        _check_header(self.header)
        self.unknown_columns = [c for c in self.header if c and c not in COLUMNS]
        self.bytes_read = 0

    def _looks_like_xlsx(self) -> bool:
        with open(self.path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"

    def _read_header(self) -> list[str]:
        for header in self._raw_rows(header_only=True):
            return header
        raise FileError("Berkas kosong.")

    def _raw_rows(self, header_only: bool = False) -> Iterator[list]:
        if self.is_xlsx:
            yield from self._xlsx_rows(header_only)
        else:
            yield from self._csv_rows(header_only)

    def _csv_rows(self, header_only: bool) -> Iterator[list]:
        if not header_only:
            _check_utf8(self.path)
        with open(self.path, encoding="utf-8-sig", newline="", errors="strict") as fh:
            try:
                first = fh.readline()
            except UnicodeDecodeError as exc:
                raise FileError("Berkas bukan teks UTF-8. Simpan ulang sebagai 'CSV UTF-8'.") from exc
            delimiter = ";" if first.count(";") > first.count(",") else ","
            fh.seek(0)
            if fh.read(1) != "\ufeff":
                fh.seek(0)
            reader = csv.reader(fh, delimiter=delimiter)
            try:
                for cells in reader:
                    if header_only:
                        yield _normalize_header(cells)
                        return
                    self.bytes_read = fh.buffer.tell() if hasattr(fh, "buffer") else 0
                    yield cells
            except csv.Error as exc:
                raise FileError(f"CSV rusak di baris {reader.line_num}: {exc}") from exc

    def _xlsx_rows(self, header_only: bool) -> Iterator[list]:
        from openpyxl import load_workbook

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged zip/xml
            raise FileError(f"Berkas XLSX tidak bisa dibuka: {exc}") from exc
        try:
            sheet = book.worksheets[0]
            for i, cells in enumerate(sheet.iter_rows(values_only=True)):
                if i == 0 and header_only:
                    yield _normalize_header(cells)
                    return
                yield [_xlsx_cell(c) for c in cells]
        finally:
            book.close()

    def cells(self) -> Iterator[tuple[int, list[str], bool]]:
        """Data rows as (row number, one text per header column, has non-blank cells beyond the header).

        Blank lines are skipped (their numbers are not reused).
        """
        raw = self._raw_rows()
        next(raw, None)  # header
        width = len(self.header)
        for number, cells in enumerate(raw, start=2):
            if not any(str(c).strip() for c in cells if c is not None):
                continue
            cells = list(cells) + [""] * (width - len(cells))
            extra = len(cells) > width and any(str(c).strip() for c in cells[width:] if c is not None)
            yield number, ["" if c is None else str(c) for c in cells[:width]], extra

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Data rows as dicts of known and unknown columns; blank lines are skipped."""
        for number, cells, extra in self.cells():
            record = {name: cells[i] for i, name in enumerate(self.header) if name}
            if extra:
                record["__extra__"] = "kolom lebih banyak dari judul"
            yield number, record

    def plain_csv_delimiter(self) -> str | None:
        """The delimiter when PostgreSQL's own CSV reader gives exactly the rows ``cells()`` gives, else None.

        That holds for a UTF-8 CSV file with no quote character, no blank line, no NUL and no
        ``\\.`` line (COPY's end-of-data marker); rows of the wrong width make COPY fail, and the
        caller then falls back to ``cells()``.
        """
        if self.is_xlsx:
            return None
        _check_utf8(self.path)
        with open(self.path, encoding="utf-8-sig", newline="") as fh:
            first = fh.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        tail = b"\n"
        with open(self.path, "rb") as fh:
            while chunk := fh.read(1 << 22):
                text = tail + chunk
                if (b'"' in chunk or b"\0" in chunk or b"\n\n" in text or b"\n\r\n" in text or b"\r\r" in text
                        or b"\n\\." in text or b"\r\\." in text):
                    return None
                tail = text[-3:]
        return delimiter


def _xlsx_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # A 16-digit number typed into Excel is kept to 15 significant digits: never trust it.
        return repr(value) if value != int(value) or abs(value) >= 1e15 else str(int(value))
    if isinstance(value, int):
        return str(value) if value < 10**15 else f"{value:.5E}"
    return str(value)


# ---------------------------------------------------------------------------------------------- values

_SEX = {"l": Sex.MALE, "laki-laki": Sex.MALE, "laki laki": Sex.MALE, "lk": Sex.MALE, "1": Sex.MALE,
        "p": Sex.FEMALE, "perempuan": Sex.FEMALE, "pr": Sex.FEMALE, "2": Sex.FEMALE, "wanita": Sex.FEMALE,
        "pria": Sex.MALE}
_RELATIONS = {r.value: r.value for r in Relation} | {
    "kepala": Relation.HEAD.value, "kk": Relation.HEAD.value, "kepala rumah tangga": Relation.HEAD.value,
    "isteri": Relation.WIFE.value, "orangtua": Relation.PARENT.value, "famili": Relation.RELATIVE.value,
    "anak kandung": Relation.CHILD.value, "anak angkat": Relation.CHILD.value, "anak tiri": Relation.CHILD.value,
}
_SCHOOL = {s.value: s.value for s in SchoolStatus} | {
    "smk": SchoolStatus.SMA.value, "sma/smk": SchoolStatus.SMA.value, "ma": SchoolStatus.SMA.value,
    "mts": SchoolStatus.SMP.value, "mi": SchoolStatus.SD.value, "tk": SchoolStatus.PAUD.value,
    "putus sekolah": SchoolStatus.LEFT.value, "tidak sekolah": SchoolStatus.LEFT.value,
}
_YES = {"ya", "y", "1", "true", "yes"}
_NO = {"tidak", "t", "n", "0", "false", "no", "tdk", ""}
_DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
_REGION_DOTTED = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
_REGION_PLAIN = re.compile(r"^\d{10}$")
_PHONE = re.compile(r"^\+?\d{8,15}$")


def parse_sex(text: str) -> str:
    value = _SEX.get(text.strip().lower())
    if value is None:
        raise ValueProblem("jenis kelamin harus L atau P (atau laki-laki/perempuan, 1/2).")
    return value


def parse_relation(text: str) -> str:
    value = _RELATIONS.get(" ".join(text.strip().lower().split()))
    if value is None:
        raise ValueProblem("hubungan tidak dikenal; pilih: " + ", ".join(r.value for r in Relation) + ".")
    return value


def parse_school(text: str) -> str:
    key = " ".join(text.strip().lower().split())
    if not key:
        return ""
    value = _SCHOOL.get(key)
    if value is None:
        raise ValueProblem("status sekolah tidak dikenal; pilih: " + ", ".join(s.value for s in SchoolStatus) + ".")
    return value


def parse_bool(text: str, column: str) -> bool:
    key = text.strip().lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueProblem(f"{column} harus 'ya' atau 'tidak'.")


def parse_date(text: str, today: date) -> date:
    text = text.strip()
    if " " in text:  # "2019-11-20 00:00:00" from spreadsheets
        text = text.split(" ", 1)[0]
    for fmt in _DATE_FORMATS:
        try:
            day = datetime.strptime(text, fmt).date()
            break
        except ValueError:
            continue
    else:
        raise ValueProblem("tanggal lahir tidak terbaca; gunakan YYYY-MM-DD, DD-MM-YYYY atau DD/MM/YYYY.")
    if day > today:
        raise ValueProblem("tanggal lahir di masa depan.")
    if day.year < 1900:
        raise ValueProblem("tanggal lahir sebelum tahun 1900.")
    return day


def parse_region_code(text: str) -> str:
    text = text.strip()
    if _REGION_PLAIN.match(text):
        return f"{text[:2]}.{text[2:4]}.{text[4:6]}.{text[6:]}"
    if _REGION_DOTTED.match(text):
        return text
    raise ValueProblem("kode wilayah harus kode desa/kelurahan, mis. 36.72.03.1001 atau 3672031001.")


def parse_rt_rw(text: str, column: str) -> str:
    text = text.strip()
    if not text:
        return ""
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or len(text) > 3:
        raise ValueProblem(f"{column.upper()} harus angka, paling banyak 3 digit.")
    return f"{int(text):03d}"


def parse_desil(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or not 1 <= int(text) <= 10:
        raise ValueProblem("desil harus angka 1 sampai 10.")
    return int(text)


def parse_phone(text: str) -> str:
    text = re.sub(r"[\s\-().]", "", text.strip())
    if not text:
        return ""
    if not _PHONE.match(text):
        raise ValueProblem("nomor telepon harus 8–15 angka (boleh diawali +).")
    return text


def parse_coordinate(text: str, column: str) -> float | None:
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueProblem(f"{column} harus angka desimal.") from None
    low, high = (-11.5, 6.5) if column == "latitude" else (94.5, 141.5)
    if not low <= value <= high:
        raise ValueProblem(f"{column} {value} di luar wilayah Indonesia.")
    return round(value, 6)


def text_field(text: str, column: str, max_length: int) -> str:
    text = " ".join(text.split())
    if len(text) > max_length:
        raise ValueProblem(f"{column} terlalu panjang (maks {max_length} karakter).")
    return text


# ---------------------------------------------------------------------------------------------- writing

def format_bool(value: bool) -> str:
    return "ya" if value else "tidak"


def format_number(value) -> str:
    return "" if value is None else str(value)
