from datetime import date

import pytest

from jsika.programs import rules, services
from jsika.programs.models import BenefitRule
from jsika.registry.models import Relation

from .factories import family, make_household, make_person, make_program, make_user, years_ago

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 28)


@pytest.fixture
def admin(regions):
    return make_user("admin.rules", "superuser")


@pytest.fixture
def jscm(admin):
    program = make_program(admin, "JSCM", "36.72", rule={"kind": BenefitRule.Kind.FLAT, "amount_rupiah": 1_000_000})
    services.set_benefit_rule(program=program, by=admin, year=2019, kind=BenefitRule.Kind.FLAT, amount_rupiah=500_000)
    return program


@pytest.fixture
def pkh_style(admin):
    program = make_program(admin, "REPLIKA", "36", start_year=2013, rule={})
    services.set_benefit_rule(
        program=program, by=admin, year=2013, kind=BenefitRule.Kind.PER_COMPONENT, max_components=2,
        component_amounts={"hamil": 3_000_000, "anak_usia_dini": 3_000_000, "sd": 900_000, "smp": 1_500_000,
                           "sma": 2_000_000, "disabilitas_berat": 2_400_000, "lansia": 2_400_000})
    return program


def test_flat_entitlement_follows_the_rule_of_each_year(jscm):
    household = family()
    assert rules.entitlement(household, jscm, 2017).total_rupiah == 1_000_000
    assert rules.entitlement(household, jscm, 2018).total_rupiah == 1_000_000  # the 2017 rule still applies
    result = rules.entitlement(household, jscm, 2019)
    assert result.total_rupiah == 500_000
    assert [line.label for line in result.lines] == [
        "Bantuan tetap per keluarga per tahun (JSCM, aturan sejak 2019)"]


def test_no_entitlement_before_the_program_started(jscm):
    result = rules.entitlement(family(), jscm, 2016)
    assert result.total_rupiah == 0
    assert result.rule is None
    assert result.lines[0].label == "Belum ada aturan manfaat JSCM untuk tahun 2016"


def test_per_cycle_amount_divides_the_year(admin, jscm):
    jscm = services.update_program(program=jscm, by=admin, cycles_per_year=4)
    assert rules.entitlement(family(), jscm, 2017).per_cycle_rupiah == 250_000


def test_per_component_entitlement_counts_each_member_once_and_caps(pkh_style):
    household = make_household("36.72.03.1001", desil=1)
    make_person(household, name="Ayah", birth_date=date(1980, 1, 1))
    make_person(household, name="Ibu", sex="P", birth_date=date(1990, 1, 1), relation=Relation.WIFE, pregnant=True)
    make_person(household, name="Adik", birth_date=years_ago(9, TODAY), relation=Relation.CHILD, school_status="sd")
    make_person(household, name="Kakak", birth_date=years_ago(16, TODAY), relation=Relation.CHILD,
                school_status="sma")
    make_person(household, name="Nenek", sex="P", birth_date=date(1950, 3, 3), relation=Relation.PARENT,
                disabled=True)

    result = rules.entitlement(household, pkh_style, 2026, today=TODAY)

    counted = [(line.label, line.amount_rupiah) for line in result.lines if line.counted]
    assert counted == [("Ibu hamil/nifas — Ibu", 3_000_000), ("Disabilitas berat — Nenek", 2_400_000)]
    dropped = [line for line in result.lines if not line.counted]
    assert [line.label for line in dropped] == ["Anak SMA/SMK — Kakak", "Anak SD — Adik"]
    assert dropped[0].note == "tidak dihitung: melebihi batas 2 komponen per keluarga"
    assert result.total_rupiah == 5_400_000


def test_per_component_entitlement_without_components_is_zero_and_says_why(pkh_style):
    household = make_household("36.72.03.1001")
    make_person(household, name="Ayah", birth_date=date(1980, 1, 1))
    result = rules.entitlement(household, pkh_style, 2026, today=TODAY)
    assert result.total_rupiah == 0
    assert result.lines[0].label == "Tidak ada anggota keluarga dengan komponen bantuan"


