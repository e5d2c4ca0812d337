"""The synthetic family generator: deterministic, and every family has a plausible, valid shape."""

import csv
import io
from collections import Counter
from datetime import date

import pytest
from lokal import wilayah

from jsika.registry.identity import nik_mismatch, parse_nik_strict
from jsika.registry.synthetic import (
    COLUMNS,
    DEMO_PLAN,
    banten_villages,
    demo_plan,
    generate_families,
    generate_rows,
    school_status_for,
    write_csv,
)

AS_OF = date(2026, 7, 1)
PLAN = demo_plan(0.1)  # about 450 households over every region of the demo


@pytest.fixture(scope="module")
def villages():
    return banten_villages()


@pytest.fixture(scope="module")
def families(villages):
    return list(generate_families(PLAN, seed=7, villages=villages, as_of=AS_OF))


def _age(born: str) -> int:
    b = date.fromisoformat(born)
    return AS_OF.year - b.year - ((AS_OF.month, AS_OF.day) < (b.month, b.day))


def test_same_seed_gives_the_same_rows(villages, families):
    again = list(generate_families(PLAN, seed=7, villages=villages, as_of=AS_OF))
    assert again == families


def test_another_seed_gives_other_families(villages, families):
    other = list(generate_families(PLAN, seed=8, villages=villages, as_of=AS_OF))
    assert [r["nik"] for f in other for r in f] != [r["nik"] for f in families for r in f]


def test_rows_have_exactly_the_columns_of_the_family_data_file(families):
    for family in families:
        for row in family:
            assert list(row) == COLUMNS
            assert all(isinstance(value, str) for value in row.values())


def test_plan_decides_how_many_families_land_in_each_region(families):
    assert len(families) == sum(PLAN.values())
    per_region = Counter()
    for family in families:
        code = family[0]["kode_wilayah"]
        region = next(c for c in PLAN if code.startswith(c + "."))
        per_region[region] += 1
    assert per_region == Counter(PLAN)


def test_demo_plan_puts_cilegon_first_and_scale_multiplies():
    cilegon = sum(n for code, n in DEMO_PLAN.items() if code.startswith("36.72"))
    assert cilegon == 3000
    assert DEMO_PLAN["36.72.03"] >= 260
    assert sum(DEMO_PLAN.values()) - cilegon == 1500
    assert sum(demo_plan(2).values()) == 2 * sum(DEMO_PLAN.values())
    with pytest.raises(ValueError):
        demo_plan(0)


def test_every_nik_is_valid_unique_and_agrees_with_sex_and_birth_date(families):
    niks = [row["nik"] for family in families for row in family]
    assert len(niks) == len(set(niks))
    for family in families:
        for row in family:
            facts = parse_nik_strict(row["nik"])
            born = date.fromisoformat(row["tanggal_lahir"])
            assert nik_mismatch(facts, sex=row["jenis_kelamin"], birth_date=born) == ""
            assert wilayah.get_wilayah(facts.district_code) is not None
            assert born <= AS_OF


def test_no_kk_is_sixteen_digits_unique_and_shared_by_the_family(families):
    numbers = []
    for family in families:
        kk = {row["no_kk"] for row in family}
        assert len(kk) == 1
        no_kk = kk.pop()
        assert len(no_kk) == 16 and no_kk.isdigit()
        assert no_kk[:6] == family[0]["kode_wilayah"].replace(".", "")[:6]
        issued = date(2000 + int(no_kk[10:12]), int(no_kk[8:10]), int(no_kk[6:8]))
        assert issued <= AS_OF
        numbers.append(no_kk)
    assert len(numbers) == len(set(numbers))


def test_villages_are_real_desa_codes(families):
    for family in families:
        village = wilayah.get_wilayah(family[0]["kode_wilayah"])
        assert village is not None and village.level == 4


def test_one_head_per_family_listed_first(families):
    for family in families:
        relations = [row["hubungan"] for row in family]
        assert relations[0] == "kepala keluarga"
        assert relations.count("kepala keluarga") == 1
        assert relations.count("istri") <= 1


def test_family_shapes_are_plausible(families):
    heads = [family[0] for family in families]
    men = [h for h in heads if h["jenis_kelamin"] == "L"]
    assert 0.75 < len(men) / len(heads) < 0.97  # mostly men, some women-headed families
    assert all(25 <= _age(h["tanggal_lahir"]) <= 66 for h in men)
    children = Counter(sum(r["hubungan"] == "anak" for r in family) for family in families)
    assert set(children) <= set(range(6)) and len(children) >= 5
    assert any(r["hubungan"] in ("orang tua", "mertua") for family in families for r in family)
    for family in families:
        for row in family:
            if row["hubungan"] == "anak":
                assert _age(row["tanggal_lahir"]) < _age(family[0]["tanggal_lahir"]) - 14
            if row["hubungan"] in ("orang tua", "mertua"):
                assert _age(row["tanggal_lahir"]) >= 60
    desil = Counter(family[0]["desil"] for family in families)
    assert sum(desil[d] for d in "1234") / len(families) > 0.8


def test_school_status_matches_age(families):
    allowed = {
        "belum sekolah": range(0, 10), "paud": range(4, 7), "sd": range(7, 13), "smp": range(13, 16),
        "sma": range(16, 19), "tidak sekolah lagi": range(10, 19), "": range(19, 120),
    }
    seen = Counter()
    for family in families:
        for row in family:
            if row["hubungan"] != "anak":
                assert row["status_sekolah"] == ""
                continue
            age = _age(row["tanggal_lahir"])
            assert age in allowed[row["status_sekolah"]], (age, row["status_sekolah"])
            seen[row["status_sekolah"]] += 1
    assert all(seen[level] > 0 for level in ("paud", "sd", "smp", "sma", "tidak sekolah lagi"))


