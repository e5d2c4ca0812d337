from datetime import date

import pytest
from django.db import IntegrityError, transaction

from jsika.programs import services as program_services
from jsika.registry.tests.factories import make_user

from .. import services
from ..models import PaymentCycle
from ..queries import budget_report, committed_by_funder
from .factories import budget, jscm_world, kpm, make_program, people, ready_cycle

pytestmark = pytest.mark.django_db


# --- maker-checker -------------------------------------------------------------------------------

def test_three_different_people_generate_verify_and_approve(regions):
    program, p, _ = jscm_world()
    cycle = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"])
    with pytest.raises(services.PaymentError, match="orang lain daripada yang membuat"):
        services.verify_cycle(cycle=cycle, by=p["operator"])
    with pytest.raises(services.PaymentError, match="sudah diverifikasi"):
        services.approve_cycle(cycle=cycle, by=p["manager"])
    cycle = services.verify_cycle(cycle=cycle, by=p["operator2"])
    with pytest.raises(services.PaymentError, match="Hanya pengelola program"):
        services.approve_cycle(cycle=cycle, by=p["operator2"])
    cycle = services.approve_cycle(cycle=cycle, by=p["manager"])
    assert (cycle.status, cycle.generated_by, cycle.verified_by, cycle.approved_by) == (
        "approved", p["operator"], p["operator2"], p["manager"])
    assert [e.action for e in cycle.events.all()] == ["generated", "verified", "approved"]
    assert [h.status for h in cycle.history.order_by("history_date")] == ["generated", "verified", "approved"]
    assert cycle.history.latest().history_user == p["manager"]


def test_a_manager_who_made_or_verified_the_cycle_cannot_approve_it(regions):
    program, p, _ = jscm_world()
    maker = make_user("mgr.cilegon.2", "manager", "36.72")
    cycle = services.open_cycle(program=program, year=2025, stage=1, by=maker)
    cycle = services.verify_cycle(cycle=cycle, by=p["manager"])
    for who in (maker, p["manager"]):
        with pytest.raises(services.PaymentError, match="orang ketiga"):
            services.approve_cycle(cycle=cycle, by=who)
    assert services.approve_cycle(cycle=cycle, by=p["manager_banten"]).status == "approved"


@pytest.mark.parametrize("role", ["operator", "facilitator", "bank", "auditor", "partner", "manager_lebak"])
def test_only_a_manager_in_scope_approves(regions, role):
    program, p, _ = jscm_world()
    cycle = ready_cycle(program, p)
    with pytest.raises(services.PaymentError, match="Hanya pengelola program"):
        services.approve_cycle(cycle=cycle, by=p[role])
    assert PaymentCycle.objects.get(pk=cycle.pk).status == "verified"


@pytest.mark.parametrize("role", ["facilitator", "bank", "auditor", "partner", "operator_lebak"])
def test_only_staff_in_scope_verify(regions, role):
    program, p, _ = jscm_world()
    cycle = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"])
    with pytest.raises(services.PaymentError, match="Hanya pengelola atau operator"):
        services.verify_cycle(cycle=cycle, by=p[role])


def test_the_database_refuses_a_self_verified_cycle(regions):
    program, p, _ = jscm_world()
    cycle = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"])
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentCycle.objects.filter(pk=cycle.pk).update(verified_by=p["operator"])


def test_cancel_before_approval_removes_payments_and_frees_the_period(regions):
    program, p, _ = jscm_world()
    cycle = ready_cycle(program, p)
    with pytest.raises(services.PaymentError, match="Alasan"):
        services.cancel_cycle(cycle=cycle, by=p["manager"], reason="")
    services.cancel_cycle(cycle=cycle, by=p["manager"], reason="data rekening salah")
    cycle.refresh_from_db()
    assert (cycle.status, cycle.payment_count, cycle.payments.count()) == ("cancelled", 0, 0)
    again = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"])
    assert again.payment_count == 5


# --- budgets -------------------------------------------------------------------------------------

