"""The data migration of the old GrantDisbursement rows into UEP cycles of the payments module keeps history:
every transfer becomes a payment with its status, date, note and old reference; a resend is a re-issue."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from jsika.conftest import restore_migration_data
from jsika.graduation.models import Grant
from jsika.payments.models import CycleEvent, Payment, PaymentCycle
from jsika.regions.services import load_regions

from .factories import give_account
from .test_grants import _approved, world

BEFORE = [("graduation", "0002_instrument_v1"), ("payments", "0003_lean_history_indexes")]


@pytest.fixture(scope="module")
def reload_after_flush(django_db_blocker):
    """This module's test is transactional: the flush after it empties every table, regions included. Put the
    session's regions and the migrations' rows back for the tests that follow (teardown after the flush)."""
    yield
    with django_db_blocker.unblock():
        load_regions(province="36")
        restore_migration_data()


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_grant_disbursements_become_payments_of_uep_cycles(reload_after_flush, regions):
    p, program = world()
    paid_grant = _approved(p, program)
    resent_grant = _approved(p, program, amount=2_000_000)
    waiting_grant = _approved(p, program, amount=1_000_000)
    for grant in (paid_grant, resent_grant, waiting_grant):
        give_account(grant.household)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = _migrate(BEFORE)
        disbursement = old.get_model("graduation", "GrantDisbursement")
        old_grant = old.get_model("graduation", "Grant")
        at = timezone.make_aware(datetime(2026, 3, 2, 10))

        def sent(grant, ref, status, paid_on=None, note=""):
            disbursement.objects.create(grant_id=grant.pk, amount_rupiah=grant.amount_approved_rupiah,
                                        bank_code="BJB", reference=ref, status=status, paid_on=paid_on, note=note,
                                        created_by_id=p["manager"].pk, created_at=at)

        sent(paid_grant, f"UEP-JSCM-{paid_grant.pk:07d}", "paid", date(2026, 3, 5))
        sent(resent_grant, f"UEP-JSCM-{resent_grant.pk:07d}", "failed", note="Rekening tidak aktif")
        sent(resent_grant, f"UEP-JSCM-{resent_grant.pk:07d}-2", "paid", date(2026, 3, 20))
        sent(waiting_grant, f"UEP-JSCM-{waiting_grant.pk:07d}", "pending")
        old_grant.objects.filter(pk__in=[paid_grant.pk, resent_grant.pk]).update(
            status="disbursed", disbursed_on=date(2026, 3, 5))
    finally:
        _migrate(latest)

    cycle = PaymentCycle.objects.get(kind="uep")
    assert (cycle.program, cycle.bank_code, cycle.year, cycle.status) == (program, "BJB", paid_grant.budget_year,
                                                                          "sent")
    rows = {(p.grant_id, p.status): p for p in Payment.objects.filter(cycle=cycle)}
    assert set(rows) == {(paid_grant.pk, "paid"), (resent_grant.pk, "reissued"), (resent_grant.pk, "paid"),
                         (waiting_grant.pk, "pending")}
    assert rows[(paid_grant.pk, "paid")].credited_on == date(2026, 3, 5)
    assert rows[(resent_grant.pk, "paid")].reissued_from == rows[(resent_grant.pk, "reissued")]
    assert rows[(resent_grant.pk, "reissued")].bank_reason == "Rekening tidak aktif"
    assert rows[(waiting_grant.pk, "pending")].account_number  # the household's account at the bank
    assert (cycle.payment_count, cycle.paid_count, cycle.pending_count, cycle.reissued_count) == (4, 2, 1, 1)
    references = CycleEvent.objects.get(cycle=cycle, action="generated").detail["references"]
    assert sorted(references.values()) == sorted([f"UEP-JSCM-{paid_grant.pk:07d}", f"UEP-JSCM-{resent_grant.pk:07d}",
                                                  f"UEP-JSCM-{resent_grant.pk:07d}-2",
                                                  f"UEP-JSCM-{waiting_grant.pk:07d}"])
    assert Payment.history.filter(grant_id=resent_grant.pk).count() == 2
    # The grants are unchanged; the waiting one is at the bank, so it cannot go into another cycle.
    assert Grant.objects.get(pk=waiting_grant.pk).status == Grant.Status.APPROVED
    from jsika.graduation.queries import grants_awaiting_payment

    assert not grants_awaiting_payment(program).exists()
