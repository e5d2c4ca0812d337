"""The demo step of payments: accounts and cards of KPM, budgets, and the cycles of specs/demo-data.md.

JSCM (Bank BJB, funded 100% by Kota Cilegon): one cycle a year, 2,440 × Rp1,000,000 in 2017, 1,709 ×
Rp1,000,000 in 2018 (a few failed and were re-issued in a follow-up cycle), 1,686 × Rp500,000 in 2019.
The 2019 money went first to Pulomerak: on 20 November 2019, 201 KPM received Rp500,000 each
(Rp100,500,000) into Bank BJB accounts; the other Pulomerak KPM had dormant accounts, got new ones
through the collective account-opening file, and were paid with the rest of Cilegon in December.
Jamsosratu (BRI, province 60% / kab/kota 40%): two 2020 cycles in Kabupaten Lebak reconciled with
failures re-issued or returned (retur). Each bank's demo account then has one approved cycle waiting
for its reconciliation: the latest payable JSCM year for bank.bjb, this quarter's Jamsosratu for bank.bri.

UEP grants (called by the graduation demo, ``seed_uep_cycles``): the approved 2021 Jamsosratu grants are
paid in a UEP cycle per kab/kota with demo staff (Kota Cilegon through Bank BJB, Kabupaten Lebak through BRI):
a few accounts are dormant (GAGAL), one family has no account yet; a second UEP cycle a month later re-issues
the failed ones to new accounts and pays the family whose account was opened meanwhile.

Everything goes through the services (maker-checker by three demo accounts, budgets, bank files,
reconciliation files), then the timestamps are moved back to the dates of the story.
"""

import io
import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from jsika.core.demo import bulk_insert_with_history
from jsika.core.scoping import region_q
from jsika.programs.models import Enrollment, Program
from jsika.programs.queries import kpm_count
from jsika.programs.rules import rupiah
from jsika.registry.models import Household, Person

from . import accounts, generation, services, setsql, uep
from .models import (
    BankAccount,
    Card,
    CardService,
    CycleEvent,
    CycleExclusion,
    Payment,
    PaymentCycle,
    PaymentShare,
    Reconciliation,
)
from .queries import budget_report

PULOMERAK = "36.72.03"
LEBAK = "36.02"
PULOMERAK_PAID_2019 = 201
PULOMERAK_PAID_ON = date(2019, 11, 20)
JSCM_AMOUNTS = {2017: 1_000_000, 2018: 1_000_000, 2019: 500_000}
ACCOUNT_PREFIX = {"BJB": "00", "BRI": "0330", "BANTEN": "7"}
HEADER = "id_penyaluran;no_rekening;nominal;status;tanggal;keterangan\n"


def _user(username: str):
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


class _Accounts:
    """Bank accounts for KPM households, in bulk, each held by the family's mother (or head)."""

    def __init__(self, rng: random.Random, admin):
        # Each number moves the serial by less than 40: start past every number an earlier _Accounts made
        # (the UEP step opens accounts again; at scale the two series would meet).
        self.rng, self.admin, self.serial = rng, admin, 100_000 + 40 * BankAccount.objects.count()

    def number(self, bank: str) -> str:
        self.serial += self.rng.randrange(1, 40)
        digits = 10 if bank == "BJB" else 15 if bank == "BRI" else 12
        prefix = ACCOUNT_PREFIX.get(bank, "9")
        return prefix + str(self.serial).zfill(digits - len(prefix))

    def open(self, household_ids: list[int], bank: str, opened_on: date) -> int:
        have = set(BankAccount.objects.filter(household_id__in=household_ids, bank_code=bank,
                                              status=BankAccount.Status.ACTIVE).values_list("household_id", flat=True))
        members: dict[int, list[Person]] = {}
        # Only what account_holder ranks by and the account copies (the demo opens accounts by the 100,000).
        for person in Person.objects.filter(household_id__in=household_ids).only(
                "household_id", "relation", "birth_date", "name", "nik"):
            members.setdefault(person.household_id, []).append(person)
        rows = []
        for household_id in household_ids:
            holder = accounts.account_holder(members.get(household_id, []))
            if household_id in have or holder is None:
                continue
            rows.append(BankAccount(household_id=household_id, person=holder, bank_code=bank,
                                    account_number=self.number(bank), holder_name=holder.name,
                                    holder_nik=holder.nik, opened_on=opened_on))
        bulk_insert_with_history(rows, BankAccount, by=self.admin, reason="seed_demo")
        return len(rows)


