"""NIK and No. KK checks of specs/registry-import.md, on top of lokal-id's NIK parser.

lokal-id checks the structure (province code, a real DDMMYY date with +40 for women, serial not
0000); this module adds what a clerk's spreadsheet gets wrong and the *NIK tidak padan* check.
"""

import re
from dataclasses import dataclass
from datetime import date

from lokal.nik import parse_nik

_SCIENTIFIC = re.compile(r"^[0-9]+([.,][0-9]+)?[eE][+]?[0-9]+$")
_FLOAT_TAIL = re.compile(r"^[0-9]+[.,]0+$")
_SPACES = re.compile(r"[\s\u00a0\-.]")


class IdentityError(ValueError):
    """A number that cannot be a NIK / No. KK; the message is for a clerk, in Bahasa Indonesia."""


def clean_sixteen_digits(raw, label: str) -> str:
    """The 16 digits of a NIK or No. KK, or IdentityError saying what the spreadsheet did to it."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise IdentityError(f"{label} kosong.")
    if _SCIENTIFIC.match(text.replace(" ", "")):
        raise IdentityError(
            f"{label} berubah menjadi notasi ilmiah oleh spreadsheet ({text}); digit aslinya hilang. "
            "Format kolom sebagai Teks lalu isi ulang."
        )
    if _FLOAT_TAIL.match(text):
        raise IdentityError(
            f"{label} tersimpan sebagai angka desimal ({text}); format kolom sebagai Teks lalu isi ulang."
        )
    digits = _SPACES.sub("", text)
    if not digits.isdigit():
        raise IdentityError(f"{label} hanya boleh berisi angka ({text}).")
    if len(digits) < 16:
        raise IdentityError(
            f"{label} hanya {len(digits)} digit, harus 16 (mungkin angka 0 di depan hilang karena spreadsheet)."
        )
    if len(digits) > 16:
        raise IdentityError(f"{label} {len(digits)} digit, harus tepat 16.")
    return digits


@dataclass(frozen=True)
class NikFacts:
    nik: str
    sex: str  # "L" or "P"
    day: int
    month: int
    yy: int
    district_code: str  # 36.72.03: where the NIK was first issued; never changes when a person moves


def parse_nik_strict(raw) -> NikFacts:
    """Validate a NIK's structure; IdentityError with every reason when it cannot be a NIK."""
    digits = clean_sixteen_digits(raw, "NIK")
    info = parse_nik(digits)
    if not info.valid:
        raise IdentityError("NIK tidak valid: " + " ".join(issue.message for issue in info.errors))
    day = int(digits[6:8])
    return NikFacts(
        nik=digits, sex="P" if day > 40 else "L", day=day - 40 if day > 40 else day,
        month=int(digits[8:10]), yy=int(digits[10:12]), district_code=info.district_code,
    )


def nik_mismatch(facts: NikFacts, *, sex: str, birth_date: date) -> str:
    """Why the NIK disagrees with the stated sex / birth date ('' when it agrees): *NIK tidak padan*."""
    reasons = []
    if facts.sex != sex:
        reasons.append(f"jenis kelamin di NIK {facts.sex}, di data {sex}")
    if (facts.day, facts.month, facts.yy) != (birth_date.day, birth_date.month, birth_date.year % 100):
        reasons.append(
            f"tanggal lahir di NIK {facts.day:02d}-{facts.month:02d}-{facts.yy:02d}, "
            f"di data {birth_date:%d-%m-%y}"
        )
    return "; ".join(reasons)


def make_nik(*, district_code: str, sex: str, birth_date: date, serial: int) -> str:
    """Build a structurally valid NIK (for synthetic data and tests only)."""
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{district_code.replace('.', '')}{day:02d}{birth_date:%m%y}{serial:04d}"
