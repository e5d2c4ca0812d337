"""The demo step: assessments over the years with two instrument versions, the 2021 target and its progress,
decisions kept as history, UEP grants with follow-ups, and work waiting for the demo accounts."""

import pytest

from jsika.core.demo import SeedContext, run_steps
from jsika.graduation import queries, scoring
from jsika.graduation.demo import seed_graduation
from jsika.graduation.models import Assessment, Graduation, Grant, GrantFollowUp, Instrument
from jsika.payments.models import Payment, PaymentCycle
from jsika.programs.models import Enrollment, ExitReason

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(regions):
    ctx = SeedContext(families=1500)
    done = dict(run_steps(ctx, ["jsika.core.demo.seed_accounts", "jsika.core.demo.seed_families",
                                "jsika.core.demo.seed_caseload", "jsika.programs.demo.seed_programs",
                                "jsika.graduation.demo.seed_graduation"]))
    ctx.made["summary"] = done["seed_graduation"]
    return ctx


def test_demo_graduation_world(seeded):
    v1, v2 = Instrument.objects.order_by("version")
    assert (v1.version, v2.version) == (1, 2) and v2.is_published
    assert Assessment.objects.filter(instrument=v1).exists() and Assessment.objects.filter(instrument=v2).exists()
    sample = list(Assessment.objects.select_related("instrument").order_by("?")[:50])
    assert all(scoring.rescore(a).score == a.score for a in sample)

    # Every enrollment the programs demo ended as graduated has its decision; the 2021 target shows progress.
    graduated = Enrollment.objects.filter(exit_reason=ExitReason.GRADUATED)
    assert Graduation.objects.filter(status="approved", enrollment__in=graduated).count() == graduated.count()
    row = next(r for r in queries.target_progress(year=2021) if r.target.program.code == "JAMSOSRATU")
    assert row.target.target == 2500 and 0 < row.achieved < 2500
    assert f"dari target 2.500 ({row.percent:.1f}%)".replace(".", ",").replace("2,500", "2.500") in (
        seeded.made["summary"])
    assert set(row.by_kind) <= {"alamiah", "mandiri"} and row.by_kind.get("alamiah")

    # Self-reliant decisions rest on a ready assessment; no decision is made by its proposer.
    for g in Graduation.objects.filter(kind="mandiri", status="approved")[:30]:
        assert g.evidence["assessments"] and g.evidence["assessments"][0]["band"] == "ready"
    assert not Graduation.objects.filter(decided_by=models_f("proposed_by")).exists()

    # UEP: grants of 2021 graduates within the 2021 budget, paid through UEP cycles (a reconciliation with a
    # GAGAL re-issued a month later), followed up, with a survival rate below 100%.
    use = next(b for b in queries.budget_use() if b.budget.year == 2021)
    assert 0 < use.committed <= use.budget.amount_rupiah
    assert not Grant.objects.filter(decided_by=models_f("applied_by")).exists()
    cycles = PaymentCycle.objects.filter(kind="uep", program__code="JAMSOSRATU", year=2021)
    assert cycles.count() >= 2 and all(c.status == "closed" and c.reconciliations.exists() for c in cycles)
    assert Payment.objects.filter(cycle__in=cycles, status="reissued").exists()
    disbursed = Grant.objects.filter(status="disbursed", budget_year=2021)
    assert disbursed.count() == Payment.objects.filter(cycle__in=cycles, status="paid").count() > 0
    assert not disbursed.exclude(payments__status="paid").exists()
    assert GrantFollowUp.objects.filter(months=12).exists()
    twelve = queries.survival_report(seeded.accounts["dinsos.banten"], year=2021).milestones[2]
    assert twelve.followed and 0 < twelve.survival_percent < 100


def test_demo_leaves_work_and_runs_once(seeded):
    manager = seeded.accounts["dinsos.cilegon"]
    waiting = queries.graduations_for(manager).filter(status="proposed")
    assert waiting.filter(proposed_by__username="operator.cilegon").exists()
    assert Graduation.objects.filter(status="approved", decided_by__username="dinsos.cilegon",
                                     certificate_number__endswith=f"/{seeded.today.year}").exists()
    assert Grant.objects.filter(status="applied", applied_by__username="operator.cilegon").exists()
    before = Assessment.objects.count()
    assert seed_graduation(seeded).startswith("dilewati")
    assert Assessment.objects.count() == before


def models_f(name):
    from django.db.models import F

    return F(name)