def test_a_cycle_cannot_exceed_the_remaining_budget_of_any_funder(regions):
    program, p, _ = jscm_world(n_pulomerak=3, n_ciwaduk=2)
    budget(program, 2025, "36.72", 4_000_000, p["manager"])
    cycle = ready_cycle(program, p)
    with pytest.raises(services.PaymentError, match=r"36\.72 2025: dibutuhkan Rp5\.000\.000, sisa pagu Rp4\.000\.000"):
        services.approve_cycle(cycle=cycle, by=p["manager"])
    budget(program, 2025, "36.72", 5_000_000, p["manager"])
    services.approve_cycle(cycle=cycle, by=p["manager"])
    assert committed_by_funder(program, 2025) == {"36.72": 5_000_000}
    late = kpm(program, by=p["admin"])
    second = ready_cycle(program, p)
    assert list(second.payments.values_list("enrollment_id", flat=True)) == [late.pk]
    with pytest.raises(services.PaymentError, match="sisa pagu Rp0"):
        services.approve_cycle(cycle=second, by=p["manager"])
    with pytest.raises(services.PaymentError, match="lebih kecil daripada yang sudah terikat"):
        budget(program, 2025, "36.72", 4_999_999, p["manager"])


def test_cost_sharing_needs_a_budget_for_each_funder(regions):
    p = people()
    program = make_program(p["admin"], "JAMSOSRATU", "36", bank_code="BRI", cycles_per_year=4)
    program_services.set_funding_shares(program=program, by=p["admin"], shares=[("36", 60), (None, 40)])
    kpm(program, "36.02.01.2001", by=p["admin"], bank="BRI")
    kpm(program, "36.01.01.2001", by=p["admin"], bank="BRI")
    budget(program, 2025, "36", 1_000_000, p["manager_banten"])
    budget(program, 2025, "36.02", 1_000_000, p["manager_banten"])
    cycle = services.open_cycle(program=program, year=2025, stage=1, by=p["manager_banten"])
    cycle = services.verify_cycle(cycle=cycle, by=make_user("op.banten", "operator", "36"))
    with pytest.raises(services.PaymentError, match=r"36\.01 belum punya pagu 2025 \(dibutuhkan Rp100\.000\)"):
        services.approve_cycle(cycle=cycle, by=make_user("mgr.banten.2", "manager", "36"))
    budget(program, 2025, "36.01", 100_000, p["manager_banten"])
    services.approve_cycle(cycle=cycle, by=make_user("mgr.banten.3", "manager", "36"))
    lines = {line.funder_code: line for line in budget_report(program, 2025)}
    assert (lines["36"].committed_rupiah, lines["36"].remaining_rupiah) == (300_000, 700_000)
    assert (lines["36.02"].committed_rupiah, lines["36.01"].remaining_rupiah) == (100_000, 0)


def test_budget_report_shows_paid_and_returned_per_funder(regions):
    import io

    program, p, _ = jscm_world(n_pulomerak=2, n_ciwaduk=0)
    cycle = services.approve_cycle(cycle=ready_cycle(program, p), by=p["manager"])
    a, b = cycle.payments.order_by("pk")
    text = ("id_penyaluran;no_rekening;nominal;status;tanggal;keterangan\n"
            f"{a.pk};{a.account_number};1000000;BERHASIL;2025-11-20;\n{b.pk};{b.account_number};0;GAGAL;;tutup\n")
    services.import_reconciliation(cycle=cycle, file=io.BytesIO(text.encode()), by=p["bank"])
    services.return_payments(payments=[b], by=p["manager"], reason="tidak diambil 3 bulan", on=date(2026, 3, 1))
    (line,) = budget_report(program, 2025)
    assert (line.allocated_rupiah, line.committed_rupiah, line.paid_rupiah, line.returned_rupiah,
            line.remaining_rupiah) == (100_000_000, 1_000_000, 1_000_000, 1_000_000, 99_000_000)


def test_only_a_manager_in_scope_sets_budgets(regions):
    program, p, _ = jscm_world(n_pulomerak=0, n_ciwaduk=0)
    for who in ("operator", "bank", "auditor", "manager_lebak"):
        with pytest.raises(services.PaymentError, match="Hanya pengelola program"):
            budget(program, 2026, "36.72", 1, p[who])
    with pytest.raises(services.PaymentError, match="bilangan bulat"):
        budget(program, 2026, "36.72", 1.5, p["manager"])