def _fresh_statistics() -> None:
    setsql.analyze(Enrollment, BankAccount, Payment, PaymentShare, CycleExclusion)


def _open(**kwargs) -> PaymentCycle:
    """``services.open_cycle`` on fresh planner statistics (the demo bulk-loads just before)."""
    _fresh_statistics()
    return services.open_cycle(**kwargs)


def _budget(program: Program, year: int, funder: str, need: int, by) -> None:
    """An allocation a little above the need, rounded up to Rp50 million (APBD figures are round)."""
    step = 50_000_000 if need > 200_000_000 else 5_000_000
    amount = -(-int(need * 1.05) // step) * step
    services.set_budget(program=program, year=year, funder_region=funder, allocated_rupiah=max(amount, step),
                        by=by, note=f"APBD {year} (demo)")


def _needs(cycle: PaymentCycle) -> dict[str, int]:
    return {funder: total for (funder, _year), total in services.cycle_needs(cycle).items()}


def _reconcile(cycle: PaymentCycle, bank_user, paid_on: date, *, failures: dict[int, str] = None,
               short: dict[int, int] = None) -> None:
    """The bank's answer: BERHASIL on ``paid_on`` except ``failures`` (GAGAL with a reason); ``short`` credits a
    different amount (flagged)."""
    failures, short = failures or {}, short or {}
    lines = []
    for pk, number, amount in cycle.payments.exclude(status="reversed").order_by("pk").values_list(
            "pk", "account_number", "amount_rupiah"):
        if pk in failures:
            lines.append(f"{pk};{number};{amount};GAGAL;;{failures[pk]}\n")
        else:
            lines.append(f"{pk};{number};{short.get(pk, amount)};BERHASIL;{paid_on.isoformat()};\n")
    file = io.BytesIO((HEADER + "".join(lines)).encode())
    file.name = f"rekon-{cycle.bank_code.lower()}-{cycle.pk}.csv"
    services.import_reconciliation(cycle=cycle, file=file, by=bank_user, collect_applied=False)


def _approve(cycle: PaymentCycle, *, checker, approver, budget_by) -> PaymentCycle:
    cycle = services.verify_cycle(cycle=cycle, by=checker)
    for funder, need in _needs(cycle).items():
        lines = {line.funder_code: line for line in budget_report(cycle.program, cycle.year)}
        line = lines.get(funder)
        if line is None or not line.has_budget or line.remaining_rupiah < need:
            _budget(cycle.program, cycle.year, funder, need + (line.committed_rupiah if line else 0), budget_by)
    return services.approve_cycle(cycle=cycle, by=approver)


def _backdate(cycle: PaymentCycle, generated: date, *, paid_on: date | None = None, closed: date | None = None):
    """Move a cycle's timestamps (and its events, payments and reconciliations) to the story's dates."""
    at = {"generated": _at(generated, 9), "verified": _at(generated + timedelta(days=2), 11),
          "approved": _at(generated + timedelta(days=5), 14)}
    fields = {"generated_at": at["generated"], "verified_at": at["verified"], "approved_at": at["approved"]}
    cycle.refresh_from_db()
    if cycle.sent_at:
        at["sent"] = fields["sent_at"] = _at(generated + timedelta(days=6), 9)
    if paid_on:
        at["reconciled"] = _at(paid_on + timedelta(days=1), 15)
        if cycle.reconciled_at:
            fields["reconciled_at"] = at["reconciled"]
        fields["paid_on"] = paid_on
    if closed and cycle.closed_at:
        at["closed"] = fields["closed_at"] = _at(closed, 16)
    PaymentCycle.objects.filter(pk=cycle.pk).update(**fields)
    events = {"generated": "generated", "regenerated": "generated", "verified": "verified", "approved": "approved",
              "exported": "sent", "reconciled": "reconciled", "settled": "reconciled", "returned": "reconciled",
              "closed": "closed", "reversed": "reconciled"}
    for action, key in events.items():
        if key in at:
            CycleEvent.objects.filter(cycle=cycle, action=action).update(at=at[key])
    # Re-issue: into this cycle when it was made; out of it after its reconciliation.
    reissued = CycleEvent.objects.filter(cycle=cycle, action="reissued_in")
    reissued.filter(detail__has_key="sources").update(at=at["generated"] + timedelta(hours=1))
    reissued.filter(detail__has_key="into").update(at=at.get("reconciled", at["approved"]) + timedelta(hours=2))
    cycle.history.filter(status="generated").update(history_date=at["generated"])
    for status, key in (("verified", "verified"), ("approved", "approved"), ("sent", "sent"),
                        ("reconciled", "reconciled"), ("closed", "closed")):
        if key in at:
            cycle.history.filter(status=status).update(history_date=at[key])
    Payment.objects.filter(cycle=cycle, reissued_from__isnull=True).update(created_at=at["generated"],
                                                                          updated_at=at.get("reconciled",
                                                                                            at["approved"]))
    if "reconciled" in at:
        Reconciliation.objects.filter(cycle=cycle).update(imported_at=at["reconciled"])
        Payment.history.filter(cycle_id=cycle.pk).update(history_date=at["reconciled"])


def _paid_on(rng: random.Random, year: int) -> date:
    return date(year, 12, rng.randrange(9, 20))


def seed_jscm_cycles(*, program: Program, people: dict, rng: random.Random, money: _Accounts) -> list[str]:
    """JSCM 2017–2019 as published, plus a follow-up cycle for the 2018 failures."""
    maker, checker, approver = people["operator.cilegon"], people["dinsos.cilegon"], people["dinsos.banten"]
    bank = people["bank.bjb"]
    households = list(Enrollment.objects.filter(program=program, started_on__isnull=False)
                      .values_list("household_id", flat=True))
    money.open(households, "BJB", date(2017, 2, 1))
    made = []
    for year in (2017, 2018):
        cycle = _open(program=program, year=year, stage=1, by=maker, note="Penyaluran tahunan")
        cycle = _approve(cycle, checker=checker, approver=approver, budget_by=approver)
        services.export_payment_file(cycle=cycle, by=bank, out=io.BytesIO())
        paid_on = _paid_on(rng, year)
        failures = {}
        if year == 2018:
            ids = list(cycle.payments.values_list("pk", flat=True))
            failures = {pk: "rekening tidak aktif" for pk in rng.sample(ids, min(12, len(ids) // 100))}
        _reconcile(cycle, bank, paid_on, failures=failures)
        if failures:
            failed = list(Payment.objects.filter(pk__in=failures).values_list("household_id", flat=True))
            BankAccount.objects.filter(household_id__in=failed, bank_code="BJB").update(status="inactive")
            money.open(failed, "BJB", date(year + 1, 1, 8))
            follow = _open(program=program, year=year, stage=1, by=maker,
                                         note="Susulan: rekening baru untuk yang gagal")
            services.reissue_payments(payments=list(failures), into=follow, by=approver,
                                      reason="Rekening lama tidak aktif; rekening baru dibuka")
            follow = _approve(follow, checker=checker, approver=approver, budget_by=approver)
            services.export_payment_file(cycle=follow, by=bank, out=io.BytesIO())
            follow_paid = date(year + 1, 1, 24)
            _reconcile(follow, bank, follow_paid)
            services.close_cycle(cycle=follow, by=checker)
            _backdate(follow, date(year + 1, 1, 10), paid_on=follow_paid, closed=date(year + 1, 2, 1))
        services.close_cycle(cycle=cycle, by=checker)
        _backdate(cycle, date(year, 11, 12), paid_on=paid_on, closed=date(year + 1, 2, 1))
        paid = Payment.objects.filter(program=program, year=year, status="paid").count()
        made.append(f"{year}: {paid} × {rupiah(JSCM_AMOUNTS[year])}")

    # 2019: Pulomerak first (20 November), its remaining KPM had dormant accounts.
    first = PaymentCycle(program=program, year=2019, stage=1, region_id=PULOMERAK, bank_code="BJB",
                         generated_by=maker)
    pulomerak = list(generation.candidates(first).order_by("household__region_id", "pk")
                     .values_list("household_id", flat=True))
    dormant = pulomerak[PULOMERAK_PAID_2019:] if len(pulomerak) > PULOMERAK_PAID_2019 else []
    BankAccount.objects.filter(household_id__in=dormant, bank_code="BJB").update(status="inactive")
    cycle = _open(program=program, year=2019, stage=1, region=PULOMERAK, by=maker,
                                note="Kecamatan Pulomerak: rekening Bank BJB dibuka gratis untuk KPM")
    budget_2019 = kpm_count(program, 2019) * JSCM_AMOUNTS[2019]
    _budget(program, 2019, program.owner_region_id, budget_2019, approver)
    cycle = _approve(cycle, checker=checker, approver=approver, budget_by=approver)
    services.export_payment_file(cycle=cycle, by=bank, out=io.BytesIO())
    _reconcile(cycle, bank, PULOMERAK_PAID_ON)
    services.close_cycle(cycle=cycle, by=checker)
    _backdate(cycle, date(2019, 11, 6), paid_on=PULOMERAK_PAID_ON, closed=date(2019, 12, 2))
    made.append(f"Pulomerak 20-11-2019: {cycle.paid_count} × Rp500.000 = {rupiah(cycle.paid_rupiah)}")

    # The collective account opening for the dormant ones, through the same files a bank would exchange.
    opening = io.BytesIO()
    accounts.export_account_opening_file(program=program, bank_code="BJB", by=maker, out=opening,
                                         region_code=PULOMERAK)
    lines = opening.getvalue().decode().splitlines()
    filled = [lines[0]] + [line + money.number("BJB") for line in lines[1:]]
    accounts.import_opened_accounts(file=io.BytesIO("\n".join(filled).encode()), bank_code="BJB", by=bank,
                                    opened_on=date(2019, 11, 28))
    rest = _open(program=program, year=2019, stage=1, by=maker, note="Kota Cilegon")
    rest = _approve(rest, checker=checker, approver=approver, budget_by=approver)
    services.export_payment_file(cycle=rest, by=bank, out=io.BytesIO())
    paid_on = date(2019, 12, 16)
    _reconcile(rest, bank, paid_on)
    services.close_cycle(cycle=rest, by=checker)
    _backdate(rest, date(2019, 12, 2), paid_on=paid_on, closed=date(2020, 1, 15))
    total_2019 = Payment.objects.filter(program=program, year=2019, status="paid").count()
    made.append(f"2019: {total_2019} × Rp500.000")
    return made


def seed_current_jscm(*, program: Program, people: dict, today: date) -> str:
    """An approved JSCM cycle waiting for bank.bjb: this year's, or the latest year whose KPM were still in tenure."""
    maker, checker, approver = people["operator.cilegon"], people["dinsos.cilegon"], people["dinsos.banten"]
    last_tenure = (Enrollment.objects.filter(program=program, status="active")
                   .order_by("-tenure_ends_on").values_list("tenure_ends_on", flat=True).first())
    year = today.year if last_tenure is None or last_tenure.year >= today.year else last_tenure.year
    cycle = _open(program=program, year=year, stage=1, by=maker, note="Menunggu rekonsiliasi Bank BJB")
    if not cycle.payment_count:
        services.cancel_cycle(cycle=cycle, by=maker, reason="Tidak ada KPM yang dapat dibayar (demo)")
        return f"JSCM {year}: tidak ada KPM yang dapat dibayar"
    _approve(cycle, checker=checker, approver=approver, budget_by=approver)
    note = "" if year == today.year else f" (KPM JSCM aktif sudah melewati masa kepesertaan sejak {year + 1})"
    return f"JSCM {year} tahap 1 menunggu bank.bjb: {cycle.payment_count} KPM{note}"


def seed_jamsosratu_cycles(*, program: Program, people: dict, rng: random.Random, money: _Accounts) -> list[str]:
    """Jamsosratu through BRI in Kabupaten Lebak: 2020 stages 3 and 4, reconciled, failures re-issued or returned."""
    maker, checker, approver = people["operator.lebak"], people["admin"], people["dinsos.banten"]
    bank = people["bank.bri"]
    bri_area = generation.bank_area_q(program, "BRI")
    households = list(Enrollment.objects.filter(program=program, started_on__isnull=False).filter(bri_area)
                      .values_list("household_id", flat=True))
    rng.shuffle(households)
    without = set(households[: len(households) // 16])  # a few still wait for their account (collective opening)
    money.open([h for h in households if h not in without], "BRI", date(2013, 3, 1))
    for bank_code in sorted({b.bank_code for b in program.banks.all()}):
        area = list(Enrollment.objects.filter(program=program, started_on__isnull=False)
                    .filter(generation.bank_area_q(program, bank_code)).values_list("household_id", flat=True))
        money.open(area, bank_code, date(2016, 3, 1))
    made = []

    third = _open(program=program, year=2020, stage=3, region=LEBAK, by=maker,
                                note="Penyaluran melalui BRI")
    if not third.payment_count:
        services.cancel_cycle(cycle=third, by=maker, reason="Tidak ada KPM yang dapat dibayar (demo)")
        return ["Jamsosratu 2020: tidak ada KPM yang dapat dibayar di Lebak"]
    needs = _needs(third)
    for funder, need in needs.items():
        _budget(program, 2020, funder, need * 4, approver)
    third = _approve(third, checker=checker, approver=approver, budget_by=approver)
    services.export_payment_file(cycle=third, by=bank, out=io.BytesIO())
    ids = list(third.payments.values_list("pk", flat=True))
    failed = rng.sample(ids, min(3, max(1, len(ids) // 8)))
    reasons = ["rekening tidak aktif", "nama tidak sesuai dengan rekening", "rekening ditutup"]
    paid3 = date(2020, 9, 18)
    _reconcile(third, bank, paid3, failures={pk: reasons[i % 3] for i, pk in enumerate(failed)})

    fourth = _open(program=program, year=2020, stage=4, region=LEBAK, by=maker,
                                 note="Penyaluran melalui BRI")
    if failed[:-1]:
        services.reissue_payments(payments=failed[:-1], into=fourth, by=approver,
                                  reason="Diterbitkan ulang setelah data rekening diperbaiki")
    services.return_payments(payments=failed[-1:], by=approver, reason="Rekening ditutup; KPM pindah (retur)",
                             on=date(2020, 12, 30))
    services.close_cycle(cycle=third, by=approver)
    _backdate(third, date(2020, 8, 24), paid_on=paid3, closed=date(2020, 12, 31))
    fourth.refresh_from_db()
    if not fourth.payment_count:
        services.cancel_cycle(cycle=fourth, by=maker, reason="Tidak ada KPM yang dapat dibayar (demo)")
        return made
    fourth = _approve(fourth, checker=checker, approver=approver, budget_by=approver)
    services.export_payment_file(cycle=fourth, by=bank, out=io.BytesIO())
    ids = list(fourth.payments.filter(reissued_from__isnull=True, amount_rupiah__gt=50_000)
               .values_list("pk", flat=True))
    short, failed4, paid4 = ids[:1], ids[1:2], date(2020, 12, 15)
    _reconcile(fourth, bank, paid4, failures={pk: "rekening tidak aktif" for pk in failed4},
               short={pk: Payment.objects.get(pk=pk).amount_rupiah - 50_000 for pk in short})
    for pk in short:  # the bank credited Rp50,000 less: flagged, clarified, corrected
        services.settle_flagged_payment(
            payment=Payment.objects.get(pk=pk), by=approver, outcome="paid",
            note="BA klarifikasi BRI No. 14/XII/2020: potongan biaya administrasi dikembalikan",
            credited_amount_rupiah=Payment.objects.get(pk=pk).amount_rupiah, credited_on=date(2020, 12, 22))
    if failed4:
        services.return_payments(payments=failed4, by=approver, reason="Tidak dapat disalurkan 3 bulan (retur)",
                                 on=date(2021, 3, 31))
    services.close_cycle(cycle=fourth, by=approver)
    _backdate(fourth, date(2020, 11, 20), paid_on=paid4, closed=date(2021, 4, 5))
    for cycle in (third, fourth):
        cycle.refresh_from_db()
        made.append(f"{cycle.period_label} Lebak: {cycle.paid_count} berhasil, {cycle.failed_count} gagal, "
                    f"{cycle.returned_count} retur")

    return made


def seed_current_jamsosratu(*, program: Program, people: dict, today: date) -> str:
    """This quarter's Jamsosratu cycle in Lebak, approved and waiting for bank.bri."""
    maker, checker, approver = people["operator.lebak"], people["admin"], people["dinsos.banten"]
    stage = (today.month - 1) * program.cycles_per_year // 12 + 1
    current = _open(program=program, year=today.year, stage=stage, region=LEBAK, by=maker,
                                  note="Menunggu rekonsiliasi BRI")
    if not current.payment_count:
        services.cancel_cycle(cycle=current, by=maker, reason="Tidak ada KPM yang dapat dibayar (demo)")
        return f"Jamsosratu {current.period_label}: tidak ada KPM yang dapat dibayar di Lebak"
    _approve(current, checker=checker, approver=approver, budget_by=approver)
    return (f"Jamsosratu {current.period_label} Lebak menunggu bank.bri: {current.payment_count} KPM, "
            f"{current.excluded_count} tidak dibayar")


# Who makes, verifies and approves UEP cycles where the demo has three people for it (kab/kota → usernames).
UEP_STAFF = {"36.72": ("operator.cilegon", "dinsos.cilegon", "dinsos.banten"),
             "36.02": ("operator.lebak", "admin", "dinsos.banten")}


def seed_uep_cycles(*, program: Program, year: int, admin, rng: random.Random) -> list[str]:
    """Pay ``program``'s approved UEP grants of budget ``year`` through UEP cycles (October, then November for
    the failures and the late account); returns a line per cycle."""
    from jsika.graduation.queries import grants_awaiting_payment

    money = _Accounts(rng, admin)
    bank_user = {"BJB": _user("bank.bjb"), "BRI": _user("bank.bri")}
    made = []
    for region, names in UEP_STAFF.items():
        maker, checker, approver = (admin if name == "admin" else _user(name) for name in names)
        bank = program.bank_for(region)
        grants = list(grants_awaiting_payment(program, year).filter(region_q("household__region_id", region))
                      .values_list("household_id", flat=True).order_by("pk"))
        if not grants or None in (maker, checker, approver) or bank_user.get(bank) is None:
            continue
        late = grants[:1] if len(grants) > 3 else []  # a family whose account is opened only in November
        BankAccount.objects.filter(household_id__in=late, bank_code=bank).update(status="inactive")
        money.open([h for h in grants if h not in late], bank, date(year, 9, 20))
        first = uep.open_uep_cycle(program=program, year=year, scheduled_on=date(year, 10, 15), region=region,
                                   bank_code=bank, by=maker, note="Bantuan modal usaha graduasi 2021")
        first = services.approve_cycle(cycle=services.verify_cycle(cycle=first, by=checker), by=approver)
        services.export_payment_file(cycle=first, by=bank_user[bank], out=io.BytesIO())
        ids = list(first.payments.values_list("pk", flat=True).order_by("pk"))
        failures = {pk: "rekening tidak aktif (dorman)" for pk in ids[1::12]}
        _reconcile(first, bank_user[bank], date(year, 10, 15), failures=failures)
        failed = list(Payment.objects.filter(pk__in=failures).values_list("household_id", flat=True))
        BankAccount.objects.filter(household_id__in=failed, bank_code=bank).update(status="inactive")
        money.open(failed + late, bank, date(year, 11, 2))
        cycles = [(first, date(year, 10, 4), date(year, 10, 15))]
        if failed or late:
            second = uep.open_uep_cycle(program=program, year=year, scheduled_on=date(year, 11, 19), region=region,
                                        bank_code=bank, by=maker, note="Susulan: rekening baru")
            second = services.approve_cycle(cycle=services.verify_cycle(cycle=second, by=checker), by=approver)
            services.export_payment_file(cycle=second, by=bank_user[bank], out=io.BytesIO())
            _reconcile(second, bank_user[bank], date(year, 11, 19))
            services.close_cycle(cycle=second, by=approver)
            cycles.append((second, date(year, 11, 8), date(year, 11, 19)))
        services.close_cycle(cycle=first, by=approver)
        for cycle, generated, paid_on in cycles:
            _backdate(cycle, generated, paid_on=paid_on, closed=paid_on + timedelta(days=20))
            cycle.refresh_from_db()
            made.append(f"UEP {region} {paid_on:%d-%m-%Y}: {cycle.paid_count} × bantuan "
                        f"({rupiah(cycle.paid_rupiah)}), {cycle.failed_count} gagal, {cycle.excluded_count} tanpa "
                        f"rekening")
    return made


def seed_cards(*, program: Program, admin, rng: random.Random) -> int:
    """A kartu Multiguna for each current JSCM KPM (bank, minimarket, free health care and school); a few
    blocked or replaced."""
    rows = list(Enrollment.objects.filter(program=program, status__in=("active", "suspended"))
                .values_list("household_id", flat=True))
    accounts_by_household = dict(BankAccount.objects.filter(household_id__in=rows, bank_code="BJB",
                                                            status="active").values_list("household_id", "pk"))
    services_ = [CardService.BANK, CardService.MINIMARKET, CardService.HEALTH, CardService.SCHOOL]
    cards = []
    for i, household_id in enumerate(rows):
        status = Card.Status.ACTIVE if rng.random() > 0.02 else Card.Status.BLOCKED
        cards.append(Card(household_id=household_id, number=f"6019{i + 1:012d}", status=status,
                          bank_account_id=accounts_by_household.get(household_id), services=[str(s) for s in services_],
                          issued_on=date(2019, 11, 1),
                          blocked_reason="Kartu hilang, dilaporkan KPM" if status == Card.Status.BLOCKED else ""))
    bulk_create_with_history(cards, Card, batch_size=1000, default_user=admin, default_change_reason="seed_demo")
    for i, card in enumerate(Card.objects.filter(status=Card.Status.BLOCKED).order_by("pk")[:2]):
        accounts.replace_card(card=card, by=admin, new_number=f"6020{i + 1:012d}", reason="Kartu hilang; diganti baru")
    return len(cards)


def seed_payments(ctx=None, /, *, admin=None, rng: random.Random | None = None, today: date | None = None) -> str:
    """The demo step: accounts, cards, budgets and cycles of JSCM and Jamsosratu; skipped when JSCM has cycles.

    Call as a seed_demo step (``seed_payments(ctx)``, after ``seed_programs``) or directly
    (``seed_payments(admin=…, rng=…, today=…)``).
    """
    if ctx is not None:
        admin, rng, today = ctx.admin, random.Random(ctx.seed + 6), ctx.today
    rng = rng or random.Random(20191120)
    today = today or timezone.localdate()
    jscm = Program.objects.filter(code="JSCM").first()
    jamsosratu = Program.objects.filter(code="JAMSOSRATU").first()
    if jscm is None or jamsosratu is None:
        return "dilewati: program JSCM/Jamsosratu belum ada (jalankan seed_programs dulu)"
    if PaymentCycle.objects.filter(program=jscm).exists():
        return "dilewati: tahap penyaluran JSCM sudah ada"
    names = ["operator.cilegon", "dinsos.cilegon", "dinsos.banten", "operator.lebak", "bank.bjb", "bank.bri"]
    people = {name: _user(name) for name in names}
    people["admin"] = admin
    missing = [name for name, user in people.items() if user is None]
    if missing:
        return "dilewati: akun demo belum ada: " + ", ".join(missing)
    money = _Accounts(rng, admin)
    setsql.analyze(Household, Person)  # just loaded by the earlier demo steps
    lines = seed_jscm_cycles(program=jscm, people=people, rng=rng, money=money)
    cards = seed_cards(program=jscm, admin=admin, rng=rng)
    lines.append(seed_current_jscm(program=jscm, people=people, today=today))
    lines += seed_jamsosratu_cycles(program=jamsosratu, people=people, rng=rng, money=money)
    lines.append(seed_current_jamsosratu(program=jamsosratu, people=people, today=today))
    total = Payment.objects.filter(status="paid").aggregate(s=Sum("credited_amount_rupiah"))["s"] or 0
    return (f"{PaymentCycle.objects.count()} tahap, {BankAccount.objects.count()} rekening, {cards} kartu Multiguna, "
            f"tersalur {rupiah(total)}; " + "; ".join(lines))
