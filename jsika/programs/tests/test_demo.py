import random

import pytest

from jsika.core.demo import SeedContext, run_steps
from jsika.programs import rules
from jsika.programs.demo import seed_programs
from jsika.programs.models import Enrollment, Program
from jsika.programs.queries import kpm_count, overlaps_for

from .factories import family, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(regions):
    ctx = SeedContext()
    run_steps(ctx, ["jsika.core.demo.seed_accounts", "jsika.core.demo.seed_families",
                    "jsika.programs.demo.seed_programs"])
    return ctx


def test_demo_reproduces_the_published_figures_and_rules(seeded):
    """One seeded world (it takes seconds) checked against the sources: counts, amounts, tenure, bank, funding."""
    assert [kpm_count("JSCM", year) for year in (2016, 2017, 2018, 2019)] == [0, 2440, 1709, 1686]
    assert kpm_count("JSCM", 2019, "36.72.03") >= 201

    jscm = Program.objects.get(code="JSCM")
    jamsosratu = Program.objects.get(code="JAMSOSRATU")
    household = Enrollment.objects.filter(program=jscm).first().household
    assert [rules.entitlement(household, jscm, y).total_rupiah for y in (2017, 2018, 2019)] == [
        1_000_000, 1_000_000, 500_000]
    assert (jscm.owner_region_id, jscm.tenure_years, jscm.bank_code) == ("36.72", 5, "BJB")
    assert list(jscm.excluded_programs.all()) == [jamsosratu] and jscm.exclude_pkh
    assert [(s.funder_region_id, s.percent) for s in jscm.funding_shares.all()] == [("36.72", 100)]
    assert (jamsosratu.owner_region_id, jamsosratu.start_year, jamsosratu.bank_code) == ("36", 2013, "BRI")
    assert sorted((s.funder_region_id or "", s.percent) for s in jamsosratu.funding_shares.all()) == [
        ("", 40), ("36", 60)]
    assert rules.rule_for(jamsosratu, 2019).kind == "per_component"
    assert kpm_count(jamsosratu, 2013) > 0
    assert Enrollment.objects.filter(program=jamsosratu, status="active").exclude(
        household__region__code__startswith="36.72.").exists()


def test_demo_leaves_work_for_the_demo_accounts_and_does_not_seed_twice(seeded):
    pending = Enrollment.objects.filter(status__in=["proposed", "verified"])
    assert pending.filter(proposed_by__username="operator.cilegon", status="verified").exists()
    assert pending.filter(proposed_by__username="operator.cilegon", status="proposed").exists()
    assert overlaps_for(seeded.accounts["dinsos.banten"]).rows
    before = Enrollment.objects.count()
    assert seed_programs(seeded).startswith("dilewati")
    assert Enrollment.objects.count() == before


def test_few_households_scale_the_figures_down(regions):
    admin = make_user("admin.small", "superuser")
    for i in range(100):
        family("36.72.03.1001" if i % 2 else "36.72.01.1001", desil=1 + i % 4)
    summary = seed_programs(admin=admin, rng=random.Random(1))
    counts = [kpm_count("JSCM", y) for y in (2017, 2018, 2019)]
    assert counts[0] > counts[1] > counts[2] > 0
    assert counts[0] <= 100
    assert "KPM JSCM" in summary
