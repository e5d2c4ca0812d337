"""NIK / No. KK checks: structure, spreadsheet damage, and the *NIK tidak padan* flag."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jsika.registry.identity import (
    IdentityError,
    clean_sixteen_digits,
    make_nik,
    nik_mismatch,
    parse_nik_strict,
)
from jsika.registry.names import name_key


def test_woman_has_forty_added_to_the_day():
    facts = parse_nik_strict("3672034507800002")
    assert (facts.sex, facts.day, facts.month, facts.yy) == ("P", 5, 7, 80)
    assert facts.district_code == "36.72.03"


@pytest.mark.parametrize("raw,reason", [
    ("3.67203E+15", "notasi ilmiah"),
    ("3,67203E+15", "notasi ilmiah"),
    ("3672031705800042.0", "angka desimal"),
    ("672031705800042", "15 digit"),
    ("36720317058000421", "17 digit"),
    ("3672O31705800042", "hanya boleh berisi angka"),
    ("", "kosong"),
])
def test_spreadsheet_damage_is_named(raw, reason):
    with pytest.raises(IdentityError, match=reason):
        clean_sixteen_digits(raw, "NIK")


def test_spaces_and_dots_inside_a_number_are_tolerated():
    assert clean_sixteen_digits(" 3672 0317 0580 0042 ", "NIK") == "3672031705800042"


@pytest.mark.parametrize("raw,reason", [
    ("9972031705800042", "provinsi"),
    ("3672033213800042", "Tanggal lahir"),
    ("3672033102800042", "Tanggal lahir"),  # 31 February
    ("3672031705800000", "0000"),
    ("3600001705800042", "00"),
])
def test_structurally_invalid_nik_is_refused(raw, reason):
    with pytest.raises(IdentityError, match=reason):
        parse_nik_strict(raw)


def test_mismatch_names_sex_and_birth_date():
    facts = parse_nik_strict("3672031705800042")
    assert nik_mismatch(facts, sex="L", birth_date=date(1980, 5, 17)) == ""
    assert "jenis kelamin" in nik_mismatch(facts, sex="P", birth_date=date(1980, 5, 17))
    assert "tanggal lahir" in nik_mismatch(facts, sex="L", birth_date=date(1980, 5, 18))
    # the NIK holds a two-digit year: a person born in 1925 and one born in 2025 share "25"
    old = parse_nik_strict(make_nik(district_code="36.72.03", sex="L", birth_date=date(1925, 1, 2), serial=3))
    assert nik_mismatch(old, sex="L", birth_date=date(1925, 1, 2)) == ""


@given(
    district=st.sampled_from(["36.72.03", "36.01.01", "11.01.01", "94.71.02"]),
    sex=st.sampled_from(["L", "P"]),
    born=st.dates(min_value=date(1901, 1, 1), max_value=date(2026, 1, 1)),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_every_built_nik_parses_back_to_its_parts(district, sex, born, serial):
    nik = make_nik(district_code=district, sex=sex, birth_date=born, serial=serial)
    facts = parse_nik_strict(nik)
    assert (facts.nik, facts.sex, facts.day, facts.month, facts.yy) == (nik, sex, born.day, born.month, born.year % 100)
    assert facts.district_code == district
    assert nik_mismatch(facts, sex=sex, birth_date=born) == ""


@given(st.text(max_size=20))
def test_parser_never_crashes_on_any_text(text):
    try:
        facts = parse_nik_strict(text)
    except IdentityError as exc:
        assert str(exc)
    else:
        assert len(facts.nik) == 16 and facts.nik.isdigit()


@given(st.integers(min_value=0, max_value=10**16 - 1).map(lambda n: f"{n:016d}"))
def test_any_sixteen_digits_are_accepted_or_refused_with_a_reason(digits):
    try:
        facts = parse_nik_strict(digits)
    except IdentityError as exc:
        assert str(exc).startswith("NIK tidak valid")
    else:
        assert 1 <= facts.day <= 31 and 1 <= facts.month <= 12 and digits[12:] != "0000"


@pytest.mark.parametrize("a,b", [
    ("Moch. Soedjatmiko", "Muhamad Sujatmiko"),
    ("Siti Chadidjah", "Siti Hadijah"),
    ("Achmad Fauzi", "Ahmad Fauzi"),
    ("Nur Fatimah", "Nur Fatima"),
    ("Soekarno", "Sukarno"),
    ("Djoko Santoso", "Joko Santoso"),
    ("Muhammad Rizky", "Muhamad Rizki"),
])
def test_name_key_matches_spelling_variants(a, b):
    assert name_key(a) == name_key(b)


def test_name_key_keeps_different_names_apart():
    assert name_key("Siti Aminah") != name_key("Siti Halimah")
