"""The dashboard's figures on the demo data match the published ones (demo-data.md), read through the
same queries the dashboard uses."""

import pytest

from jsika.core.demo import SeedContext, run_steps
from jsika.programs.models import Program
from jsika.reports.queries import Figures
from jsika.reports.services import refresh_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(regions):
    ctx = SeedContext()
    run_steps(ctx, ["jsika.core.demo.seed_accounts", "jsika.core.demo.seed_families",
                    "jsika.programs.demo.seed_programs"])
    refresh_figures()
    return ctx


def test_jscm_kpm_and_money_per_year_match_the_sources(seeded):
    jscm = Program.objects.get(code="JSCM")
    figures = Figures("36.72", jscm.pk)
    per_year = figures.kpm_per_year()
    assert {y: per_year[y] for y in (2017, 2018, 2019)} == {2017: 2440, 2018: 1709, 2019: 1686}
    assert [figures.per_kpm_rupiah(y) for y in (2017, 2018, 2019)] == [1_000_000, 1_000_000, 500_000]
    assert figures.money_per_year("entitled_rupiah")[2017] == {"36.72": 2_440_000_000}
    assert Figures("", jscm.pk).kpm_per_year()[2019] == 1686
    assert Figures("36.72.03", jscm.pk).kpm_per_year()[2019] >= 201