def test_school_status_for_each_age_band():
    assert school_status_for(2, 0.0) == "belum sekolah"
    assert school_status_for(5, 0.1) == "paud"
    assert school_status_for(9, 0.1) == "sd"
    assert school_status_for(14, 0.1) == "smp"
    assert school_status_for(17, 0.1) == "sma"
    assert school_status_for(17, 0.99) == "tidak sekolah lagi"
    assert school_status_for(30, 0.1) == ""


def test_only_women_of_childbearing_age_are_pregnant(families):
    pregnant = [row for family in families for row in family if row["hamil"] == "ya"]
    assert pregnant, "some wives should be pregnant"
    for row in pregnant:
        assert row["jenis_kelamin"] == "P"
        assert 15 <= _age(row["tanggal_lahir"]) <= 45
    assert {row["hamil"] for family in families for row in family} == {"ya", "tidak"}
    assert any(row["disabilitas"] == "ya" for family in families for row in family)


def test_coordinates_lie_near_the_family_region(families):
    for family in families:
        lat, lon = float(family[0]["latitude"]), float(family[0]["longitude"])
        assert -7.1 < lat < -5.7 and 105.0 < lon < 106.9
        if family[0]["kode_wilayah"].startswith("36.72."):  # Kota Cilegon
            assert -6.1 < lat < -5.9 and 105.9 < lon < 106.15
        assert {(r["latitude"], r["longitude"]) for r in family} == {(family[0]["latitude"], family[0]["longitude"])}


def test_write_csv_writes_the_family_data_file(villages):
    rows = list(generate_rows({"36.72.03": 5}, seed=1, villages=villages, as_of=AS_OF))
    out = io.StringIO()
    assert write_csv(rows, out) == len(rows)
    out.seek(0)
    reader = csv.DictReader(out)
    assert reader.fieldnames == COLUMNS
    assert list(reader) == rows


def test_generation_is_fast_enough_for_100k_households(villages):
    import time

    started = time.monotonic()
    count = sum(1 for _ in generate_families({"36": 20_000}, seed=3, villages=villages, as_of=AS_OF))
    assert count == 20_000
    assert time.monotonic() - started < 8  # 100k would take well under a minute


def test_generated_file_imports_without_rejects(regions, villages, tmp_path):
    from jsika.registry.models import Household, Person
    from jsika.registry.services import import_family_file
    from jsika.registry.tests.factories import make_user

    path = tmp_path / "keluarga.csv"
    rows = write_csv(generate_rows({"36.72.03": 15, "36.02": 5}, seed=5, villages=villages), path)
    report, _ = import_family_file(path=path, by=make_user("admin", "superuser"), rejects_path=tmp_path / "r.csv")
    assert (report.rows_read, report.rows_rejected, report.rows_flagged) == (rows, 0, 0)
    assert Household.objects.count() == 20
    assert Person.objects.count() == rows


@pytest.mark.skipif(not __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                    reason="copy_families streams COPY, PostgreSQL only (CI's PostgreSQL job runs it)")
def test_copy_families_writes_what_insert_families_writes(regions, villages):
    """The bench's COPY path stores the same records, with one '+' history row each, as the portable path."""
    from django.db import transaction
    from django.forms.models import model_to_dict

    from jsika.registry.models import Household, Person
    from jsika.registry.synthetic import copy_families, insert_families
    from jsika.registry.tests.factories import make_user

    admin = make_user("admin", "superuser")
    batch = list(generate_families({"36.72.03": 9, "36.02": 5}, seed=11, villages=villages, as_of=AS_OF))
    batch[7][0]["alamat"] = "Jl. Tab\tdan\\garis miring"  # COPY's text escapes
    with transaction.atomic():
        assert insert_families(batch[:7], by=admin) == (7, sum(len(f) for f in batch[:7]))
    assert copy_families(batch[7:], by=admin, batch_size=3) == (7, sum(len(f) for f in batch[7:]))

    def stored(model, key):
        skip = ("id", "household", "created_at", "updated_at")
        return {getattr(o, key): {k: v for k, v in model_to_dict(o).items() if k not in skip}
                for o in model.objects.all()}

    houses, people = stored(Household, "no_kk"), stored(Person, "nik")
    assert len(houses) == 14 and len(people) == sum(len(f) for f in batch)
    assert houses[batch[7][0]["no_kk"]]["address"] == "Jl. Tab\tdan\\garis miring"
    for family in batch:  # both paths store the same household values
        head = family[0]
        assert (houses[head["no_kk"]]["rt"], houses[head["no_kk"]]["desil"], houses[head["no_kk"]]["latitude"]) == (
            head["rt"], int(head["desil"]), float(head["latitude"]))
    for family in batch[7:]:
        assert houses[family[0]["no_kk"]]["region"] == family[0]["kode_wilayah"]
        for row in family:
            p = people[row["nik"]]
            assert (p["name"], p["sex"], str(p["birth_date"]), p["relation"], p["school_status"], p["pregnant"]) == (
                row["nama"], row["jenis_kelamin"], row["tanggal_lahir"], row["hubungan"], row["status_sekolah"],
                row["hamil"] == "ya")
            assert Person.objects.get(nik=row["nik"]).household.no_kk == family[0]["no_kk"]
    for model in (Household, Person):
        history = model.history.model.objects.all()
        assert history.count() == model.objects.count()
        assert set(history.values_list("history_type", "history_user_id", "history_change_reason")) == {
            ("+", admin.pk, "seed_demo")}
        assert set(history.values_list("id", flat=True)) == set(model.objects.values_list("id", flat=True))
