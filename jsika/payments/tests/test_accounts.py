"""KPM bank accounts, the collective account-opening file, kartu Multiguna, and who reads payments."""

import io
from datetime import date

import pytest
from django.db import IntegrityError, transaction

from jsika.registry.tests.factories import assign_caseload, make_user

from .. import accounts, services
from ..models import BankAccount, Card
from ..queries import accounts_for, payments_for, payments_for_household
from .factories import approved_cycle, jscm_world, kpm

pytestmark = pytest.mark.django_db


def test_registering_an_account_checks_number_holder_and_one_active_per_bank(regions):
    program, p, (e, *_rest) = jscm_world(n_pulomerak=1, n_ciwaduk=0)
    household = e.household
    mother = household.members.get(relation="istri")
    current = BankAccount.objects.get(household=household)
    with pytest.raises(services.PaymentError, match="6–20 digit"):
        accounts.register_bank_account(household=household, bank_code="BJB", account_number="12-ab",
                                       holder_name=mother.name, holder_nik=mother.nik, by=p["operator"])
    with pytest.raises(services.PaymentError, match="sudah punya rekening aktif"):
        accounts.register_bank_account(household=household, bank_code="BJB", account_number="5556667778",
                                       holder_name=mother.name, holder_nik=mother.nik, by=p["operator"])
    with pytest.raises(services.PaymentError, match="sudah terdaftar"):
        accounts.register_bank_account(household=household, bank_code="BJB", account_number=current.account_number,
                                       holder_name=mother.name, holder_nik=mother.nik, by=p["operator"],
                                       replace=True)
    with pytest.raises(services.PaymentError, match="Hanya pengelola atau operator"):
        accounts.register_bank_account(household=household, bank_code="BJB", account_number="5556667778",
                                       holder_name=mother.name, holder_nik=mother.nik, by=p["operator_lebak"])
    new = accounts.register_bank_account(household=household, bank_code="BJB", account_number="555 666 7778",
                                         holder_name=" Siti   Aminah ", holder_nik=mother.nik, by=p["operator"],
                                         replace=True)
    current.refresh_from_db()
    assert (new.account_number, new.holder_name, current.status) == ("5556667778", "Siti Aminah", "closed")
    assert current.history.first().history_user == p["operator"]
    with pytest.raises(IntegrityError), transaction.atomic():
        BankAccount.objects.filter(pk=current.pk).update(status="active")


def test_account_opening_file_lists_kpm_without_an_account_and_the_import_registers_them(regions):
    program, p, _ = jscm_world(n_pulomerak=1, n_ciwaduk=0)
    waiting = [kpm(program, by=p["admin"], bank=None) for _ in range(2)]
    out = io.BytesIO()
    assert accounts.export_account_opening_file(program=program, bank_code="BJB", by=p["operator"], out=out) == 2
    lines = out.getvalue().decode().splitlines()
    assert lines[0] == ";".join(accounts.OPENING_COLUMNS)
    filled = [lines[0], lines[1] + "7001002003", lines[2] + "7001002003",  # the same number twice
              f"9999999999999999;{waiting[0].household.members.first().nik};X;;;;8001"]
    result = accounts.import_opened_accounts(file=io.BytesIO("\n".join(filled).encode()), bank_code="BJB",
                                             by=p["bank"])
    assert result.created == 1
    assert [(r["row"], r["reason"]) for r in result.rejected] == [
        (3, "no_rekening sudah dipakai keluarga lain"), (4, "no_kk tidak dikenal")]
    assert BankAccount.objects.filter(household__in=[w.household for w in waiting]).count() == 1
    with pytest.raises(services.PaymentError, match="banknya sendiri"):
        accounts.import_opened_accounts(file=io.BytesIO(b"no_kk;nik;no_rekening\n"), bank_code="BRI", by=p["bank"])
    with pytest.raises(services.PaymentError, match="Kolom wajib tidak ada"):
        accounts.import_opened_accounts(file=io.BytesIO(b"kk;rekening\n"), bank_code="BJB", by=p["bank"])


def test_the_account_holder_is_the_mother_when_there_is_one():
    class P:
        def __init__(self, relation, year, pk):
            self.relation, self.birth_date, self.pk = relation, date(year, 1, 1), pk

    head, wife, child = P("kepala keluarga", 1980, 1), P("istri", 1985, 2), P("anak", 2010, 3)
    assert accounts.account_holder([head, child, wife]) is wife
    assert accounts.account_holder([child, head]) is head
    assert accounts.account_holder([]) is None


def test_a_card_is_issued_activated_blocked_and_replaced_with_its_services(regions):
    program, p, (e, *_rest) = jscm_world(n_pulomerak=1, n_ciwaduk=0)
    card = accounts.issue_card(household=e.household, number="6019 0000 0000 0001", by=p["operator"])
    assert (card.number, card.status, card.services) == ("6019000000000001", "issued",
                                                         ["bank", "minimarket", "kesehatan", "sekolah"])
    assert card.service_labels[2] == "Layanan kesehatan gratis"
    with pytest.raises(services.PaymentError, match="sudah punya kartu"):
        accounts.issue_card(household=e.household, number="6019000000000002", by=p["operator"])
    card = accounts.activate_card(card=card, by=p["operator"])
    card = accounts.set_card_services(card=card, services=["bus", "bank"], by=p["manager"])
    assert card.services == ["bank", "bus"]
    with pytest.raises(services.PaymentError, match="tidak dikenal"):
        accounts.set_card_services(card=card, services=["kereta"], by=p["manager"])
    with pytest.raises(services.PaymentError, match="Alasan"):
        accounts.block_card(card=card, by=p["operator"], reason="")
    accounts.block_card(card=card, by=p["operator"], reason="Hilang")
    new = accounts.replace_card(card=card, by=p["operator"], new_number="6019000000000002", reason="Hilang")
    card.refresh_from_db()
    assert (card.status, new.status, new.replaces, new.services) == ("replaced", "issued", card, ["bank", "bus"])
    assert [h.status for h in card.history.order_by("history_date")] == ["issued", "active", "active", "blocked",
                                                                         "replaced"]
    with pytest.raises(services.PaymentError, match="Hanya pengelola atau operator"):
        accounts.block_card(card=new, by=p["bank"], reason="x")
    assert Card.objects.filter(household=e.household, status__in=["issued", "active"]).count() == 1


def test_who_reads_payments_and_accounts(regions):
    program, p, enrollments = jscm_world(n_pulomerak=2, n_ciwaduk=1)
    cycle = approved_cycle(program, p)
    pulomerak = enrollments[0].household
    assign_caseload(p["facilitator"], pulomerak)
    assert payments_for(p["manager"]).count() == 3
    assert payments_for(p["manager_lebak"]).count() == 0
    assert [x.household_id for x in payments_for(p["facilitator"])] == [pulomerak.pk]
    assert payments_for(p["bank"]).count() == 3
    assert payments_for(make_user("bank.bri.x", "bank", bank_code="BRI")).count() == 0
    assert payments_for(p["partner"]).count() == 0  # partner agencies have no business with payments
    assert [x.cycle_id for x in payments_for_household(p["facilitator"], pulomerak)] == [cycle.pk]
    assert payments_for_household(p["facilitator"], enrollments[2].household) == []
    assert accounts_for(p["facilitator"]).count() == 1 and accounts_for(p["bank"]).count() == 0