@pytest.mark.parametrize(("born_years_ago", "school", "expected"), [
    (3, "belum sekolah", ["anak_usia_dini"]),
    (6, "sd", ["sd"]),
    (13, "smp", ["smp"]),
    (17, "sma", ["sma"]),
    (25, "sma", []),  # too old for an education component
    (40, "", []),
    (61, "", ["lansia"]),
])
def test_components_follow_age_and_school(regions, born_years_ago, school, expected):
    household = make_household("36.72.03.1001")
    person = make_person(household, birth_date=years_ago(born_years_ago, TODAY), school_status=school)
    assert rules.person_components(person, TODAY) == expected


def test_elderly_is_sixty_or_more_on_the_reference_date(regions):
    person = make_person(make_household(), birth_date=date(1966, 11, 29))
    assert rules.person_components(person, date(2026, 11, 28)) == []
    assert rules.person_components(person, date(2026, 11, 29)) == ["lansia"]


@pytest.mark.parametrize(("start", "years", "end"), [
    (date(2017, 3, 1), 5, date(2022, 3, 1)),
    (date(2020, 2, 29), 5, date(2025, 2, 28)),
    (date(2020, 2, 29), 4, date(2024, 2, 29)),
    (date(2024, 12, 31), 1, date(2025, 12, 31)),
])
def test_tenure_ends_tenure_years_after_start(start, years, end):
    assert rules.tenure_end(start, years) == end


def test_eligibility_explains_each_criterion(admin, jscm):
    household = family(desil=3, school="smp")
    result = rules.eligibility(household, jscm, on=TODAY)
    assert result.eligible
    texts = [c.text for c in result.checks]
    assert texts[0] == "Tinggal di wilayah cakupan program (Kota Cilegon (36.72))"
    assert texts[1] == "Desil 3, tidak lebih dari 4"
    assert texts[2] == "Punya komponen: Anak SMP (Anak Sekolah)"


def test_eligibility_lists_every_failure(admin, jscm):
    jscm = services.update_program(program=jscm, by=admin, exclude_pkh=True)
    household = family("36.02.01.2002", desil=7, school="", pkh=True)
    result = rules.eligibility(household, jscm, on=TODAY)
    assert not result.eligible
    assert result.failures == [
        "Di luar wilayah cakupan program (Kota Cilegon (36.72))",
        "Desil 7 melebihi batas desil 4",
        "Tidak ada anggota keluarga dengan komponen (hamil, anak usia dini, anak sekolah, disabilitas berat, "
        "lansia)",
        "Penerima PKH nasional (dikecualikan oleh JSCM)",
    ]


def test_unknown_desil_is_not_eligible(jscm):
    household = family(desil=None)
    assert rules.eligibility(household, jscm, on=TODAY).failures == [
        "Desil belum diketahui (syarat: desil 4 atau lebih rendah)"]


def test_enrollment_in_an_excluded_program_blocks(admin, jscm, pkh_style):
    from .factories import people

    services.update_program(program=jscm, by=admin, excluded_programs=[pkh_style])
    p = people()
    household = family()
    services.propose_enrollment(household=household, program=pkh_style, by=p["operator"])
    result = rules.eligibility(household, jscm, on=TODAY)
    assert result.failures == [
        "Sudah terdaftar di program REPLIKA (status Diusulkan), yang dikecualikan oleh JSCM"]


def test_funding_split_goes_to_province_and_the_households_kabkota(admin, pkh_style):
    services.set_funding_shares(program=pkh_style, by=admin, shares=[("36", 60), (None, 40)])
    parts = rules.funding_split(pkh_style, 1_000_001, "36.72.03.1001")
    assert [(p.funder_code, p.percent, p.amount_rupiah) for p in parts] == [
        ("36", 60, 600_001), ("36.72", 40, 400_000)]
    assert sum(p.amount_rupiah for p in parts) == 1_000_001


def test_rupiah_formats_with_dots():
    assert rules.rupiah(100_500_000) == "Rp100.500.000"
