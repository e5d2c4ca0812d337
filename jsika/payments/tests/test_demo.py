"""seed_payments reproduces specs/demo-data.md (one seeded world, checked figure by figure)."""

import random
from datetime import date

import pytest
from django.db.models import Sum

from jsika.core.demo import SeedContext, run_steps
from jsika.programs.demo import seed_programs
from jsika.registry.tests.factories import make_user

from ..demo import seed_payments
from ..models import BankAccount, Budget, Card, Payment, PaymentCycle, PaymentShare
from ..queries import budget_report, cycles_for

pytestmark = pytest.mark.django_db

# seed_demo's order up to payments: field work runs before and suspends some KPM today, which must not
# take anything away from the published 2017–2019 figures.
STEPS = ["jsika.core.demo.seed_accounts", "jsika.core.demo.seed_families", "jsika.core.demo.seed_caseload",
         "jsika.programs.demo.seed_programs", "jsika.fieldwork.demo.seed_fieldwork",
         "jsika.payments.demo.seed_payments"]


def _paid(year: int, program: str = "JSCM"):
    return Payment.objects.filter(program__code=program, year=year, status="paid")


def test_demo_reproduces_the_published_payments(regions):
    ctx = SeedContext(today=date(2026, 11, 28))
    run_steps(ctx, STEPS)

    for year, count, amount in ((2017, 2440, 1_000_000), (2018, 1709, 1_000_000), (2019, 1686, 500_000)):
        paid = _paid(year)
        assert paid.count() == count
        assert set(paid.values_list("amount_rupiah", flat=True)) == {amount}
        assert paid.values("household").distinct().count() == count  # nobody paid twice
        assert paid.aggregate(s=Sum("credited_amount_rupiah"))["s"] == count * amount

    assert Payment.objects.filter(enrollment__status="suspended", year__lte=2019, status="paid").exists()

    # Pulomerak, 20 November 2019: 201 × Rp500,000 = Rp100,500,000 into Bank BJB accounts.
    pulomerak = PaymentCycle.objects.get(program__code="JSCM", year=2019, region_id="36.72.03")
    assert (pulomerak.paid_on, pulomerak.paid_count, pulomerak.paid_rupiah, pulomerak.bank_code) == (
        date(2019, 11, 20), 201, 100_500_000, "BJB")
    on_the_day = _paid(2019).filter(credited_on=date(2019, 11, 20), region_code__startswith="36.72.03.")
    assert on_the_day.count() == 201
    assert set(on_the_day.values_list("bank_account__bank_code", flat=True)) == {"BJB"}
    assert pulomerak.exclusions.filter(reason="no_account").count() == pulomerak.excluded_count > 0

    # Every cycle was made, verified and approved by three different people.
    for cycle in PaymentCycle.objects.exclude(status="cancelled"):
        assert len({cycle.generated_by_id, cycle.verified_by_id, cycle.approved_by_id}) == 3
        assert cycle.payment_count == cycle.pending_count + cycle.paid_count + cycle.failed_count
    # Shares add up to the rupiah, and no funder went over its budget.
    assert PaymentShare.objects.aggregate(s=Sum("amount_rupiah"))["s"] == Payment.objects.aggregate(
        s=Sum("amount_rupiah"))["s"]
    for budget in Budget.objects.all():
        lines = {line.funder_code: line for line in budget_report(budget.program, budget.year)}
        assert lines[budget.funder_region_id].remaining_rupiah >= 0

    # Jamsosratu through BRI, reconciled with failures re-issued and returned.
    jamsosratu = PaymentCycle.objects.filter(program__code="JAMSOSRATU", bank_code="BRI", status="closed")
    assert jamsosratu.count() == 2
    assert jamsosratu.aggregate(r=Sum("returned_count"))["r"] >= 1
    assert Payment.objects.filter(program__code="JAMSOSRATU", reissued_from__isnull=False, status="paid").exists()
    assert jamsosratu.first().reconciliations.exists()

    # Each bank's demo account has an approved cycle of its own bank waiting for its reconciliation.
    for username, program in (("bank.bjb", "JSCM"), ("bank.bri", "JAMSOSRATU")):
        waiting = cycles_for(ctx.accounts[username]).filter(status="approved")
        assert waiting.filter(program__code=program).exists(), username
        assert set(waiting.values_list("bank_code", flat=True)) == {ctx.accounts[username].bank_code}
    assert not cycles_for(ctx.accounts["bank.bri"]).filter(program__code="JSCM").exists()

    assert Card.objects.filter(status="active").count() > 1600
    assert Card.objects.filter(status="replaced").count() == 2
    assert BankAccount.objects.filter(bank_code="BRI").exists()

    # A second run changes nothing.
    before = (PaymentCycle.objects.count(), Payment.objects.count(), BankAccount.objects.count())
    assert seed_payments(ctx).startswith("dilewati")
    assert (PaymentCycle.objects.count(), Payment.objects.count(), BankAccount.objects.count()) == before


def test_a_small_world_seeds_without_the_published_figures(regions):
    from jsika.programs.tests.factories import family

    admin = make_user("admin.small", "superuser")
    for username, role, scope, bank in (("operator.cilegon", "operator", "36.72", ""),
                                        ("dinsos.cilegon", "manager", "36.72", ""),
                                        ("dinsos.banten", "manager", "36", ""),
                                        ("operator.lebak", "operator", "36.02", ""),
                                        ("bank.bjb", "bank", "", "BJB"), ("bank.bri", "bank", "", "BRI")):
        make_user(username, role, scope, bank_code=bank)
    for i in range(60):
        family(["36.72.03.1001", "36.72.01.1001", "36.02.01.2001"][i % 3], desil=1 + i % 4)
    seed_programs(admin=admin, rng=random.Random(1), today=date(2026, 11, 28))
    summary = seed_payments(admin=admin, rng=random.Random(2), today=date(2026, 11, 28))
    assert "tahap" in summary
    assert _paid(2017).count() > 0
    assert not Payment.objects.filter(status="pending", cycle__status="closed").exists()
