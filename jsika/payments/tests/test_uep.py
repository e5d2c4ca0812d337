"""UEP cycles: approved business grants paid like any payment — a cycle of the grants, maker-checker, the bank
file, the reconciliation — with the grant following its payment, within the year's UEP budget, never twice,
and only inside the preparer's area."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from jsika.graduation import grants
from jsika.graduation import services as graduation_services
from jsika.graduation.models import GraduationKind, Grant, GrantBudget
from jsika.graduation.queries import grant_payment_state, grants_awaiting_payment
from jsika.graduation.tests.factories import give_account, kpm, reconcile, uep_cycle, world
from jsika.payments import services, uep
from jsika.payments.models import CycleKind, CycleStatus, Payment, PaymentShare
from jsika.payments.queries import budget_report, committed_by_funder

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
PLAN = {"business_type": "warung", "business_plan": "Warung sembako", "location": "RT 02",
        "income_before_rupiah": 1_800_000}


def approved_grant(p, program, *, region="36.72.03.1001", amount=3_000_000, account="BJB"):
    """A graduated household's grant, approved by the manager within this year's budget (set when missing)."""
    if not GrantBudget.objects.filter(program=program, year=YEAR).exists():
        grants.set_grant_budget(by=p["manager_banten"], program=program, year=YEAR, amount_rupiah=50_000_000)
    enrollment = kpm(program, p, started_on=date(2019, 2, 1), region=region)
    g = graduation_services.propose_graduation(by=p["admin"], enrollment=enrollment, kind=GraduationKind.NATURAL)
    g = graduation_services.approve_graduation(graduation=g, by=p["manager_banten"])
    grant = grants.apply_for_grant(by=p["admin"], graduation=g, amount_requested_rupiah=amount, **PLAN)
    grant = grants.approve_grant(grant=grant, by=p["manager_banten"])
    if account:
        give_account(grant.household, account)
    return grant


def bank_file(cycle, by) -> list[dict]:
    out = io.BytesIO()
    services.export_payment_file(cycle=cycle, by=by, out=out)
    return list(csv.DictReader(io.StringIO(out.getvalue().decode()), delimiter=";"))


def test_a_grant_flows_from_approval_through_the_bank_file_and_reconciliation_to_disbursed():
    p, program = world()
    grant = approved_grant(p, program, amount=2_500_000)
    cycle = uep.open_uep_cycle(program=program, year=YEAR, scheduled_on=TODAY, by=p["operator"])
    assert (cycle.kind, cycle.status, cycle.payment_count, cycle.total_rupiah) == (
        CycleKind.UEP, CycleStatus.GENERATED, 1, 2_500_000)
    payment = cycle.payments.get()
    assert (payment.grant, payment.household, payment.amount_rupiah, payment.bank_code) == (
        grant, grant.household, 2_500_000, "BJB")
    assert list(PaymentShare.objects.filter(payment=payment).values_list("funder_region_id", "amount_rupiah")) == [
        ("36.72", 2_500_000)]
    assert grant_payment_state(p["manager"], grant).code == "in_cycle"

    with pytest.raises(services.PaymentError, match="orang lain"):
        services.verify_cycle(cycle=cycle, by=p["operator"])
    cycle = services.verify_cycle(cycle=cycle, by=p["operator2"])
    cycle = services.approve_cycle(cycle=cycle, by=p["manager"])
    rows = bank_file(cycle, p["bank"])
    assert rows == [{"id_penyaluran": str(payment.pk), "no_rekening": payment.account_number,
                     "nama": payment.holder_name, "nik": payment.holder_nik, "nominal": "2500000",
                     "kode_wilayah": "36.72.03.1001", "keterangan": f"JSCM UEP {YEAR}"}]
    assert grant_payment_state(p["manager"], grant).code == "at_bank"

    paid_on = TODAY - timedelta(days=1)
    reconcile(cycle, p["bank"], paid_on)
    grant.refresh_from_db()
    cycle.refresh_from_db()
    assert (grant.status, grant.disbursed_on) == (Grant.Status.DISBURSED, paid_on)
    assert (cycle.status, cycle.paid_count, cycle.paid_rupiah) == (CycleStatus.RECONCILED, 1, 2_500_000)
    assert not grants_awaiting_payment(program, YEAR).exists()
    # The same file again changes nothing, and the grant stays disbursed once.
    reconcile(cycle, p["bank"], paid_on)
    assert grant.history.filter(status="disbursed").count() == 1


def test_a_failed_payment_returns_the_grant_and_the_next_uep_cycle_reissues_it():
    p, program = world()
    grant = approved_grant(p, program)
    first = uep_cycle(program, p, year=YEAR, on=TODAY - timedelta(days=20))
    failed = first.payments.get()
    reconcile(first, p["bank"], TODAY, failures={failed.pk: "rekening tidak aktif"})
    grant.refresh_from_db()
    state = grant_payment_state(p["manager"], grant)
    assert grant.status == Grant.Status.APPROVED and (state.code, state.reason) == ("failed", "rekening tidak aktif")
    assert list(grants_awaiting_payment(program, YEAR)) == [grant]
    with pytest.raises(services.PaymentError, match="masih ada 1 pembayaran gagal".capitalize()):
        services.close_cycle(cycle=first, by=p["manager"])

    second = uep_cycle(program, p, year=YEAR, on=TODAY)
    again = second.payments.get()
    failed.refresh_from_db()
    assert (again.grant, again.reissued_from, failed.status) == (grant, failed, Payment.Status.REISSUED)
    services.close_cycle(cycle=first, by=p["manager"])  # its only failure went into the next UEP cycle
    services.export_payment_file(cycle=second, by=p["bank"], out=io.BytesIO())
    reconcile(second, p["bank"], TODAY)
    grant.refresh_from_db()
    assert (grant.status, grant.disbursed_on) == (Grant.Status.DISBURSED, TODAY)
    assert grant_payment_state(p["manager"], grant).code == "paid"


def test_a_returned_payment_leaves_the_grant_waiting_for_a_new_payment():
    p, program = world()
    grant = approved_grant(p, program)
    first = uep_cycle(program, p, year=YEAR, on=TODAY)
    reconcile(first, p["bank"], TODAY, failures={first.payments.get().pk: "rekening ditutup"})
    services.return_payments(payments=[first.payments.get()], by=p["manager"], reason="retur ke kas daerah")
    assert grant_payment_state(p["manager"], grant).code == "failed"
    second = uep_cycle(program, p, year=YEAR, on=TODAY, approve=False)
    assert second.payments.get().reissued_from is None and second.payments.get().grant == grant


def test_a_household_without_an_account_is_listed_and_paid_in_a_later_cycle():
    p, program = world()
    with_account = approved_grant(p, program)
    without = approved_grant(p, program, account=None)
    cycle = uep.open_uep_cycle(program=program, year=YEAR, scheduled_on=TODAY, by=p["operator"])
    assert list(cycle.payments.values_list("grant", flat=True)) == [with_account.pk]
    assert list(cycle.exclusions.values_list("household", "reason")) == [(without.household_id, "no_account")]
    give_account(without.household)
    later = uep.open_uep_cycle(program=program, year=YEAR, scheduled_on=TODAY, by=p["operator"])
    assert list(later.payments.values_list("grant", flat=True)) == [without.pk]


def test_a_cycle_takes_only_its_budget_years_grants_and_never_exceeds_that_budget():
    p, program = world()
    grant = approved_grant(p, program, amount=4_000_000)
    with pytest.raises(services.PaymentError, match=f"Tidak ada bantuan UEP JSCM tahun anggaran {YEAR - 1}"):
        uep.open_uep_cycle(program=program, year=YEAR - 1, scheduled_on=TODAY, by=p["operator"])
    # Approvals keep within the budget; a budget row cut behind the services' back is still caught here.
    GrantBudget.objects.filter(program=program, year=YEAR).update(amount_rupiah=3_000_000)
    with pytest.raises(services.PaymentError, match="Melebihi pagu UEP JSCM .*dibutuhkan Rp4.000.000, sisa pagu "
                                                    "Rp3.000.000"):
        uep.open_uep_cycle(program=program, year=YEAR, scheduled_on=TODAY, by=p["operator"])
    GrantBudget.objects.filter(program=program, year=YEAR).update(amount_rupiah=50_000_000)
    cycle = services.verify_cycle(cycle=uep.open_uep_cycle(program=program, year=YEAR, scheduled_on=TODAY,
                                                           by=p["operator"]), by=p["operator2"])
    GrantBudget.objects.filter(program=program, year=YEAR).update(amount_rupiah=1_000_000)
    with pytest.raises(services.PaymentError, match="Melebihi pagu UEP"):
        services.approve_cycle(cycle=cycle, by=p["manager"])
    GrantBudget.objects.filter(program=program, year=YEAR).delete()
    with pytest.raises(services.PaymentError, match="belum ditetapkan"):
        services.approve_cycle(cycle=cycle, by=p["manager"])
    assert Grant.objects.get(pk=grant.pk).status == Grant.Status.APPROVED


def test_uep_money_stays_out_of_the_benefit_budgets():
    p, program = world()
    approved_grant(p, program)
    uep_cycle(program, p, year=YEAR, on=TODAY)
    assert committed_by_funder(program, YEAR) == {}
    assert budget_report(program, YEAR) == []
    assert uep.committed_rupiah(program, YEAR) == 3_000_000


def test_a_grant_is_never_paid_twice():
    p, program = world()
    grant = approved_grant(p, program)
    cycle = uep_cycle(program, p, year=YEAR, on=TODAY)
    with pytest.raises(services.PaymentError, match="Tidak ada bantuan UEP"):
        uep.open_uep_cycle(program=program, year=YEAR, scheduled_on=TODAY, by=p["operator"])
    with pytest.raises(services.PaymentError, match=f"#{grant.pk} tidak dapat masuk tahap ini"):
        uep.open_uep_cycle(program=program, year=YEAR, scheduled_on=TODAY, by=p["operator"], grants=[grant])
    reconcile(cycle, p["bank"], TODAY)
    with pytest.raises(services.PaymentError, match="Tidak ada bantuan UEP"):
        uep.open_uep_cycle(program=program, year=YEAR, scheduled_on=TODAY, by=p["operator"])
    # The database refuses a second live payment of the grant, whatever path a write takes.
    paid = cycle.payments.get()
    fields = {f.attname: getattr(paid, f.attname) for f in Payment._meta.concrete_fields if f.attname != "id"}
    for status in ("pending", "paid", "failed"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Payment.objects.create(**{**fields, "status": status, "credited_amount_rupiah": 1})
    Payment.objects.create(**{**fields, "status": "returned"})  # a returned one is not money out: allowed


def test_a_kab_kota_operator_cannot_put_another_regions_grant_in_a_cycle():
    p, _jscm = world()
    from jsika.programs.tests.factories import make_program

    province = make_program(p["admin"], "JAMSOSRATU", "36", bank_code="BRI")
    cilegon = approved_grant(p, province, region="36.72.03.1001", account="BRI")
    lebak = approved_grant(p, province, region="36.02.01.2001", account="BRI")
    with pytest.raises(services.PaymentError, match="cakupan wilayah 36.72"):
        uep.open_uep_cycle(program=province, year=YEAR, scheduled_on=TODAY, region="36.72", by=p["operator_lebak"])
    with pytest.raises(services.PaymentError, match="cakupan wilayah 36"):
        uep.open_uep_cycle(program=province, year=YEAR, scheduled_on=TODAY, by=p["operator"])
    with pytest.raises(services.PaymentError, match=f"#{lebak.pk} tidak dapat masuk tahap ini.*wilayah 36.72"):
        uep.open_uep_cycle(program=province, year=YEAR, scheduled_on=TODAY, region="36.72", by=p["operator"],
                           grants=[cilegon, lebak])
    cycle = uep.open_uep_cycle(program=province, year=YEAR, scheduled_on=TODAY, region="36.72", by=p["operator"])
    assert list(cycle.payments.values_list("grant", flat=True)) == [cilegon.pk]


def test_regenerate_and_cancel_keep_the_grants_waiting():
    p, program = world()
    grant = approved_grant(p, program)
    cycle = uep.open_uep_cycle(program=program, year=YEAR, scheduled_on=TODAY, by=p["operator"],
                               grants=[grant])
    other = approved_grant(p, program)
    cycle = services.regenerate_cycle(cycle=cycle, by=p["operator"])
    assert list(cycle.payments.values_list("grant", flat=True)) == [grant.pk]  # the grants picked stay the picks
    services.cancel_cycle(cycle=cycle, by=p["operator"], reason="tanggal berubah")
    assert set(grants_awaiting_payment(program, YEAR)) == {grant, other}


def test_manual_reissue_is_not_for_uep_payments():
    p, program = world()
    approved_grant(p, program)
    cycle = uep_cycle(program, p, year=YEAR, on=TODAY)
    failed = cycle.payments.get()
    reconcile(cycle, p["bank"], TODAY, failures={failed.pk: "rekening tidak aktif"})
    benefit = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"])
    with pytest.raises(services.PaymentError, match="tahap UEP baru"):
        services.reissue_payments(payments=[failed], into=benefit, by=p["manager"])


def test_uep_pages_label_the_cycle_and_link_the_grant(client):
    p, program = world()
    grant = approved_grant(p, program)
    client.force_login(p["operator"])
    response = client.post(reverse("payments:uep_cycle_create"), {
        "program": "JSCM", "year": YEAR, "scheduled_on": TODAY.isoformat(), "region": "", "bank_code": "",
        "note": "Bantuan modal usaha"})
    cycle = grant.payments.get().cycle
    assert response.status_code == 302 and response["Location"] == reverse("payments:cycle_detail", args=[cycle.pk])
    client.force_login(p["manager"])
    listing = client.get(reverse("payments:cycle_list"), {"kind": "uep"}).content.decode()
    assert 'data-kind="uep"' in listing and f"UEP {YEAR} · {TODAY:%d-%m-%Y}" in listing
    detail = client.get(reverse("payments:cycle_detail", args=[cycle.pk])).content.decode()
    assert 'id="cycle-kind"' in detail and reverse("graduation:grant_detail", args=[grant.pk]) in detail
    page = client.get(reverse("graduation:grant_detail", args=[grant.pk])).content.decode()
    assert 'data-state="in_cycle"' in page and reverse("payments:cycle_detail", args=[cycle.pk]) in page
    grant_list = client.get(reverse("graduation:grant_list")).content.decode()
    assert f"Tahap UEP #{cycle.pk}" in grant_list and "Menunggu bank" in grant_list
