"""The dashboard's figures on the demo data match the published ones (demo-data.md), read through the
same queries the dashboard uses."""

from datetime import date

import pytest
from django.db.models import Sum

from jsika.core.demo import SeedContext, run_steps
from jsika.payments.models import Payment
from jsika.programs.models import Program
from jsika.reports.demo import seed_reports
from jsika.reports.models import FigureRefresh
from jsika.reports.queries import Figures, cycles

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(regions):
    ctx = SeedContext()
    run_steps(ctx, ["jsika.core.demo.seed_accounts", "jsika.core.demo.seed_families",
                    "jsika.programs.demo.seed_programs", "jsika.payments.demo.seed_payments"])
    summary = seed_reports(ctx)
    assert summary.startswith("angka dasbor:") and "payments" in FigureRefresh.objects.get().sources
    return ctx


def test_jscm_kpm_money_and_pulomerak_cycle_match_the_sources(seeded):
    jscm = Program.objects.get(code="JSCM")
    cilegon = Figures("36.72", jscm.pk)
    per_year = cilegon.kpm_per_year()
    assert {y: per_year[y] for y in (2017, 2018, 2019)} == {2017: 2440, 2018: 1709, 2019: 1686}
    assert [cilegon.per_kpm_rupiah(y) for y in (2017, 2018, 2019)] == [1_000_000, 1_000_000, 500_000]
    assert cilegon.money_per_year("entitled_rupiah")[2017] == {"36.72": 2_440_000_000}
    assert Figures("", jscm.pk).kpm_per_year()[2019] == 1686

    paid = cilegon.money_per_year("paid_rupiah")
    for year in (2017, 2018, 2019):
        in_payments = Payment.objects.filter(program=jscm, year=year, status="paid").aggregate(
            s=Sum("amount_rupiah"))["s"]
        assert paid[year] == {"36.72": in_payments}

    pulomerak = [c for c in cycles("36.72.03", program_id=jscm.pk, year=2019) if c.paid_on == date(2019, 11, 20)]
    assert len(pulomerak) == 1
    cycle = pulomerak[0]
    assert (cycle.payments, cycle.paid_count, cycle.amount_rupiah, cycle.paid_rupiah) == (
        201, 201, 100_500_000, 100_500_000)
    assert (cycle.min_amount_rupiah, cycle.max_amount_rupiah, cycle.bank_code) == (500_000, 500_000, "BJB")
